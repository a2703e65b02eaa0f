"""Load the curated data: strict YAML, then shapes, then references.

Pass one parses every file and validates every record's shape. Pass two
resolves what records point at: claim subjects and values, properties,
qualifiers, evidence sources. Every problem found in either pass is reported
in one go, each at the file, line and column where it can be fixed.
"""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from .errors import DataError, KGError, Problem, did_you_mean
from .model import ID_PATTERN, ClaimRecord, DataFile, DisagreementRecord, EntityRecord, SourceRecord, suggest_id
from .values import BadValue, Value, parse_value
from .vocab import PropertyInfo, Vocabulary, load_vocabulary
from .yamlsafe import YamlDocument, coerced_meaning, read_yaml


@dataclass(frozen=True, slots=True)
class Where:
    """Where a record was written, resolved to a line only when needed."""

    doc: YamlDocument
    loc: tuple

    def problem(self, message: str, *extra: str | int, key: bool = False) -> Problem:
        return self.doc.problem(self.loc + tuple(extra), message, key=key)


@dataclass(slots=True)
class Source:
    record: SourceRecord  # record.sha256 is None when the data's is missing or malformed (already reported)
    where: Where
    date: Value | None = None  # the record's date, parsed

    @property
    def id(self) -> str:
        return self.record.id


@dataclass(slots=True)
class Entity:
    record: EntityRecord
    where: Where

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def type(self) -> str:
        return self.record.type


@dataclass(slots=True)
class Evidence:
    source: str
    quote: str
    where: Where
    # Filled in by quote verification (kg.corpus).
    start: int = -1
    end: int = -1
    exact: str = ""
    prefix: str = ""
    suffix: str = ""


@dataclass(slots=True)
class Claim:
    subject: str
    property: PropertyInfo
    value: Value
    qualifiers: dict[str, Value]
    rank: str
    reason: str | None
    evidence: list[Evidence]
    where: Where

    key: str = ""  # identifies the claim: same key, same claim (and same IRI)
    id: str | None = None  # the curator's name for it, if any (not part of the key)

    def __post_init__(self):
        quals = ";".join(f"{k}={v.key}" for k, v in sorted(self.qualifiers.items()))
        self.key = f"{self.subject}\x1f{self.property.name}\x1f{self.value.key}\x1f{quals}"


@dataclass
class Catalog:
    """Everything the data says, resolved and checked."""

    vocab: Vocabulary
    sources: dict[str, Source] = field(default_factory=dict)
    entities: dict[str, Entity] = field(default_factory=dict)
    claims: list[Claim] = field(default_factory=list)
    # ("source" or "entity", id) of records too broken to use, whose problems
    # are reported: what cites them is not reported again as unknown.
    unusable: set[tuple[str, str]] = field(default_factory=set)
    # The evidence of claims refused for other reasons: its quotes are still
    # checked, so that fixing the claim does not reveal a new problem.
    refused_evidence: list[list[Evidence]] = field(default_factory=list)
    declared: list = field(default_factory=list)  # kg.disagreement_data.Declared


def data_files(path: Path) -> list[Path]:
    """The YAML files of a data path: the file itself, or a folder's, sorted."""
    try:
        is_file = path.is_file()
    except OSError as exc:  # a name longer than the system allows
        raise KGError(f"{path}: cannot read it: {exc.strerror}") from None
    if is_file:
        return [path]
    if path.is_dir():
        # Hidden files (editor backups, macOS "._" forks) are not data.
        files = sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()
                       and not any(part.startswith(".") for part in p.relative_to(path).parts))
        if not files:
            raise KGError(f"{path}: no .yaml files in this folder")
        return files
    raise KGError(f"{path}: no such file or folder (use --data to point at data/entities.yaml or a folder of YAML files)")


def load(path: Path, vocab: Vocabulary | None = None, corpus: Path | None = None) -> Catalog:
    """Load and check the data at ``path``; raise DataError listing every problem."""
    catalog, problems = load_catalog(path, vocab, corpus)
    if problems:
        raise DataError(problems)
    return catalog


