"""Datasets as sources: a CSV file read through a curated mapping, every fact cited by its cell.

A dataset record in data/ names the file (kept outside the repository, in
the datasets folder), its sha256, publisher, licence and retrieval date, which
columns become which properties and how each cell is read, and the curated
rows with the exact text of every cell they cite. The build checks the
file's sha256 and every cited cell, as it checks an article's quotes.

With ``import: all`` every other row of the file is imported too: its
subject is the name in the record's key column, and the evidence of its
claims (row, column, RFC 7111 fragment, the cell's exact text, the
publisher's notes) comes from the file itself, whose sha256 the build has
verified first, so that data/ never holds a copy of the dataset. Every cell
the build cannot read is reported, all in one pass, with its row and
column; nothing is guessed. A curator acknowledges a cell known to be
unreadable under ``skip:`` (row, column, reason), and a skip that names a
readable, empty or absent cell is itself an error.

Names in a dataset (models, organisations, chips, countries, base models)
meet the curated entities only through the crosswalk (``crosswalk:`` in
data/) and the curated rows (kg.curate.dataset_names): a name without a
decision becomes an entity of its own, with an id made from the name, and
is counted as undecided.
"""
from __future__ import annotations

import csv
import hashlib
import io
import math
import os
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from kg.curate.catalog import Catalog, Claim, Evidence, Where
from kg.curate.dataset_names import Names, flow_scalar
from kg.curate.model import DatasetRecord
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
    id: str | None = None  # the new entity's id, where the one made from the name is taken
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
                decision.entity, decision.new, decision.id, decision.where = record.entity, record.new, record.id, where
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
    return _Import(catalog, dataset, rows, crosswalk, problems).claims()


