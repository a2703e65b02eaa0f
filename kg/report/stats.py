"""Counts a curator checks after a build, and the disagreements between sources."""
from __future__ import annotations

from collections import Counter

from kg.curate.catalog import Catalog
from kg.curate.disagreements import conflicts, reported


def stats(catalog: Catalog) -> dict:
    """Entities by type, claims by property, claims per source (articles and datasets),
    dataset names with no crosswalk decision, and conflicts."""
    per_source: Counter = Counter()
    for claim in catalog.claims:
        for source in {ev.source for ev in claim.evidence}:
            per_source[source] += 1
    return {
        "entities": len(catalog.entities),
        "claims": len(catalog.claims),
        "evidence": sum(len(claim.evidence) for claim in catalog.claims),
        "sources": len(catalog.sources),
        "datasets": len(catalog.datasets),
        "undecided_names": len(catalog.undecided),
        "entities_by_type": dict(sorted(Counter(e.type for e in catalog.entities.values()).items())),
        "claims_by_property": dict(sorted(Counter(c.property.name for c in catalog.claims).items())),
        "claims_by_rank": dict(sorted(Counter(c.rank for c in catalog.claims).items())),
        "claims_per_source": {sid: per_source.get(sid, 0) for sid in sorted({*catalog.sources, *catalog.datasets})},
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
    from kg.curate.disagreements import KINDS, disagreements

    found = Counter(d.kind for d in disagreements(catalog))
    return {kind: found.get(kind, 0) for kind in KINDS}
