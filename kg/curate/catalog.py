"""The checked catalog that loading gives: sources, entities, claims and their evidence,
each with where in the YAML it was written."""
from __future__ import annotations

from dataclasses import dataclass, field

from kg.curate.model import EntityRecord, SourceRecord
from kg.curate.values import Value
from kg.curate.vocab import PropertyInfo, Vocabulary
from kg.curate.yamlsafe import YamlDocument
from kg.errors import Problem


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
    # Filled in by quote verification (kg.curate.corpus).
    start: int = -1
    end: int = -1
    exact: str = ""
    prefix: str = ""
    suffix: str = ""
    # A dataset's cell instead of an article's words: row (header = 1), column, publisher's notes.
    row: int = 0
    column: str = ""
    note: str = ""
    fragment: str = ""  # RFC 7111: cell=ROW,COLUMN


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
    declared: list = field(default_factory=list)  # kg.curate.disagreement_data.Declared
    datasets: dict = field(default_factory=dict)  # id -> kg.curate.datasets.Dataset
    undecided: list[str] = field(default_factory=list)  # dataset names with no crosswalk decision
    dataset_entities: set[str] = field(default_factory=set)  # ids of entities a dataset's names made
