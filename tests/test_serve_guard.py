"""The pre-flight checks on query text."""
from __future__ import annotations

import contextlib

import pytest

from kg.graph import guard

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
    "SELECT * { ?s ?p 'customer \\u0073ervice' }",
])
def test_the_word_service_is_refused_anywhere(query):
    problem = refused(query)
    assert problem.code == "service_refused"
    assert "federated queries" in problem.message and "REGEX" in problem.message


@pytest.mark.parametrize("query", [
    # A prefixed name's local part may end in an escape: \# is not a comment, \' not a string.
    "PREFIX ex: <http://x/> SELECT * WHERE { ?s ?p ?o FILTER(?o != ex:a\\#) SERVICE <http://h/> { ?a ?b ?c } }",
    "PREFIX ex: <http://x/> SELECT * WHERE { ?s ?p ex:a\\' . SERVICE <http://h/> { } } # '",
    "PREFIX ex: <http://x/> SELECT * WHERE { ?s ?p ex:a\\\" . SERVICE <http://h/> { } } # \"",
    # A number with an exponent ends before the next word.
    "SELECT * WHERE { BIND(1e5SERVICE <http://h/> { } }",
])
def test_service_after_escapes_and_exponents_is_refused(query):
    assert refused(query).code == "service_refused"


def test_tokens_follow_the_sparql_grammar():
    toks = list(guard.tokens("SELECT * { ?s ex:a\\#\\'%41 1e5x, 1.5e-3, .5, 1. ?x a.b:c ex:d. }"))
    assert ("pname", "ex:a\\#\\'%41") in toks
    assert ("number", "1e5") in toks and ("word", "x") in toks
    assert ("number", "1.5e-3") in toks and ("number", ".5") in toks and ("number", "1") in toks
    assert ("pname", "a.b:c") in toks and ("pname", "ex:d") in toks
    # Brackets after an escaped name are seen by the nesting check.
    assert refused("PREFIX ex: <x:> ASK { ?s ?p ex:a\\# " + "{" * 70 + "}" * 70 + " }").code == "too_deep"


def test_an_unclosed_string_is_refused():
    assert refused("SELECT * { ?s ?p 'abc }").code == "bad_query"


def test_tokenising_is_linear():
    """A run of 'a.a.a...' once took time quadratic in its length."""
    import time

    def seconds(size: int, unit: str) -> float:
        query = "ASK { " + unit * (size // len(unit)) + " }"
        start = time.perf_counter()
        with contextlib.suppress(guard.Refused):
            guard.check(query, GRAPHS)
        return time.perf_counter() - start

    seconds(1000, "a.")
    for unit in ("a.", "'\\", "a\\#."):
        # 16x the text: linear time is 16x, quadratic 256x. The wide margin keeps
        # a loaded machine from failing a linear tokeniser.
        small, large = min(seconds(8_000, unit) for _ in range(5)), min(seconds(128_000, unit) for _ in range(3))
        assert large / small < 64, unit


@pytest.mark.parametrize("query", [
    "SELECT * { BIND(" + "1+" * 1500 + "1 AS ?x) }",
    "SELECT * { ?s " + "/".join(["<p:p>"] * 1500) + " ?o }",
    "SELECT * { ?s " + "|".join(["<p:p>"] * 1500) + " ?o }",
    "SELECT * { " + "UNION".join(["{}"] * 1500) + " }",
    "SELECT * { FILTER(" + "!" * 1500 + "true) }",
    "SELECT * { ?s <p:p> " + ", ".join(["1"] * 1500) + " }",
    "SELECT * { ?s " + "; ".join(["<p:p> 1"] * 1500) + " }",
    "SELECT * { " + " ".join(["?s <p:p> 1 ."] * 1500) + " }",
    "SELECT * { " + " ".join(["OPTIONAL { ?s <p:p> ?o }"] * 1500) + " }",
])
def test_long_operator_chains_are_refused(query):
    assert refused(query).code == "too_complex"


def test_operator_chains_are_counted_per_group():
    many = "ASK { " + " ".join("FILTER(" + "1+" * 500 + "1)" for _ in range(4)) + " }"
    assert guard.check(many, GRAPHS).form == "ASK"


@pytest.mark.parametrize("query", ["BASE <http://[x> SELECT * {}", "SELECT * FROM <http://[x> {}"])
def test_malformed_iris_are_bad_queries(query):
    with pytest.raises(guard.Refused) as info:
        guard.check(query, GRAPHS, base="http://127.0.0.1:1/sparql")
    assert (info.value.status, info.value.code) == (400, "bad_query")


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
