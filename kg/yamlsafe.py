"""Strict, fast reading of hand-written YAML.

libyaml composes the node tree in C with the *base* resolver, so every scalar
stays the string the curator typed: nothing is silently turned into a boolean,
a number or a date. The walk over the tree then refuses what a data file has
no use for and what could hurt: anchors and aliases (alias bombs), explicit
tags (``!!python/object``), duplicate keys, and plain scalars that YAML 1.1
tools would read as something other than text.

The node tree is kept so that any value can be located later by its path,
without paying for position bookkeeping on every node.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import Problem

_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_LOADER = getattr(yaml, "CBaseLoader", yaml.BaseLoader)

# What YAML 1.1 (PyYAML's SafeLoader) reads as a boolean or null when unquoted.
_YAML11_BOOL = re.compile(r"^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|y|Y|n|N)$")
_YAML11_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
# A cheap pre-scan: only when one of these could start a token do we pay for a
# full token scan to find anchors, aliases and tags precisely.
_MAYBE_SPECIAL = re.compile(r"(?:^|[\s\[{,:-])[&*!][^\s,\]}]", re.MULTILINE)


def coerced_meaning(text: str) -> str | None:
    """What YAML 1.1 would make of an unquoted scalar, if not a string."""
    if len(text) > 5:
        return None
    if _YAML11_BOOL.match(text):
        return "the boolean " + ("true" if text.lower() in ("yes", "true", "on", "y") else "false")
    if _YAML11_NULL.match(text):
        return "null"
    return None


@dataclass
class YamlDocument:
    """A parsed YAML file: plain Python data plus the node tree to locate it."""

    path: str
    data: Any
    root: Node | None
    problems: list[Problem] = field(default_factory=list)

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
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return YamlDocument(name, None, None, [Problem(name, line, col, f"the file is not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save it as UTF-8")])
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        return YamlDocument(name, None, None, [Problem(name, 1, 1, "the file is empty; expected a mapping with 'sources', 'entities' and/or 'claims'")])

    problems: list[Problem] = []
    if _MAYBE_SPECIAL.search(text):
        problems.extend(_scan_special_tokens(name, text))
        if problems:
            # Never compose a document that uses aliases: that is how alias
            # bombs exhaust memory.
            return YamlDocument(name, None, None, problems)

    loader = _LOADER(text)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = exc.problem or "invalid YAML"
        hint = _syntax_hint(what)
        return YamlDocument(name, None, None, [Problem(name, line, col, f"YAML syntax error: {what}{hint}")])
    except yaml.YAMLError as exc:  # pragma: no cover - libyaml always gives marks
        return YamlDocument(name, None, None, [Problem(name, 1, 1, f"YAML syntax error: {exc}")])
    finally:
        loader.dispose()

    walker = _Walker(name)
    data = walker.convert(root) if root is not None else None
    return YamlDocument(name, data, root, walker.problems)


def _syntax_hint(what: str) -> str:
    if "mapping values are not allowed" in what:
        return "; a value that contains ': ' must be quoted"
    if "found character '\\t'" in what:
        return "; indent with spaces, not tabs"
    if "could not find expected ':'" in what:
        return "; check the indentation and that every key ends with ':'"
    return ""


def _scan_special_tokens(name: str, text: str) -> list[Problem]:
    problems = []
    loader = _LOADER(text)
    try:
        while True:
            token = loader.get_token()
            if token is None or isinstance(token, yaml.StreamEndToken):
                break
            line, col = token.start_mark.line + 1, token.start_mark.column + 1
            if isinstance(token, yaml.AnchorToken):
                problems.append(Problem(name, line, col, f"anchor '&{token.value}' is not allowed; write the value out in full"))
            elif isinstance(token, yaml.AliasToken):
                problems.append(Problem(name, line, col, f"alias '*{token.value}' is not allowed; write the value out in full"))
            elif isinstance(token, yaml.TagToken):
                handle, suffix = token.value
                problems.append(Problem(name, line, col, f"tag '{handle or ''}{suffix}' is not allowed; data files hold plain values only"))
    except yaml.MarkedYAMLError:
        pass  # the composer reports syntax errors with their position
    finally:
        loader.dispose()
    return problems


class _Walker:
    """Turns composed nodes into dicts, lists and strings, collecting problems."""

    def __init__(self, path: str):
        self.path = path
        self.problems: list[Problem] = []
        self.seen: set[int] = set()

    def _problem(self, node: Node, message: str) -> None:
        mark = node.start_mark
        self.problems.append(Problem(self.path, mark.line + 1, mark.column + 1, message))

    def convert(self, node: Node) -> Any:
        if id(node) in self.seen:  # an alias that slipped past the pre-scan
            self._problem(node, "aliases are not allowed; write the value out in full")
            return None
        self.seen.add(id(node))
        if isinstance(node, ScalarNode):
            if node.tag != _STR:
                self._problem(node, f"tag '{node.tag}' is not allowed; data files hold plain values only")
            return PlainStr(node.value) if not node.style else node.value
        if isinstance(node, SequenceNode):
            if node.tag != _SEQ:
                self._problem(node, f"tag '{node.tag}' is not allowed")
            return [self.convert(item) for item in node.value]
        if node.tag != _MAP:
            self._problem(node, f"tag '{node.tag}' is not allowed")
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self._problem(key_node, "keys must be plain words")
                continue
            key = key_node.value
            if key in result:
                self._problem(key_node, f"duplicate key '{key}': the second value would silently replace the first")
                continue
            result[key] = self.convert(value_node)
        return result


class PlainStr(str):
    """A scalar the curator did not quote.

    String fields use the type to refuse values like ``NO`` that YAML 1.1
    tools would read as booleans.
    """
