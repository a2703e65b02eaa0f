"""The endpoint in-process, over an httpx ASGI client (Starlette's TestClient)."""
from __future__ import annotations

import csv
import io
import json

import pyoxigraph
import pytest
from starlette.testclient import TestClient

from kg.graph.store import sparql_prologue
from kg.serve.app import create_app

from .serve_support import assert_error

LABELS = sparql_prologue() + "SELECT ?e ?label WHERE { ?e a kg:Lab ; rdfs:label ?label } ORDER BY ?e"
SPARQL_JSON = "application/sparql-results+json"


@pytest.fixture(scope="module")
def client(built):
    with TestClient(create_app(built.out, timeout=5, workers=1)) as test_client:
        yield test_client


def local_rows(store, query):
    solutions = store.query(query, use_default_graph_as_union=True)
    names = [v.value for v in solutions.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in solutions]


def json_rows(response):
    data = response.json()
    return [{n: b["value"] for n, b in row.items()} for row in data["results"]["bindings"]]


def test_get_post_form_and_post_direct_give_the_local_rows(client, store):
    expected = local_rows(store, LABELS)
    assert expected  # the real data has labs
    responses = [
        client.get("/sparql", params={"query": LABELS}),
        client.post("/sparql", data={"query": LABELS}),
        client.post("/sparql", content=LABELS.encode(), headers={"Content-Type": "application/sparql-query"}),
    ]
    for response in responses:
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == SPARQL_JSON
        assert json_rows(response) == expected


@pytest.mark.parametrize("accept, media", [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv; charset=utf-8"),
    ("text/tab-separated-values", "text/tab-separated-values; charset=utf-8"),
    ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
])
def test_select_formats_parse_back_to_the_same_rows(client, store, accept, media):
    response = client.get("/sparql", params={"query": LABELS}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"] == media
    expected = local_rows(store, LABELS)
    if media.startswith("text/csv"):
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert rows == expected
    else:
        fmt = pyoxigraph.QueryResultsFormat.from_media_type(media.split(";")[0])
        parsed = pyoxigraph.parse_query_results(response.content, format=fmt)
        names = [v.value for v in parsed.variables]
        assert [{n: s[n].value for n in names if s[n] is not None} for s in parsed] == expected


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "application/sparql-results+xml"])
def test_ask(client, accept):
    for query, expected in (("ASK { ?s a ?t }", True), ("ASK { <urn:x:nothing> ?p ?o }", False)):
        response = client.get("/sparql", params={"query": query}, headers={"Accept": accept})
        fmt = pyoxigraph.QueryResultsFormat.from_media_type(accept)
        assert bool(pyoxigraph.parse_query_results(response.content, format=fmt)) is expected