def load_catalog(path: Path, vocab: Vocabulary | None = None, corpus: Path | None = None) -> tuple[Catalog, list[Problem]]:
    """The records that check out, and every problem with the others.

    Later stages (quote verification) run on what checked out, so that one
    pass reports everything. With the ``corpus`` folder, a source whose
    sha256 is missing or malformed is told its file's hash.
    """
    vocab = vocab or load_vocabulary()
    problems: list[Problem] = []
    parsed: list[tuple[YamlDocument, DataFile]] = []
    for file in data_files(path):
        doc = read_yaml(file, str(file))  # as the user named it
        problems.extend(doc.problems)
        if doc.problems:
            continue
        if not isinstance(doc.data, dict):
            problems.append(doc.problem((), "the top level must be a mapping with 'sources', 'entities' and/or 'claims'"))
            continue
        problems.extend(_coerced_problems(doc, vocab))
        try:
            parsed.append((doc, DataFile.model_validate(doc.data)))
        except ValidationError as exc:
            problems.extend(_shape_problems(doc, exc, corpus))
            # Keep the records that are well formed, so that their references
            # are checked in this same run rather than after the next fix.
            parsed.append((doc, _valid_records(doc.data)))
    catalog = Catalog(vocab)
    _resolve(catalog, parsed, problems)
    return catalog, problems


_RECORD_MODELS = {"sources": SourceRecord, "entities": EntityRecord, "claims": ClaimRecord,
                  "disagreements": DisagreementRecord}


@dataclass(frozen=True, slots=True)
class _Unusable:
    """Stands for a record too broken to check further, whose id is known."""

    id: str


_ID = re.compile(ID_PATTERN)
_SHA256 = re.compile(r"[0-9a-f]{64}")


def _valid_records(data: dict) -> DataFile:
    """The records of a file that fails validation as a whole, as far as each can be checked.

    Indexes are kept (None or an _Unusable stands for each bad record) so
    that positions still resolve.
    """
    kept: dict[str, list] = {}
    for section, model in _RECORD_MODELS.items():
        records = data.get(section)
        if not isinstance(records, list):
            continue
        kept[section] = [_salvage(model, raw) for raw in records]
    return DataFile.model_construct(**kept)


def _salvage(model, raw):
    """A record whose problems are already reported, kept for the checks that remain.

    Without its unknown fields, and for a source without its missing or
    malformed sha256, a record that then validates is kept, so that what
    it points at and the quotes that cite it are checked in the same pass.
    Else its id, if it has a usable one, still counts as defined.
    """
    try:
        return model.model_validate(raw)
    except ValidationError:
        pass
    if not isinstance(raw, dict):
        return None
    fields = {k: v for k, v in raw.items() if k in model.model_fields}
    hashless = model is SourceRecord and not (isinstance(fields.get("sha256"), str) and _SHA256.fullmatch(fields["sha256"]))
    if hashless:
        fields["sha256"] = "0" * 64  # stands in for validation, then is removed
    try:
        record = model.model_validate(fields)
    except ValidationError:
        ident = raw.get("id")
        return _Unusable(ident.strip()) if isinstance(ident, str) and _ID.match(ident.strip()) else None
    return record.model_copy(update={"sha256": None}) if hashless else record


def _coerced_problems(doc: YamlDocument, vocab: Vocabulary) -> list[Problem]:
    """Unquoted NO, off, ~ ... are refused except where a boolean is expected."""
    boolean_keys = {name for name, q in vocab.qualifiers.items() if q.kind == "boolean"}
    problems = []
    for key, value, line, col in doc.coerced:
        if key in boolean_keys and value in ("true", "false"):
            continue
        meaning = coerced_meaning(value)
        hint = "; write true or false" if key in boolean_keys else f'; put it in quotes: "{value}"'
        problems.append(Problem(doc.path, line, col, f"unquoted {value!r} is read as {meaning} by YAML 1.1 tools{hint}"))
    return problems


_RECORD_FIELDS = {
    "sources": set(SourceRecord.model_fields),
    "entities": set(EntityRecord.model_fields),
    "claims": set(ClaimRecord.model_fields),
    "evidence": {"source", "quote"},
    "disagreements": set(DisagreementRecord.model_fields),
    None: set(DataFile.model_fields),
}


