"""Every canned query gives the same rows through `kg query` on the export and
through real clients (SPARQLWrapper, rdflib's SPARQLStore) against a live
`kg serve`."""
from __future__ import annotations

import json

import pytest
import rdflib
from click.testing import CliRunner
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, SPARQLWrapper

from kg.cli.main import cli
from kg.graph.store import sparql_prologue
from kg.query import canned_queries, query_form

from .serve_support import live_kg_serve

SELECTS = sorted(name for name, q in canned_queries().items() if query_form(q.text) == "SELECT")


@pytest.fixture(scope="module")
def server(built):
    with live_kg_serve(built.out) as url:
        yield url


def _rows(bindings, names):
    return sorted(tuple(b[n]["value"] if n in b else None for n in names) for b in bindings)


def _kg_query(built, name):
    result = CliRunner().invoke(cli, ["query", name, "--export", str(built.out), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    return data["head"]["vars"], _rows(data["results"]["bindings"], data["head"]["vars"])


@pytest.mark.parametrize("name", SELECTS)
def test_sparqlwrapper_and_sparqlstore_match_kg_query(server, built, name):
    names, expected = _kg_query(built, name)
    text = sparql_prologue() + canned_queries()[name].text

    client = SPARQLWrapper(server + "/sparql")
    client.setQuery(text)
    client.setReturnFormat(JSON)
    data = client.query().convert()
    assert data["head"]["vars"] == names
    assert _rows(data["results"]["bindings"], names) == expected

    graph = rdflib.Graph(SPARQLStore(server + "/sparql", returnFormat="json"))
    store_rows = sorted(tuple(str(v) if v is not None else None for v in row) for row in graph.query(text))
    assert store_rows == expected


def test_canned_selects_are_covered():
    assert len(SELECTS) >= 9