class _Import:
    """One dataset's rows read as claims: the curated rows first, then (``import: all``)
    every other row, whose subject is its key column's name."""

    def __init__(self, catalog: Catalog, dataset: Dataset, rows: list[list[str]], crosswalk: dict, problems: list[Problem]):
        self.catalog, self.dataset, self.rows, self.problems = catalog, dataset, rows, problems
        self.record, self.header = dataset.record, dataset.header
        self.names = Names(catalog, crosswalk, problems)
        self.at_import = Where(dataset.where.doc, dataset.where.loc + ("import",))
        self.column_index = {column: i for i, column in enumerate(self.header)}
        self.skips = {(skip.row, skip.column): i for i, skip in enumerate(self.record.skip)}
        self.props = {}
        for mapping in self.record.columns:
            prop = catalog.vocab.properties.get(mapping.property)
            if prop is None:
                problems.append(dataset.where.problem(
                    f"unknown property '{mapping.property}'{did_you_mean(mapping.property, catalog.vocab.properties)}", "columns"))
            self.props[mapping.column] = prop
        self.key = self.column_index.get(self.record.key)
        if self.key is None:
            problems.append(dataset.where.problem(
                f"no column '{self.record.key}' in {self.record.file}{did_you_mean(self.record.key, self.header)}", "key"))
        # A name in a list cell may hold commas when it is the name of one of the file's rows.
        self.key_names = {row[self.key].strip() for row in rows[1:] if self.key is not None and len(row) > self.key}

    def cell(self, number: int, column: str) -> str:
        row, i = self.rows[number - 1], self.column_index.get(column)
        return row[i] if i is not None and i < len(row) else ""

    def claims(self) -> list[Claim]:
        record, claims = self.record, []
        curated = {}
        for j, entry in enumerate(record.rows):
            row_where = Where(self.dataset.where.doc, self.dataset.where.loc + ("rows", j))
            if entry.row > len(self.rows):
                self.problems.append(row_where.problem(f"row {entry.row}: {record.file} has only {len(self.rows)} rows", "row"))
                continue
            curated[entry.row] = (j, entry, row_where)
            name = self.cell(entry.row, record.key).strip()
            if name and entry.entity in self.catalog.entities:
                self.names.curated_row(name, entry.entity, row_where, entry.row)
        for j, entry, row_where in curated.values():
            claims += self._curated(entry, row_where)
        if record.import_ == "all":
            for number in range(2, len(self.rows) + 1):
                if number not in curated:
                    claims += self._row(number)
        self._check_skips(curated)
        return claims

    def _curated(self, entry, row_where: Where) -> list[Claim]:
        """A row the curator lists, each cited cell checked against the file."""
        record, claims = self.record, []
        where_cell = lambda column: Where(row_where.doc, row_where.loc + ("cells", column))  # noqa: E731
        for column, expected in entry.cells.items():
            if column not in self.column_index:
                self.problems.append(where_cell(column).problem(
                    f"row {entry.row}: no column '{column}' in {record.file}{did_you_mean(column, self.header)}", key=True))
            elif self.cell(entry.row, column) != expected:
                self.problems.append(where_cell(column).problem(
                    f"row {entry.row}, column '{column}': expected {expected!r}, found {self.cell(entry.row, column)!r}"))
        if entry.entity not in self.catalog.entities:
            self.problems.append(row_where.problem(
                f"unknown entity '{entry.entity}'{did_you_mean(entry.entity, self.catalog.entities)}", "entity"))
            return []
        for mapping in record.columns:
            text = self.cell(entry.row, mapping.column)
            if not text.strip() or (entry.row, mapping.column) in self.skips:
                continue
            if mapping.column not in entry.cells:
                self.problems.append(row_where.problem(
                    f"row {entry.row}, column '{mapping.column}' holds {text!r}, which the mapping imports: "
                    f"cite it under 'cells' as {mapping.column}: {text!r}", "cells"))
                continue
            if entry.cells[mapping.column] != text:
                continue  # reported above
            claims += self._cell_claims(entry.entity, entry.row, mapping, text, where_cell(mapping.column), curated=True)
        return claims

    def _row(self, number: int) -> list[Claim]:
        """A row the curator does not list: its subject is its key's name, its cells are read from the file."""
        if self.key is None:
            return []
        key = self.record.key
        name = self.cell(number, key).strip()
        if (number, key) in self.skips:
            return []
        if not name:
            self.problems.append(self.at_import.problem(
                f"row {number}, column '{key}': the row's key is empty, so the row names no subject; "
                f"if the row is to be left out, add under 'skip': {_skip_line(number, key)}"))
            return []
        at = f"row {number}, column '{key}': "
        subject = self.names.entity(name, "Model", self.at_import, at)
        if subject is None:
            return []
        claims = []
        for mapping in self.record.columns:
            text = self.cell(number, mapping.column)
            if text.strip() and (number, mapping.column) not in self.skips:
                claims += self._cell_claims(subject, number, mapping, text, self.at_import, curated=False)
        return claims

    def _cell_claims(self, subject: str, number: int, mapping, text: str, where: Where, curated: bool) -> list[Claim]:
        prop = self.props[mapping.column]
        if prop is None:
            return []  # reported once, against the mapping
        try:
            values = _read(mapping, text, self.catalog.vocab.units, self.key_names)
        except BadValue as exc:
            message = f"row {number}, column '{mapping.column}': cannot read {text!r} as {mapping.read}: {exc}"
            if not curated:
                message += f"; if the cell cannot be read, acknowledge it under 'skip': {_skip_line(number, mapping.column)}"
            self.problems.append(where.problem(message))
            return []
        qualifiers = {}
        if mapping.price_year:
            qualifiers["priceYear"] = parse_value("date", mapping.price_year)
        note = self.cell(number, mapping.notes) if mapping.notes else ""
        fragment = f"cell={number},{self.column_index[mapping.column] + 1}"
        claims, seen = [], set()
        at = "" if curated else f"row {number}, column '{mapping.column}': "
        for value in values:
            if value.kind == "entity":
                found = self.names.entity(value.lexical, mapping.type or prop.range, where, at)
                if found is None or found in seen:
                    continue  # a problem reported, or two names of one cell that are one entity
                seen.add(found)
                value = Value("entity", found)
            evidence = Evidence(self.record.id, text, where, exact=text, row=number, column=mapping.column,
                                note=note, fragment=fragment)
            claims.append(Claim(subject, prop, value, dict(qualifiers), "normal", None, [evidence], where))
        return claims

    def _check_skips(self, curated: dict) -> None:
        """A skip must name a cell the build would read and cannot: anything else is stale."""
        record, imported = self.record, {m.column: m for m in self.record.columns}
        for i, skip in enumerate(record.skip):
            where = Where(self.dataset.where.doc, self.dataset.where.loc + ("skip", i))
            stale = None
            if skip.row > len(self.rows):
                stale = f"{record.file} has only {len(self.rows)} rows"
            elif skip.column not in self.column_index:
                stale = f"there is no column '{skip.column}' in {record.file}{did_you_mean(skip.column, self.header)}"
            elif skip.column != record.key and skip.column not in imported:
                stale = f"the mapping does not import column '{skip.column}'"
            elif record.import_ != "all" and skip.row not in curated:
                stale = f"row {skip.row} is not imported (the record imports only the rows it lists)"
            elif not self.cell(skip.row, skip.column).strip():
                stale = f"row {skip.row}, column '{skip.column}' is empty"
            elif skip.column == record.key:
                if skip.row in curated:
                    stale = f"row {skip.row} is listed under 'rows'"
            elif self.props.get(skip.column) is not None:
                try:
                    _read(imported[skip.column], self.cell(skip.row, skip.column), self.catalog.vocab.units, self.key_names)
                except BadValue:
                    pass
                else:
                    stale = f"row {skip.row}, column '{skip.column}' ({self.cell(skip.row, skip.column)!r}) is readable"
            if stale:
                self.problems.append(where.problem(f"stale skip: {stale}; remove this skip"))


