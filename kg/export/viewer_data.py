"""What the graph viewer shows: a selection of the catalog, laid out, as plain data.

:func:`select` narrows a catalog to some entity types, some sources, or the
neighbourhood of one actor. :func:`viewer_data` turns a catalog into the data
the page draws: one node per entity, one edge per entity-valued claim, and
every claim with its evidence, rank and whether the sources disagree about it.
Actors that only datasets name are marked to be hidden at first (the page
shows them on request), and each dataset the claims cite is credited.
The HTML around it is :mod:`kg.export.html`.
"""
from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable

from kg.curate.catalog import Catalog, Claim
from kg.curate.names import actor_id
from kg.errors import KGError, did_you_mean
from kg.graph.terms import short_hash

# Colours for entity types, taken in the vocabulary's order; no red, which marks disputes.
PALETTE = (
    "#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#edc948", "#76b7b2", "#ff9da7", "#9c755f",
    "#bab0ac", "#17becf", "#bcbd22", "#8c564b", "#e377c2", "#1f77b4", "#2ca02c", "#9467bd",
    "#7f7f7f", "#aec7e8", "#ffbb78", "#98df8a", "#c5b0d5", "#c49c94", "#dbdb8d", "#9edae5",
)
# Shapes by the kind of actor; the first ancestor found decides.
SHAPES = (
    ("Person", "diamond"), ("Model", "hexagon"), ("Chip", "triangle"), ("Product", "triangleDown"),
    ("Policy", "star"), ("Initiative", "star"), ("Event", "square"), ("Country", "square"),
    ("Organization", "dot"),
)
MIN_SIZE, MAX_SIZE = 8.0, 30.0
# Selecting an actor shows at most this many of its hidden neighbours by itself (viewer.js); its panel offers the rest.
REVEAL_AT_ONCE = 30


def select(
    catalog: Catalog,
    types: Iterable[str] = (),
    sources: Iterable[str] = (),
    around: str | None = None,
    depth: int = 1,
) -> Catalog:
    """The part of ``catalog`` to draw; filters apply in this order.

    ``sources``: only claims with evidence from these sources, with that
    evidence only, and the entities those claims mention. ``types``: only
    entities of these types (or their subtypes) and the claims about them.
    ``around``: only entities within ``depth`` relations of that actor,
    in either direction; it is named as :func:`kg.curate.names.resolve` reads names.
    """
    types, sources = sorted(set(types)), sorted(set(sources))
    vocab = catalog.vocab
    _check_names("type", types, {a for t in vocab.actor_types for a in vocab.classes[t].ancestors})
    _check_names("source", sources, {**catalog.sources, **catalog.datasets})
    if depth < 0:
        raise KGError(f"--depth must be 0 or more; got {depth}")
    entities = dict(catalog.entities)
    claims = list(catalog.claims)
    if sources:
        claims = [_with_evidence_from(claim, set(sources)) for claim in claims]
        claims = [claim for claim in claims if claim is not None]
        mentioned = {claim.subject for claim in claims} | ({_target(claim) for claim in claims} - {None})
        entities = {eid: e for eid, e in entities.items() if eid in mentioned}
    if types:
        entities = {eid: e for eid, e in entities.items() if any(vocab.is_a(e.type, t) for t in types)}
    claims = _claims_within(claims, entities)
    if around is not None:
        around = actor_named(around, catalog)
        if around not in entities:
            raise KGError(f"--around: '{around}' is left out by the --type or --source filter")
        keep = _neighbourhood(around, depth, claims)
        entities = {eid: e for eid, e in entities.items() if eid in keep}
        claims = _claims_within(claims, entities)
    kept_sources = {eid: s for eid, s in catalog.sources.items() if not sources or eid in sources}
    from kg.curate.disagreement_data import keep_declared

    datasets = {did: d for did, d in catalog.datasets.items() if not sources or did in sources}
    return Catalog(vocab, kept_sources, entities, claims, declared=keep_declared(catalog.declared, claims),
                   datasets=datasets, dataset_entities=catalog.dataset_entities & set(entities))


def actor_named(name: str, catalog: Catalog) -> str:
    """The id of the actor called ``name``, read as every command reads an actor."""
    try:
        return actor_id(name, catalog)
    except KGError as exc:
        raise KGError(f"--around: {exc}") from None


def _check_names(what: str, given: list[str], known) -> None:
    known = sorted(known)
    for name in given:
        if name not in known:
            raise KGError(f"unknown {what} '{name}'{did_you_mean(name, known)}; known: {', '.join(known)}")


def _target(claim: Claim) -> str | None:
    return claim.value.lexical if claim.value.kind == "entity" else None


def _with_evidence_from(claim: Claim, sources: set[str]) -> Claim | None:
    evidence = [ev for ev in claim.evidence if ev.source in sources]
    if not evidence:
        return None
    if len(evidence) == len(claim.evidence):
        return claim
    return Claim(claim.subject, claim.property, claim.value, claim.qualifiers, claim.rank, claim.reason, evidence, claim.where)


