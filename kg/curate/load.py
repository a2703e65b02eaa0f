"""Load the curated data: strict YAML, then shapes, then references.

Pass one parses every file and validates every record's shape. Pass two
resolves what records point at: claim subjects and values, properties,
qualifiers, evidence sources. Every problem found in either pass is reported
in one go, each at the file, line and column where it can be fixed.
"""
from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from kg.curate.catalog import Catalog, Claim, Entity, Evidence, Source, Where
from kg.curate.model import ClaimRecord, DataFile
from kg.curate.records import _coerced_problems, _shape_problems, _Unusable, _valid_records
from kg.curate.values import BadValue, Value, parse_value
from kg.curate.vocab import PropertyInfo, Vocabulary, load_vocabulary
from kg.curate.yamlsafe import YamlDocument, read_yaml
from kg.errors import DataError, KGError, Problem, did_you_mean


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
    from kg.curate.datasets import dataset_claims  # a dataset's cells, through its mapping and the crosswalk

    claims += dataset_claims(catalog, parsed, problems)
    from kg.curate.merge import merge_claims  # the same claim in several files: one claim, all the evidence

    catalog.claims, restated = merge_claims(claims)
    problems.extend(restated)

    from kg.curate.disagreement_data import resolve_disagreement_data

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
