"""Pass one of loading: each record's shape, checked with pydantic, and values YAML would
have coerced, as problems at the file, line and column where they can be fixed."""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from kg.curate.model import (
    ID_PATTERN,
    ClaimRecord,
    DataFile,
    DisagreementRecord,
    EntityRecord,
    SourceRecord,
    suggest_id,
)
from kg.curate.vocab import Vocabulary
from kg.curate.yamlsafe import YamlDocument, coerced_meaning
from kg.errors import Problem, did_you_mean

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
