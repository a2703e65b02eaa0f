"""Result writers: pyoxigraph's JSON for small results, the row cap for any."""
from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from kg.report.sparql_results import serialize_small, write_solutions
from kg.serve.worker import _execute

TRICKY = ["plain", 'quote " and \\ back', "ctl \x00\x01\x1f\x7f tab\t nl\n cr\r bs\b ff\f",
          "uni \u00e9 \u2713 \U0001d11e \u2028 \u2029 \ufeff", "</script>", "a,b;c", '"', ""]
QUERIES = ["SELECT ?s ?p ?o WHERE { ?s ?p ?o }",
           "SELECT ?s ?z WHERE { ?s ?p ?o OPTIONAL { ?s <http://none.example/> ?z } }",
           "SELECT * WHERE { }", "SELECT ?x WHERE { FILTER(false) }"]


@pytest.fixture(scope="module")
def tricky():
    store = ox.Store()
    for i, value in enumerate(TRICKY):
        subject = ox.NamedNode(f"http://e.example/{i}")
        store.add(ox.Quad(subject, ox.NamedNode("http://e.example/p"), ox.Literal(value)))
        store.add(ox.Quad(subject, ox.NamedNode("http://e.example/q"), ox.Literal(value, language="en-GB")))
        store.add(ox.Quad(subject, ox.NamedNode("http://e.example/r"), ox.Literal(value, datatype=ox.NamedNode("http://e.example/dt"))))
    store.add(ox.Quad(ox.BlankNode("b1"), ox.NamedNode("http://e.example/p"),
                      ox.Literal("1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))))
    store.add(ox.Quad(ox.NamedNode("http://e.example/\u00e9?x=1&y=2,3"), ox.NamedNode("http://e.example/p"), ox.Literal("x")))
    return store


@pytest.mark.parametrize("query", QUERIES)
def test_pyoxigraph_json_is_byte_for_byte_the_python_writer(tricky, query):
    python, truncated = write_solutions(tricky.query(query), "json", 10_000)
    assert not truncated
    assert serialize_small(tricky.query(query), "json", 10_000) == python


def test_real_graph_json_is_byte_for_byte_the_python_writer(store):
    for query in ["SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 40",
                  "SELECT ?g ?s WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 50"]:
        python, _ = write_solutions(store.query(query, use_default_graph_as_union=True), "json", 10_000)
        assert python.count(b'"type"') > 40
        assert serialize_small(store.query(query, use_default_graph_as_union=True), "json", 10_000) == python


def test_serialize_small_gives_up_when_the_rows_could_exceed_the_cap(tricky):
    rows = len(list(tricky.query(QUERIES[0])))
    assert serialize_small(tricky.query(QUERIES[0]), "json", rows - 1) is None  # 3 bytes a row cannot hold them
    assert serialize_small(tricky.query(QUERIES[0]), "json", 10_000) is not None


def _rows(store, query: str, cap: int) -> tuple[int, bool]:
    head, body = _execute(store, {"query": query, "format": "json", "cap": cap})
    assert head["status"] == 200
    return len(json.loads(body)["results"]["bindings"]), head["truncated"]


@pytest.mark.parametrize("modifier", ["", " ORDER BY ?s ?p ?o"])
def test_the_cap_is_exact_on_both_writers(store, modifier):
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }" + modifier
    total = len(list(store.query(query, use_default_graph_as_union=True)))
    assert total > 20
    for cap in (1, 5, total - 1):
        assert _rows(store, query, cap) == (cap, True)
    for cap in [c for c in (total, total + 1, 10_000) if c >= total]:  # 10,000: few enough rows for pyoxigraph's writer
        assert _rows(store, query, cap) == (total, False)


def test_the_cap_holds_for_rows_of_the_smallest_size(tricky):
    """Rows binding nothing are 3 bytes each in JSON: the bound that lets
    pyoxigraph's writer run must still stop one row past the cap."""
    query = "SELECT ?x WHERE { VALUES ?n { " + " ".join(map(str, range(100))) + " } }"
    assert _rows(tricky, query, 99) == (99, True)
    assert _rows(tricky, query, 100) == (100, False)
    assert _rows(tricky, query + " LIMIT 7", 10_000) == (7, False)


def test_xml_answers_are_well_formed_whatever_the_literals(tricky):
    """XML 1.0 cannot hold most control characters at all: they come out as U+FFFD."""
    import xml.etree.ElementTree as ET

    from kg.report.sparql_results import write_triples

    body, _ = write_solutions(tricky.query("SELECT ?o WHERE { ?s ?p ?o }"), "xml", 10_000)
    values = {e.text or "" for e in ET.fromstring(body).iter("{http://www.w3.org/2005/sparql-results#}literal")}
    assert "ctl \ufffd\ufffd\ufffd\x7f tab\t nl\n cr\r bs\ufffd ff\ufffd" in values
    assert TRICKY[3] in values and 'quote " and \\ back' in values
    graph, _ = write_triples(tricky.query("CONSTRUCT WHERE { ?s ?p ?o }"), "RDF_XML", 10_000)
    ET.fromstring(graph)
    assert "\ufffd".encode() in graph and b"\x01" not in graph
