"""The built graph read from a remote SPARQL 1.1 endpoint into memory, for the reading commands.

`kg show`, `kg path`, `kg rank`, `kg export`, `kg conflicts` and `kg viewer`
answer from a pyoxigraph store. With ``--endpoint`` that store is filled from
the remote store, and the same code then runs on it, so that the answers are
those of the local export.

The graphs are named explicitly, so that what comes back does not depend on
whether the store's default graph is the union of its graphs:

- the graph's default graph: the store's default graph without what its
  named graphs hold, or, where ``kg push --default-graph IRI`` put it in a
  named graph, that graph (``--default-graph IRI`` here too);
- the named graph of every source the default graph lists, ``BASE/graph/ID``.

Each is one CONSTRUCT over the SPARQL 1.1 Protocol (kg.remote_query), after
a COUNT of the same triples: an answer the store cut at its row limit (which
Virtuoso does to a CONSTRUCT without a word) is an error, never a partial graph.

Virtuoso 7.2 does not keep two kinds of literal as they were written: an
``xsd:integer`` past 2^31 comes back as an ``xsd:decimal``, and an
``xsd:duration`` as a bare number of months (or of seconds, for days). The
graph's only decimals are ``schema:value``'s and its durations all start with
P, so such literals are turned back into what the build wrote ("P8M",
"80000000000"); the claims are checked against the hashes their IRIs were
minted from where the catalog is rebuilt (kg.graph.read_back).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from kg.errors import KGError
from kg.graph.terms import PATHS, PREFIXES, is_absolute_iri
from kg.remote_query import MAX_RESPONSE_BYTES, TIMEOUT, Truncated, run_remote

KG, XSD, RDF_TYPE = PREFIXES["kg"], PREFIXES["xsd"], PREFIXES["rdf"] + "type"
SCHEMA_VALUE = PREFIXES["schema"] + "value"
_DEFAULT = "?s ?p ?o FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } }"
_NAMED = "GRAPH <{graph}> {{ ?s ?p ?o }}"
_HOLDING_CLAIMS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?claim a kg:Claim } } ORDER BY ?g LIMIT 5"
_INTEGRAL = re.compile(r"^[+-]?\d+(?:\.0*)?$")


@dataclass(frozen=True)
class Remote:
    """Where the graph is read from, and how: the options of ``--endpoint``."""

    endpoint: str
    auth: str = "none"
    timeout: float = TIMEOUT
    max_response_bytes: int = MAX_RESPONSE_BYTES
    default_graph: str | None = None  # the named graph that holds the graph's default graph


def fetch_graph(remote: Remote, environ: dict | None = None):
    """An in-memory pyoxigraph Store holding the graph that ``remote`` serves, its graphs kept apart."""
    import pyoxigraph

    store = pyoxigraph.Store()
    if remote.default_graph is not None:
        _check_iri(remote.default_graph)
        where, pattern = f"the named graph {remote.default_graph}", _NAMED.format(graph=remote.default_graph)
    else:
        where, pattern = "the default graph", _DEFAULT
    default = _construct(remote, pattern, where, environ)
    store.extend(pyoxigraph.Quad(*triple, pyoxigraph.DefaultGraph()) for triple in default)
    if not any(store.quads_for_pattern(None, pyoxigraph.NamedNode(RDF_TYPE), pyoxigraph.NamedNode(KG + "Claim"), None)):
        raise KGError(_no_claims(remote, where, environ))
    for graph in source_graphs(store):
        triples = _construct(remote, _NAMED.format(graph=graph), f"the named graph {graph}", environ)
        store.extend(pyoxigraph.Quad(*triple, pyoxigraph.NamedNode(graph)) for triple in triples)
    return store


def source_graphs(store) -> list[str]:
    """The IRIs of the named graphs of the sources (articles and datasets) the default graph lists."""
    import pyoxigraph

    graphs = set()
    for kind in ("Article", "Dataset"):
        for quad in store.quads_for_pattern(None, pyoxigraph.NamedNode(RDF_TYPE), pyoxigraph.NamedNode(KG + kind),
                                            pyoxigraph.DefaultGraph()):
            base, found, source_id = quad.subject.value.rpartition(PATHS["source"])
            if found and source_id:
                graphs.add(base + PATHS["graph"] + source_id)
    return sorted(graphs)


def _construct(remote: Remote, pattern: str, where: str, environ: dict | None) -> list:
    """The triples ``pattern`` matches, with the literals Virtuoso changes restored.

    They are counted first: Virtuoso cuts a CONSTRUCT at its row limit without
    saying so, and a one-row count is not cut."""
    def run(text: str):
        return run_remote(remote.endpoint, text, None, remote.timeout, remote.max_response_bytes, remote.auth, environ)

    limit = ("raise the store's row limit above the number of triples in the graph (Virtuoso: ResultSetMaxRows in "
             "the [SPARQL] section of virtuoso.ini, which caps CONSTRUCT answers too)")
    try:
        rows = list(run(f"SELECT (COUNT(*) AS ?triples) WHERE {{ {pattern} }}"))
        expected = int(rows[0]["triples"].value) if rows and rows[0]["triples"] is not None else None
        triples = run(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {pattern} }}")
    except Truncated as exc:
        raise KGError(f"the SPARQL endpoint {remote.endpoint} sent only the first {exc.cut} of {where} ({exc.why}); "
                      f"this command reads the whole graph, so it stops rather than answer from part of it: {limit}") from None
    except ValueError:
        expected = -1
    if expected is None or expected < 0:
        raise KGError(f"the SPARQL endpoint {remote.endpoint} did not say how many triples {where} holds "
                      "(SELECT (COUNT(*) AS ?triples) gave no number)")
    if len(triples) < expected:
        raise KGError(f"the SPARQL endpoint {remote.endpoint} sent {len(triples):,} of the {expected:,} triples of "
                      f"{where}: it cut the answer at its row limit; this command reads the whole graph, so it stops "
                      f"rather than answer from part of it: {limit}")
    return [_restored(triple) for triple in triples]


def _restored(triple):
    import pyoxigraph

    term = triple.object
    if not isinstance(term, pyoxigraph.Literal):
        return triple
    datatype, lexical = term.datatype.value, term.value
    if datatype == XSD + "decimal" and triple.predicate.value != SCHEMA_VALUE and _INTEGRAL.match(lexical):
        restored = pyoxigraph.Literal(str(int(Decimal(lexical))), datatype=pyoxigraph.NamedNode(XSD + "integer"))
    elif datatype == XSD + "duration" and not lexical.lstrip("+-").startswith("P"):
        restored = _duration(lexical)
    else:
        return triple
    return pyoxigraph.Triple(triple.subject, triple.predicate, restored) if restored is not None else triple


def _duration(lexical: str):
    """Virtuoso's number for an xsd:duration as the build wrote it: months as P8M, seconds as P8D."""
    import pyoxigraph

    try:
        number = Decimal(lexical)
    except InvalidOperation:
        return None
    if re.fullmatch(r"\d+", lexical):
        text = f"P{int(number)}M"
    elif number >= 0 and number % 86400 == 0:
        text = f"P{int(number // 86400)}D"
    else:
        return None
    return pyoxigraph.Literal(text, datatype=pyoxigraph.NamedNode(XSD + "duration"))


def _no_claims(remote: Remote, where: str, environ: dict | None) -> str:
    message = f"{where} of the SPARQL endpoint {remote.endpoint} holds no claims of the graph"
    if remote.default_graph is not None:
        return message + "; give the graph that kg push --default-graph named, or push the graph there"
    holding = [row["g"].value for row in run_remote(remote.endpoint, _HOLDING_CLAIMS, None, remote.timeout,
                                                    remote.max_response_bytes, remote.auth, environ)]
    if len(holding) == 1:
        return (message + f"; the named graph {holding[0]} holds claims: if kg push stored the default graph there "
                f"(--default-graph), give --default-graph {holding[0]}")
    if holding:
        return (message + f"; the named graphs {', '.join(holding)} hold claims: if kg push stored the default graph "
                "in one of them (--default-graph), give --default-graph with its IRI")
    return message + "; push it there first with kg push"


def _check_iri(iri: str) -> None:
    if not is_absolute_iri(iri):
        raise KGError(f"--default-graph must be an IRI such as urn:kg:default, not {iri!r}")
