"""Registering an article: its text into the corpus, its record into data/.

An article arrives as plain UTF-8 text or as a saved HTML page, whose main
text trafilatura extracts. The text goes into the corpus folder under a name
made from its place in the corpus and its content (``NNN_<16 hex digits of
its sha256>.txt``, as the corpus's files are named), and a source record goes
into the data file that holds the sources. The record says only what the
article states about itself; whatever it does not state is left out, and the
curator can supply it.

The data file is edited as text: the new record is inserted after the last
one, so that the file's layout and comments stay exactly as they were.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from kg.curate.article_states import plain_text_states
from kg.curate.catalog import Catalog
from kg.curate.load import data_files
from kg.curate.model import ID_PATTERN, suggest_id
from kg.curate.yamlsafe import coerced_meaning
from kg.errors import KGError

RECORD_FIELDS = ("id", "file", "sha256", "kind", "title", "publisher", "date", "author", "dateline", "section")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
_CORPUS_NAME = re.compile(r"^(\d{3,})_[0-9a-f]{16}\.txt$")


@dataclass
class Article:
    """An article read from the curator's file, before it is registered."""

    text: str
    states: dict[str, str] = field(default_factory=dict)  # what it says about itself
    notes: list[str] = field(default_factory=list)  # what the curator should know

    @property
    def raw(self) -> bytes:
        return self.text.encode("utf-8")

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()


def read_article(path: Path) -> Article:
    """The text of a plain-text or HTML article, and what it states about itself."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise KGError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise KGError(f"{path}: is a folder; give the article's file") from None
    except OSError as exc:
        raise KGError(f"{path}: cannot read it: {exc.strerror}") from None
    if path.suffix.lower() in HTML_SUFFIXES or raw.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")):
        return _read_html(path, raw)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        order = "little" if raw.startswith(b"\xff\xfe") else "big"
        raise KGError(f"{path}: UTF-16 text ({order}-endian byte-order mark {raw[:2].hex(' ').upper()}), not UTF-8; "
                      f"convert it first, e.g. iconv -f UTF-16 -t UTF-8 {path} > article.txt")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise KGError(
            f"{path}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
            f"convert it first, e.g. iconv -f WINDOWS-1252 -t UTF-8 {path} > article.txt"
        ) from None
    text = text.removeprefix("\ufeff")
    _refuse_controls(path, text)
    # Stored with LF line endings: the corpus file is named by the hash of
    # what is stored, and quotes are matched line by line.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise KGError(f"{path}: the file is empty")
    return Article(text, plain_text_states(text))


# C0 controls but tab, line feed and carriage return; DEL; the C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f]")


def _refuse_controls(path: Path, text: str) -> None:
    """Binary data can be valid UTF-8 (a run of NUL bytes is): an article's text has no control characters."""
    found = _CONTROL.search(text)
    if found is None:
        return
    line = text.count("\n", 0, found.start()) + 1
    col = found.start() - (text.rfind("\n", 0, found.start()) + 1) + 1
    count = len(_CONTROL.findall(text))
    raise KGError(f"{path}:{line}:{col}: control character U+{ord(found.group()):04X} "
                  f"({count} in all): this is not plain text; give the article's text as a UTF-8 .txt file "
                  f"or its saved HTML page")


def _read_html(path: Path, raw: bytes) -> Article:
    import trafilatura

    # extensive_search off: a date is taken from the page's own metadata, never
    # guessed from a number somewhere in its text.
    found = trafilatura.bare_extraction(raw, with_metadata=True, include_comments=False, include_tables=True,
                                        date_extraction_params={"extensive_search": False, "original_date": True})
    text = (found.text if found is not None else "") or ""
    if not text.strip():
        raise KGError(f"{path}: no article text found in this HTML page; save the article's own page, or paste its text into a .txt file")
    if not text.endswith("\n"):
        text += "\n"
    states = {}
    for name, value in (("title", found.title), ("author", found.author), ("date", found.date)):
        if value and value.strip():
            states[name] = value.strip()
    notes = []
    if found.sitename and found.sitename.strip():
        states["publisher name"] = found.sitename.strip()
    states.update({k: v for k, v in plain_text_states(text).items() if k in ("dateline",)})
    return Article(text, states, notes)


@dataclass
class Registered:
    record: dict[str, str]
    corpus_file: Path
    data_file: Path
    notes: list[str]


