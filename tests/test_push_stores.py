"""`kg push` in batches, with retries, --replace and --incremental, on real stores.

The graph is the real data with the dataset's curated rows (``curated_built``):
what these tests check does not depend on the graph's size, and the whole
table, sent in batches of a few hundred triples, took minutes per test.
Each store is started once for the module: Oxigraph server (PyPI ``oxigraph``)
with its default graph alone, Oxigraph with ``--union-default-graph`` (the
default graph pushed into a named graph), and Virtuoso (Debian's
``virtuoso-opensource``) with digest login. Every test first empties the
project's graphs. Faults come from a loopback proxy between kg push and the
store (a process boundary): it records the requests, can answer one with 503
or 400 itself, and can hold one while the test kills kg push.
"""
from __future__ import annotations

import contextlib
import http.server
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from kg.cli.main import cli

from .serve_support import oxigraph_server
from .store_support import virtuoso_server

BASE_GRAPH = "https://w3id.org/ai-race-kg/graph/"
TMP_GRAPHS = BASE_GRAPH + ".kg-push-tmp/"
DEFAULT_GRAPH = "urn:kg:default"
FOREIGN = "https://example.org/other-project/graph"
KG = [sys.executable, "-c", "from kg.cli.main import main; main()"]


@dataclass
class Store:
    kind: str
    url: str
    gsp: str
    update: str
    query: str
    options: tuple[str, ...] = ()  # what kg push needs for this store
    env: dict = field(default_factory=dict)
    auth: httpx.Auth | None = None

    @property
    def default(self) -> str:
        """The name kg push gives the default graph's target, and the key for it in counts()."""
        return DEFAULT_GRAPH if "--default-graph" in self.options else "default"

    def sparql(self, key: str, text: str) -> httpx.Response:
        url = self.update if key == "update" else self.query
        headers = {"Accept": "application/sparql-results+json"}
        response = httpx.post(url, data={key: text}, auth=self.auth, headers=headers, timeout=60)
        assert response.status_code in (200, 204), response.text
        return response

    def graphs(self, prefix: str) -> list[str]:
        query = f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), '{prefix}')) }} ORDER BY ?g"
        return [row["g"]["value"] for row in self.sparql("query", query).json()["results"]["bindings"]]

    def counts(self) -> dict[str, int]:
        """Triples per graph of the project's graphs (not the temporary ones), the default graph's
        target and the foreign graph."""
        query = ("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER((STRSTARTS(STR(?g), "
                 f"'{BASE_GRAPH}') && !STRSTARTS(STR(?g), '{TMP_GRAPHS}')) || ?g IN (<{DEFAULT_GRAPH}>, <{FOREIGN}>)) }} "
                 "GROUP BY ?g")
        found = {row["g"]["value"]: int(row["n"]["value"])
                 for row in self.sparql("query", query).json()["results"]["bindings"]}
        if self.default == "default":  # Oxigraph without --union-default-graph: the default graph alone
            rows = self.sparql("query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").json()["results"]["bindings"]
            if int(rows[0]["n"]["value"]):
                found["default"] = int(rows[0]["n"]["value"])
        return found

    def reset(self) -> None:
        graphs = [*self.graphs(BASE_GRAPH), DEFAULT_GRAPH, FOREIGN]
        drops = [f"DROP SILENT GRAPH <{g}>" for g in graphs]
        if self.kind.startswith("oxigraph"):
            drops.append("DROP SILENT DEFAULT")
        self.sparql("update", " ;\n".join(drops))


