"""The compiled graph follows the provenance model, and the ontology declares it."""
from __future__ import annotations

import rdflib
from rdflib.namespace import RDF, RDFS

from kg.curate.vocab import ontology_path
from kg.graph.compile import _KIND_CLASS, _RANK, T
from kg.graph.store import sparql_prologue

ONE_ROW_PER_EVIDENCE = """
SELECT ?subject ?property ?value ?file ?quote ?start ?end WHERE {
  ?claim a kg:Claim ; kg:subject ?subject ; kg:property ?property ; kg:value ?value ;
         prov:wasDerivedFrom ?evidence .
  ?evidence oa:hasSource ?source ; oa:hasSelector ?q, ?p .
  ?source dct:identifier ?file .
  ?q a oa:TextQuoteSelector ; oa:exact ?quote .
  ?p a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
}
"""


def test_one_query_gives_every_claim_with_its_quote_and_offsets(built, store, corpus_dir):
    rows = list(store.query(sparql_prologue() + ONE_ROW_PER_EVIDENCE, use_default_graph_as_union=True))
    evidence = [ev for claim in built.catalog.claims for ev in claim.evidence if not ev.row]  # quotes, not cells
    assert len(rows) == len(evidence) > 40
    for row in rows:
        text = (corpus_dir / row["file"].value).read_text(encoding="utf-8")
        start, end = int(row["start"].value), int(row["end"].value)
        assert text[start:end] == row["quote"].value
    subjects = {row["subject"].value.rsplit("/", 1)[-1] for row in rows}
    assert {"deepseek", "deepseek-v3", "nvidia-h800", "stargate-project"} <= subjects


def _declared():
    graph = rdflib.Graph().parse(ontology_path(), format="turtle")
    return {s for s in graph.subjects() if graph.value(s, RDFS.label) and graph.value(s, RDFS.comment)}


def test_everything_the_compiler_emits_is_declared_with_label_and_comment(built):
    declared = _declared()
    emitted = set()
    for s, p, o, _g in built.quads:
        if p != f"<{RDF.type}>":
            emitted.add(p[1:-1])
        else:
            emitted.add(o[1:-1])
    # Terms the compiler can emit that the real data may not exercise.
    emitted |= {term[1:-1] for term in T.values()}
    emitted |= {term[1:-1] for term in (*_RANK.values(), *_KIND_CLASS.values())}
    missing = sorted(str(term) for term in emitted if rdflib.URIRef(term) not in declared)
    assert missing == []


def test_direct_triples_follow_the_best_rank(store):
    query = sparql_prologue() + "SELECT ?founder WHERE { entity:deepseek kg:foundedBy ?founder }"
    founders = sorted(row["founder"].value.rsplit("/", 1)[-1] for row in store.query(query))
    # Liang Wang is a deprecated misspelling: a claim in the graph, but no direct triple.
    assert founders == ["liang-wenfeng"]
    query = sparql_prologue() + """
        SELECT ?reason WHERE { ?c kg:subject entity:deepseek ; kg:value entity:liang-wang ;
                                  kg:rank kg:DeprecatedRank ; kg:rankReason ?reason }"""
    assert len(list(store.query(query, use_default_graph_as_union=True))) == 1


def test_each_source_has_its_own_named_graph(built, store):
    graphs = sorted(str(g.value).rsplit("/", 1)[-1] for g in store.named_graphs())
    assert graphs == sorted([*built.catalog.sources, *built.catalog.datasets])
    query = sparql_prologue() + """
        SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { GRAPH graph:a002 { ?c prov:wasDerivedFrom ?evidence } }"""
    expected = sum(1 for c in built.catalog.claims if any(ev.source == "a002" for ev in c.evidence))
    assert int(next(iter(store.query(query)))["n"].value) == expected


def test_every_triple_is_in_one_graph(built):
    """So that queries over the union of graphs never count a triple twice."""
    triples = [(s, p, o) for s, p, o, _ in built.quads]
    assert len(triples) == len(set(triples))


def test_no_blank_nodes_and_all_formats_agree(built):
    out = built.out
    nq = rdflib.Dataset().parse(out / "kg.nq", format="nquads")
    jsonld = rdflib.Dataset().parse(out / "kg.jsonld", format="json-ld")
    ttl = rdflib.Graph().parse(out / "kg.ttl", format="turtle")
    quads = set(nq.quads())
    assert quads == set(jsonld.quads())
    assert {(s, p, o) for s, p, o, _ in quads} == set(ttl)
    assert not any(isinstance(term, rdflib.BNode) for quad in quads for term in quad[:3])


def test_typed_literals(store):
    query = sparql_prologue() + """
        SELECT ?amount ?currency ?date WHERE {
          entity:stargate-project kg:plannedInvestment ?v . ?v schema:value ?amount ; schema:currency ?currency .
          entity:deepseek-v3 kg:releaseDate ?date . FILTER(datatype(?date) = xsd:date)
        }"""
    rows = [(r["amount"], r["currency"].value, r["date"]) for r in store.query(query)]
    assert len(rows) == 3
    for amount, currency, date in rows:
        assert (amount.value, amount.datatype.value, currency) == ("500000000000", "http://www.w3.org/2001/XMLSchema#decimal", "USD")
    assert sorted(date.value for _, _, date in rows) == ["2024-12-24", "2024-12-26", "2025-01-24"]
