"""The graph on real triple stores: pushed, queried, pushed again.

Each store is started on loopback for this module: Oxigraph server (PyPI
``oxigraph``) with its default graph as the default graph only, Oxigraph with
``--union-default-graph``, and Virtuoso (Debian's ``virtuoso-opensource``),
whose Graph Store endpoint logs in with digest and refuses the default graph.
Every canned query must give the same rows there as ``kg query`` gives here.
"""
from __future__ import annotations

import contextlib
import csv
import http.server
import io
import re
import threading
from decimal import Decimal

import pytest
from click.testing import CliRunner

from kg.cli.main import cli
from kg.error_text import error_text
from kg.bind import bind
from kg.query import canned_queries

from .serve_support import live_kg_serve, oxigraph_server
from .store_support import virtuoso_server

CANNED = sorted(canned_queries())
DEFAULT_GRAPH = "urn:kg:default"


def run(*args: str, env: dict | None = None):
    return CliRunner().invoke(cli, list(args), env=env)


@pytest.fixture(scope="module")
def local_answers(built):
    answers = {}
    for name in CANNED:
        result = run("query", name, "--export", str(built.out), "--format", "csv")
        assert result.exit_code == 0, result.output
        answers[name] = result.stdout
    return answers


def differing(local_answers, endpoint: str, env: dict | None = None, auth: str = "none") -> dict[str, tuple[str, str]]:
    """The canned queries whose rows on ``endpoint`` differ from the local ones."""
    found = {}
    for name in CANNED:
        result = run("query", name, "--endpoint", endpoint, "--format", "csv", "--auth", auth, env=env)
        assert result.exit_code == 0, f"{name}: {result.output}"
        if result.stdout != local_answers[name]:
            found[name] = (local_answers[name], result.stdout)
    return found


