"""The disagreements of :mod:`kg.curate.disagreements` as nodes of the graph, with their
sides and claims, and the ``broader`` links the specificity rule reads."""
from __future__ import annotations

from kg.curate.catalog import Catalog
from kg.curate.disagreements import KIND_TERMS, Disagreement, disagreements


def disagreement_iri(mint, disagreement: Disagreement) -> str:
    from kg.graph.terms import short_hash

    return f"<{mint.paths['disagreement']}{short_hash(disagreement.key)}>"


def disagreement_quads(catalog: Catalog, mint) -> set[tuple[str, str, str, str]]:
    """Each disagreement as a node of the default graph, with its sides and claims.

    Also the ``broader`` links between actors (skos:broader), which the
    specificity rule reads.
    """
    from kg.graph.terms import RDF_TYPE, curie, literal

    quads = set()
    for entity in catalog.entities.values():
        for other in entity.record.broader:
            quads.add((mint.entity(entity.id), curie("skos:broader"), mint.entity(other), ""))
    for d in disagreements(catalog):
        node = disagreement_iri(mint, d)
        quads.add((node, RDF_TYPE, curie("kg:Disagreement"), ""))
        quads.add((node, curie("kg:disagreementKind"), curie(KIND_TERMS[d.kind]), ""))
        quads.add((node, curie("rdfs:label"), literal(d.topic, lang="en"), ""))
        if d.note:
            quads.add((node, curie("kg:disagreementNote"), literal(d.note), ""))
        for actor in d.involves():
            quads.add((node, curie("kg:involves"), mint.entity(actor), ""))
        for i, side in enumerate(d.sides, 1):
            s = f"{node[:-1]}-side-{i}>"
            quads.add((node, curie("kg:hasSide"), s, ""))
            quads.add((s, RDF_TYPE, curie("kg:DisagreementSide"), ""))
            quads.add((s, curie("rdfs:label"), literal(side.label, lang="en"), ""))
            for claim in side.claims:
                quads.add((s, curie("kg:sideClaim"), mint.claim(claim), ""))
    return quads
