"""Direct lookups (kg.serve.lookup): which queries they take, and that they
answer exactly as the query engine in a worker does."""
from __future__ import annotations

import itertools

import httpx
import pytest

from kg.graph import guard
from kg.report.sparql_results import TooLarge
from kg.serve import lookup
from kg.serve.worker import _execute

from .serve_support import live_kg_serve

LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
BASE = "http://127.0.0.1:8000/sparql"
FORMATS = ("json", "xml", "csv", "tsv")


def recognised(query: str):
    return lookup.recognise(guard.check(query, frozenset({"http://g/1"}), base=BASE))


@pytest.mark.parametrize("query, form, names, limit", [
    (f'SELECT ?e WHERE {{ ?e <{LABEL}> "DeepSeek"@en }}', "SELECT", ("e",), None),
    (f'SELECT ?e WHERE {{{{ ?e <{LABEL}> "DeepSeek"@en }}}}', "SELECT", ("e",), None),
    ("select * { ?s ?p ?o . } limit 5", "SELECT", ("o", "p", "s"), 5),
    ("SELECT ?zeta ?alpha { ?zeta ?p ?alpha }", "SELECT", ("zeta", "alpha"), None),
    ("SELECT $s { $s a <http://e/T> }", "SELECT", ("s",), None),
    (f"PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX : <http://e/>\n"
     "SELECT ?l { :x rdfs:label ?l } # a comment", "SELECT", ("l",), None),
    ("ASK { <http://e/a> <http://e/p> 'it\\'s' }", "ASK", (), None),
    ('ASK WHERE { ?s ?p """two\nlines""" }', "ASK", (), None),
    ('SELECT * { ?s ?p "5"^^<http://www.w3.org/2001/XMLSchema#integer> }', "SELECT", ("p", "s"), None),
    ('SELECT * { ?s ?p "tab\\there \\"quoted\\""@en-GB }', "SELECT", ("p", "s"), None),
])
def test_lookups_are_recognised(query, form, names, limit):
    found = recognised(query)
    assert found is not None
    assert (found.form, found.names, found.limit) == (form, names, limit)


def test_a_recognised_pattern_holds_the_terms_the_query_names():
    import pyoxigraph

    found = recognised('PREFIX e: <http://e/> SELECT ?s { ?s a "x\\ny"@EN }')
    subject, predicate, object_ = found.pattern
    assert subject == "s"
    assert predicate == pyoxigraph.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    assert object_ == pyoxigraph.Literal("x\ny", language="en")
    found = recognised("PREFIX e: <http://e/ns#> SELECT ?o { e:a%20b e: ?o }")
    assert found.pattern[:2] == (pyoxigraph.NamedNode("http://e/ns#a%20b"), pyoxigraph.NamedNode("http://e/ns#"))