@pytest.fixture(scope="module", params=["oxigraph", "oxigraph-union", "virtuoso"])
def target(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(request.param)
    if request.param == "virtuoso":
        with virtuoso_server(folder) as server:
            yield Store("virtuoso", server.url, server.url + "/sparql-graph-crud-auth", server.url + "/sparql-auth",
                        server.url + "/sparql-auth", ("--auth", "digest", "--default-graph", DEFAULT_GRAPH),
                        server.env, httpx.DigestAuth(server.user, server.password))
        return
    union = request.param == "oxigraph-union"
    with oxigraph_server(folder, options=("--union-default-graph",) if union else ()) as url:
        yield Store(request.param, url, url + "/store", url + "/update", url + "/query",
                    ("--default-graph", DEFAULT_GRAPH) if union else ())


@pytest.fixture
def empty(target):
    target.reset()
    return target


@pytest.fixture(scope="module")
def expected(curated_store) -> dict[str, int]:
    """Triples per graph in the export: the default graph under "default"."""
    import pyoxigraph

    counts: dict[str, int] = {}
    for quad in curated_store:
        name = "default" if isinstance(quad.graph_name, pyoxigraph.DefaultGraph) else quad.graph_name.value
        counts[name] = counts.get(name, 0) + 1
    return counts


def on(target: Store, counts: dict[str, int]) -> dict[str, int]:
    """``counts`` with the default graph under the name it has in ``target``."""
    return {(target.default if name == "default" else name): n for name, n in counts.items()}


def push(export, target: Store, *options: str, endpoint: str | None = None):
    return CliRunner().invoke(cli, ["push", "--export", str(export), "--endpoint", endpoint or target.gsp,
                                    *target.options, *options], env=target.env)


def requests_line(name: str, triples: int, requests: int, action: str) -> str:
    return f"{action} {name}: {triples} triples in {requests} request{'s' if requests != 1 else ''}\n"


def ordered(target: Store, counts: dict[str, int]) -> list[str]:
    """Graph names in the order kg push sends them: the default graph first."""
    named = sorted(n for n in counts if n != target.default)
    return [target.default, *named]


# --- a loopback proxy with faults ----------------------------------------------

class Proxy:
    """Forwards every request to ``upstream`` and records ``(method, path)``; ``fault(method, path)``
    may answer instead: (status, content type, body), or "hold" to keep the request unanswered."""

    def __init__(self, upstream: str, fault=None):
        self.upstream, self.fault = upstream, fault
        self.seen: list[tuple[str, str]] = []
        self.bodies: list[bytes] = []  # the body of each request in ``seen``
        self.challenged: set[int] = set()  # requests answered 401: a digest login sends them again
        self.held = threading.Event()
        self.release = threading.Event()

    def handle(self, handler: http.server.BaseHTTPRequestHandler) -> None:
        body = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        self.seen.append((handler.command, handler.path))
        self.bodies.append(body)
        answer = self.fault(handler.command, handler.path) if self.fault else None
        if answer == "hold":
            self.held.set()
            self.release.wait(60)
            handler.close_connection = True
            return
        if answer is None:
            headers = {k: v for k, v in handler.headers.items() if k.lower() not in ("host", "content-length")}
            reply = httpx.request(handler.command, self.upstream + handler.path, content=body, headers=headers,
                                  timeout=60)
            status, content_type, payload = reply.status_code, reply.headers.get("Content-Type", ""), reply.content
            if status == 401:
                self.challenged.add(len(self.seen) - 1)
            extra = [(k, v) for k, v in reply.headers.items() if k.lower() == "www-authenticate"]
        else:
            (status, content_type, payload), extra = answer, []
        handler.send_response(status)
        for name, value in [("Content-Type", content_type), *extra]:
            if value:
                handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)

    def updates(self) -> list[str]:
        """The SPARQL Update requests that went through (not the first try of one a digest login sent again)."""
        return [urllib.parse.parse_qs(body.decode())["update"][0] for index, body in enumerate(self.bodies)
                if index not in self.challenged and body.startswith(b"update=")]

    def loads(self) -> list[str]:
        """The graphs that POSTs to the Graph Store endpoint went to, one entry per request
        (not counting the first try of a request that a digest login sent again)."""
        found = []
        for index, (method, path) in enumerate(self.seen):
            if index in self.challenged:
                continue
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query, keep_blank_values=True)
            if method == "POST" and ("graph" in query or "default" in query):
                found.append(query["graph"][0] if "graph" in query else "default")
        return found


