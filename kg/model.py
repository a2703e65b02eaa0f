"""The shape of the YAML data, as strict pydantic models (first pass).

Every record forbids unknown fields, so a typo is an error rather than a
silently ignored line. Cross-references (claim subjects, values, sources) are
checked in the second pass, in :mod:`kg.load`.
"""
from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from .yamlsafe import PlainStr, coerced_meaning

ID_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?$")


def _refuse_collections(value):
    if isinstance(value, (dict, list)):
        raise ValueError(f"expected a single value, got a {'mapping' if isinstance(value, dict) else 'list'}")
    return value


def _refuse_coerced(value):
    if type(value) is PlainStr:
        meaning = coerced_meaning(value)
        if meaning:
            raise ValueError(f"unquoted {value!r} is read as {meaning} by YAML 1.1 tools; put it in quotes: \"{value}\"")
    return _refuse_collections(value)


def _strip_nonempty(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be empty")
    return value


def _check_id(value: str) -> str:
    if not ID_PATTERN.match(value):
        slug = re.sub(r"[^a-z0-9._-]+", "-", value.lower()).strip("-._") or "my-id"
        raise ValueError(f"id {value!r} is not safe in an IRI; use lowercase letters, digits, '-', '.' and '_', e.g. {slug!r}")
    return value


def _check_sha256(value: str) -> str:
    if not re.fullmatch(r"[0-9a-f]{64}", value):
        raise ValueError("sha256 must be 64 lowercase hexadecimal digits (run: sha256sum FILE)")
    return value


Text = Annotated[str, BeforeValidator(_refuse_coerced), AfterValidator(_strip_nonempty)]
Id = Annotated[str, BeforeValidator(_refuse_coerced), AfterValidator(_check_id)]
Ref = Annotated[str, BeforeValidator(_refuse_coerced), AfterValidator(_strip_nonempty)]
Sha256 = Annotated[str, BeforeValidator(_refuse_coerced), AfterValidator(_check_sha256)]
Scalar = Annotated[str, BeforeValidator(_refuse_collections), AfterValidator(_strip_nonempty)]
WikidataId = Annotated[str, BeforeValidator(_refuse_coerced), Field(pattern=r"^Q[1-9][0-9]*$")]


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceRecord(Record):
    """One article of the corpus, and what it states about itself."""

    id: Id
    file: Text
    sha256: Sha256
    kind: Literal["news", "opinion", "blog"]
    title: Text | None = None
    publisher: Ref | None = None
    date: Text | None = None
    author: Text | None = None
    dateline: Text | None = None
    section: Text | None = None


class EntityRecord(Record):
    """An actor of the AI race."""

    id: Id
    type: Ref
    name: Text
    aliases: list[Text] = []
    description: Text | None = None
    wikidata: WikidataId | None = None


class EvidenceRecord(Record):
    """Where a claim is stated: the source and the verbatim quote."""

    source: Ref
    quote: Text


class ClaimRecord(Record):
    """One statement about one entity, with the evidence that states it."""

    subject: Ref
    property: Ref
    value: Text
    qualifiers: dict[str, Scalar] = {}
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


class DataFile(Record):
    """The top level of a data file; each list is optional."""

    sources: list[SourceRecord] = []
    entities: list[EntityRecord] = []
    claims: list[ClaimRecord] = []
