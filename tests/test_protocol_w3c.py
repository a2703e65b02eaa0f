"""The W3C SPARQL 1.1 Protocol tests (w3c/rdf-tests, sparql/sparql11/protocol),
their requests and expectations reproduced as data in tests/fixtures.

All query tests and all bad_* tests must pass. The endpoint is read-only, so
each update test's update must be refused (403) and leave the store unchanged.
"""
from __future__ import annotations

import json

import pyoxigraph
import pytest
from starlette.testclient import TestClient

from kg.serve.app import create_app

from .conftest import FIXTURES
from .serve_support import assert_error

MANIFEST = json.loads((FIXTURES / "sparql11-protocol" / "manifest.json").read_text(encoding="utf-8"))
TESTS = {test["id"]: test for test in MANIFEST["tests"]}
BOOLEAN_TYPES = ("application/sparql-results+json", "application/sparql-results+xml")
TABULAR_TYPES = BOOLEAN_TYPES + ("text/csv", "text/tab-separated-values")
RDF_TYPES = ("text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json")


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    export = tmp_path_factory.mktemp("protocol")
    lines = [f"<{s}> <{p}> <{o}> <{graph}> .\n" for graph, triples in MANIFEST["graphs"].items() for s, p, o in triples]
    (export / "kg.nq").write_text("".join(lines), encoding="utf-8")
    with TestClient(create_app(export, workers=1), base_url=MANIFEST["base"]) as test_client:
        yield test_client


def send(client, request: dict, path: str | None = None):
    body = request.get("body")
    content = None if body is None else body.encode("utf-16" if request["encoding"] == "UTF-16" else "utf-8")
    return client.request(request["method"], path or request["path"], headers=dict(request["headers"]), content=content)


def status_class(code: int) -> str:
    return f"{code // 100}xx"


def check_expectations(response, request: dict) -> None:
    assert status_class(response.status_code) in request["status"], response.text
    media = response.headers.get("content-type", "").split(";")[0]
    fmt = request.get("expected_format")
    if fmt == "boolean":
        assert media in BOOLEAN_TYPES
        value = bool(pyoxigraph.parse_query_results(response.content, format=pyoxigraph.QueryResultsFormat.from_media_type(media)))
        if "expected_boolean" in request:
            assert value is request["expected_boolean"]
    elif fmt == "tabular":
        assert media in TABULAR_TYPES
        results = pyoxigraph.parse_query_results(response.content, format=pyoxigraph.QueryResultsFormat.from_media_type(media))
        assert isinstance(results, pyoxigraph.QuerySolutions)
    elif fmt == "RDF":
        assert media in RDF_TYPES
        list(pyoxigraph.parse(response.content, format=pyoxigraph.RdfFormat.from_media_type(media)))


@pytest.mark.parametrize("test_id", [t for t, test in TESTS.items() if test["kind"] == "query"])
def test_query(client, test_id):
    test = TESTS[test_id]
    erratum = MANIFEST["errata"].get(test_id)
    for request in test["requests"]:
        check_expectations(send(client, request, erratum and erratum["path"]), request)


def test_query_multiple_dataset_as_written_is_refused(client):
    """The erratum's request as the manifest spells it names no graph of the store."""
    request = TESTS["query_multiple_dataset"]["requests"][0]
    assert assert_error(send(client, request), 400)["code"] == "graph_refused"


@pytest.mark.parametrize("test_id", [t for t, test in TESTS.items() if test["kind"] == "bad"])
def test_bad(client, test_id):
    for request in TESTS[test_id]["requests"]:
        response = send(client, request)
        assert status_class(response.status_code) in request["status"]
        assert_error(response, response.status_code)


@pytest.mark.parametrize("test_id", [t for t, test in TESTS.items() if test["kind"] == "update"])
def test_update_is_refused(client, test_id):
    update, *queries = TESTS[test_id]["requests"]
    assert_error(send(client, update), 403)
    for request in queries:  # the store is unchanged: the follow-up query no longer finds what the update would add
        response = send(client, request)
        assert response.status_code == 200
        results = pyoxigraph.parse_query_results(response.content, format=pyoxigraph.QueryResultsFormat.JSON)
        if request.get("expected_format") == "boolean":
            assert bool(results) is False
        else:
            assert list(results) == []
    everything = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"})
    assert everything.json()["results"]["bindings"][0]["n"]["value"] == str(len(MANIFEST["graphs"]))


def test_the_manifest_is_complete():
    assert len(TESTS) == 34
    assert {t["kind"] for t in TESTS.values()} == {"query", "bad", "update"}
    assert sum(t["kind"] == "bad" for t in TESTS.values()) == 14