@contextlib.contextmanager
def proxy(upstream: str, fault=None):
    state = Proxy(upstream, fault)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            state.handle(self)

        do_GET = do_PUT = do_POST

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", state
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()


def via(target: Store, proxied: str) -> tuple[str, ...]:
    """Options that send every request of kg push through the proxy at ``proxied``."""
    path = urllib.parse.urlsplit
    return ("--endpoint", proxied + path(target.gsp).path, "--update-endpoint", proxied + path(target.update).path,
            "--query-endpoint", proxied + path(target.query).path)


# --- batches and idempotence ----------------------------------------------------

def test_a_push_in_batches_gives_what_one_request_per_graph_gives(curated_built, empty, expected):
    whole = push(curated_built.out, empty, "--batch", "1000000")
    assert whole.exit_code == 0, whole.output
    assert empty.counts() == on(empty, expected)
    lines = [requests_line(name, on(empty, expected)[name], 1, "Added") for name in ordered(empty, on(empty, expected))]
    assert whole.stderr == "".join(lines) + f"Pushed {sum(expected.values())} triples in {len(expected)} graphs to {empty.gsp}\n"

    empty.reset()
    with proxy(empty.url) as (url, seen):
        batched = push(curated_built.out, empty, "--batch", "300", *via(empty, url)[:2])
    assert batched.exit_code == 0, batched.output
    assert empty.counts() == on(empty, expected)
    counts = on(empty, expected)
    lines = [requests_line(name, counts[name], math.ceil(counts[name] / 300), "Added") for name in ordered(empty, counts)]
    assert batched.stderr == "".join(lines) + f"Pushed {sum(expected.values())} triples in {len(expected)} graphs to {url}/{empty.gsp.rsplit('/', 1)[1]}\n"
    # each request carried at most 300 triples, and every graph went in several
    loads = seen.loads()
    assert len(loads) == sum(math.ceil(n / 300) for n in expected.values()) and min(counts.values()) > 300


def test_a_repush_leaves_the_store_as_it_was(curated_built, empty, expected):
    for options in ((), (), ("--replace",), ("--replace",)):
        result = push(curated_built.out, empty, "--batch", "500", *options)
        assert result.exit_code == 0, result.output
        assert empty.counts() == on(empty, expected)
    assert empty.graphs(TMP_GRAPHS) == []


# --- --replace ------------------------------------------------------------------

def test_replace_drops_the_projects_stale_graphs_and_nothing_else(curated_built, empty, expected):
    stale = BASE_GRAPH + "a999-withdrawn"
    empty.sparql("update", f"INSERT DATA {{ GRAPH <{stale}> {{ <urn:s> <urn:p> <urn:o> }} "
                           f"GRAPH <{FOREIGN}> {{ <urn:s> <urn:p> <urn:o> , <urn:o2> }} }}")
    first = BASE_GRAPH + "a000"
    empty.sparql("update", f"INSERT DATA {{ GRAPH <{first}> {{ <urn:left> <urn:over> <urn:triple> }} }}")
    result = push(curated_built.out, empty, "--replace")
    assert result.exit_code == 0, result.output
    assert empty.counts() == {**on(empty, expected), FOREIGN: 2}
    assert result.stderr.endswith(f"Dropped {stale}: no longer in the export\n"
                                  f"Pushed {sum(expected.values())} triples in {len(expected)} graphs to {empty.gsp}\n")
    assert "Replaced https://w3id.org/ai-race-kg/graph/a000: " in result.stderr


