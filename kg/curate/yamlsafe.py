"""Strict, fast reading of hand-written YAML.

libyaml parses the text in C and we build dicts, lists and strings straight
from its events, with the *base* resolver's view of scalars: every scalar
stays the string the curator typed, nothing is silently turned into a
boolean, a number or a date. Building from events is several times faster
than composing libyaml's node tree, and it lets us refuse, before anything is
expanded, what a data file has no use for and what could hurt: anchors and
aliases (alias bombs), explicit tags (``!!python/object``), duplicate keys.
Unquoted scalars that YAML 1.1 tools would read as booleans or null (``NO``,
``off``, ``~``) are listed with the key they sit under, so that the loader
can refuse them wherever text is expected.

Positions are not tracked while building. When a problem needs a line and
column, the file is composed into a node tree once and the value is found by
its path: errors cost time, clean files do not.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import MappingNode, Node, SequenceNode

from kg.errors import Problem

_LOADER = getattr(yaml, "CBaseLoader", yaml.BaseLoader)

# What YAML 1.1 (PyYAML's SafeLoader) reads as a boolean or null when unquoted.
_YAML11_TRUE = frozenset("yes Yes YES true True TRUE on On ON y Y".split())
_YAML11_FALSE = frozenset("no No NO false False FALSE off Off OFF n N".split())
_YAML11_NULL = frozenset(("", "~", "null", "Null", "NULL"))
_COERCIBLE = _YAML11_TRUE | _YAML11_FALSE | _YAML11_NULL


def coerced_meaning(text: str) -> str | None:
    """What YAML 1.1 would make of an unquoted scalar, if not a string."""
    if text in _YAML11_TRUE:
        return "the boolean true"
    if text in _YAML11_FALSE:
        return "the boolean false"
    if text in _YAML11_NULL:
        return "null"
    return None


@dataclass
class YamlDocument:
    """A parsed YAML file: plain Python data plus the node tree to locate it."""

    path: str
    data: Any
    text: str = ""
    problems: list[Problem] = field(default_factory=list)
    # (key, value, line, column) of unquoted scalars YAML 1.1 would coerce
    coerced: list[tuple[str, str, int, int]] = field(default_factory=list)
    _root: Node | None = field(default=None, repr=False)

    @property
    def root(self) -> Node | None:
        if self._root is None and self.text and self.data is not None:
            loader = _LOADER(self.text)
            try:
                self._root = loader.get_single_node()
            finally:
                loader.dispose()
        return self._root

    def locate(self, loc: tuple, key: bool = False) -> tuple[int, int]:
        """1-based (line, column) of the value at ``loc``, or of its key.

        ``loc`` is a path of mapping keys and sequence indexes. When it leads
        nowhere (a missing field) the nearest enclosing node is used.
        """
        node = self.root
        mark_node = node
        for part in loc:
            if isinstance(node, MappingNode):
                for key_node, value_node in node.value:
                    if key_node.value == part:
                        mark_node = key_node if key and part == loc[-1] else value_node
                        node = value_node
                        break
                else:
                    break
            elif isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
                node = node.value[part]
                mark_node = node
            else:
                break
        if mark_node is None:
            return (1, 1)
        mark = mark_node.start_mark
        return (mark.line + 1, mark.column + 1)

    def problem(self, loc: tuple, message: str, key: bool = False) -> Problem:
        line, col = self.locate(loc, key=key)
        return Problem(self.path, line, col, message)


def read_yaml(path: Path, display: str | None = None) -> YamlDocument:
    """Read one YAML file strictly. Problems are collected, never raised."""
    name = display or str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return YamlDocument(name, None, problems=[Problem(name, 1, 1, f"cannot read the file: {exc.strerror}")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        message = f"the file is not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save it as UTF-8"
        return YamlDocument(name, None, problems=[Problem(name, line, col, message)])
    if text.startswith("\ufeff"):
        text = text[1:]
    if all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        message = "the file is empty; expected a mapping with 'sources', 'entities' and/or 'claims'"
        return YamlDocument(name, None, problems=[Problem(name, 1, 1, message)])
    builder = _Builder(name)
    loader = _LOADER(text)
    try:
        data = builder.run(loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = exc.problem or "invalid YAML"
        if _is_depth_limit(what):
            # Some PyYAML releases stop deep nesting themselves, while scanning
            # ahead, before the builder sees the level past MAX_DEPTH.
            problem = Problem(name, line, col, _TOO_DEEP)
        else:
            problem = Problem(name, line, col, f"YAML syntax error: {what}{_syntax_hint(what)}")
        return YamlDocument(name, None, problems=builder.problems + [problem])
    except yaml.reader.ReaderError:
        return YamlDocument(name, None, problems=builder.problems + [_refused_character(name, text)])
    finally:
        loader.dispose()
    if builder.problems:
        return YamlDocument(name, None, problems=builder.problems)
    return YamlDocument(name, data, text, coerced=builder.coerced)


# The characters YAML refuses anywhere in a stream, as PyYAML's reader checks them.
_NON_PRINTABLE = yaml.reader.Reader.NON_PRINTABLE


def _refused_character(name: str, text: str) -> Problem:
    """Where the first character that YAML refuses is, in lines and columns.

    libyaml's ReaderError has no mark, and its position counts UTF-8 bytes.
    """
    found = _NON_PRINTABLE.search(text)
    if found is None:  # pragma: no cover - the reader refuses only these
        return Problem(name, 1, 1, "the file holds a character YAML does not allow")
    start = found.start()
    line = text.count("\n", 0, start) + 1
    col = start - (text.rfind("\n", 0, start) + 1) + 1
    char = found.group()
    what = "control character" if unicodedata.category(char) == "Cc" else "character"
    return Problem(name, line, col, f"{what} U+{ord(char):04X} is not allowed in YAML; remove it")


def _is_depth_limit(what: str) -> bool:
    lowered = what.lower()
    return "nesting" in lowered or "depth" in lowered


def _syntax_hint(what: str) -> str:
    if "mapping values are not allowed" in what:
        return "; a value that contains ': ' must be quoted"
    if "found character '\\t'" in what:
        return "; indent with spaces, not tabs"
    if "could not find expected ':'" in what:
        return "; check the indentation and that every key ends with ':'"
    return ""


_NO_KEY = object()
# Data files nest a few levels. libyaml's composer, used to locate errors,
# recurses per level and overflows the C stack in the tens of thousands.
MAX_DEPTH = 64
_TOO_DEEP = f"nested more than {MAX_DEPTH} levels deep; data files need a handful"


class _Builder:
    """Builds plain Python data from libyaml events, refusing what is unsafe."""

    def __init__(self, path: str):
        self.path = path
        self.problems: list[Problem] = []
        self.coerced: list[tuple[str, str, int, int]] = []

    def _problem(self, event, message: str) -> None:
        mark = event.start_mark
        self.problems.append(Problem(self.path, mark.line + 1, mark.column + 1, message))

    def _refuse_anchor_and_tag(self, event) -> None:
        if event.anchor is not None:
            self._problem(event, f"anchor '&{event.anchor}' is not allowed; write the value out in full")
        if event.tag is not None and event.tag != "!":
            self._problem(event, f"tag '{event.tag}' is not allowed; data files hold plain values only")

    def _note_coerced(self, stack: list[list], value: str, event) -> None:
        key = ""
        for entry in reversed(stack):  # the nearest mapping key above the value
            if entry[2] and isinstance(entry[1], str):
                key = entry[1]
                break
        mark = event.start_mark
        self.coerced.append((key, value, mark.line + 1, mark.column + 1))

    def run(self, loader) -> Any:
        # stack entries: [container, pending key (maps only), is_map]
        stack: list[list] = []
        root: Any = None
        documents = 0
        get_event = loader.get_event
        while True:
            event = get_event()
            cls = event.__class__
            if cls is ScalarEvent:
                if event.anchor is not None or event.tag is not None:
                    self._refuse_anchor_and_tag(event)
                value: Any = event.value
                if not event.style and value in _COERCIBLE:
                    self._note_coerced(stack, value, event)
            elif cls is MappingStartEvent or cls is SequenceStartEvent:
                if event.anchor is not None or event.tag is not None:
                    self._refuse_anchor_and_tag(event)
                if len(stack) >= MAX_DEPTH:
                    self._problem(event, _TOO_DEEP)
                    return None
                is_map = cls is MappingStartEvent
                stack.append([{} if is_map else [], _NO_KEY, is_map, event])
                continue
            elif cls is MappingEndEvent or cls is SequenceEndEvent:
                value = stack.pop()[0]
            elif cls is AliasEvent:
                self._problem(event, f"alias '*{event.anchor}' is not allowed; write the value out in full")
                value = None
            elif cls is DocumentStartEvent:
                documents += 1
                if documents > 1:
                    self._problem(event, "only one YAML document per file; remove the '---' separator or split the file")
                continue
            elif cls is StreamEndEvent:
                return root
            else:  # StreamStart, DocumentEnd
                continue

            if not stack:
                root = value
                continue
            top = stack[-1]
            if not top[2]:
                top[0].append(value)
            elif top[1] is _NO_KEY:
                if not isinstance(value, str):
                    self._problem(event, "keys must be plain words")
                    value = _DUPLICATE
                elif value in top[0]:
                    self._problem(event, f"duplicate key '{value}': the second value would silently replace the first")
                    value = _DUPLICATE
                top[1] = value
            else:
                if top[1] is not _DUPLICATE:
                    top[0][top[1]] = value
                top[1] = _NO_KEY


_DUPLICATE = object()