@pytest.mark.parametrize("accept, fmt", [
    ("text/turtle", pyoxigraph.RdfFormat.TURTLE),
    ("application/n-triples", pyoxigraph.RdfFormat.N_TRIPLES),
    ("application/ld+json", pyoxigraph.RdfFormat.JSON_LD),
    ("application/rdf+xml", pyoxigraph.RdfFormat.RDF_XML),
])
def test_construct_and_describe_formats(client, store, accept, fmt):
    query = sparql_prologue() + "CONSTRUCT { ?e rdfs:label ?l } WHERE { ?e a kg:Lab ; rdfs:label ?l }"
    expected = set(store.query(query, use_default_graph_as_union=True))
    response = client.post("/sparql", data={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(accept)
    assert {q.triple for q in pyoxigraph.parse(response.content, format=fmt)} == expected
    describe = client.get("/sparql", params={"query": sparql_prologue() + "DESCRIBE entity:deepseek"},
                          headers={"Accept": accept})
    assert describe.status_code == 200 and list(pyoxigraph.parse(describe.content, format=fmt))


def test_unservable_accept_is_406(client):
    error = assert_error(client.get("/sparql", params={"query": LABELS}, headers={"Accept": "image/png"}), 406)
    assert "available" in error["message"]
    assert_error(client.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
                            headers={"Accept": "text/csv"}), 406)


def test_service_description_lists_the_graphs(client, store):
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = list(pyoxigraph.parse(response.content, format=pyoxigraph.RdfFormat.TURTLE))
    sd = "http://www.w3.org/ns/sparql-service-description#"
    names = {t.object.value for t in graph if t.predicate.value == sd + "name"}
    assert names == {g.value for g in store.named_graphs()}
    assert any(t.object.value == sd + "SPARQL11Query" for t in graph)


def test_dataset_parameters_restrict_to_graphs_of_the_store(client, store):
    graph = sorted(g.value for g in store.named_graphs())[0]
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    local = store.query(query, default_graph=[pyoxigraph.NamedNode(graph)])
    response = client.get("/sparql", params={"query": query, "default-graph-uri": graph})
    assert json_rows(response) == [{"n": next(iter(local))["n"].value}]
    union = client.get("/sparql", params={"query": query})
    assert int(json_rows(union)[0]["n"]) > int(json_rows(response)[0]["n"])
    named = client.get("/sparql", params={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
                                          "named-graph-uri": graph})
    assert json_rows(named) == [{"g": graph}]
    for name in ("default-graph-uri", "named-graph-uri"):
        error = assert_error(client.get("/sparql", params={"query": query, name: "http://example.org/elsewhere"}), 400)
        assert error["code"] == "graph_refused"


def test_from_a_graph_of_the_store_runs(client, store):
    graph = sorted(g.value for g in store.named_graphs())[0]
    response = client.get("/sparql", params={"query": f"ASK FROM <{graph}> {{ ?s ?p ?o }}"})
    assert response.status_code == 200 and response.json()["boolean"] is True


def test_row_cap_truncates_and_says_so(built):
    with TestClient(create_app(built.out, row_limit=5, workers=1)) as small:
        response = small.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
        assert response.status_code == 200
        assert len(response.json()["results"]["bindings"]) == 5
        assert response.headers["X-Result-Truncated"] == "true"
        assert response.headers["X-Result-Limit"] == "5"
        few = small.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 3"})
        assert "X-Result-Truncated" not in few.headers
        graph = small.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
                          headers={"Accept": "application/n-triples"})
        assert len(graph.text.strip().splitlines()) == 5 and graph.headers["X-Result-Truncated"] == "true"