def test_a_killed_replace_leaves_every_graph_whole_and_the_next_push_cleans_up(curated_built, empty, expected, tmp_path):
    assert push(curated_built.out, empty, "--replace").exit_code == 0
    marker = f"<urn:before> <urn:the> <urn:kill>"
    default = f"GRAPH <{DEFAULT_GRAPH}> {{ {marker} }}" if empty.default != "default" else marker
    empty.sparql("update", f"INSERT DATA {{ {default} }}")
    before = empty.counts()
    assert before[empty.default] == expected["default"] + 1

    # the third request that loads a temporary graph is held; kg push is killed while it waits
    loads = []

    def fault(method, path):
        if method == "POST" and urllib.parse.quote(TMP_GRAPHS, safe="") in path:
            loads.append(path)
            return "hold" if len(loads) == 3 else None
        return None

    with proxy(empty.url, fault) as (url, state):
        process = subprocess.Popen([*KG, "push", "--export", str(curated_built.out), *empty.options, "--replace", "--batch",
                                    "100", *via(empty, url)], env={**os.environ, **empty.env},
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            assert state.held.wait(60), "kg push never sent a third batch"
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait(30)
    assert process.returncode == -signal.SIGKILL
    assert empty.counts() == before  # nothing moved over a graph: the marker is still there
    left = empty.graphs(TMP_GRAPHS)
    assert len(left) == 1

    again = push(curated_built.out, empty, "--replace")
    assert again.exit_code == 0, again.output
    assert again.stderr.startswith(f"Dropped {left[0]}: a temporary graph an earlier push left\n")
    assert empty.graphs(TMP_GRAPHS) == []
    assert empty.counts() == on(empty, expected)


# --- retries and errors ------------------------------------------------------------

def test_a_503_is_retried_and_a_400_is_not(curated_built, empty, expected):
    failed = []

    def once(method, path):
        if method == "POST" and ("graph=" in path or "?default" in path):
            failed.append(path)
            if len(failed) == 1:
                return 503, "text/plain", b"busy, try again"
        return None

    with proxy(empty.url, once) as (url, state):
        result = push(curated_built.out, empty, "--batch", "1000000", *via(empty, url)[:2])
    assert result.exit_code == 0, result.output
    assert empty.counts() == on(empty, expected)
    first = ordered(empty, on(empty, expected))[0]
    assert result.stderr.startswith(requests_line(first, on(empty, expected)[first], 2, "Added"))
    assert state.loads().count(state.loads()[0]) == 2

    def always(method, path):
        page = b"<html><body><h1>Service Unavailable</h1><p>down for upkeep</p></body></html>"
        return (503, "text/html", page) if method == "POST" else None

    with proxy(empty.url, always) as (url, state):
        given_up = push(curated_built.out, empty, "--retries", "2", *via(empty, url)[:2])
    assert given_up.exit_code == 1
    assert given_up.stderr == (f"Error: gave up on batch 1 of 1 of graph {first} after 3 attempts: the store answered "
                               "503 Service Unavailable: Service Unavailable down for upkeep\n")
    assert len(state.seen) == 3

    def refuse(method, path):
        return (400, "text/plain", b"no such thing") if method == "POST" else None

    with proxy(empty.url, refuse) as (url, state):
        refused = push(curated_built.out, empty, *via(empty, url)[:2])
    assert refused.exit_code == 1 and len(state.seen) == 1
    assert refused.stderr.startswith(f"Error: the store answered 400 Bad Request to POST {url}/")
    assert refused.stderr.endswith(": no such thing\n")


def test_an_html_error_page_is_shown_in_full(curated_built, empty):
    reason = "The graph was refused because " + " ".join(f"reason{i}" for i in range(80)) + " and that is all."
    page = (f"<!DOCTYPE html><html><head><title>Oops</title><style>p {{color: red}}</style></head><body>"
            f"<h1>Request Failed</h1><script>var x = 1;</script><pre>{reason}</pre></body></html>").encode()

    with proxy(empty.url, lambda method, path: (500, "text/html; charset=utf-8", page) if method == "POST" else None) as (url, _):
        result = push(curated_built.out, empty, *via(empty, url)[:2])
    first = ordered(empty, {"default": 1})[0]
    target = "default" if first == "default" else f"graph={urllib.parse.quote(first, safe='')}"
    assert (result.exit_code, result.stderr) == (
        1, f"Error: the store answered 500 Internal Server Error to POST {url}{urllib.parse.urlsplit(empty.gsp).path}?"
           f"{target}: Request Failed {reason}\n")
    assert len(reason) > 500


def test_a_store_that_refuses_the_update_is_reported_in_full(curated_built, empty, expected):
    if empty.kind != "virtuoso":
        pytest.skip("Virtuoso's public /sparql endpoint is the one that may not update")
    result = push(curated_built.out, empty, "--replace", "--update-endpoint", empty.url + "/sparql")
    assert result.exit_code == 1
    message = re.sub(r"/\.kg-push-tmp/[0-9a-f]+/", "/.kg-push-tmp/TOKEN/", result.stderr)
    assert message == (
        f"Error: the store answered 500 SPARQL Request Failed to the update moving graph {DEFAULT_GRAPH} into place "
        f"at {empty.url}/sparql (--replace needs a SPARQL endpoint that takes updates from this account: give it with "
        "--update-endpoint and --query-endpoint; Virtuoso's is /sparql-auth, with --auth digest): Virtuoso 42000 "
        "Error SR186:SECURITY: No permission to execute procedure DB.DBA.SPARUL_MOVE with user ID 107, group ID 107 "
        f"SPARQL query: MOVE <{TMP_GRAPHS}TOKEN/0> TO <{DEFAULT_GRAPH}>\n")
    assert empty.counts() == {}


# --- --incremental ---------------------------------------------------------------

def test_incremental_sends_only_the_graphs_that_changed(curated_built, empty, expected, tmp_path):
    manifest = tmp_path / "pushed.json"
    changed = BASE_GRAPH + "a001"
    export = tmp_path / "export"  # a new export where one source's graph lost a quad
    export.mkdir()
    lines = (curated_built.out / "kg.nq").read_text(encoding="utf-8").splitlines(keepends=True)
    gone = next(i for i, line in enumerate(lines) if line.endswith(f"<{changed}> .\n"))
    (export / "kg.nq").write_text("".join(lines[:gone] + lines[gone + 1:]), encoding="utf-8")
    now = {**on(empty, expected), changed: expected[changed] - 1}

    with proxy(empty.url) as (url, state):  # one address: the manifest is kept per store address
        def incremental(folder):
            state.seen.clear()
            state.bodies.clear()
            state.challenged.clear()
            return push(folder, empty, "--incremental", "--manifest", str(manifest), *via(empty, url))

        first = incremental(curated_built.out)
        assert first.exit_code == 0, first.output
        assert empty.counts() == on(empty, expected) and len(set(state.loads())) == len(expected)
        assert sorted(json.loads(manifest.read_text())["graphs"]) == sorted(on(empty, expected))

        manifest.with_suffix(".nq").unlink()  # without the copy of the last push, whole graphs are sent
        second = incremental(export)
        assert second.exit_code == 0, second.output
        loads = state.loads()
        assert len(loads) == 1 and loads[0].startswith(TMP_GRAPHS)
        assert empty.counts() == now
        lines = [(requests_line(name, n, 1, "Replaced") if name == changed else f"Unchanged {name}: {n} triples, not sent\n")
                 for name, n in ((name, now[name]) for name in ordered(empty, now))]
        gsp = url + urllib.parse.urlsplit(empty.gsp).path
        assert second.stderr == "".join(lines) + f"Pushed {now[changed]} triples in 1 graph to {gsp}\n"
        assert manifest.with_suffix(".nq").read_bytes() == (export / "kg.nq").read_bytes()

        third = incremental(export)
        assert third.exit_code == 0 and state.loads() == []
        # a push without --replace only adds: the manifest goes, and the next --incremental sends everything
        assert push(export, empty, "--manifest", str(manifest), *via(empty, url)).exit_code == 0
        assert not manifest.exists()
        fourth = incremental(export)
        assert fourth.exit_code == 0 and len(set(state.loads())) == len(expected)
    assert empty.counts() == now


def one_claim_changed(curated_built, folder: Path) -> tuple[Path, str, str, str]:
    """A copy of the export where one quad of a source's graph has another literal:
    (the export, the graph, the old line, the new line)."""
    graph = BASE_GRAPH + "a001"
    lines = (curated_built.out / "kg.nq").read_text(encoding="utf-8").splitlines(keepends=True)
    old = next(line for line in lines if line.endswith(f'" <{graph}> .\n') and '"@' not in line)
    new = old.replace(f'" <{graph}> .\n', f' (revised)" <{graph}> .\n')
    folder.mkdir()
    (folder / "kg.nq").write_text("".join(sorted([*(line for line in lines if line != old), new])), encoding="utf-8")
    return folder, graph, old, new


def holds(target: Store, line: str) -> bool:
    """Whether the store holds the quad of this kg.nq line, in the graph the push maps it to."""
    s, p, rest = line.split(" ", 2)
    o, graph = rest[: rest.rindex(" <")], rest[rest.rindex(" <") + 1: -3]
    rows = target.sparql("query", f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ {s} {p} {o} }} }}").json()
    return int(rows["results"]["bindings"][0]["n"]["value"]) == 1


