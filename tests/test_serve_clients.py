"""Real SPARQL clients against a live `kg serve` on loopback: SPARQLWrapper and
rdflib's SPARQLStore get the same rows as the local pyoxigraph query."""
from __future__ import annotations

import httpx
import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, POST, XML, SPARQLWrapper

from kg.graph.store import sparql_prologue

from .serve_support import live_kg_serve, local_rows

QUERIES = {
    "labels": sparql_prologue() + "SELECT ?e ?label WHERE { ?e a kg:Lab ; rdfs:label ?label } ORDER BY ?e",
    "claims": sparql_prologue() + """SELECT ?claim ?prop ?value ?source WHERE {
        ?claim kg:subject entity:deepseek-v3 ; kg:property ?prop ; kg:value ?value ;
               prov:wasDerivedFrom/oa:hasSource ?source } ORDER BY ?claim ?source""",
    "count": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "lookup": sparql_prologue() + 'SELECT ?e WHERE { ?e rdfs:label "DeepSeek"@en }',  # a direct lookup
    "lookup-all": "SELECT * WHERE { <https://w3id.org/ai-race-kg/entity/deepseek> ?p ?o }",
}


@pytest.fixture(scope="module")
def server(built):
    with live_kg_serve(built.out, "--processes", "1") as url:  # one process: its /health counts every lookup
        yield url


def looked_up(server) -> int:
    return httpx.get(server + "/health").json()["direct_lookups"]["answered"]


@pytest.mark.parametrize("name", sorted(QUERIES))
@pytest.mark.parametrize("method, fmt", [("GET", JSON), ("POST", JSON), ("GET", XML)])
def test_sparqlwrapper(server, store, name, method, fmt):
    before = looked_up(server)
    client = SPARQLWrapper(server + "/sparql")
    client.setQuery(QUERIES[name])
    client.setReturnFormat(fmt)
    if method == "POST":
        client.setMethod(POST)
    result = client.query()
    if fmt == JSON:
        data = result.convert()
        names = data["head"]["vars"]
        rows = [tuple(b[n]["value"] if n in b else None for n in names) for b in data["results"]["bindings"]]
    else:
        document = result.convert()
        names = [v.getAttribute("name") for v in document.getElementsByTagName("variable")]
        rows = []
        for node in document.getElementsByTagName("result"):
            values = {b.getAttribute("name"): b.firstChild.firstChild.data for b in node.getElementsByTagName("binding")}
            rows.append(tuple(values.get(n) for n in names))
    expected = local_rows(store, QUERIES[name])
    assert expected and rows == expected
    assert looked_up(server) == before + name.startswith("lookup")  # which route answered


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_rdflib_sparqlstore(server, store, name):
    before = looked_up(server)
    graph = rdflib.Graph(SPARQLStore(server + "/sparql", returnFormat="xml"))
    rows = [tuple(str(v) if v is not None else None for v in row) for row in graph.query(QUERIES[name])]
    assert rows == local_rows(store, QUERIES[name])
    assert looked_up(server) == before + name.startswith("lookup")


def test_rdflib_sparqlstore_construct(server, store):
    query = sparql_prologue() + "CONSTRUCT { ?e rdfs:label ?l } WHERE { ?e a kg:Lab ; rdfs:label ?l }"
    graph = rdflib.Graph(SPARQLStore(server + "/sparql"))
    got = {(str(s), str(p), str(o)) for s, p, o in graph.query(query)}
    expected = {(t.subject.value, t.predicate.value, t.object.value) for t in store.query(query, use_default_graph_as_union=True)}
    assert got == expected and got