def _shape_problems(doc: YamlDocument, exc: ValidationError, corpus: Path | None = None) -> list[Problem]:
    problems = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        kind = error["type"]
        field_name = loc[-1] if loc else ""
        if kind == "extra_forbidden":
            section = next((p for p in reversed(loc[:-1]) if isinstance(p, str)), None)
            allowed = _RECORD_FIELDS.get(section, set())
            message = f"unknown field '{field_name}'{did_you_mean(str(field_name), allowed)}"
            if allowed:
                message += f"; allowed: {', '.join(sorted(allowed))}"
            problems.append(doc.problem(loc, message, key=True))
        elif kind == "missing" and loc[:1] == ("sources",) and field_name == "sha256":
            problems.append(doc.problem(loc[:-1], f"missing field 'sha256'{_file_sha256(doc, loc, corpus)}"))
        elif kind == "missing":
            problems.append(doc.problem(loc[:-1], f"missing field '{field_name}'"))
        elif kind == "too_short" and "sides" in loc:
            problems.append(doc.problem(loc, "a disagreement has at least two sides, each a list of one or more claim ids"))
        elif kind == "too_short" and field_name == "evidence":
            problems.append(doc.problem(loc, "a claim needs at least one piece of evidence: a list of {source, quote}"))
        elif kind == "literal_error":
            expected = error["ctx"]["expected"]
            problems.append(doc.problem(loc, f"'{field_name}' must be one of {expected}; got {error['input']!r}"))
        elif kind in ("list_type", "dict_type", "model_type", "model_attributes_type"):
            want = {"list_type": "a list", "dict_type": "a mapping"}.get(kind, "a mapping")
            problems.append(doc.problem(loc, f"'{field_name}' must be {want}"))
        elif kind == "string_pattern_mismatch" and field_name == "sha256":
            problems.append(doc.problem(loc, f"sha256 must be 64 lowercase hexadecimal digits{_file_sha256(doc, loc, corpus)}"))
        elif kind == "string_pattern_mismatch":
            problems.append(doc.problem(loc, _pattern_message(str(field_name), str(error["input"]))))
        elif kind == "string_type":
            got = {dict: "a mapping", list: "a list"}.get(type(error["input"]), "nothing")
            problems.append(doc.problem(loc, f"'{field_name}' must be a single value, got {got}"))
        elif kind == "string_too_short":
            problems.append(doc.problem(loc, f"'{field_name}' must not be empty"))
        else:
            message = error["msg"].removeprefix("Value error, ")
            where = f"'{field_name}' " if isinstance(field_name, str) and field_name else ""
            problems.append(doc.problem(loc, f"{where}{message[0].lower()}{message[1:]}" if message else where))
    return problems


def _file_sha256(doc: YamlDocument, loc: tuple, corpus: Path | None) -> str:
    """'; FILE has sha256: HEX' for the source at ``loc``, ready to paste, or how to get it."""
    record = doc.data
    for part in loc[:2]:  # ("sources", index)
        record = record[part]
    name = record.get("file")
    if corpus is not None and isinstance(name, str) and name.strip() and os.path.basename(name.strip()) == name.strip():
        name = name.strip()
        try:
            digest = hashlib.sha256((Path(corpus) / name).read_bytes()).hexdigest()
        except (OSError, ValueError):  # not there, not a file, or a name the system refuses
            pass
        else:
            return f"; {name} has sha256: {digest}"
    return " (run: sha256sum FILE)"


def _pattern_message(field_name: str, value: str) -> str:
    if field_name == "wikidata":
        return f"wikidata id must look like Q12345; got {value!r}"
    return (f"id {value!r} is not safe in an IRI; use lowercase letters, digits, '-', '.' and '_', "
            f"e.g. {suggest_id(value)!r}")


def _resolve(catalog: Catalog, parsed: list[tuple[YamlDocument, DataFile]], problems: list[Problem]) -> None:
    vocab = catalog.vocab
    first_seen: dict[tuple[str, str], Where] = {}

    def register(table: dict, kind: str, item) -> None:
        previous = first_seen.get((kind, item.id))
        if previous is not None:
            line, col = previous.doc.locate(previous.loc + ("id",))
            problems.append(item.where.problem(f"duplicate {kind} id '{item.id}' (first defined at {previous.doc.path}:{line}:{col})", "id"))
            return
        first_seen[(kind, item.id)] = item.where
        table[item.id] = item

    for doc, data in parsed:
        for i, record in enumerate(data.sources):
            if isinstance(record, _Unusable):
                catalog.unusable.add(("source", record.id))
            elif record is not None:
                register(catalog.sources, "source", Source(record, Where(doc, ("sources", i))))
        for i, record in enumerate(data.entities):
            if isinstance(record, _Unusable):
                catalog.unusable.add(("entity", record.id))
            elif record is not None:
                register(catalog.entities, "entity", Entity(record, Where(doc, ("entities", i))))

    entity_ids = catalog.entities
    actor_types = vocab.actor_types
    for entity in catalog.entities.values():
        if entity.type not in actor_types:
            problems.append(entity.where.problem(f"unknown type '{entity.type}'{did_you_mean(entity.type, actor_types)}", "type"))
    for source in catalog.sources.values():
        publisher = source.record.publisher
        if publisher and publisher not in entity_ids and ("entity", publisher) not in catalog.unusable:
            problems.append(source.where.problem(_unknown_entity(publisher, entity_ids), "publisher"))
        if source.record.date:
            try:
                source.date = parse_value("date", source.record.date)
            except BadValue as exc:
                problems.append(source.where.problem(str(exc), "date"))

    claims = []
    for doc, data in parsed:
        for i, record in enumerate(data.claims):
            if record is None:
                continue
            claim = _resolve_claim(catalog, record, Where(doc, ("claims", i)), problems)
            if claim is not None:
                claims.append(claim)
    from .merge import merge_claims  # the same claim in several files: one claim, all the evidence

    catalog.claims, restated = merge_claims(claims)
    problems.extend(restated)

    from .disagreement_data import resolve_disagreement_data

    resolve_disagreement_data(catalog, parsed, problems)