def sent_quads(updates: list[str]) -> int:
    return sum(1 for text in updates for line in text.splitlines() if line.endswith(" .") and "DATA" not in line)


def test_incremental_sends_only_the_quads_that_changed(curated_built, empty, expected, tmp_path):
    manifest = tmp_path / "pushed.json"
    export, graph, old, new = one_claim_changed(curated_built, tmp_path / "export")
    with proxy(empty.url) as (url, state):
        assert push(curated_built.out, empty, "--incremental", "--manifest", str(manifest), *via(empty, url)).exit_code == 0
        state.seen.clear(), state.bodies.clear(), state.challenged.clear()
        result = push(export, empty, "--incremental", "--manifest", str(manifest), *via(empty, url))
    assert result.exit_code == 0, result.output
    gsp = url + urllib.parse.urlsplit(empty.gsp).path
    lines = [("Updated " + name + ": 1 removed and 1 added in 1 request\n" if name == graph
              else f"Unchanged {name}: {n} triples, not sent\n")
             for name, n in ((name, on(empty, expected)[name]) for name in ordered(empty, on(empty, expected)))]
    assert result.stderr == "".join(lines) + (f"Sent 1 quad removed and 1 added in 1 graph; {len(expected) - 1} graphs "
                                              f"unchanged; to {gsp}\n")
    # what went over the wire: one update, the two quads of the diff, no Graph Store load
    updates = [u for u in state.updates() if "DATA" in u]
    assert state.loads() == [] and len(updates) == 1 and sent_quads(updates) == 2
    assert updates[0] == f"DELETE DATA {{ GRAPH <{graph}> {{\n{old.rsplit(' <', 1)[0]} .\n}} }} ;\n" \
                         f"INSERT DATA {{ GRAPH <{graph}> {{\n{new.rsplit(' <', 1)[0]} .\n}} }}"
    assert not holds(empty, old) and holds(empty, new)
    assert manifest.with_suffix(".nq").read_bytes() == (export / "kg.nq").read_bytes()
    # the same as a full push of the new export
    counts = empty.counts()
    if empty.kind.startswith("oxigraph"):
        pushed = httpx.get(empty.gsp, headers={"Accept": "application/n-quads"}, timeout=60).text
    empty.reset()
    assert push(export, empty, "--replace").exit_code == 0
    assert counts == empty.counts() == on(empty, expected)
    if empty.kind.startswith("oxigraph"):
        fresh = httpx.get(empty.gsp, headers={"Accept": "application/n-quads"}, timeout=60).text
        assert sorted(pushed.splitlines()) == sorted(fresh.splitlines()) and len(fresh.splitlines()) > 1000


