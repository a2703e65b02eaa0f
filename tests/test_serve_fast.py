"""The fast path for /sparql gives the very responses of the Starlette route."""
from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from kg.serve.app import create_app
from kg.serve.fast import FastApp

ASK = "ASK { ?s ?p ?o }"
SELECT = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 7"
FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
# (method, params, headers, body): every outcome of the route, answers and refusals alike
REQUESTS = [
    ("GET", {"query": SELECT}, {}, None),
    ("GET", {"query": SELECT}, {"Accept": "application/sparql-results+json"}, None),
    ("GET", {"query": SELECT}, {"Accept": "application/sparql-results+xml", "Origin": "https://yasgui.example"}, None),
    ("GET", {"query": SELECT}, {"Accept": "text/csv"}, None),
    ("GET", {"query": SELECT}, {"Accept": "text/tab-separated-values;q=0.9, */*;q=0.1"}, None),
    ("GET", {"query": ASK}, {"Accept": "application/xml"}, None),
    ("GET", {"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 4"}, {"Accept": "text/turtle"}, None),
    ("GET", {"query": "DESCRIBE ?s WHERE { ?s ?p ?o } LIMIT 1"}, {"Accept": "application/n-triples"}, None),
    ("GET", {"query": "SELECT ?x WHERE { BIND(<rel> AS ?x) }"}, {"Host": "kg.example:8000"}, None),
    ("GET", {"query": SELECT}, {"Accept": "image/png"}, None),
    ("GET", {"query": SELECT}, {"Accept": ";;;,,"}, None),
    ("GET", {"query": "ASK {"}, {}, None),
    ("GET", [("query", ASK), ("query", ASK)], {}, None),
    ("GET", {"update": "CLEAR ALL"}, {}, None),
    ("GET", {"other": "x"}, {}, None),
    ("GET", {"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"}, {"Origin": "https://x.example"}, None),
    ("GET", {"query": "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }"}, {}, None),
    ("GET", {"query": "ASK " + "{" * 300 + "}" * 300}, {}, None),
    ("GET", {"query": "INSERT DATA { <a:b> <a:c> <a:d> }"}, {}, None),
    ("GET", {"query": ASK, "default-graph-uri": "http://outside.example/g"}, {}, None),
    ("GET", {"query": "PREFIX x: <\\u0053> " + ASK}, {}, None),
    ("POST", {}, {"Content-Type": FORM}, f"query={ASK}".encode()),
    ("POST", {}, {"Content-Type": DIRECT}, SELECT.encode()),
    ("POST", {}, {"Content-Type": DIRECT + "; charset=latin-1"}, SELECT.encode()),
    ("POST", {"query": ASK}, {"Content-Type": DIRECT}, ASK.encode()),
    ("POST", {}, {"Content-Type": "application/sparql-update"}, b"CLEAR ALL"),
    ("POST", {}, {"Content-Type": "text/plain"}, ASK.encode()),
    ("POST", {}, {"Content-Type": DIRECT}, b"ASK { \xff\xfe }"),
    ("POST", {}, {"Content-Type": DIRECT}, b"#" * (70 * 1024)),
    ("GET", {}, {"Accept": "text/turtle"}, None),  # the service description (passed on to Starlette)
    ("PUT", {"query": ASK}, {}, None),
    ("OPTIONS", {}, {"Origin": "https://x.example", "Access-Control-Request-Method": "POST"}, None),
]


def exchange(client: TestClient, method: str, params, headers: dict, body: bytes | None):
    response = client.request(method, "/sparql", params=params, headers=headers, content=body)
    raw, content = response.headers.raw, response.content
    if b"_:" in content:  # the service description: its blank node labels are fresh each time
        content = re.sub(rb"_:[A-Za-z0-9]+", b"_:b", content)
        raw = [(key, value) for key, value in raw if key != b"content-length"]
    return response.status_code, raw, content


@pytest.fixture(scope="module")
def clients(built):
    with TestClient(create_app(built.out, workers=1, row_limit=5)) as fast, \
            TestClient(create_app(built.out, workers=1, row_limit=5, fast_path=False)) as plain:
        assert isinstance(fast.app, FastApp) and not isinstance(plain.app, FastApp)
        yield fast, plain


@pytest.mark.parametrize("method, params, headers, body", REQUESTS)
def test_fast_path_answers_byte_for_byte_like_starlette(clients, method, params, headers, body):
    fast, plain = clients
    assert exchange(fast, method, params, headers, body) == exchange(plain, method, params, headers, body)


def test_fast_path_keeps_the_row_cap_and_its_header(clients, store):
    fast, plain = clients
    query = {"query": "SELECT * WHERE { ?s ?p ?o }"}
    response = fast.get("/sparql", params=query, headers={"Origin": "https://x.example"})
    assert response.status_code == 200 and len(store) > 5
    assert len(response.json()["results"]["bindings"]) == 5
    assert response.headers["X-Result-Truncated"] == "true" and response.headers["X-Result-Limit"] == "5"
    assert "X-Result-Truncated" in response.headers["Access-Control-Expose-Headers"]
    assert exchange(fast, "GET", query, {}, None) == exchange(plain, "GET", query, {}, None)


def test_fast_path_time_limit_is_the_same_503(built):
    slow = {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"}
    answers = []
    for fast_path in (True, False):
        with TestClient(create_app(built.out, workers=1, timeout=0.5, fast_path=fast_path)) as client:
            answers.append(exchange(client, "GET", slow, {}, None))
    assert answers[0] == answers[1]
    status, headers, body = answers[0]
    assert status == 503 and (b"retry-after", b"1") in headers and b'"timeout"' in body


def test_pool_queue_429_503_and_cancelled_waiters(built):
    """One worker, one place in the queue: the next request waits, the one
    after gets 429; a waiter that outwaits its time limit gets 503; a
    cancelled waiter gives its place up; the killed worker is replaced."""
    import asyncio

    from kg.serve.pool import Pool
    from kg.serve.worker import Busy, TimedOut

    slow = {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }", "format": "json", "cap": 10}
    quick = {"query": "ASK { ?s ?p ?o }", "format": "json", "cap": 10}

    async def refused(request) -> int:
        with pytest.raises(Busy) as busy:
            await pool.run(request)
        return busy.value.status

    async def scenario():
        await pool.start()
        try:
            runaway = asyncio.ensure_future(pool.run(slow))  # its limit: 1.5 s
            await asyncio.sleep(0.1)
            pool.timeout = 0.3  # later requests may wait 0.3 s
            waiting = asyncio.ensure_future(refused(quick))
            await asyncio.sleep(0.05)
            assert await refused(quick) == 429
            assert await waiting == 503
            cancelled = asyncio.ensure_future(pool.run(quick))
            await asyncio.sleep(0.05)
            cancelled.cancel()
            with pytest.raises(asyncio.CancelledError):
                await cancelled
            assert await refused(quick) == 503  # not 429: the cancelled waiter left the queue
            pool.timeout = 1.5
            with pytest.raises(TimedOut):
                await runaway
            head, body = await pool.run(quick)  # waits for the fresh worker that replaces the killed one
            assert head["status"] == 200 and b'"boolean":true' in body.replace(b" ", b"")
            assert pool.busy == 0
        finally:
            await pool.close()

    pool = Pool(built.out, size=1, queue=1, timeout=1.5)
    asyncio.run(scenario())
