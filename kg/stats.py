"""Counts a curator checks after a build, and the disagreements between sources."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from .load import Catalog, Claim


@dataclass
class Conflict:
    """Claims about one subject and one single-valued property whose values differ."""

    subject: str
    property: str
    claims: list[Claim]

    @property
    def values(self) -> list[str]:
        return sorted({claim.value.display() for claim in self.claims})


def conflicts(catalog: Catalog) -> list[Conflict]:
    """Single-valued properties stated with different values.

    "less than $6 million" and "$6 million" disagree as much as "$5.6 million"
    and "$6 million" do, so a bound counts as part of the value; "around"
    does not, since "around 2,000" and "2,000" tell the same story.
    """
    groups: dict[tuple[str, str], list[Claim]] = defaultdict(list)
    for claim in catalog.claims:
        if claim.property.single_valued:
            groups[(claim.subject, claim.property.name)].append(claim)
    found = []
    for (subject, prop), claims in sorted(groups.items()):
        if len({_reading(claim) for claim in claims}) > 1:
            found.append(Conflict(subject, prop, sorted(claims, key=lambda c: (c.value.key, sorted(c.qualifiers)))))
    return found


def reported(claim: Claim) -> dict:
    """What a claim says, as reports show it: its value, qualifiers and rank."""
    return {
        "value": claim.value.display(),
        "qualifiers": {k: v.display() for k, v in sorted(claim.qualifiers.items())},
        "rank": claim.rank,
    }


def _reading(claim: Claim) -> tuple:
    bounds = tuple(sorted(k for k in claim.qualifiers if k in ("upperBound", "lowerBound")))
    return (claim.value.key, bounds)


def stats(catalog: Catalog) -> dict:
    """Entities by type, claims by property, claims per source, and conflicts."""
    per_source: Counter = Counter()
    for claim in catalog.claims:
        for source in {ev.source for ev in claim.evidence}:
            per_source[source] += 1
    return {
        "entities": len(catalog.entities),
        "claims": len(catalog.claims),
        "evidence": sum(len(claim.evidence) for claim in catalog.claims),
        "sources": len(catalog.sources),
        "entities_by_type": dict(sorted(Counter(e.type for e in catalog.entities.values()).items())),
        "claims_by_property": dict(sorted(Counter(c.property.name for c in catalog.claims).items())),
        "claims_by_rank": dict(sorted(Counter(c.rank for c in catalog.claims).items())),
        "claims_per_source": {sid: per_source.get(sid, 0) for sid in sorted(catalog.sources)},
        "disagreements_by_kind": _disagreements_by_kind(catalog),
        "conflicts": [
            {
                "subject": c.subject,
                "property": c.property,
                "values": [{**reported(claim), "sources": sorted({ev.source for ev in claim.evidence})} for claim in c.claims],
            }
            for c in conflicts(catalog)
        ],
    }


def _disagreements_by_kind(catalog: Catalog) -> dict[str, int]:
    from .disagreements import KINDS, disagreements

    found = Counter(d.kind for d in disagreements(catalog))
    return {kind: found.get(kind, 0) for kind in KINDS}
