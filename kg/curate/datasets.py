"""Datasets as sources: a CSV file read through a curated mapping, every fact cited by its cell.

A dataset record in data/ names the file (kept outside the repository, in
the datasets folder), its sha256, publisher, licence and retrieval date, which
columns become which properties and how each cell is read, and the rows to
import with the exact text of every cell they cite. The build checks the
file's sha256 and every cited cell, as it checks an article's quotes, and
reports every cell it cannot read, all in one pass; nothing is guessed.

Names in a dataset (organisations, chips, countries, base models) meet the
curated entities only through the crosswalk (``crosswalk:`` in data/): a
name without a decision becomes an entity of its own, with an id made from
the name, and is counted as undecided.
"""
from __future__ import annotations

import csv
import hashlib
import io
import os
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from kg.curate.catalog import Catalog, Claim, Entity, Evidence, Where
from kg.curate.model import DatasetRecord, EntityRecord, suggest_id
from kg.curate.values import BadValue, Value, parse_value
from kg.errors import Problem, did_you_mean

DATASETS_ENV = "KG_DATASETS"
DEFAULT_DATASETS = Path("../shared/datasets")
RFC7111 = "http://tools.ietf.org/rfc/rfc7111"
# The folder the command line names (--datasets), for this invocation.
DATASETS_FOLDER: ContextVar[Path | None] = ContextVar("DATASETS_FOLDER", default=None)


@dataclass
class Dataset:
    record: DatasetRecord
    where: Where
    header: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.record.id


def resolve_datasets(option: str | os.PathLike | None) -> Path:
    """The datasets folder: --datasets, else $KG_DATASETS, else ../shared/datasets."""
    option = option or DATASETS_FOLDER.get()
    if option:
        return Path(option)
    if os.environ.get(DATASETS_ENV):
        return Path(os.environ[DATASETS_ENV])
    return DEFAULT_DATASETS


def dataset_claims(catalog: Catalog, parsed, problems: list[Problem]) -> list[Claim]:
    """The claims every dataset record gives, its cells checked; problems appended.
    The datasets are read from the folder :func:`resolve_datasets` names."""
    folder = resolve_datasets(None)
    crosswalk = read_crosswalk(catalog, parsed, problems)
    claims: list[Claim] = []
    for doc, data in parsed:
        for i, record in enumerate(getattr(data, "datasets", None) or []):
            if record is None:
                continue
            dataset = Dataset(record, Where(doc, ("datasets", i)))
            if record.id in catalog.datasets or record.id in catalog.sources:
                problems.append(dataset.where.problem(f"duplicate source id '{record.id}'", "id"))
                continue
            catalog.datasets[record.id] = dataset
            if record.publisher not in catalog.entities:
                problems.append(dataset.where.problem(f"unknown entity '{record.publisher}'{did_you_mean(record.publisher, catalog.entities)}", "publisher"))
            rows = _read_rows(dataset, folder, problems)
            if rows is not None:
                claims += _row_claims(catalog, dataset, rows, crosswalk, problems)
    return claims


@dataclass
class Decision:
    """What the crosswalk says about one name."""

    name: str
    where: Where
    entity: str | None = None
    new: str | None = None
    rejected: set[str] = field(default_factory=set)


def read_crosswalk(catalog: Catalog, parsed, problems: list[Problem]) -> dict[str, Decision]:
    """Name -> the curator's decision; a name's rejections may be recorded apart from its decision."""
    crosswalk: dict[str, Decision] = {}
    for doc, data in parsed:
        for i, record in enumerate(getattr(data, "crosswalk", None) or []):
            if record is None:
                continue
            where = Where(doc, ("crosswalk", i))
            for key in ([record.entity] if record.entity else []) + list(record.rejected):
                if key not in catalog.entities:
                    problems.append(where.problem(f"unknown entity '{key}'{did_you_mean(key, catalog.entities)}"))
            decision = crosswalk.setdefault(record.name, Decision(record.name, where))
            if record.entity or record.new:
                if decision.entity or decision.new:
                    problems.append(where.problem(f"'{record.name}' already has a decision in the crosswalk", "name"))
                    continue
                decision.entity, decision.new, decision.where = record.entity, record.new, where
            decision.rejected.update(record.rejected)
    for decision in crosswalk.values():
        if decision.entity in decision.rejected:
            problems.append(decision.where.problem(f"'{decision.name}' is both accepted and rejected as '{decision.entity}'"))
    return crosswalk


def _read_rows(dataset: Dataset, folder: Path, problems: list[Problem]) -> list[list[str]] | None:
    record = dataset.record
    path = folder / record.file
    try:
        raw = path.read_bytes()
    except OSError:
        problems.append(dataset.where.problem(
            f"{record.file} is not in the datasets folder {str(folder)!r}; pass --datasets DIR or set {DATASETS_ENV}", "file"))
        return None
    digest = hashlib.sha256(raw).hexdigest()
    if digest != record.sha256:
        problems.append(dataset.where.problem(
            f"{record.file} has changed: its sha256 is {digest}, not the one recorded; "
            "check the cells below, then record the new sha256", "sha256"))
    try:
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    except (UnicodeDecodeError, csv.Error) as exc:
        problems.append(dataset.where.problem(f"{record.file} is not a UTF-8 CSV file: {exc}", "file"))
        return None
    dataset.header = rows[0] if rows else []
    return rows