def test_cors_for_reads(client):
    response = client.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://yasgui.example"})
    assert response.headers["access-control-allow-origin"] == "*"
    preflight = client.options("/sparql", headers={
        "Origin": "https://yasgui.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]


def test_errors_share_one_shape(client):
    assert_error(client.get("/no/such/page/at/all"), 404)
    assert_error(client.put("/sparql", params={"query": "ASK {}"}), 405)
    assert_error(client.get("/sparql", params={"query": "ASK {"}), 400)
    assert_error(client.get("/sparql", params=[("query", "ASK {}"), ("query", "ASK {}")]), 400)
    assert_error(client.post("/sparql", content=b"ASK {}", headers={"Content-Type": "text/plain"}), 415)
    assert_error(client.post("/sparql", content=b"CLEAR ALL", headers={"Content-Type": "application/sparql-update"}), 403)
    assert_error(client.get("/sparql", params={"update": "CLEAR ALL"}), 403)
    assert_error(client.get("/entity/no-such-entity"), 404)


def test_health(client):
    response = client.get("/health")
    assert response.status_code == 200 and response.json()["status"] == "ok"


def test_entity_page_for_browsers(client, store):
    response = client.get("/entity/deepseek", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    label = next(iter(store.query(sparql_prologue() + "SELECT ?l { entity:deepseek rdfs:label ?l }")))["l"].value
    assert f"<h1>{label}</h1>" in page
    assert 'href="/entity/liang-wenfeng"' in page or "/entity/" in page  # neighbours link locally
    quotes = [s["q"].value for s in store.query(
        sparql_prologue() + "SELECT ?q { ?c kg:subject entity:deepseek ; prov:wasDerivedFrom/oa:hasSelector/oa:exact ?q }",
        use_default_graph_as_union=True)]
    assert quotes
    from html import escape
    for quote in quotes:
        assert escape(quote) in page
    assert "/source/" in page  # each quote names its source


@pytest.mark.parametrize("accept, fmt", [("text/turtle", pyoxigraph.RdfFormat.TURTLE),
                                         ("application/ld+json", pyoxigraph.RdfFormat.JSON_LD)])
def test_entity_as_rdf(client, accept, fmt):
    response = client.get("/entity/deepseek", headers={"Accept": accept})
    assert response.status_code == 200 and response.headers["content-type"].startswith(accept)
    triples = list(pyoxigraph.parse(response.content, format=fmt))
    iri = "https://w3id.org/ai-race-kg/entity/deepseek"
    assert any(t.subject.value == iri for t in triples)
    assert any(t.predicate.value.endswith("#subject") and t.object.value == iri for t in triples)
    assert any(t.predicate.value == "http://www.w3.org/ns/oa#exact" for t in triples)


def test_pages_escape_everything(tmp_path):
    base = "https://w3id.org/ai-race-kg/"
    hostile = '<script>alert(1)</script>"\'&'
    (tmp_path / "kg.nq").write_text(
        f'<{base}entity/x> <http://www.w3.org/2000/01/rdf-schema#label> {json.dumps(hostile)} .\n'
        f'<{base}entity/x> <https://schema.org/url> <javascript:alert(1)> .\n', encoding="utf-8")
    with TestClient(create_app(tmp_path, workers=1)) as hostile_client:
        page = hostile_client.get("/entity/x", headers={"Accept": "text/html"}).text
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'href="javascript:' not in page


def test_home_serves_the_viewer_and_a_query_page(built, tmp_path):
    bare = tmp_path / "bare"
    bare.mkdir()
    (bare / "kg.nq").write_bytes((built.out / "kg.nq").read_bytes())
    with TestClient(create_app(bare, workers=1)) as plain:  # no viewer built: the query page
        home = plain.get("/")
        assert home.status_code == 200 and 'fetch("sparql"' in home.text
        assert "<script src" not in home.text and "<link" not in home.text  # works offline: nothing external
        assert "fetch(\"http" not in home.text
    viewer = tmp_path / "viewer"
    viewer.mkdir()
    (viewer / "kg.nq").write_bytes((built.out / "kg.nq").read_bytes())
    (viewer / "graph.html").write_text("<!DOCTYPE html><title>viewer</title>", encoding="utf-8")
    with TestClient(create_app(viewer, workers=1)) as with_viewer:
        assert with_viewer.get("/").text == "<!DOCTYPE html><title>viewer</title>"
        assert 'fetch("sparql"' in with_viewer.get("/query").text


def test_missing_export_is_a_clean_error(tmp_path):
    from kg.errors import KGError

    with pytest.raises(KGError, match="kg build"):
        create_app(tmp_path)


def test_a_worker_that_dies_is_replaced(built):
    """A crash in a worker (as pyoxigraph's stack overflow would be) costs at most that query."""
    import time

    with TestClient(create_app(built.out, workers=1)) as solo:
        [worker] = list(solo.app.state.pool._workers)
        worker.process.kill()
        query = "ASK { ?s ?p ?o . ?o ?q ?r }"  # two patterns: not a direct lookup, so a worker runs it
        first = solo.get("/sparql", params={"query": query})
        if first.status_code != 200:
            assert_error(first, 500)
        for _ in range(100):
            again = solo.get("/sparql", params={"query": query})
            if again.status_code == 200:
                break
            time.sleep(0.1)
        assert again.status_code == 200 and again.json()["boolean"] is True
        assert solo.app.state.pool._workers and worker not in solo.app.state.pool._workers


def test_a_hostile_host_header_cannot_change_the_base():
    from kg.serve.sparql import endpoint as _endpoint

    def request(host: bytes) -> dict:
        return {"type": "http", "scheme": "http", "server": ("127.0.0.1", 8000), "path": "/sparql",
                "query_string": b"", "headers": [(b"host", host)]}

    assert _endpoint(request(b"kg.example:8000")) == "http://kg.example:8000/sparql"
    for host in (b'evil> . <x" {', b"a b", b"x\\y"):
        endpoint = _endpoint(request(host))
        assert endpoint.startswith("http://127.0.0.1") and endpoint.endswith("/sparql")
        assert not set(endpoint) & set('<>" {}\\')
