"""Compile the checked catalog into RDF quads, following Wikidata's statement model.

For every claim the graph gets:

* a **statement node** (``kg:Claim``) with the subject, property, value,
  qualifiers, rank and ``prov:wasDerivedFrom`` links to its evidence;
* for each piece of evidence, a **Web Annotation specific resource** whose
  source is the article and whose selectors hold the exact quote, its prefix
  and suffix, and its character offsets;
* a **direct triple** ``subject property value`` when the claim has the best
  rank among the claims for that subject and property (deprecated claims never
  get one).

Entities, articles, value nodes, direct triples and statement nodes live in
the default graph. Each article has a named graph holding what it contributes:
the ``prov:wasDerivedFrom`` links from claims to its evidence, and that
evidence with its selectors. Every triple is in exactly one graph, so a query
over the union of all graphs never sees a triple twice. IRIs
are minted from ids and from hashes of a claim's key fields: the same data
always gives the same IRIs, and there are no blank nodes.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from kg.curate.catalog import Catalog, Claim
from kg.curate.values import Value
from kg.graph.terms import DEFAULT_BASE, PATHS, PREFIXES, RDF_TYPE, curie, literal, normalise_base, short_hash

Quad = tuple[str, str, str, str]  # subject, predicate, object, graph ("" = default)

_KIND_CLASS = {"news": curie("kg:NewsReport"), "opinion": curie("kg:Opinion"), "blog": curie("kg:Blog")}
_RANK = {"preferred": curie("kg:PreferredRank"), "normal": curie("kg:NormalRank"), "deprecated": curie("kg:DeprecatedRank")}
_RANK_ORDER = {"preferred": 0, "normal": 1, "deprecated": 2}

T = {name: curie(name) for name in (
    "kg:Claim", "kg:Evidence", "kg:Article", "kg:QuoteSelector", "kg:PositionSelector",
    "kg:subject", "kg:property", "kg:value", "kg:rank", "kg:rankReason", "kg:sha256",
    "kg:articleKind", "kg:dateline", "kg:authorDescription", "kg:section",
    "rdfs:label", "skos:altLabel", "schema:description", "dct:identifier", "owl:sameAs",
    "dct:title", "dct:publisher", "schema:datePublished", "prov:wasDerivedFrom",
    "oa:hasSource", "oa:hasSelector", "oa:TextQuoteSelector", "oa:TextPositionSelector",
    "oa:exact", "oa:prefix", "oa:suffix", "oa:start", "oa:end",
    "schema:MonetaryAmount", "schema:QuantitativeValue", "schema:value", "schema:currency",
    "schema:unitCode", "schema:unitText",
    "kg:Dataset", "kg:CellSelector", "kg:retrievedOn", "kg:column", "kg:publisherNote", "schema:creditText",
    "dct:license", "dct:source", "dct:conformsTo", "oa:FragmentSelector", "oa:refinedBy", "rdf:value",
)}


class Minter:
    """Deterministic IRIs under one base."""

    def __init__(self, base: str = DEFAULT_BASE):
        base = normalise_base(base)
        self.base = base
        self.paths = {name: base + path for name, path in PATHS.items()}

    def entity(self, entity_id: str) -> str:
        return f"<{self.paths['entity']}{entity_id}>"

    def source(self, source_id: str) -> str:
        return f"<{self.paths['source']}{source_id}>"

    def graph(self, source_id: str) -> str:
        return f"<{self.paths['graph']}{source_id}>"

    def claim(self, claim: Claim) -> str:
        return f"<{self.paths['claim']}{short_hash(claim.key)}>"

    def evidence(self, claim_key: str, source_id: str, quote: str) -> str:
        return f"{self.paths['evidence']}{short_hash(claim_key + chr(31) + source_id + chr(31) + quote)}"

    def value(self, value: Value) -> str:
        return f"<{self.paths['value']}{value.kind}-{short_hash(value.key)}>"


def compile_catalog(catalog: Catalog, base: str = DEFAULT_BASE) -> list[Quad]:
    """All quads of the graph, deduplicated and sorted."""
    mint = Minter(base)
    quads: set[Quad] = set()
    add = quads.add
    vocab = catalog.vocab

    for entity in catalog.entities.values():
        rec = entity.record
        e = mint.entity(rec.id)
        add((e, RDF_TYPE, f"<{vocab.classes[rec.type].iri}>", ""))
        add((e, T["rdfs:label"], literal(rec.name, lang="en"), ""))
        add((e, T["dct:identifier"], literal(rec.id), ""))
        for alias in rec.aliases:
            add((e, T["skos:altLabel"], literal(alias, lang="en"), ""))
        if rec.description:
            add((e, T["schema:description"], literal(rec.description, lang="en"), ""))
        if rec.wikidata:
            add((e, T["owl:sameAs"], f"<{PREFIXES['wd']}{rec.wikidata}>", ""))

    for source in catalog.sources.values():
        rec = source.record
        s = mint.source(rec.id)
        add((s, RDF_TYPE, T["kg:Article"], ""))
        add((s, T["dct:identifier"], literal(rec.file), ""))
        add((s, T["rdfs:label"], literal(rec.title or rec.file, lang="en" if rec.title else None), ""))
        add((s, T["kg:sha256"], literal(rec.sha256), ""))
        add((s, T["kg:articleKind"], _KIND_CLASS[rec.kind], ""))
        if rec.title:
            add((s, T["dct:title"], literal(rec.title, lang="en"), ""))
        if rec.publisher:
            add((s, T["dct:publisher"], mint.entity(rec.publisher), ""))
        if source.date is not None:
            add((s, T["schema:datePublished"], literal(source.date.lexical, source.date.datatype), ""))
        for field, predicate in (("author", "kg:authorDescription"), ("dateline", "kg:dateline"), ("section", "kg:section")):
            text = getattr(rec, field)
            if text:
                add((s, T[predicate], literal(text), ""))

    for dataset in catalog.datasets.values():
        _compile_dataset(dataset.record, mint, add)

    best_rank: dict[tuple[str, str], int] = defaultdict(lambda: 2)
    for claim in catalog.claims:
        key = (claim.subject, claim.property.name)
        best_rank[key] = min(best_rank[key], _RANK_ORDER[claim.rank])

    for claim in catalog.claims:
        _compile_claim(claim, mint, vocab, best_rank, add)

    from kg.graph.disagreement_nodes import disagreement_quads

    quads |= disagreement_quads(catalog, mint)
    return sorted(quads)


def _value_term(value: Value, mint: Minter, units: dict[str, str], add) -> str:
    if value.kind == "entity":
        return mint.entity(value.lexical)
    if value.kind in ("amount", "quantity"):
        node = mint.value(value)
        add((node, T["rdfs:label"], literal(value.display()), ""))
        add((node, T["schema:value"], literal(value.lexical, "decimal"), ""))
        if value.kind == "amount":
            add((node, RDF_TYPE, T["schema:MonetaryAmount"], ""))
            add((node, T["schema:currency"], literal(value.unit), ""))
        else:
            add((node, RDF_TYPE, T["schema:QuantitativeValue"], ""))
            add((node, T["schema:unitText"], literal(value.unit), ""))
            add((node, T["schema:unitCode"], f"<{units[value.unit]}>", ""))
        return node
    return literal(value.lexical, value.datatype)


def _compile_claim(claim: Claim, mint: Minter, vocab, best_rank, add) -> None:
    c = mint.claim(claim)
    subject = mint.entity(claim.subject)
    prop = f"<{claim.property.iri}>"
    value = _value_term(claim.value, mint, vocab.units, add)
    if claim.rank != "deprecated" and _RANK_ORDER[claim.rank] == best_rank[(claim.subject, claim.property.name)]:
        add((subject, prop, value, ""))

    statement = [
        (c, RDF_TYPE, T["kg:Claim"]),
        (c, T["kg:subject"], subject),
        (c, T["kg:property"], prop),
        (c, T["kg:value"], value),
        (c, T["kg:rank"], _RANK[claim.rank]),
    ]
    if claim.reason:
        statement.append((c, T["kg:rankReason"], literal(claim.reason)))
    for name, qualifier in sorted(claim.qualifiers.items()):
        statement.append((c, f"<{vocab.qualifiers[name].iri}>", _value_term(qualifier, mint, vocab.units, add)))

    for s, p, o in statement:
        add((s, p, o, ""))
    for ev in claim.evidence:
        if ev.fragment:
            _compile_cell(c, claim, ev, mint, add)
            continue
        iri, g = _evidence(c, claim, ev, ev.exact, mint, add)
        e, quote, position = f"<{iri}>", f"<{iri}-quote>", f"<{iri}-position>"
        add((e, T["oa:hasSelector"], quote, g))
        add((e, T["oa:hasSelector"], position, g))
        add((quote, RDF_TYPE, T["kg:QuoteSelector"], g))
        add((quote, RDF_TYPE, T["oa:TextQuoteSelector"], g))
        add((quote, T["oa:exact"], literal(ev.exact), g))
        add((quote, T["oa:prefix"], literal(ev.prefix), g))
        add((quote, T["oa:suffix"], literal(ev.suffix), g))
        add((position, RDF_TYPE, T["kg:PositionSelector"], g))
        add((position, RDF_TYPE, T["oa:TextPositionSelector"], g))
        add((position, T["oa:start"], literal(str(ev.start), "nonNegativeInteger"), g))
        add((position, T["oa:end"], literal(str(ev.end), "nonNegativeInteger"), g))


def _evidence(c: str, claim: Claim, ev, locator: str, mint: Minter, add) -> tuple[str, str]:
    """(IRI, its source's graph) of the evidence of ``claim`` that ``locator``
    (a quote's exact text, a cell's fragment) picks out of its source."""
    g = mint.graph(ev.source)
    iri = mint.evidence(claim.key, ev.source, locator)
    e = f"<{iri}>"
    add((c, T["prov:wasDerivedFrom"], e, g))
    add((e, RDF_TYPE, T["kg:Evidence"], g))
    add((e, T["oa:hasSource"], mint.source(ev.source), g))
    return iri, g


def _iri_or_text(text: str) -> str:
    return f"<{text}>" if text.startswith(("http://", "https://")) else literal(text)


def _compile_dataset(rec, mint: Minter, add) -> None:
    s = mint.source(rec.id)
    add((s, RDF_TYPE, T["kg:Dataset"], ""))
    add((s, T["dct:identifier"], literal(rec.file), ""))
    add((s, T["rdfs:label"], literal(rec.title, lang="en"), ""))
    add((s, T["dct:title"], literal(rec.title, lang="en"), ""))
    add((s, T["kg:sha256"], literal(rec.sha256), ""))
    add((s, T["dct:publisher"], mint.entity(rec.publisher), ""))
    add((s, T["dct:license"], _iri_or_text(rec.licence), ""))
    add((s, T["schema:creditText"], literal(rec.attribution), ""))
    add((s, T["kg:retrievedOn"], literal(rec.retrieved, "date"), ""))
    if rec.url:
        add((s, T["dct:source"], _iri_or_text(rec.url), ""))


def _compile_cell(c: str, claim: Claim, ev, mint: Minter, add) -> None:
    """Evidence from a dataset's cell: an RFC 7111 fragment refined by the cell's exact text."""
    iri, g = _evidence(c, claim, ev, ev.fragment, mint, add)
    e, cell, text = f"<{iri}>", f"<{iri}-cell>", f"<{iri}-text>"
    add((e, T["oa:hasSelector"], cell, g))
    if ev.note:
        add((e, T["kg:publisherNote"], literal(ev.note), g))
    add((cell, RDF_TYPE, T["kg:CellSelector"], g))
    add((cell, RDF_TYPE, T["oa:FragmentSelector"], g))
    add((cell, T["rdf:value"], literal(ev.fragment), g))
    add((cell, T["dct:conformsTo"], "<http://tools.ietf.org/rfc/rfc7111>", g))
    add((cell, T["kg:column"], literal(ev.column), g))
    add((cell, T["oa:refinedBy"], text, g))
    add((text, RDF_TYPE, T["oa:TextQuoteSelector"], g))
    add((text, T["oa:exact"], literal(ev.exact), g))


def to_nquads(quads: Iterable[Quad]) -> str:
    return "".join(f"{s} {p} {o} {g} .\n" if g else f"{s} {p} {o} .\n" for s, p, o, g in quads)


def to_dataset(quads: Iterable[Quad]):
    """The quads as an rdflib Dataset (named graphs kept)."""
    import rdflib

    dataset = rdflib.Dataset()
    dataset.parse(data=to_nquads(quads), format="nquads")
    return dataset
