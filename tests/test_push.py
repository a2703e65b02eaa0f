"""`kg push` against a real Oxigraph server started on loopback."""
from __future__ import annotations

import base64

import httpx
import pytest
from click.testing import CliRunner

from kg.cli.main import cli
from kg.graph.store import sparql_prologue

from .serve_support import canary, local_rows, oxigraph_server

COUNT_PER_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } } GROUP BY ?g ORDER BY ?g"
# default graph (entities, claims) joined with the source graphs (evidence)
LABELS = sparql_prologue() + """SELECT ?e ?label ?g ?quote WHERE {
    ?c kg:subject ?e . ?e rdfs:label ?label .
    GRAPH ?g { ?c prov:wasDerivedFrom ?ev . ?ev oa:hasSelector/oa:exact ?quote } } ORDER BY ?e ?g ?quote"""


def remote_rows(url: str, query: str) -> list[tuple]:
    response = httpx.post(url + "/query", data={"query": query}, headers={"Accept": "application/sparql-results+json"}, timeout=30)
    response.raise_for_status()
    data = response.json()
    names = data["head"]["vars"]
    return [tuple(b[n]["value"] if n in b else None for n in names) for b in data["results"]["bindings"]]


@pytest.fixture
def oxigraph(tmp_path):
    with oxigraph_server(tmp_path / "oxigraph") as url:
        yield url


def run_push(*args: str, env: dict | None = None):
    return CliRunner().invoke(cli, ["push", *args], env=env)


def test_push_then_counts_and_rows_match(built, store, oxigraph):
    result = run_push("--export", str(built.out), "--endpoint", oxigraph + "/store")
    assert result.exit_code == 0, result.output
    expected_counts = local_rows(store, COUNT_PER_GRAPH, union=False)
    assert remote_rows(oxigraph, COUNT_PER_GRAPH) == expected_counts
    assert len(expected_counts) == 1 + len(list(store.named_graphs()))
    assert sum(int(n) for _, n in expected_counts) == len(store)
    rows = remote_rows(oxigraph, LABELS)
    assert rows and rows == local_rows(store, LABELS, union=False)
    assert f"Pushed {len(store)} triples" in result.output


def test_replace_makes_a_repush_idempotent(built, store, oxigraph):
    noise = "INSERT DATA { GRAPH <https://w3id.org/ai-race-kg/graph/a000> { <urn:stale> <urn:p> <urn:o> } }"
    httpx.post(oxigraph + "/update", data={"update": noise}, timeout=30).raise_for_status()
    for _ in range(2):
        assert run_push("--export", str(built.out), "--endpoint", oxigraph + "/store", "--replace").exit_code == 0
        assert remote_rows(oxigraph, COUNT_PER_GRAPH) == local_rows(store, COUNT_PER_GRAPH, union=False)


def test_push_into_one_named_graph(built, store, oxigraph):
    target = "https://example.org/ai-race"
    assert run_push("--export", str(built.out), "--endpoint", oxigraph + "/store", "--graph", target, "--replace").exit_code == 0
    distinct = len({quad.triple for quad in store})
    assert remote_rows(oxigraph, COUNT_PER_GRAPH) == [(target, str(distinct))]


def test_store_errors_are_reported_clearly(built, oxigraph):
    result = run_push("--export", str(built.out), "--endpoint", oxigraph + "/no-such-service")
    assert result.exit_code == 1
    assert result.output.startswith("Error: the store answered 404") and "Traceback" not in result.output
    refused = run_push("--export", str(built.out), "--endpoint", "http://127.0.0.1:9/store")
    assert refused.exit_code == 1 and refused.output.startswith("Error: could not reach")


def test_credentials_come_from_the_environment_only(built):
    with canary() as (url, hits):
        env = {"KG_PUSH_TOKEN": "s3cret-token"}
        assert run_push("--export", str(built.out), "--endpoint", url, "--auth", "bearer", env=env).exit_code == 0
        assert run_push("--export", str(built.out), "--endpoint", url, "--auth", "basic",
                        env={"KG_PUSH_USER": "kg", "KG_PUSH_PASSWORD": "pw"}).exit_code == 0
    missing = run_push("--export", str(built.out), "--endpoint", "http://127.0.0.1:9/store", "--auth", "bearer",
                       env={"KG_PUSH_TOKEN": ""})
    assert missing.exit_code == 1 and "KG_PUSH_TOKEN" in missing.output
    assert "--token" not in CliRunner().invoke(cli, ["push", "--help"]).output
    assert "--password" not in CliRunner().invoke(cli, ["push", "--help"]).output
    authorizations = {hit["authorization"] for hit in hits}
    assert authorizations == {"Bearer s3cret-token", "Basic " + base64.b64encode(b"kg:pw").decode()}
    assert {hit["request"].split()[0] for hit in hits} == {"POST"}


@pytest.fixture
def redirecting_store():
    """A loopback store that answers every request with 302 to the canary; records what it got."""
    import http.server
    import threading

    with canary() as (target, hits):
        seen: list[str] = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def _redirect(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                seen.append(f"{self.command} {self.path}")
                self.send_response(302)
                self.send_header("Location", target)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_POST = do_PUT = do_GET = _redirect

            def log_message(self, *args):
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}/store", target, hits, seen
        finally:
            server.shutdown()
            server.server_close()


def test_a_redirect_is_refused_and_credentials_never_follow(built, redirecting_store):
    url, target, hits, seen = redirecting_store
    result = run_push("--export", str(built.out), "--endpoint", url, "--auth", "bearer",
                      env={"KG_PUSH_TOKEN": "s3cret-token"})
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: the store answered 302") and "Traceback" not in result.output
    assert target in result.output and "nothing was pushed" in result.output
    assert "s3cret-token" not in result.output
    assert len(seen) == 1 and hits == []


@pytest.mark.parametrize("endpoint", ["http://admin:hunter2@127.0.0.1:9/store", "http://hunter2@127.0.0.1:9/store"])
def test_credentials_in_the_endpoint_are_refused_and_not_echoed(built, endpoint):
    result = run_push("--export", str(built.out), "--endpoint", endpoint)
    assert result.exit_code == 1
    assert result.output.startswith("Error: --endpoint must not hold credentials") and "--auth basic" in result.output
    assert "hunter2" not in result.output