def test_a_stopped_incremental_push_converges_when_run_again(curated_built, empty, expected, tmp_path):
    manifest = tmp_path / "pushed.json"
    export, graph, old, new = one_claim_changed(curated_built, tmp_path / "export")
    refusing = threading.Event()

    def refuse_inserts(method, path):  # the deletes go through, then the store refuses the inserts
        return (400, "text/plain", b"refused") if refusing.is_set() and b"INSERT+DATA" in state.bodies[-1] else None

    # one address throughout: the manifest and the copy are kept per store address
    with proxy(empty.url, refuse_inserts) as (url, state):
        def incremental(folder, batch):  # batches of 1: the deletes and the inserts go in separate requests
            return push(folder, empty, "--incremental", "--manifest", str(manifest), "--batch", batch, *via(empty, url))

        assert incremental(curated_built.out, "1000000").exit_code == 0
        saved = manifest.read_bytes()
        refusing.set()
        stopped = incremental(export, "1")
        assert stopped.exit_code == 1
        assert stopped.stderr.startswith("Error: the store answered 400 Bad Request to the update ")
        assert not holds(empty, old) and not holds(empty, new)  # half way
        assert manifest.read_bytes() == saved  # the copy and the manifest are those of the last push that succeeded
        assert manifest.with_suffix(".nq").read_bytes() == (curated_built.out / "kg.nq").read_bytes()

        refusing.clear()
        again = incremental(export, "1")
    assert again.exit_code == 0, again.output
    assert f"Updated {graph}: 1 removed and 1 added in 2 requests\n" in again.stderr
    assert not holds(empty, old) and holds(empty, new)
    assert empty.counts() == on(empty, expected)
    assert manifest.with_suffix(".nq").read_bytes() == (export / "kg.nq").read_bytes()