def graph_counts(endpoint: str, graphs: list[str], env: dict | None = None, auth: str = "none") -> str:
    values = " ".join(f"<{g}>" for g in graphs)
    query = f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g ORDER BY ?g"
    result = run("query", query, "--endpoint", endpoint, "--format", "csv", "--auth", auth, env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


def push(built, endpoint: str, *options: str, env: dict | None = None):
    return run("push", "--export", str(built.out), "--endpoint", endpoint, "--replace", *options, env=env)


def test_every_canned_query_has_rows_locally(local_answers):
    # else the comparisons below would prove nothing
    assert len(CANNED) == 20
    assert [name for name, csv in local_answers.items() if csv.count("\n") < 2] == []


# --- Oxigraph server ---------------------------------------------------------

@pytest.fixture(scope="module", params=["default graph alone", "union default graph"])
def oxigraph(request, built, tmp_path_factory):
    options = ("--union-default-graph",) if request.param == "union default graph" else ()
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph"), options=options) as url:
        result = push(built, url + "/store")
        assert result.exit_code == 0, result.output
        yield url


def test_canned_queries_on_oxigraph_match_local(local_answers, oxigraph):
    assert differing(local_answers, oxigraph + "/query") == {}


def test_bind_on_oxigraph_matches_local(built, oxigraph):
    local = run("query", "mentions", "--bind", "actor=deepseek", "--export", str(built.out), "--format", "csv")
    remote = run("query", "mentions", "--bind", "actor=deepseek", "--export", str(built.out), "--format", "csv",
                 "--endpoint", oxigraph + "/query")
    assert (remote.exit_code, remote.stdout) == (0, local.stdout) and local.stdout.count("\n") > 2


def test_repush_to_oxigraph_is_idempotent(built, store, oxigraph):
    graphs = sorted(g.value for g in store.named_graphs())
    before = graph_counts(oxigraph + "/query", graphs)
    assert push(built, oxigraph + "/store").exit_code == 0
    assert graph_counts(oxigraph + "/query", graphs) == before
    assert before.count("\n") == 1 + len(graphs)


def test_default_graph_in_a_named_graph_on_a_union_store(built, local_answers, tmp_path):
    with oxigraph_server(tmp_path / "oxigraph", options=("--union-default-graph",)) as url:
        result = push(built, url + "/store", "--default-graph", DEFAULT_GRAPH)
        assert result.exit_code == 0, result.output
        assert f"Replaced {DEFAULT_GRAPH}: " in result.stderr
        assert differing(local_answers, url + "/query") == {}


def test_default_graph_option_is_checked(built, store):
    source_graph = sorted(g.value for g in store.named_graphs())[0]
    taken = push(built, "http://127.0.0.1:9/store", "--default-graph", source_graph)
    assert (taken.exit_code, taken.stderr) == (1, f"Error: --default-graph {source_graph} is the graph of a source; "
                                                   "choose another IRI\n")
    relative = push(built, "http://127.0.0.1:9/store", "--default-graph", "default")
    assert (relative.exit_code, relative.stderr) == (1, "Error: --default-graph must be an absolute IRI such as "
                                                         "https://example.org/kg/default, not 'default'\n")
    both = push(built, "http://127.0.0.1:9/store", "--default-graph", DEFAULT_GRAPH, "--graph", "urn:x")
    assert (both.exit_code, both.stderr) == (1, "Error: --graph puts everything in one graph; --default-graph "
                                                "does not go with it\n")


# --- Virtuoso ----------------------------------------------------------------

# Virtuoso's row limit for this module: above the largest canned answer (every
# actor of the whole dataset), below the graph's triples, so that a query for
# all of them is still cut.
CANNED_MAX_ROWS = 5000


@pytest.fixture(scope="module")
def virtuoso(built, tmp_path_factory):
    with virtuoso_server(tmp_path_factory.mktemp("virtuoso"), max_rows=CANNED_MAX_ROWS) as server:
        result = push(built, server.url + "/sparql-graph-crud-auth", "--auth", "digest",
                      "--default-graph", DEFAULT_GRAPH, env=server.env)
        assert result.exit_code == 0, result.output
        yield server


def test_virtuoso_refuses_the_default_graph_and_says_why(built, virtuoso):
    endpoint = virtuoso.url + "/sparql-graph-crud-auth"
    result = push(built, endpoint, "--auth", "digest", env=virtuoso.env)
    assert (result.exit_code, result.stdout) == (1, "")
    # --replace loads the default graph into a temporary graph, then Virtuoso refuses to move it to DEFAULT
    assert re.sub(r"/\.kg-push-tmp/[0-9a-f]+/", "/.kg-push-tmp/TOKEN/", result.stderr) == (
        f"Error: the store answered 400 Bad Request to the update moving graph default into place at "
        f"{virtuoso.url}/sparql-auth (store the default graph in a named graph with --default-graph IRI; see the "
        "README): Virtuoso 37000 Error SP031: SPARQL compiler: SPARQL 1.1 MOVE...DEFAULT operator requires "
        "declaration of a plain default graph SPARQL query: MOVE "
        "<https://w3id.org/ai-race-kg/graph/.kg-push-tmp/TOKEN/0> TO DEFAULT\n")
    appended = run("push", "--export", str(built.out), "--endpoint", endpoint, "--auth", "digest", env=virtuoso.env)
    assert (appended.exit_code, appended.stderr) == (
        1, f"Error: the store answered 500 Request Failed to POST {endpoint}?default (store the default graph in a "
           "named graph with --default-graph IRI; see the README): HTTP/1.1 500 Request Failed Error 22023 The "
           'request to SPARQL 1.1 Graph Store endpoint contains "default" param but the endpoint is not configured '
           "to have default graph\n")


def test_virtuoso_push_needs_the_right_login(built, virtuoso):
    endpoint = virtuoso.url + "/sparql-graph-crud-auth"
    wrong = push(built, endpoint, "--auth", "digest", "--default-graph", DEFAULT_GRAPH,
                 env={**virtuoso.env, "KG_PUSH_PASSWORD": "wrong"})
    assert wrong.exit_code == 1
    # --replace first asks the store for the temporary graphs an earlier push left
    assert wrong.stderr == (
        "Error: the store answered 401 Unauthorized to the query for the graphs under "
        f"https://w3id.org/ai-race-kg/graph/.kg-push-tmp/ at {virtuoso.url}/sparql-auth (check --auth and the "
        "credentials in the environment)\n")
    appended = run("push", "--export", str(built.out), "--endpoint", endpoint, "--auth", "digest", "--default-graph",
                   DEFAULT_GRAPH, env={**virtuoso.env, "KG_PUSH_PASSWORD": "wrong"})
    assert appended.stderr == (f"Error: the store answered 401 Unauthorized to POST {endpoint}?graph=urn%3Akg%3Adefault "
                               "(check --auth and the credentials in the environment)\n")


def test_canned_queries_on_virtuoso_match_local(local_answers, virtuoso):
    assert max(answer.count("\n") for answer in local_answers.values()) < CANNED_MAX_ROWS
    found = differing(local_answers, virtuoso.url + "/sparql")
    # Virtuoso 7.2 keeps an xsd:duration as a number ("P8M" comes back as "8"),
    # and rounds an xsd:decimal to 15 digits after the point: the rows of
    # mentions that show a duration, and of model-costs that show an amount
    # with more digits, are the only differences.
    assert sorted(found) == ["mentions", "model-costs"]
    local, remote = (text.splitlines() for text in found["mentions"])
    changed = [(a, b) for a, b in zip(local, remote) if a != b]
    assert len(local) == len(remote) and changed
    assert [re.sub(r",P(\d+)[YMWD],", r",\1,", a) for a, _ in changed] == [b for _, b in changed]
    local, remote = (list(csv.reader(io.StringIO(text))) for text in found["model-costs"])
    changed = [(a, b) for a, b in zip(local, remote) if a != b]
    assert len(local) == len(remote) and changed
    amount = local[0].index("amount")
    for a, b in changed:
        assert a[:amount] + a[amount + 1:] == b[:amount] + b[amount + 1:]
        assert len(a[amount].partition(".")[2]) > 15 and b[amount] == str(round(Decimal(a[amount]), 15)).rstrip("0")


def test_canned_queries_on_virtuoso_with_digest_login(local_answers, virtuoso):
    found = differing(local_answers, virtuoso.url + "/sparql-auth", env=virtuoso.env, auth="digest")
    assert sorted(found) == ["mentions", "model-costs"]
    refused = run("query", "actors", "--endpoint", virtuoso.url + "/sparql-auth")
    assert (refused.exit_code, refused.stderr) == (
        1, f"Error: the SPARQL endpoint {virtuoso.url}/sparql-auth answered 401 Unauthorized\n")


def test_bind_on_virtuoso_matches_local(built, virtuoso):
    for actor in ("deepseek", "nvidia"):
        args = ("query", "mentions", "--bind", f"actor={actor}", "--export", str(built.out), "--format", "csv")
        local, remote = run(*args), run(*args, "--endpoint", virtuoso.url + "/sparql")
        assert (remote.exit_code, remote.stdout) == (0, local.stdout)
        assert local.stdout.count("\n") > 2
    assert set(local.stdout.splitlines()[1:]) < set(local_mentions(built))


def local_mentions(built) -> list[str]:
    return run("query", "mentions", "--export", str(built.out), "--format", "csv").stdout.splitlines()[1:]


def test_a_computed_variable_cannot_be_bound(built):
    result = run("query", "release-dates", "--bind", "actor=nvidia", "--export", str(built.out))
    assert (result.exit_code, result.stderr) == (
        1, "Error: --bind actor=nvidia: the query computes ?actor with AS, so it cannot be bound; bind one of the "
           "variables its patterns match: ?source, ?evidence, ?claim, ?a, ?date, ?r, ?actorLabel, ?approximate, "
           "?upperBound, ?lowerBound, ?former, ?pointInTime, ?aboutActor, ?aboutLabel, ?context, ?evidenceGraph, "
           "?evidenceNode, ?selector, ?fragment, ?column, ?cellText\n")


def test_repush_to_virtuoso_is_idempotent(built, store, virtuoso):
    graphs = sorted([DEFAULT_GRAPH, *(g.value for g in store.named_graphs())])
    before = graph_counts(virtuoso.url + "/sparql", graphs)
    assert push(built, virtuoso.url + "/sparql-graph-crud-auth", "--auth", "digest", "--default-graph",
                DEFAULT_GRAPH, env=virtuoso.env).exit_code == 0
    assert graph_counts(virtuoso.url + "/sparql", graphs) == before
    assert before.count("\n") == 1 + len(graphs)


def test_virtuoso_row_limit_is_an_error(built, virtuoso):
    endpoint = virtuoso.url + "/sparql"
    result = run("query", "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o", "--endpoint", endpoint,
                 "--format", "tsv")
    assert result.exit_code == 1
    assert result.stdout.count("\n") == 1 + CANNED_MAX_ROWS
    assert result.stderr == (
        f"Error: the SPARQL endpoint {endpoint} sent only the first {CANNED_MAX_ROWS:,} rows of the answer "
        f"(X-SPARQL-MaxRows: {CANNED_MAX_ROWS}); the rest is missing: narrow the query, page it with LIMIT and "
        "OFFSET, or raise the store's limit (Virtuoso: ResultSetMaxRows in virtuoso.ini)\n")


# --- without a store ---------------------------------------------------------

def test_kg_serve_row_limit_is_an_error(built):
    with live_kg_serve(built.out, "--row-limit", "3", "--processes", "1", "--workers", "1") as url:
        result = run("query", "actors", "--endpoint", url + "/sparql", "--format", "csv")
    assert result.exit_code == 1 and result.stdout.count("\n") == 4
    assert result.stderr == (f"Error: the SPARQL endpoint {url}/sparql sent only the first 3 rows of the answer "
                             "(X-Result-Truncated: true); the rest is missing: narrow the query, page it with LIMIT "
                             "and OFFSET, or raise the store's limit (Virtuoso: ResultSetMaxRows in virtuoso.ini)\n")


def test_auth_without_endpoint_is_an_error(built):
    result = run("query", "actors", "--export", str(built.out), "--auth", "digest")
    assert (result.exit_code, result.stderr) == (1, "Error: --auth logs in to an --endpoint; give the endpoint too\n")


def test_digest_needs_user_and_password(built):
    result = run("query", "actors", "--endpoint", "http://127.0.0.1:9/sparql", "--auth", "digest", env={
        "KG_PUSH_USER": None, "KG_PUSH_PASSWORD": None})
    assert (result.exit_code, result.stderr) == (
        1, "Error: --auth digest needs KG_PUSH_USER and KG_PUSH_PASSWORD in the environment\n")


def test_bind_goes_to_the_start_of_the_where_clause():
    query = "SELECT ?a (COUNT(*) AS ?n) WHERE {\n  { SELECT ?a WHERE { ?a a kg:Lab } }\n} GROUP BY ?a"
    assert bind(query, {"a": "entity:deepseek"}) == (
        "SELECT ?a (COUNT(*) AS ?n) WHERE { VALUES (?a) { (entity:deepseek) }\n"
        "  { SELECT ?a WHERE { ?a a kg:Lab } }\n} GROUP BY ?a")
    construct = "CONSTRUCT { ?a kg:x ?b } WHERE { ?a kg:y ?b }"
    assert bind(construct, {"a": "entity:deepseek"}) == (
        "CONSTRUCT { ?a kg:x ?b } WHERE { VALUES (?a) { (entity:deepseek) } ?a kg:y ?b }")
    ask = "ASK { ?a '}' ?b } # {"
    assert bind(ask, {"a": "entity:x"}) == "ASK { VALUES (?a) { (entity:x) } ?a '}' ?b } # {"


def test_bind_refuses_queries_without_a_place_for_values():
    from kg.errors import KGError

    with pytest.raises(KGError, match="short form CONSTRUCT WHERE"):
        bind("CONSTRUCT WHERE { ?a ?p ?b }", {"a": "entity:x"})
    with pytest.raises(KGError, match="needs a query with a WHERE clause"):
        bind("DESCRIBE ?a", {"a": "entity:x"})


def test_error_pages_are_read_as_text():
    page = (b'<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html>\n  <head>\n    <title>Request failed</title>'
            b"\n  <style>h1 {color: red}</style></head>\n  <body>\n    <h1>HTTP/1.1 500 Request Failed</h1>\n"
            b"<script>alert(1)</script><xmp>" + b"x" * 400 + b" \x1b[2J the end &amp; more</xmp></body></html>")
    assert error_text(page, "text/html") == ("HTTP/1.1 500 Request Failed " + "x" * 400
                                             + " \\x1b[2J the end & more")
    assert error_text(b"plain \x1b[31m words", "text/plain") == "plain \\x1b[31m words"


@contextlib.contextmanager
def answering(rows: int, server: str):
    """A SPARQL endpoint on loopback that answers every query with ``rows`` rows
    and the given Server header, as a store at its row limit does."""
    bindings = ",".join('{"n":{"type":"literal","value":"%d"}}' % i for i in range(rows))
    body = ('{"head":{"vars":["n"]},"results":{"bindings":[%s]}}' % bindings).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def version_string(self):
            return server

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/sparql"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.parametrize(("rows", "server", "cut"), [(10000, "Virtuoso/07.20.3229 (Linux)", True),
                                                     (9999, "Virtuoso/07.20.3229 (Linux)", False),
                                                     (10000, "Other/1.0", False)])
def test_an_answer_at_virtuosos_default_limit_is_an_error(rows, server, cut):
    with answering(rows, server) as url:
        result = run("query", "SELECT ?n { ?s ?p ?n }", "--endpoint", url, "--format", "tsv")
    assert result.stdout.count("\n") == 1 + rows
    if cut:
        assert (result.exit_code, result.stderr) == (
            1, f"Error: the SPARQL endpoint {url} sent only the first 10,000 rows of the answer (Virtuoso's default "
               "limit of 10,000 rows); the rest is missing: narrow the query, page it with LIMIT and OFFSET, or raise "
               "the store's limit (Virtuoso: ResultSetMaxRows in virtuoso.ini)\n")
    else:
        assert (result.exit_code, result.stderr) == (0, "")