@pytest.mark.parametrize("query", [
    "SELECT DISTINCT ?s { ?s ?p ?o }",
    "SELECT REDUCED ?s { ?s ?p ?o }",
    "SELECT ?s { ?s ?p ?o } OFFSET 5",
    "SELECT ?s { ?s ?p ?o } LIMIT 5 OFFSET 5",
    "SELECT ?s { ?s ?p ?o } ORDER BY ?s",
    "SELECT ?s { ?s ?p ?o } LIMIT 99999999999",
    "SELECT ?s { ?s ?p ?o FILTER(?o = 1) }",
    "SELECT ?s { ?s ?p ?o . ?o ?q ?r }",
    "SELECT ?s { ?s ?p ?o ; ?q ?r }",
    "SELECT ?s { ?s ?p ?o , ?r }",
    "SELECT ?s { ?s ?p ?s }",  # a repeated variable is a filter, not a plain lookup
    "SELECT ?x { ?s ?p ?o }",  # projects a variable the pattern does not bind
    "SELECT ?s ?s { ?s ?p ?o }",
    "SELECT (STR(?s) AS ?t) { ?s ?p ?o }",
    "SELECT ?s { _:b ?p ?s }",
    "SELECT ?s { [] ?p ?s }",
    "SELECT ?s { ?s ?p 5 }",
    "SELECT ?s { ?s ?p true }",
    "SELECT ?s { 'literal' ?p ?s }",
    "SELECT ?s { ?s 'literal' ?o }",
    "SELECT ?s { ?s <relative> ?o }",
    "BASE <http://e/> SELECT ?s { ?s <p> ?o }",
    "SELECT ?s { ?s <http://e/a/../b> ?o }",
    "SELECT ?s { ?s <http://e/./b> ?o }",
    "SELECT ?s { ?s e:p ?o }",  # undeclared prefix: the worker's parser reports it
    "PREFIX e: <http://e/> SELECT ?s { ?s e:a\\#b ?o }",
    "PREFIX e: <rel/> SELECT ?s { ?s e:p ?o }",
    "SELECT ?s { ?s ?p 'bad \\q escape' }",
    "SELECT ?s { ?s ?p 'x'^^<http://www.w3.org/1999/02/22-rdf-syntax-ns#langString> }",
    "SELECT ?s { ?s <http://e/p>/<http://e/q> ?o }",
    "SELECT ?s { ?s <http://e/p>* ?o }",
    "SELECT ?s { ?s ^<http://e/p> ?o }",
    "SELECT ?s { ?s !<http://e/p> ?o }",
    "SELECT ?s { GRAPH ?g { ?s ?p ?o } }",
    "SELECT ?s { ?s ?p ?o OPTIONAL { ?s ?q ?r } }",
    "SELECT ?s { { ?s ?p ?o } UNION { ?s ?q ?o } }",
    "SELECT ?s { VALUES ?s { <http://e/a> } ?s ?p ?o }",
    "SELECT ?s { { ?s ?p ?o } . }",
    "SELECT ?s { ?s ?p ?o } GROUP BY ?s",
    "SELECT ?s FROM <http://g/1> { ?s ?p ?o }",
    "SELECT ?s-x { ?s ?p ?o }",
    "SELECT ?s { ?s ?p ?o } }",
    "SELECT ?s { { ?s ?p ?o }",
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "DESCRIBE <http://e/a>",
    "ASK { ?s ?p ?o } LIMIT 1",
    # what Python's str methods accept and SPARQL's grammar does not (pyoxigraph answers 400 to each)
    "ſELECT ?s { ?s ?p ?o }",  # "ſ".upper() == "S"
    "aſk { ?s ?p ?o }",
    "PREﬁX e: <http://e/> SELECT ?s { ?s e:p ?o }",
    "SELECT ?s { ?s ?p ?o } lımıt 1",
    "SELECT ?s { ?s ?p ?o } LIMIT ٣",
    "SELECT ?s { ?s ?p ?o } LIMIT ３",
    "SELECT\u00a0?s { ?s ?p ?o }",
    "ASK\u3000{ ?s ?p ?o }",
    "SELECT ?s {\x0b?s ?p ?o }",
    "PREFIX e: <http://e/%> SELECT ?o { ?s e:41 ?o }",
])
def test_everything_else_is_left_to_the_workers(query):
    assert recognised(query) is None


# -- the same answers as the engine ------------------------------------------------


def test_a_prefix_declared_twice_means_its_last_iri():
    """rdflib's SPARQLStore puts its own PREFIX lines before the client's; pyoxigraph takes the last."""
    import pyoxigraph

    store = pyoxigraph.Store()
    for ns in ("http://a/", "http://b/"):
        store.add(pyoxigraph.Quad(pyoxigraph.NamedNode(ns + "s"), pyoxigraph.NamedNode(ns + "p"), pyoxigraph.NamedNode(ns + "o")))
    for first, last in (("a", "b"), ("b", "a")):
        query = f"PREFIX e: <http://{first}/> PREFIX e: <http://{last}/> SELECT * {{ ?s e:p ?o }}"
        body, truncated = lookup.answer(store, recognised(query), "json", 100)
        assert (body, truncated) == (_execute(store, {"query": query, "format": "json", "cap": 100, "base": BASE})[1], False)
        assert f"http://{last}/o".encode() in body