def _claims_within(claims: list[Claim], entities: dict) -> list[Claim]:
    """Claims whose subject, and entity value if any, are both kept."""
    return [c for c in claims if c.subject in entities and (_target(c) is None or _target(c) in entities)]


def _neighbourhood(start: str, depth: int, claims: list[Claim]) -> set[str]:
    neighbours: dict[str, set[str]] = defaultdict(set)
    for claim in claims:
        target = _target(claim)
        if target is not None:
            neighbours[claim.subject].add(target)
            neighbours[target].add(claim.subject)
    seen, queue = {start}, deque([(start, 0)])
    while queue:
        node, dist = queue.popleft()
        if dist < depth:
            for other in sorted(neighbours[node] - seen):
                seen.add(other)
                queue.append((other, dist + 1))
    return seen


def importance(nodes: list[str], edges: list[tuple[str, str]]) -> dict[str, float]:
    """PageRank on the entity graph (edges point from subject to value)."""
    import networkx as nx

    graph = nx.DiGraph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from(edges)
    if not graph.number_of_nodes():
        return {}
    try:
        return nx.pagerank(graph, max_iter=200, tol=1e-08)
    except nx.PowerIterationFailedConvergence:  # pragma: no cover - damping makes this rare
        return {node: 1 + graph.degree(node) for node in graph}


def type_styles(catalog: Catalog) -> dict[str, dict]:
    """Colour and shape of every actor type of the vocabulary, stable across filters."""
    vocab = catalog.vocab
    styles = {}
    for i, name in enumerate(vocab.actor_types):
        ancestors = vocab.classes[name].ancestors
        shape = next((shape for cls, shape in SHAPES if cls in ancestors), "dot")
        label = vocab.classes[name].label
        styles[name] = {"name": name, "label": label[:1].upper() + label[1:], "color": PALETTE[i % len(PALETTE)], "shape": shape}
    return styles


def viewer_data(catalog: Catalog, *, title: str = "AI-race knowledge graph", selected: str | None = None) -> dict:
    """Everything the page draws, as JSON-ready data in a stable order.

    The page opens as if ``selected`` had been clicked: it is in the first view
    even if only datasets name it, and so are the actors linked to it, if there
    are no more than ``REVEAL_AT_ONCE`` of them.
    """
    from kg.export.layout import FONT_FACE, FONT_SIZE, LABEL_WIDTH, footprint, force_layout

    from kg.curate.disagreements import disagreements

    found = disagreements(catalog)
    claims = sorted(catalog.claims, key=lambda c: c.key)
    index = {claim.key: i for i, claim in enumerate(claims)}
    claim_disputes: dict[int, list[int]] = defaultdict(list)
    actor_disputes: dict[str, list[int]] = defaultdict(list)
    for d, disagreement in enumerate(found):
        for claim in disagreement.claims:
            claim_disputes[index[claim.key]].append(d)
        for actor in disagreement.involves():
            actor_disputes[actor].append(d)
    labels = {name: q.label for name, q in catalog.vocab.qualifiers.items()}
    claim_rows = [_claim_row(claim, bool(claim_disputes[i]), labels) for i, claim in enumerate(claims)]
    for i, row in enumerate(claim_rows):
        row["disagreements"] = claim_disputes[i]
    node_ids = sorted(catalog.entities)
    entity_claims = [(i, claim) for i, claim in enumerate(claims) if _target(claim) is not None]
    edge_pairs = [(claim.subject, _target(claim)) for _, claim in entity_claims]

    sources_of: dict[str, set[str]] = defaultdict(set)
    subject_claims: dict[str, list[int]] = defaultdict(list)
    for i, claim in enumerate(claims):
        cited = {ev.source for ev in claim.evidence}
        sources_of[claim.subject] |= cited
        subject_claims[claim.subject].append(i)
        if _target(claim) is not None:
            sources_of[_target(claim)] |= cited
    hidden = dataset_only(node_ids, sources_of, set(catalog.datasets))
    if selected in catalog.entities:
        linked = {b if a == selected else a for a, b in edge_pairs if selected in (a, b)} & hidden
        hidden -= {selected} | (linked if len(linked) <= REVEAL_AT_ONCE else set())
    if len(hidden) == len(node_ids):  # a page of a dataset alone: nothing to show first but all of it
        hidden = set()

    rank = importance(node_ids, edge_pairs)
    top = max(rank.values(), default=1.0) or 1.0
    sizes = {eid: round(MIN_SIZE + (MAX_SIZE - MIN_SIZE) * (rank.get(eid, 0.0) / top) ** 0.5, 1) for eid in node_ids}
    boxes = {eid: footprint(catalog.entities[eid].record.name, sizes[eid]) for eid in node_ids}
    # The actors shown first are laid out alone, so that they make a compact picture; the
    # dataset-only actors are then placed around them, which stay where they are.
    first = [eid for eid in node_ids if eid not in hidden]
    positions = force_layout(first, [(a, b) for a, b in edge_pairs if a not in hidden and b not in hidden], boxes=boxes)
    if hidden:
        positions = force_layout(node_ids, edge_pairs, boxes=boxes, fixed=positions)

    nodes = []
    for eid in node_ids:
        record = catalog.entities[eid].record
        x, y = positions[eid]
        nodes.append({
            "id": eid,
            "name": record.name,
            "type": record.type,
            "aliases": sorted(record.aliases),  # the graph keeps no order of aliases
            "description": record.description,
            "wikidata": record.wikidata,
            "x": x,
            "y": y,
            "size": sizes[eid],
            "sources": sorted(sources_of[eid]),
            "disputed": bool(actor_disputes[eid]),
            "disagreements": actor_disputes[eid],
            "claims": subject_claims[eid],
            "datasetOnly": eid in hidden,
        })

    edges = []
    parallel: dict[tuple[str, str], int] = defaultdict(int)
    for i, claim in entity_claims:
        pair = tuple(sorted((claim.subject, _target(claim))))
        edges.append({"id": claim_rows[i]["id"], "from": claim.subject, "to": _target(claim), "claim": i, "curve": parallel[pair]})
        parallel[pair] += 1

    styles = type_styles(catalog)
    type_counts: dict[str, int] = defaultdict(int)
    for node in nodes:
        type_counts[node["type"]] += 1
    return {
        "title": title,
        "font": {"face": FONT_FACE, "size": FONT_SIZE, "width": LABEL_WIDTH},
        "types": [dict(styles[name], count=type_counts[name]) for name in sorted(type_counts)],
        "sources": [_source_row(catalog, sid) for sid in sorted([*catalog.sources, *catalog.datasets])],
        "credits": [_credit(catalog.datasets[did].record) for did in sorted(cited_datasets(claims, catalog.datasets))],
        "datasetOnly": len(hidden),
        "revealAtOnce": REVEAL_AT_ONCE,
        "nodes": nodes,
        "edges": edges,
        "claims": claim_rows,
        "disagreements": [
            {"kind": d.kind, "topic": d.topic, "note": d.note, "balance": d.balance(),
             "sides": [{"label": side.label, "sources": side.sources, "claims": [index[c.key] for c in side.claims]}
                       for side in d.sides]}
            for d in found
        ],
    }