def add_source(path: Path, catalog: Catalog, data: Path, corpus: Path, kind: str,
               given: dict[str, str | None], source_id: str | None = None) -> Registered:
    """Copy the article into ``corpus`` and append its record to the data; see the module docstring."""
    article = read_article(path)
    _refuse_duplicate(article, catalog, corpus)
    index = _next_index(corpus)
    file_name = f"{index:03d}_{article.sha256[:16]}.txt"
    source_id = source_id or f"a{index:03d}"
    if not re.match(ID_PATTERN, source_id):
        raise KGError(f"--id {source_id!r} is not safe in an IRI; use lowercase letters, digits, '-', '.' and '_', "
                      f"e.g. {suggest_id(source_id)!r}")
    if source_id in catalog.sources:
        raise KGError(f"source id '{source_id}' is already taken; pass --id with another")
    record = {"id": source_id, "file": file_name, "sha256": article.sha256, "kind": kind}
    states = dict(article.states)
    notes = list(article.notes)
    publisher_name = states.pop("publisher name", None)
    if publisher_name and not given.get("publisher"):
        entity = _entity_named(catalog, publisher_name)
        if entity:
            states["publisher"] = entity
        else:
            notes.append(f"the page names its publisher {publisher_name!r}, which is no entity of the data; "
                         f"add it as an entity and pass --publisher ID to record it")
    for name in RECORD_FIELDS[4:]:
        value = given.get(name) or states.get(name)
        if value:
            record[name] = value
    if record.get("publisher") and record["publisher"] not in catalog.entities:
        raise KGError(f"--publisher {record['publisher']!r} is not an entity id of the data; add the entity first")
    target = _sources_file(data)
    corpus_file = corpus / file_name
    try:
        corpus_file.write_bytes(article.raw)
    except OSError as exc:
        raise KGError(f"cannot write {corpus_file}: {exc.strerror}") from None
    try:
        append_record(target, "sources", record)
    except BaseException:
        corpus_file.unlink(missing_ok=True)  # both or neither
        raise
    return Registered(record, corpus_file, target, notes)


def comparable(text: str) -> str:
    """The text as two copies of one article share it: line endings as LF, no trailing whitespace."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n")


def _refuse_duplicate(article: Article, catalog: Catalog, corpus: Path) -> None:
    sha = article.sha256
    for source in catalog.sources.values():
        if source.record.sha256 == sha:
            raise KGError(f"this article is already in the corpus as {source.record.file}, source id '{source.id}'")
    wanted = comparable(article.text)
    named = {source.record.file: source.id for source in catalog.sources.values()}
    for existing in sorted(corpus.glob("*.txt")):
        try:
            raw = existing.read_bytes()
        except OSError:
            continue
        same_bytes = hashlib.sha256(raw).hexdigest() == sha
        if not same_bytes and comparable(raw.decode("utf-8", errors="replace")) != wanted:
            continue
        how = "" if same_bytes else " (the same text but for line endings or trailing whitespace)"
        if existing.name in named:
            raise KGError(f"this article is already in the corpus as {existing.name}, "
                          f"source id '{named[existing.name]}'{how}")
        raise KGError(f"this article is already in the corpus as {existing.name}{how}, which no source record names yet")


def _next_index(corpus: Path) -> int:
    used = [int(m[1]) for p in corpus.glob("*.txt") if (m := _CORPUS_NAME.match(p.name))]
    return max(used, default=-1) + 1


def _entity_named(catalog: Catalog, name: str) -> str | None:
    wanted = name.casefold()
    for entity in catalog.entities.values():
        if wanted in (n.casefold() for n in (entity.record.name, *entity.record.aliases)):
            return entity.id
    return None


def _sources_file(data: Path) -> Path:
    """The data file that holds the sources, or data/sources.yaml in a folder that has none."""
    files = data_files(data)
    for file in files:
        text = file.read_text(encoding="utf-8")
        if re.search(r"^sources:", text, re.MULTILINE):
            return file
    if data.is_dir():
        return data / "sources.yaml"
    return files[0]


def yaml_scalar(value: str) -> str:
    """``value`` as a YAML scalar: plain when that reads back as the same string, else double-quoted."""
    if re.fullmatch(r"[A-Za-z0-9@(][\w .,'@()/+\-]*", value) and coerced_meaning(value) is None \
            and _reads_back(value):
        return value
    return json.dumps(value, ensure_ascii=False)


def _reads_back(value: str) -> bool:
    try:
        return yaml.safe_load(value) == value
    except yaml.YAMLError:  # "@handle": YAML reserves "@" to start a plain scalar
        return False


def append_record(file: Path, section: str, record: dict[str, str]) -> None:
    """Insert ``record`` at the end of the top-level list ``section`` of ``file``, as text."""
    lines = [f"{key}: {yaml_scalar(value)}" for key, value in record.items()]
    if not file.exists():
        file.write_text(f"{section}:\n  - " + "\n    ".join(lines) + "\n", encoding="utf-8")
        return
    text = file.read_text(encoding="utf-8")
    try:
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise KGError(f"{file}: cannot add to it, it is not valid YAML ({str(exc).splitlines()[0]}); run kg validate") from None
    items = None
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if key.value == section:
                items = value
    if items is None:
        sep = "" if text.endswith("\n") or not text else "\n"
        file.write_text(text + sep + f"\n{section}:\n  - " + "\n    ".join(lines) + "\n", encoding="utf-8")
        return
    if not isinstance(items, yaml.SequenceNode) or items.flow_style or not items.value:
        raise KGError(f"{file}: '{section}' is not a block list of records; add the record by hand:\n  - "
                      + "\n    ".join(lines))
    last = items.value[-1]
    dash = last.start_mark.column - 2
    pad = " " * dash
    block = "\n" + pad + "- " + ("\n" + pad + "  ").join(lines) + "\n"
    while isinstance(last, (yaml.MappingNode, yaml.SequenceNode)) and last.value:
        last = last.value[-1][1] if isinstance(last, yaml.MappingNode) else last.value[-1]
    # A collection's end mark lies past the blank lines and comments after
    # it; the last scalar's is where the record's text ends.
    cut = text.find("\n", last.end_mark.index) + 1 or len(text)
    prefix = text[:cut] if text[:cut].endswith("\n") else text[:cut] + "\n"
    file.write_text(prefix + block + text[cut:], encoding="utf-8")
