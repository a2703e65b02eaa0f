"""The reading commands with --endpoint on the literals of the whole dataset table.

Epoch AI's table, imported whole, gives amounts with more than 15 digits after
the decimal point (a training cost of 3.9045853984413377 USD). Virtuoso keeps
only 15 of them, so the graph read back from it must get the rest back before
the commands answer. A small graph with such amounts, built from two articles
written here, stands for the whole table: it is pushed to a real Virtuoso on
loopback (tests/store_support.py), read back with --endpoint, and every answer
must be byte for byte the local one.
"""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from kg.cli.main import cli

from .conftest import write_articles
from .store_support import virtuoso_server

DEFAULT_GRAPH = "urn:kg:default"
# Digits past the 15th after the point: Virtuoso rounds the first to ...338, and the second to ...679.
LONG = "3.9045853984413377"
LONGER = "0.12345678901234567891"
ARTICLES = {
    "a000": ("000_cost.txt", f"Quill Labs said the Quill-1 model cost {LONG} USD to train.\n"),
    "a001": ("001_cost.txt", f"A rival estimate put the cost of Quill-1 at {LONGER} USD.\n"),
}
CLAIMS = f"""
entities:
  - {{id: quill-labs, type: Lab, name: Quill Labs}}
  - {{id: quill-1, type: Model, name: Quill-1}}
claims:
  - subject: quill-1
    property: developmentCost
    value: {LONG} USD
    evidence:
      - source: a000
        quote: the Quill-1 model cost {LONG} USD to train
  - subject: quill-1
    property: developmentCost
    value: {LONGER} USD
    evidence:
      - source: a001
        quote: put the cost of Quill-1 at {LONGER} USD
"""

COMMANDS = [
    ("conflicts table", ["conflicts"]),
    ("conflicts json", ["conflicts", "--format", "json"]),
]


def run(*args: str, env: dict | None = None):
    result = CliRunner().invoke(cli, list(args), env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """The data, corpus and export of the graph with long amounts."""
    from kg.build import build

    place = tmp_path_factory.mktemp("long-amounts")
    data = place / "data.yaml"
    data.write_text(write_articles(place / "corpus", ARTICLES) + CLAIMS, encoding="utf-8")
    build(data, place / "corpus", place / "export")
    return place


def local_args(args: list[str], small) -> list[str]:
    return [*args, "--data", str(small / "data.yaml"), "--corpus", str(small / "corpus")]


@pytest.fixture(scope="module")
def virtuoso(small, tmp_path_factory):
    with virtuoso_server(tmp_path_factory.mktemp("virtuoso")) as server:
        result = run("push", "--export", str(small / "export"), "--endpoint", server.url + "/sparql-graph-crud-auth",
                     "--auth", "digest", "--default-graph", DEFAULT_GRAPH, "--replace", env=server.env)
        assert result.exit_code == 0, result.output
        # Else the tests here would prove nothing: the store rounds the amounts.
        assert stored_values(server) == ["0.123456789012346", "3.904585398441338"]
        yield server


def stored_values(server) -> list[str]:
    import httpx

    query = f"SELECT ?value WHERE {{ GRAPH <{DEFAULT_GRAPH}> {{ ?node <https://schema.org/value> ?value }} }} ORDER BY ?value"
    answer = httpx.post(server.url + "/sparql", data={"query": query}, timeout=60,
                        headers={"Accept": "application/sparql-results+json"})
    assert answer.status_code == 200, answer.text
    return [row["value"]["value"] for row in answer.json()["results"]["bindings"]]


def on_virtuoso(virtuoso, *args: str):
    return run(*args, "--endpoint", virtuoso.url + "/sparql-auth", "--auth", "digest", "--default-graph",
               DEFAULT_GRAPH, env=virtuoso.env)


@pytest.mark.parametrize("name", [name for name, _ in COMMANDS])
def test_long_amounts_read_back_from_virtuoso_match_local(name, small, virtuoso, tmp_path):
    args = dict(COMMANDS)[name]
    local = run(*local_args(args, small))
    assert (local.exit_code, local.stderr) == (0, "")
    assert LONG in local.stdout and LONGER in local.stdout  # else the comparison proves nothing
    missing = str(tmp_path / "missing")
    remote = on_virtuoso(virtuoso, *args, "--data", missing, "--corpus", missing)
    assert (remote.exit_code, remote.stderr) == (0, "")
    assert remote.stdout == local.stdout


def test_long_amounts_in_the_viewer_read_back_from_virtuoso_match_local(small, virtuoso, tmp_path):
    pages = [tmp_path / "local.html", tmp_path / "remote.html"]
    local = run("viewer", "--out", str(pages[0]), "--data", str(small / "data.yaml"), "--corpus", str(small / "corpus"))
    remote = on_virtuoso(virtuoso, "viewer", "--out", str(pages[1]), "--data", str(tmp_path / "missing"))
    assert (local.exit_code, remote.exit_code) == (0, 0), remote.output
    assert LONG.encode() in pages[0].read_bytes()
    assert pages[1].read_bytes() == pages[0].read_bytes()


def test_the_graph_read_back_from_virtuoso_is_the_one_built(small, virtuoso):
    from kg.graph.store import open_store
    from kg.remote_graph import Remote, fetch_graph

    remote = Remote(virtuoso.url + "/sparql-auth", auth="digest", default_graph=DEFAULT_GRAPH)
    read_back = {str(quad) for quad in fetch_graph(remote, virtuoso.env)}
    built = {str(quad) for quad in open_store(small / "export")}
    assert len(built) > 50 and read_back == built