def dataset_only(node_ids, sources_of: dict[str, set[str]], datasets: set[str]) -> set[str]:
    """The actors that only datasets name: every claim about them or pointing at them cites a dataset alone.

    The viewer hides them at first. An actor no claim names (a curated entity
    with no claims yet) is not among them.
    """
    return {eid for eid in node_ids if sources_of.get(eid) and sources_of[eid] <= datasets}


def cited_datasets(claims: list[Claim], datasets) -> set[str]:
    """The datasets some of ``claims`` cite: the page must credit each of them."""
    return {ev.source for claim in claims for ev in claim.evidence if ev.source in datasets}


def _credit(record) -> dict:
    """What a dataset's licence asks the page to show: its attribution, licence and page."""
    return {"id": record.id, "title": record.title, "attribution": record.attribution,
            "licence": record.licence, "url": record.url}


def _claim_row(claim: Claim, disputed: bool, labels: dict[str, str]) -> dict:
    return {
        "id": short_hash(claim.key),
        "subject": claim.subject,
        "property": claim.property.name,
        "label": claim.property.label,
        "value": claim.value.display(),
        "entity": _target(claim),
        "qualifiers": [_qualifier(claim, name, labels) for name in sorted(claim.qualifiers)],
        "rank": claim.rank,
        "reason": claim.reason,
        "disputed": disputed,
        "evidence": [
            {"source": ev.source, "quote": ev.exact or ev.quote, "start": ev.start, "end": ev.end,
             **({"row": ev.row, "column": ev.column, "note": ev.note} if ev.row else {})}
            for ev in sorted(claim.evidence, key=lambda ev: (ev.source, ev.start, ev.quote))
        ],
    }


def _dataset_row(catalog: Catalog, record) -> dict:
    publisher = catalog.entities.get(record.publisher)
    return {
        "id": record.id,
        "title": record.title,
        "file": record.file,
        "date": record.retrieved,
        "kind": "dataset",
        "publisher": publisher.record.name if publisher else record.publisher,
        "author": None,
        "licence": record.licence,
        "credit": record.attribution,
    }


def _qualifier(claim: Claim, name: str, labels: dict[str, str]) -> list[str]:
    """[label, value]; a qualifier that is simply true reads as its label alone."""
    value = claim.qualifiers[name]
    return [labels.get(name, name), "" if value.kind == "boolean" and value.lexical == "true" else value.display()]


def _source_row(catalog: Catalog, sid: str) -> dict:
    if sid in catalog.datasets:
        return _dataset_row(catalog, catalog.datasets[sid].record)
    record = catalog.sources[sid].record
    publisher = catalog.entities.get(record.publisher) if record.publisher else None
    return {
        "id": sid,
        "title": record.title,
        "file": record.file,
        "date": record.date,
        "kind": record.kind,
        "publisher": publisher.record.name if publisher else record.publisher,
        "author": record.author,
    }