# --- without a store ---------------------------------------------------------------

def test_replace_needs_sparql_endpoints_it_can_find(curated_built):
    result = CliRunner().invoke(cli, ["push", "--export", str(curated_built.out), "--endpoint", "http://127.0.0.1:9/gsp",
                                      "--replace"])
    assert (result.exit_code, result.stderr) == (
        1, "Error: --replace needs the store's SPARQL Update and query endpoints, which cannot be told from "
           "http://127.0.0.1:9/gsp: give --update-endpoint URL and --query-endpoint URL\n")


def test_the_manifest_file_must_be_readable(curated_built, tmp_path):
    manifest = tmp_path / "pushed.json"
    manifest.write_text("{not json")
    result = CliRunner().invoke(cli, ["push", "--export", str(curated_built.out), "--endpoint", "http://127.0.0.1:9/store",
                                      "--incremental", "--manifest", str(manifest)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {manifest}: cannot read the push manifest (")
    assert result.stderr.endswith("); delete it to push everything\n")


def test_a_progress_bar_shows_on_a_terminal_only(curated_built, tmp_path):
    import pty

    with oxigraph_server(tmp_path / "oxigraph") as url:
        command = [*KG, "push", "--export", str(curated_built.out), "--endpoint", url + "/store", "--batch", "500"]
        leader, follower = pty.openpty()
        try:
            process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=follower)
            os.close(follower)
            shown = b""
            with contextlib.suppress(OSError):  # the pty reports EIO once kg push has exited
                while chunk := os.read(leader, 65536):
                    shown += chunk
            process.wait(120)
        finally:
            os.close(leader)
        piped = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert process.returncode == 0 and piped.returncode == 0
    assert b"Pushing triples" in shown and b"100%" in shown
    assert "Pushing triples" not in piped.stderr and piped.stderr.startswith("Added default: ")
