"""The pre-flight checks on query text."""
from __future__ import annotations

import pytest

from kg.serve import guard

GRAPHS = {"http://example.org/g1"}


def refused(query: str, **options) -> guard.Refused:
    with pytest.raises(guard.Refused) as info:
        guard.check(query, GRAPHS, **options)
    return info.value


@pytest.mark.parametrize("query", [
    "SELECT * { SERVICE <http://x/> { ?s ?p ?o } }",
    "SELECT * { service silent <http://x/> { ?s ?p ?o } }",
    "SELECT * { ?s ?p ?o OPTIONAL { SeRvIcE ?endpoint { ?s ?q ?v } } }",
    "SELECT * { \\u0053ERVICE <http://x/> { } }",
    "SELECT * { SERV\\u0049CE <http://x/> { } }",
    "SELECT * { \\U00000053ERVICE <http://x/> { } }",
    "SELECT * {\nSERVICE<http://x/>{}}",
])
def test_service_in_any_spelling(query):
    assert refused(query).code == "service_refused"


@pytest.mark.parametrize("query", [
    "SELECT * { ?s <http://x/SERVICE> 'SERVICE', \"\"\"SERVICE\"\"\" } # SERVICE <http://x/>",
    "PREFIX service: <http://x/> SELECT * { ?s service:SERVICE ?service }",
    "SELECT * { ?s ?p ?o FILTER(?o < 3 && ?o > 1) }",
])
def test_the_word_service_in_strings_iris_names_and_comments_is_fine(query):
    assert guard.check(query, GRAPHS).form == "SELECT"


def test_load_is_refused_like_service():
    assert refused("LOAD <http://x/>").code == "load_refused"
    assert refused("load silent <http://x/> INTO GRAPH <a:g>").status == 400


@pytest.mark.parametrize("query", ["INSERT DATA { <a:a> <a:b> <a:c> }",
                                   "DELETE WHERE { ?s ?p ?o }", "CLEAR ALL", "DROP GRAPH <a:g>",
                                   "WITH <a:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }"])
def test_updates_are_403(query):
    assert refused(query).status == 403


def test_from_must_name_a_graph_of_the_store():
    assert guard.check("ASK FROM <http://example.org/g1> {}", GRAPHS).from_graphs == ["http://example.org/g1"]
    assert guard.check("PREFIX ex: <http://example.org/> ASK FROM NAMED ex:g1 {}", GRAPHS).from_named == ["http://example.org/g1"]
    assert guard.check("BASE <http://example.org/> ASK FROM <g1> {}", GRAPHS).from_graphs == ["http://example.org/g1"]
    for query in ("ASK FROM <file:///etc/passwd> {}", "ASK FROM NAMED <http://elsewhere/> {}",
                  "ASK FROM <http://example.org/g\\u0032> {}"):
        assert refused(query).code == "graph_refused"


def test_nesting_is_counted_outside_strings():
    assert refused("ASK " + "{" * 65 + "}" * 65).code == "too_deep"
    assert refused("ASK { FILTER(" + "(" * 70 + "1" + ")" * 70 + ") }").code == "too_deep"
    assert guard.check("ASK { ?s ?p '" + "{" * 500 + "' }", GRAPHS).form == "ASK"
    assert guard.check("ASK " + "{" * 10 + "}" * 10, GRAPHS, max_depth=10).form == "ASK"


def test_escapes_are_decoded_before_running():
    assert guard.check("SELECT * { ?s ?p '\\u00e9' }", GRAPHS).text == "SELECT * { ?s ?p 'é' }"
    assert refused("SELECT * { ?s ?p '\\uD800' }").code == "bad_query"


def test_not_a_query():
    assert refused("PREFIX x: <http://x/>").code == "bad_query"