def _row_claims(catalog: Catalog, dataset: Dataset, rows: list[list[str]], crosswalk: dict,
                problems: list[Problem]) -> list[Claim]:
    record, header = dataset.record, dataset.header
    vocab = catalog.vocab
    claims = []
    for j, entry in enumerate(record.rows):
        row_where = Where(dataset.where.doc, dataset.where.loc + ("rows", j))
        where_cell = lambda column: Where(row_where.doc, row_where.loc + ("cells", column))  # noqa: E731
        if entry.row > len(rows):
            problems.append(row_where.problem(f"row {entry.row}: {record.file} has only {len(rows)} rows", "row"))
            continue
        cells = dict(zip(header, rows[entry.row - 1]))
        for column, expected in entry.cells.items():
            if column not in cells:
                problems.append(where_cell(column).problem(f"row {entry.row}: no column '{column}' in {record.file}{did_you_mean(column, header)}", key=True))
            elif cells[column] != expected:
                problems.append(where_cell(column).problem(
                    f"row {entry.row}, column '{column}': expected {expected!r}, found {cells[column]!r}"))
        subject = catalog.entities.get(entry.entity)
        if subject is None:
            problems.append(row_where.problem(f"unknown entity '{entry.entity}'{did_you_mean(entry.entity, catalog.entities)}", "entity"))
            continue
        for mapping in record.columns:
            text = cells.get(mapping.column, "")
            if not text.strip():
                continue
            if mapping.column not in entry.cells:
                problems.append(row_where.problem(
                    f"row {entry.row}, column '{mapping.column}' holds {text!r}, which the mapping imports: "
                    f"cite it under 'cells' as {mapping.column}: {text!r}", "cells"))
                continue
            if entry.cells[mapping.column] != text:
                continue  # reported above
            prop = vocab.properties.get(mapping.property)
            if prop is None:
                problems.append(dataset.where.problem(f"unknown property '{mapping.property}'{did_you_mean(mapping.property, vocab.properties)}", "columns"))
                continue
            where = where_cell(mapping.column)
            try:
                values = _read(mapping, text, vocab.units)
            except BadValue as exc:
                problems.append(where.problem(f"row {entry.row}, column '{mapping.column}': cannot read {text!r} as {mapping.read}: {exc}"))
                continue
            qualifiers = {}
            if mapping.price_year:
                qualifiers["priceYear"] = parse_value("date", mapping.price_year)
            note = cells.get(mapping.notes, "") if mapping.notes else ""
            fragment = f"cell={entry.row},{header.index(mapping.column) + 1}"
            for value in values:
                if value.kind == "entity":
                    value = _actor(catalog, value.lexical, mapping.type or prop.range, crosswalk, where, problems)
                    if value is None:
                        continue
                evidence = Evidence(record.id, text, where, exact=text, row=entry.row, column=mapping.column,
                                    note=note, fragment=fragment)
                claims.append(Claim(entry.entity, prop, value, dict(qualifiers), "normal", None, [evidence], where))
    return claims


def _number(text: str) -> str:
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        raise BadValue(f"{text!r} is not a number") from None
    if not number.is_finite():
        raise BadValue(f"{text!r} is not a number")
    plain = format(number.normalize(), "f")
    return plain


def _read(mapping, text: str, units) -> list[Value]:
    """The values one cell states, read as the mapping says."""
    if mapping.read == "count":
        return [parse_value("count", _number(text))]
    if mapping.read == "date":
        return [parse_value("date", text)]
    if mapping.read in ("quantity", "amount"):
        return [parse_value(mapping.read, f"{_number(text)} {mapping.unit}", units)]
    names = [part.strip() for part in text.split(",")] if mapping.read == "actors" else [text.strip()]
    return [Value("entity", name) for name in dict.fromkeys(names) if name]  # a name listed twice counts once


def _actor(catalog: Catalog, name: str, type_: str, crosswalk: dict, where: Where, problems: list[Problem]) -> Value | None:
    """The entity a dataset's name stands for: the crosswalk's decision, else an entity of its own."""
    decision = crosswalk.get(name)
    if decision is not None and decision.entity is not None:
        if decision.entity not in catalog.entities:
            return None  # reported against the crosswalk
        return Value("entity", decision.entity)
    new_id = suggest_id(name)
    existing = catalog.entities.get(new_id)
    if existing is not None and existing.record.name == name and new_id in catalog.dataset_entities:
        return Value("entity", new_id)
    if existing is not None:
        problems.append(where.problem(
            f"'{name}' has no crosswalk decision and its id '{new_id}' is taken by a curated entity; "
            f"add to the crosswalk 'name: {name}' with 'entity: {new_id}' if it is that entity, or 'new: TYPE'"))
        return None
    if decision is None or decision.new is None:
        catalog.undecided.append(name)
    kind = decision.new if decision is not None and decision.new else type_
    entity = Entity(EntityRecord(id=new_id, type=kind, name=name), decision.where if decision and decision.new else where)
    catalog.dataset_entities.add(new_id)
    catalog.entities[new_id] = entity
    return Value("entity", new_id)