def _term(term) -> str:
    """A term in SPARQL syntax."""
    kind = type(term).__name__
    if kind == "NamedNode":
        return f"<{term.value}>"
    text = term.value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    if term.language:
        return f'"{text}"@{term.language}'
    if term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        return f'"{text}"^^<{term.datatype.value}>'
    return f'"{text}"'


def _sample_patterns(store):
    """Patterns of every shape, with terms taken from the real graph: about 64 quads spread over
    it, whatever its size, and literals of every kind."""
    import pyoxigraph

    quads = list(store.quads_for_pattern(None, None, None, None))
    literals = [q for q in quads if type(q.object).__name__ == "Literal"]
    picks = quads[::max(1, len(quads) // 64)] + [q for q in literals if q.object.language][:5] + [q for q in literals if "\n" in q.object.value or '"' in q.object.value][:5] \
        + [q for q in literals if not q.object.language and q.object.datatype.value.endswith("#string")][:5] \
        + [q for q in literals if q.object.datatype.value.endswith(("#decimal", "#date", "#gYearMonth"))][:5]
    missing = pyoxigraph.NamedNode("https://w3id.org/ai-race-kg/entity/no-such-thing")
    for quad in picks:
        s, p, o = quad.subject, quad.predicate, quad.object
        yield (s, "?p", "?o"), (s, p, "?o"), ("?s", p, "?o"), ("?s", p, o), ("?s", "?p", o), (s, "?p", o), (s, p, o)
    yield ("?s", "?p", "?o"), (missing, "?p", "?o"), ("?s", "?p", missing)
    yield ("?s", pyoxigraph.NamedNode(LABEL), pyoxigraph.Literal("no such label", language="en")),


def _queries(store):
    for shapes in _sample_patterns(store):
        for shape in shapes:
            text = " ".join(part if isinstance(part, str) else _term(part) for part in shape)
            variables = [part[1:] for part in shape if isinstance(part, str)]
            yield f"ASK {{ {text} }}"
            yield f"SELECT * WHERE {{ {text} }}"
            if variables:
                yield f"SELECT {' '.join('?' + v for v in reversed(variables))} {{ {text} . }} LIMIT 2"


@pytest.mark.parametrize("max_scan", [lookup.MAX_SCAN, 3])
def test_lookups_give_the_bytes_the_engine_gives(store, monkeypatch, max_scan):
    """Every lookup, in every format and at two row caps, against the engine's
    answer to the same query in a worker (kg.serve.worker._execute). With a
    scan limit of 3, most patterns of two or three terms walk another list than
    the object's, or are handed on."""
    monkeypatch.setattr(lookup, "MAX_SCAN", max_scan)
    compared, cut, handed_on = 0, 0, 0
    for query, fmt, cap in itertools.product(set(_queries(store)), FORMATS, (3, 10_000)):
        found = recognised(query)
        assert found is not None, query
        job = {"query": query, "format": fmt, "cap": cap, "base": BASE, "max_bytes": 64 * 1024 * 1024}
        head, body = _execute(store, job)
        assert head["status"] == 200, (query, head)
        answered = lookup.answer(store, found, fmt, cap, job["max_bytes"])
        if answered is None:
            handed_on += 1
            continue
        assert answered == (body, head["truncated"]), (query, fmt, cap)
        compared += 1
        cut += answered[1]
    assert compared > 1000 and cut > 100
    assert handed_on >= (8 if max_scan > 3 else 1000)  # { ?s ?p ?o } and the like: over MAX_ROWS rows, so a worker answers


def test_a_lookup_does_not_walk_long_lists_to_find_few_rows():
    """A pattern of two or three terms runs here only if one of them is in at
    most MAX_SCAN quads: otherwise the store could walk a long list for nothing."""
    import pyoxigraph

    e = "http://e/"
    hub, p, q, r = (pyoxigraph.NamedNode(e + name) for name in ("hub", "p", "q", "r"))
    many = lookup.MAX_SCAN + 500
    store = pyoxigraph.Store()
    store.extend(pyoxigraph.Quad(hub, p, pyoxigraph.NamedNode(f"{e}o{i}")) for i in range(many))
    store.extend(pyoxigraph.Quad(pyoxigraph.NamedNode(f"{e}x{i}"), q, hub) for i in range(many))
    store.extend(pyoxigraph.Quad(pyoxigraph.NamedNode(f"{e}y{i}"), r, pyoxigraph.Literal("common")) for i in range(many))
    wide = ["SELECT ?o { <http://e/hub> <http://e/q> ?o }", "ASK { <http://e/hub> <http://e/q> <http://e/hub> }",
            "SELECT ?s { ?s <http://e/p> <http://e/hub> }",
            # a common literal: its list is long, and a literal is only compared by the store
            'SELECT ?p { <http://e/y7> ?p "common" }', 'SELECT * { <http://e/y7> <http://e/r> "common" }']
    narrow = ["SELECT ?s { ?s <http://e/p> <http://e/o7> }", "SELECT ?o { <http://e/x7> <http://e/q> ?o }",
              "ASK { <http://e/x7> <http://e/q> <http://e/hub> }", "SELECT ?p { <http://e/x7> ?p <http://e/hub> }"]
    for query in wide:
        assert lookup.answer(store, recognised(query), "json", 10_000) is None, query
    for query in narrow:
        head, body = _execute(store, {"query": query, "format": "json", "cap": 10_000, "base": BASE})
        assert lookup.answer(store, recognised(query), "json", 10_000) == (body, False), query


def _tricky_store():
    import pyoxigraph

    store = pyoxigraph.Store()
    e = "http://e/"
    store.add(pyoxigraph.Quad(pyoxigraph.NamedNode(e + "r"), pyoxigraph.NamedNode(e + "dir"),
                              pyoxigraph.Literal("a", language="en", direction=pyoxigraph.BaseDirection.LTR)))
    store.add(pyoxigraph.Quad(pyoxigraph.NamedNode(e + "r"), pyoxigraph.NamedNode(e + "dir"),
                              pyoxigraph.Literal("b", language="ar", direction=pyoxigraph.BaseDirection.RTL)))
    store.add(pyoxigraph.Quad(pyoxigraph.NamedNode(e + "big"), pyoxigraph.NamedNode(e + "p"), pyoxigraph.Literal("\x7f" * 4000)))
    return store


@pytest.mark.parametrize("query, max_bytes", [
    ("SELECT ?o { <http://e/r> <http://e/dir> ?o }", None),  # "a"@en--ltr: RDF 1.2 directional strings
    ("SELECT ?o { <http://e/big> <http://e/p> ?o }", 20_000),  # 24,002 as N-Triples (\u007F), 4 KB as JSON
    ("SELECT ?o { <http://e/big> <http://e/p> ?o }", 3_000),
    ("ASK { ?s ?p ?o }", 10),
])
def test_lookups_match_the_engine_on_tricky_data(query, max_bytes):
    store = _tricky_store()
    for fmt, cap in itertools.product(FORMATS, (1, 3, 10_000)):
        head, body = _execute(store, {"query": query, "format": fmt, "cap": cap, "base": BASE, "max_bytes": max_bytes})
        try:
            answered = lookup.answer(store, recognised(query), fmt, cap, max_bytes)
        except TooLarge:
            answered = "507"
        assert answered == ((body, head["truncated"]) if head["status"] == 200 else str(head["status"])), (fmt, cap)


def test_a_lookup_stops_reading_at_its_byte_budget():
    """Terms that are read but not projected count too: 1,001 rows of 200,000-character
    objects are handed to a worker after about 1 MiB, not read whole in the event loop."""
    import pyoxigraph

    store = pyoxigraph.Store()
    big = "x" * 200_000
    store.extend(pyoxigraph.Quad(pyoxigraph.NamedNode(f"http://e/s{i}"), pyoxigraph.NamedNode("http://e/p"),
                                 pyoxigraph.Literal(big)) for i in range(lookup.MAX_ROWS + 1))
    assert lookup.answer(store, recognised("SELECT ?s { ?s <http://e/p> ?o } LIMIT 1000"), "json", 10_000) is None
    body, _ = lookup.answer(store, recognised("SELECT ?s { ?s <http://e/p> ?o } LIMIT 5"), "json", 10_000)
    assert body.count(b'"s":') == 5


def test_a_large_result_is_handed_to_a_worker_and_an_oversized_one_refused(store):
    everything = recognised("SELECT * { ?s ?p ?o }")
    assert len(store) > lookup.MAX_ROWS
    assert lookup.answer(store, everything, "json", 10_000) is None
    body, truncated = lookup.answer(store, everything, "json", lookup.MAX_ROWS)
    assert truncated and body.count(b'"s":') == lookup.MAX_ROWS
    with pytest.raises(TooLarge):
        lookup.answer(store, recognised("SELECT * { ?s ?p ?o } LIMIT 50"), "json", 10_000, max_bytes=200)


# -- through a live server -----------------------------------------------------------

LIVE_QUERIES = [
    f'SELECT ?e WHERE {{ ?e <{LABEL}> "DeepSeek"@en }}',
    f'SELECT ?e WHERE {{{{ ?e <{LABEL}> "DeepSeek"@en }}}}',
    "SELECT * { ?s a ?type }",
    "SELECT ?p ?o { <https://w3id.org/ai-race-kg/entity/deepseek> ?p ?o }",
    "ASK { ?s ?p <https://w3id.org/ai-race-kg/entity/deepseek> }",
    "SELECT * { ?s ?p ?o }",
    f'SELECT ?e WHERE {{ ?e <{LABEL}> "no such thing"@en }}',
]


def _ask(url: str, query: str, accept: str) -> tuple:
    response = httpx.get(url + "/sparql", params={"query": query}, headers={"Accept": accept}, timeout=30)
    headers = {k: v for k, v in response.headers.items() if k not in ("date",)}
    return response.status_code, headers, response.content


def test_a_live_server_answers_lookups_as_it_does_without_them(built):
    """The same requests to `kg serve` and `kg serve --no-direct-lookups`:
    identical status, headers and bytes; /health shows which answered directly."""
    options = ("--row-limit", "40", "--workers", "1")
    with live_kg_serve(built.out, *options) as direct, live_kg_serve(built.out, *options, "--no-direct-lookups") as plain:
        for query, accept in itertools.product(LIVE_QUERIES, ("application/sparql-results+json", "text/csv")):
            ours, theirs = _ask(direct, query, accept), _ask(plain, query, accept)
            assert ours == theirs, query
            assert ours[0] == 200
        assert _ask(direct, "SELECT * { ?s a ?type }", "text/csv")[1]["x-result-truncated"] == "true"
        refused = httpx.get(direct + "/sparql", params={"query": 'SELECT ?s { ?s ?p "service" }'})
        assert refused.status_code == 400 and refused.json()["error"]["code"] == "service_refused"
        direct_health = httpx.get(direct + "/health").json()["direct_lookups"]
        plain_health = httpx.get(plain + "/health").json()["direct_lookups"]
    assert direct_health == {"on": True, "answered": 2 * len(LIVE_QUERIES) + 1}
    assert plain_health == {"on": False, "answered": 0}
