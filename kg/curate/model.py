"""The shape of the YAML data, as strict pydantic models (first pass).

Every record forbids unknown fields, so a typo is an error rather than a
silently ignored line. Cross-references (claim subjects, values, sources) are
checked in the second pass, in :mod:`kg.curate.load`.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

ID_PATTERN = r"^[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?$"

# Constraints run inside pydantic-core, with no Python call per field: at 10^5
# records that is the difference between a fraction of a second and several.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Id = Annotated[str, StringConstraints(strip_whitespace=True, pattern=ID_PATTERN)]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
WikidataId = Annotated[str, StringConstraints(pattern=r"^Q[1-9][0-9]*$")]


def suggest_id(value: str) -> str:
    # Letters with accents keep their base letter ("Café" -> "cafe"), not a gap.
    plain = "".join(c for c in unicodedata.normalize("NFKD", value) if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9._-]+", "-", plain.lower()).strip("-._") or "my-id"


# Defaults are factories: pydantic deep-copies a mutable default for every
# record, which at 10^5 records costs more than validating them.
class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceRecord(Record):
    """One article of the corpus, and what it states about itself."""

    id: Id
    file: Text
    sha256: Sha256
    kind: Literal["news", "opinion", "blog"]
    title: Text | None = None
    publisher: Text | None = None
    date: Text | None = None
    author: Text | None = None
    dateline: Text | None = None
    section: Text | None = None


class EntityRecord(Record):
    """An actor of the AI race."""

    id: Id
    type: Text
    name: Text
    aliases: list[Text] = Field(default_factory=list)
    description: Text | None = None
    wikidata: WikidataId | None = None
    broader: list[Id] = Field(default_factory=list)  # vaguer actors a source may name instead of this one


class EvidenceRecord(Record):
    """Where a claim is stated: the source and the verbatim quote."""

    source: Text
    quote: Text


class ClaimRecord(Record):
    """One statement about one entity, with the evidence that states it."""

    id: Id | None = None  # lets a declared disagreement name the claim
    subject: Text
    property: Text
    value: Text
    qualifiers: dict[str, Text] = Field(default_factory=dict)
    rank: Literal["preferred", "normal", "deprecated"] = "normal"
    reason: Text | None = None
    evidence: Annotated[list[EvidenceRecord], Field(min_length=1)]

    @model_validator(mode="after")
    def _reason_matches_rank(self):
        if self.rank != "normal" and not self.reason:
            raise ValueError(f"a {self.rank} claim needs a 'reason' saying why")
        if self.rank == "normal" and self.reason:
            raise ValueError("'reason' is only for preferred or deprecated claims; add 'rank: deprecated' or remove it")
        return self


class DisagreementRecord(Record):
    """Claims that contradict each other in a way no rule sees, grouped by the curator.

    Each side is a list of claim ids: the claims that tell one version.
    """

    topic: Text
    sides: Annotated[list[Annotated[list[Id], Field(min_length=1)]], Field(min_length=2)]
    note: Text | None = None


class DatasetColumn(Record):
    """How one column of a dataset becomes claims: the property, and how each cell is read."""

    column: Text
    property: Text
    read: Literal["count", "date", "quantity", "amount", "actor", "actors"]
    unit: Text | None = None  # the unit or currency of a quantity or amount
    price_year: Text | None = None  # an amount in a given year's money, kept as the priceYear qualifier
    type: Text | None = None  # the type of a new entity an actor column names
    notes: Text | None = None  # the column that holds the publisher's notes on this value


class DatasetRow(Record):
    """One row of a dataset to import: its number (the header is row 1, as in RFC 7111),
    the entity it describes, and the exact text of every cell it cites."""

    row: Annotated[int, Field(ge=2)]
    entity: Id
    cells: dict[Text, str]


class DatasetSkip(Record):
    """A cell the curator acknowledges the build cannot read: it gives no claim. A skip
    of the key column leaves the whole row out."""

    row: Annotated[int, Field(ge=2)]
    column: Text
    reason: Text


class DatasetRecord(Record):
    """A structured dataset, and what its publisher states about it."""

    id: Id
    file: Text
    sha256: Sha256
    kind: Literal["dataset"]
    title: Text
    publisher: Id
    licence: Text
    attribution: Text
    retrieved: Text
    url: Text | None = None
    key: Text  # the column that names a row's subject
    columns: list[DatasetColumn] = Field(default_factory=list)
    rows: list[DatasetRow] = Field(default_factory=list)
    # "all": every row of the file, the listed rows as curated and the others by their key;
    # "rows": only the listed rows. ``import`` is a Python keyword, hence the alias.
    import_: Literal["rows", "all"] = Field(default="rows", alias="import")
    skip: list[DatasetSkip] = Field(default_factory=list)


class CrosswalkRecord(Record):
    """A curator's decision on a name a dataset uses: it is this entity, or a new entity of
    this type; and the entities it is not (proposals the curator rejected)."""

    name: Text
    entity: Id | None = None
    new: Text | None = None
    id: Id | None = None  # the id of the new entity, where the one made from the name is taken
    rejected: list[Id] = Field(default_factory=list)
    note: Text | None = None

    @model_validator(mode="after")
    def _one_decision(self):
        if self.id is not None and self.new is None:
            raise ValueError("'id' names the new entity of a 'new' decision; give 'new: TYPE' with it")
        if self.entity is not None and self.new is not None:
            raise ValueError("give either 'entity' (the name is this entity) or 'new' (a new entity of this type), not both")
        if self.entity is None and self.new is None and not self.rejected:
            raise ValueError("give 'entity' (the name is this entity), 'new' (a new entity of this type) or 'rejected' (the entities it is not)")
        return self


class DataFile(Record):
    """The top level of a data file; each list is optional."""

    sources: list[SourceRecord] = Field(default_factory=list)
    entities: list[EntityRecord] = Field(default_factory=list)
    claims: list[ClaimRecord] = Field(default_factory=list)
    disagreements: list[DisagreementRecord] = Field(default_factory=list)
    datasets: list[DatasetRecord] = Field(default_factory=list)
    crosswalk: list[CrosswalkRecord] = Field(default_factory=list)
