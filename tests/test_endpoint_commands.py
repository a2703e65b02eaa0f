"""The reading commands with --endpoint: the same answers from a triple store as from the local files.

Real stores on loopback, as in tests/test_stores.py: Oxigraph server with its
default graph alone and with --union-default-graph, and Virtuoso, read
through its digest-login endpoint, with the default graph in a named graph
(kg push --default-graph). Virtuoso's ResultSetMaxRows is set here just above
the largest graph of the real export, so that every graph comes back whole;
the same graph pushed again as one graph is larger than that, and reading it
is the row-limit error.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest
from click.testing import CliRunner

from kg.cli.main import cli
from kg.errors import KGError
from kg.graph.terms import DEFAULT_BASE

from .conftest import DATA
from .serve_support import free_port, live_kg_serve, oxigraph_server
from .store_support import virtuoso_server

DEFAULT_GRAPH = "urn:kg:default"
WHOLE_GRAPH = "urn:kg:whole"

# (what it is, the command's arguments); each also runs locally, on export/ or data/.
COMMANDS = [
    ("show by a name", ["show", "Liang WenFeng"]),
    ("show with durations and large counts", ["show", "deepseek-v3"]),
    ("path", ["path", "Liang Wenfeng", "Nvidia H800"]),
    ("rank", ["rank"]),
    ("export graphml", ["export", "graphml"]),
    ("export csv", ["export", "csv"]),
    ("conflicts table", ["conflicts"]),
    ("conflicts json", ["conflicts", "--format", "json"]),
]
NAMES = [name for name, _ in COMMANDS]


def run(*args: str, env: dict | None = None):
    result = CliRunner().invoke(cli, list(args), env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


def local_args(args: list[str], built, corpus_dir) -> list[str]:
    if args[0] == "conflicts":
        return [*args, "--data", str(DATA), "--corpus", str(corpus_dir)]
    return [*args, "--export", str(built.out)]


def remote_args(args: list[str], tmp_path) -> list[str]:
    # The local files are elsewhere: with --endpoint nothing may be read from them.
    missing = str(tmp_path / "missing")
    return [*args, "--data", missing, "--corpus", missing] if args[0] == "conflicts" else [*args, "--export", missing]


@pytest.fixture(scope="module")
def local_outputs(built, corpus_dir):
    outputs = {}
    for name, args in COMMANDS:
        result = run(*local_args(args, built, corpus_dir))
        assert (result.exit_code, result.stderr) == (0, ""), result.output
        outputs[name] = result.stdout
    return outputs


@pytest.fixture(scope="module")
def local_viewer(built, corpus_dir, tmp_path_factory) -> bytes:
    page = tmp_path_factory.mktemp("viewer") / "graph.html"
    result = run("viewer", "--out", str(page), "--data", str(DATA), "--corpus", str(corpus_dir))
    assert result.exit_code == 0, result.output
    return page.read_bytes()


# The graph each store started here serves, fetched once for all the commands compared on it:
# (kg.remote_graph.Remote, the login in the environment) -> the store read. Emptied with every store.
FETCHED: dict = {}


@pytest.fixture()
def shared_fetch(monkeypatch):
    """The comparisons below run one command after another on the same store: the first
    fetches the graph through the command, as every command does, and the rest answer
    from what it read (the whole dataset is a hundred thousand triples)."""
    import os

    import kg.remote_graph

    fetch = kg.remote_graph.fetch_graph

    def shared(remote, environ=None):
        env = os.environ if environ is None else environ
        key = (remote, *(env.get(name) for name in ("KG_PUSH_USER", "KG_PUSH_PASSWORD", "KG_PUSH_TOKEN")))
        if key not in FETCHED:
            FETCHED[key] = fetch(remote, environ)
        return FETCHED[key]

    monkeypatch.setattr(kg.remote_graph, "fetch_graph", shared)


def push(built, endpoint: str, *options: str, env: dict | None = None):
    result = run("push", "--export", str(built.out), "--endpoint", endpoint, "--replace", *options, env=env)
    assert result.exit_code == 0, result.output


def test_the_local_outputs_say_something(local_outputs, local_viewer):
    # else the comparisons below would prove nothing
    assert all(output.count("\n") > 5 for output in local_outputs.values())
    assert "P2M" in local_outputs["show with durations and large counts"]
    assert "671000000000" in local_outputs["show with durations and large counts"]
    assert "[declared]" in local_outputs["conflicts table"]
    assert b'"P2M"' in local_viewer


# --- Oxigraph server ---------------------------------------------------------

@pytest.fixture(scope="module", params=["default graph alone", "union default graph"])
def oxigraph(request, built, tmp_path_factory):
    options = ("--union-default-graph",) if request.param == "union default graph" else ()
    FETCHED.clear()
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph"), options=options) as url:
        push(built, url + "/store")
        yield url + "/query"
    FETCHED.clear()


@pytest.mark.parametrize("name", NAMES)
def test_commands_on_oxigraph_match_local(name, oxigraph, local_outputs, tmp_path, shared_fetch):
    args = dict(COMMANDS)[name]
    result = run(*remote_args(args, tmp_path), "--endpoint", oxigraph)
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == local_outputs[name]


def test_viewer_on_oxigraph_matches_local(oxigraph, local_viewer, tmp_path, shared_fetch):
    page = tmp_path / "graph.html"
    result = run("viewer", "--out", str(page), "--endpoint", oxigraph, "--data", str(tmp_path / "missing"))
    assert result.exit_code == 0, result.output
    assert page.read_bytes() == local_viewer


def test_narrowed_viewer_and_filtered_conflicts_on_oxigraph_match_local(oxigraph, built, corpus_dir, tmp_path,
                                                                           shared_fetch):
    narrowed = ["--around", "deepseek", "--source", "a002", "--type", "Model", "--type", "Lab", "--depth", "2"]
    pages = []
    for where in (["--data", str(DATA), "--corpus", str(corpus_dir)], ["--endpoint", oxigraph]):
        page = tmp_path / f"page{len(pages)}.html"
        assert run("viewer", "--out", str(page), *narrowed, *where).exit_code == 0
        pages.append(page.read_bytes())
    assert pages[0] == pages[1]
    filters = ["conflicts", "--subject", "DeepSeek-V3", "--source", "a003", "--kind", "declared", "--kind", "value",
               "--format", "csv"]
    local = run(*local_args(filters, built, corpus_dir))
    remote = run(*filters, "--endpoint", oxigraph)
    assert (remote.exit_code, remote.stdout) == (0, local.stdout) and local.stdout.count("\n") > 2


def test_default_graph_in_a_named_graph_on_oxigraph(built, local_outputs, tmp_path):
    with oxigraph_server(tmp_path / "oxigraph") as url:
        push(built, url + "/store", "--default-graph", DEFAULT_GRAPH)
        missing = run("rank", "--endpoint", url + "/query")
        found = run("rank", "--endpoint", url + "/query", "--default-graph", DEFAULT_GRAPH)
    assert (missing.exit_code, missing.stdout) == (1, "")
    assert missing.stderr == (
        f"Error: the default graph of the SPARQL endpoint {url}/query holds no claims of the graph; the named graph "
        f"{DEFAULT_GRAPH} holds claims: if kg push stored the default graph there (--default-graph), give "
        f"--default-graph {DEFAULT_GRAPH}\n")
    assert (found.exit_code, found.stdout) == (0, local_outputs["rank"])


def test_kg_serve_row_limit_is_an_error(built):
    with live_kg_serve(built.out, "--row-limit", "100", "--processes", "1", "--workers", "1") as url:
        result = run("show", "deepseek", "--endpoint", url + "/sparql")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"Error: the SPARQL endpoint {url}/sparql sent only the first 100 rows of the default graph "
        "(X-Result-Truncated: true); this command reads the whole graph, so it stops rather than answer from part of "
        "it: raise the store's row limit above the number of triples in the graph (Virtuoso: ResultSetMaxRows in the "
        "[SPARQL] section of virtuoso.ini, which caps CONSTRUCT answers too)\n")


# --- Virtuoso ----------------------------------------------------------------

@pytest.fixture(scope="module")
def graph_sizes(store) -> Counter:
    return Counter(str(quad.graph_name) for quad in store)


def copy_into_one_graph(server, graph: str) -> None:
    """Every triple of the pushed graph also in ``graph``, copied by the store itself (one
    PUT of the whole graph with digest login breaks: Virtuoso answers 401 before the body is read)."""
    import httpx

    update = (f"INSERT {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
              f"FILTER(?g = <{DEFAULT_GRAPH}> || STRSTARTS(STR(?g), '{DEFAULT_BASE}graph/')) }}")
    answer = httpx.post(server.url + "/sparql-auth", data={"query": update}, timeout=120,
                        auth=httpx.DigestAuth(server.user, server.password))
    assert answer.status_code == 200, answer.text


@pytest.fixture(scope="module")
def virtuoso(built, graph_sizes, tmp_path_factory):
    max_rows = max(graph_sizes.values()) + 10
    assert sum(graph_sizes.values()) > max_rows + 1  # the whole graph in one is past the limit
    with virtuoso_server(tmp_path_factory.mktemp("virtuoso"), max_rows=max_rows) as server:
        crud = server.url + "/sparql-graph-crud-auth"
        push(built, crud, "--auth", "digest", "--default-graph", DEFAULT_GRAPH, env=server.env)
        copy_into_one_graph(server, WHOLE_GRAPH)
        server.max_rows = max_rows
        FETCHED.clear()
        yield server
    FETCHED.clear()


def on_virtuoso(virtuoso, *args: str, graph: str = DEFAULT_GRAPH, env: dict | None = None):
    return run(*args, "--endpoint", virtuoso.url + "/sparql-auth", "--auth", "digest", "--default-graph", graph,
               env=virtuoso.env if env is None else env)


@pytest.mark.parametrize("name", NAMES)
def test_commands_on_virtuoso_with_digest_login_match_local(name, virtuoso, local_outputs, tmp_path, shared_fetch):
    result = on_virtuoso(virtuoso, *remote_args(dict(COMMANDS)[name], tmp_path))
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == local_outputs[name]


def test_viewer_on_virtuoso_matches_local(virtuoso, local_viewer, tmp_path, shared_fetch):
    page = tmp_path / "graph.html"
    result = on_virtuoso(virtuoso, "viewer", "--out", str(page))
    assert result.exit_code == 0, result.output
    assert page.read_bytes() == local_viewer


def test_a_graph_cut_at_the_row_limit_is_an_error(virtuoso, graph_sizes):
    endpoint = virtuoso.url + "/sparql-auth"
    result = on_virtuoso(virtuoso, "rank", graph=WHOLE_GRAPH)
    assert (result.exit_code, result.stdout) == (1, "")
    sent = result.stderr.removeprefix(f"Error: the SPARQL endpoint {endpoint} sent ").partition(" ")[0]
    assert int(sent.replace(",", "")) <= virtuoso.max_rows + 1
    assert result.stderr == (
        f"Error: the SPARQL endpoint {endpoint} sent {sent} of the {sum(graph_sizes.values()):,} triples of the named "
        f"graph {WHOLE_GRAPH}: it cut the answer at its row limit; this command reads the whole graph, so it stops "
        "rather than answer from part of it: raise the store's row limit above the number of triples in the graph "
        "(Virtuoso: ResultSetMaxRows in the [SPARQL] section of virtuoso.ini, which caps CONSTRUCT answers too)\n")


def test_a_default_graph_without_claims_names_the_graph_that_has_them(virtuoso):
    endpoint = virtuoso.url + "/sparql"
    result = run("conflicts", "--endpoint", endpoint)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"Error: the default graph of the SPARQL endpoint {endpoint} holds no claims of the graph; the named graphs "
        f"{DEFAULT_GRAPH}, {WHOLE_GRAPH} hold claims: if kg push stored the default graph in one of them "
        "(--default-graph), give --default-graph with its IRI\n")


def test_a_wrong_login_is_a_clear_error(virtuoso):
    endpoint = virtuoso.url + "/sparql-auth"
    wrong = on_virtuoso(virtuoso, "show", "deepseek", env={**virtuoso.env, "KG_PUSH_PASSWORD": "wrong"})
    assert (wrong.exit_code, wrong.stdout) == (1, "")
    assert wrong.stderr == f"Error: the SPARQL endpoint {endpoint} answered 401 Unauthorized\n"
    none = run("viewer", "--out", "never.html", "--endpoint", endpoint)
    assert (none.exit_code, none.stderr) == (1, f"Error: the SPARQL endpoint {endpoint} answered 401 Unauthorized\n")


# --- without a store ---------------------------------------------------------

@pytest.mark.parametrize("args", [["show", "deepseek"], ["path", "a", "b"], ["rank"], ["export", "csv"],
                                  ["conflicts"], ["viewer", "--out", "never.html"]])
def test_an_unreachable_endpoint_is_a_clear_error(args):
    endpoint = f"http://127.0.0.1:{free_port()}/query"
    result = run(*args, "--endpoint", endpoint)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"Error: cannot reach the SPARQL endpoint {endpoint}: connection refused\n"


@pytest.mark.parametrize(("option", "message"), [
    (["--auth", "digest"], "--auth logs in to an --endpoint; give the endpoint too"),
    (["--default-graph", DEFAULT_GRAPH], "--default-graph names a graph on an --endpoint; give the endpoint too"),
])
def test_endpoint_options_need_an_endpoint(built, option, message):
    result = run("rank", "--export", str(built.out), *option)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"Error: {message}\n")


def test_digest_login_needs_its_secrets():
    result = run("conflicts", "--endpoint", "http://127.0.0.1:9/sparql", "--auth", "digest",
                 env={"KG_PUSH_USER": None, "KG_PUSH_PASSWORD": None})
    assert (result.exit_code, result.stderr) == (
        1, "Error: --auth digest needs KG_PUSH_USER and KG_PUSH_PASSWORD in the environment\n")


def test_the_catalog_read_back_from_the_graph_gives_the_same_disagreements(built, store):
    from kg.curate.disagreements import disagreements
    from kg.graph.read_back import read_catalog

    def shown(catalog):
        return [(d.kind, d.topic, d.note, [(s.label, [c.key for c in s.claims]) for s in d.sides])
                for d in disagreements(catalog)]

    local = shown(built.catalog)
    assert shown(read_catalog(store)) == local
    # Neither the order of the data files nor that of the claims a curator lists on a side matters.
    declared = [replace(d, sides=[list(reversed(side)) for side in d.sides]) for d in built.catalog.declared]
    assert shown(replace(built.catalog, claims=list(reversed(built.catalog.claims)), declared=declared)) == local
    assert any(len(side) > 2 for d in declared for side in d.sides)


def test_a_store_that_changed_a_value_is_an_error(store):
    import pyoxigraph

    from kg.graph.read_back import read_catalog

    changed = pyoxigraph.Store()
    value = pyoxigraph.NamedNode("https://w3id.org/ai-race-kg/ontology#value")
    for quad in store:
        if quad.predicate == value and quad.object == pyoxigraph.Literal(
                "P2M", datatype=pyoxigraph.NamedNode("http://www.w3.org/2001/XMLSchema#duration")):
            claim = quad.subject.value
            quad = pyoxigraph.Quad(quad.subject, quad.predicate, pyoxigraph.Literal("2"), quad.graph_name)
        changed.add(quad)
    with pytest.raises(KGError) as caught:
        read_catalog(changed)
    assert str(caught.value) == (
        f"the graph holds claim {claim} with a value or qualifiers other than those its IRI was minted from "
        "(trainingDuration 2): the store changed a literal, or the graph is not one kg build wrote")


def test_virtuoso_literals_are_restored():
    import pyoxigraph

    from kg.remote_graph import _restored

    xsd = "http://www.w3.org/2001/XMLSchema#"
    s, p = pyoxigraph.NamedNode("urn:s"), pyoxigraph.NamedNode("urn:p")
    value = pyoxigraph.NamedNode("https://schema.org/value")

    def restored(lexical, datatype, predicate=p):
        term = _restored(pyoxigraph.Triple(s, predicate, pyoxigraph.Literal(lexical, datatype=pyoxigraph.NamedNode(xsd + datatype)))).object
        return term.value, term.datatype.value.removeprefix(xsd)

    assert restored("8", "duration") == ("P8M", "duration")
    assert restored("691200.0", "duration") == ("P8D", "duration")
    assert restored("P2M", "duration") == ("P2M", "duration")
    assert restored("80000000000", "decimal") == ("80000000000", "integer")
    assert restored("5600000", "decimal", value) == ("5600000", "decimal")
    assert restored("0.5", "decimal") == ("0.5", "decimal")