def _skip_line(row: int, column: str) -> str:
    return f"- {{row: {row}, column: {flow_scalar(column)}, reason: WHY}}"


def _number(text: str) -> str:
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        raise BadValue(f"{text!r} is not a number") from None
    if not number.is_finite():
        raise BadValue(f"{text!r} is not a number")
    plain = format(number.normalize(), "f")
    return plain


def _whole(text: str) -> str:
    """A count: a whole number, or a number one float64 step from a whole number, which is
    that whole number written by a program (257000000 as 256999999.99999997)."""
    plain = _number(text)
    number = Decimal(plain)
    whole = number.to_integral_value()
    if number != whole and math.nextafter(float(whole), float(number)) == float(number):
        return format(whole, "f")
    return plain


def _read(mapping, text: str, units, key_names=frozenset()) -> list[Value]:
    """The values one cell states, read as the mapping says."""
    if mapping.read == "count":
        return [parse_value("count", _whole(text))]
    if mapping.read == "date":
        return [parse_value("date", text)]
    if mapping.read in ("quantity", "amount"):
        return [parse_value(mapping.read, f"{_number(text)} {mapping.unit}", units)]
    names = _names(text, key_names) if mapping.read == "actors" else [text.strip()]
    return [Value("entity", name) for name in dict.fromkeys(names) if name]  # a name listed twice counts once


def _names(text: str, key_names) -> list[str]:
    """The names of a comma-separated list. A run of parts that, joined by its commas, is the
    name of one of the file's rows is that one name ("Vega (large, v2)"), the longest run first."""
    parts, names, i = text.split(","), [], 0
    while i < len(parts):
        j = next((j for j in range(len(parts), i + 1, -1) if ",".join(parts[i:j]).strip() in key_names), i + 1)
        names.append(",".join(parts[i:j]).strip())
        i = j
    return names