def _unknown_entity(name: str, entities) -> str:
    return f"unknown entity '{name}'{did_you_mean(name, entities)}"


def _resolve_claim(catalog: Catalog, record: ClaimRecord, where: Where, problems: list[Problem]) -> Claim | None:
    vocab = catalog.vocab
    ok = True
    subject = catalog.entities.get(record.subject)
    if subject is None:
        if ("entity", record.subject) not in catalog.unusable:
            problems.append(where.problem(_unknown_entity(record.subject, catalog.entities), "subject"))
        ok = False
    # An unknown property leaves the value unchecked (its kind is unknown),
    # but the qualifiers, the sources and the quotes are checked all the same.
    prop = vocab.properties.get(record.property)
    value = None
    if prop is None:
        problems.append(where.problem(f"unknown property '{record.property}'{did_you_mean(record.property, vocab.properties)}", "property"))
        ok = False
    else:
        if subject is not None and not vocab.is_a(subject.type, prop.domain):
            problems.append(where.problem(f"'{record.property}' applies to a {prop.domain}, but '{subject.id}' is a {subject.type}", "subject"))
            ok = False
        value = _resolve_value(catalog, prop, record.value, where, ("value",), problems)
        ok = ok and value is not None

    qualifiers: dict[str, Value] = {}
    for name, raw in record.qualifiers.items():
        qual = vocab.qualifiers.get(name)
        if qual is None:
            problems.append(where.problem(f"unknown qualifier '{name}'{did_you_mean(name, vocab.qualifiers)}; known: {', '.join(vocab.qualifiers)}", "qualifiers", name, key=True))
            ok = False
            continue
        parsed = _resolve_value(catalog, qual, raw, where, ("qualifiers", name), problems)
        if parsed is None:
            ok = False
        elif not (qual.kind == "boolean" and parsed.lexical == "false"):
            qualifiers[name] = parsed

    evidence = []
    for i, item in enumerate(record.evidence):
        if item.source not in catalog.sources:
            if ("source", item.source) not in catalog.unusable:
                problems.append(where.problem(f"unknown source '{item.source}'{did_you_mean(item.source, catalog.sources)}", "evidence", i, "source"))
            ok = False
        evidence.append(Evidence(item.source, item.quote, Where(where.doc, where.loc + ("evidence", i))))
    if not ok:
        catalog.refused_evidence.append(evidence)
        return None
    return Claim(record.subject, prop, value, qualifiers, record.rank, record.reason, evidence, where, id=record.id)


def _resolve_value(catalog: Catalog, prop: PropertyInfo, raw: str, where: Where, loc: tuple, problems: list[Problem]) -> Value | None:
    try:
        value = parse_value(prop.kind, raw, catalog.vocab.units)
    except BadValue as exc:
        problems.append(where.problem(f"'{prop.name}' takes {_KIND_NOUN[prop.kind]}: {exc}", *loc))
        return None
    if prop.kind == "entity":
        target = catalog.entities.get(value.lexical)
        if target is None:
            if ("entity", value.lexical) not in catalog.unusable:
                problems.append(where.problem(_unknown_entity(value.lexical, catalog.entities), *loc))
            return None
        if not catalog.vocab.is_a(target.type, prop.range):
            problems.append(where.problem(f"'{prop.name}' points at a {prop.range}, but '{target.id}' is a {target.type}", *loc))
            return None
    return value


_KIND_NOUN = {
    "entity": "an entity id",
    "text": "text",
    "count": "a count",
    "date": "a date",
    "amount": "an amount",
    "quantity": "a quantity",
    "duration": "a duration",
    "boolean": "true or false",
}

