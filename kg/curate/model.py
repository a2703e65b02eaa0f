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


class DataFile(Record):
    """The top level of a data file; each list is optional."""

    sources: list[SourceRecord] = Field(default_factory=list)
    entities: list[EntityRecord] = Field(default_factory=list)
    claims: list[ClaimRecord] = Field(default_factory=list)
    disagreements: list[DisagreementRecord] = Field(default_factory=list)
