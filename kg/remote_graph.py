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

Each is one CONSTRUCT over the SPARQL 1.1 Protocol (kg.remote_query, one
connection for them all), after a COUNT of the same triples: an answer the
store cut at its row limit (which Virtuoso does to a CONSTRUCT without a word)
is an error, never a partial graph. The answers are parsed into the store
directly, not triple by triple in Python.

Virtuoso 7.2 does not keep three kinds of literal as they were written: an
``xsd:integer`` past 2^31 comes back as an ``xsd:decimal``, an
``xsd:duration`` as a bare number of months (or of seconds, for days), and an
``xsd:decimal`` rounded to 15 digits after the point. The graph's only
decimals are ``schema:value``'s and its durations all start with P, so such
literals are turned back into what the build wrote ("P8M", "80000000000"),
and a ``schema:value`` gets its dropped digits back from its node's label,
where the hash its IRI was minted from confirms them; the claims are checked
against the hashes their IRIs were minted from where the catalog is rebuilt
(kg.graph.read_back).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from kg.errors import KGError
from kg.graph.terms import PATHS, PREFIXES, is_absolute_iri, short_hash
from kg.remote_query import MAX_RESPONSE_BYTES, TIMEOUT, Session, Truncated

KG, XSD, RDF_TYPE = PREFIXES["kg"], PREFIXES["xsd"], PREFIXES["rdf"] + "type"
SCHEMA_VALUE, RDFS_LABEL = PREFIXES["schema"] + "value", PREFIXES["rdfs"] + "label"
_CHANGED = frozenset({XSD + "decimal", XSD + "duration"})  # the datatypes whose literals Virtuoso may change
# MINUS rather than FILTER NOT EXISTS: the same triples (both sides bind ?s ?p ?o), in half
# the time on a store whose default graph is the union of its graphs (Oxigraph's --union-default-graph).
_DEFAULT = "?s ?p ?o MINUS { GRAPH ?g { ?s ?p ?o } }"
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
    with Session(remote.endpoint, remote.timeout, remote.max_response_bytes, remote.auth, environ) as session:
        _fetch(session, pattern, where, store, pyoxigraph.DefaultGraph())
        if not any(store.quads_for_pattern(None, pyoxigraph.NamedNode(RDF_TYPE), pyoxigraph.NamedNode(KG + "Claim"),
                                           None)):
            raise KGError(_no_claims(session, remote, where))
        for graph in source_graphs(store):
            _fetch(session, _NAMED.format(graph=graph), f"the named graph {graph}", store, pyoxigraph.NamedNode(graph))
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


def _fetch(session: Session, pattern: str, where: str, store, graph) -> None:
    """The triples ``pattern`` matches, put into ``graph`` of ``store``, with the literals Virtuoso changes restored.

    They are counted first: Virtuoso cuts a CONSTRUCT at its row limit without
    saying so, and a one-row count is not cut. The answer goes straight into
    the store (parsed there, not triple by triple in Python): the whole graph
    is a hundred thousand triples and more."""
    limit = ("raise the store's row limit above the number of triples in the graph (Virtuoso: ResultSetMaxRows in "
             "the [SPARQL] section of virtuoso.ini, which caps CONSTRUCT answers too)")
    try:
        rows = list(session.run(f"SELECT (COUNT(*) AS ?triples) WHERE {{ {pattern} }}"))
        expected = int(rows[0]["triples"].value) if rows and rows[0]["triples"] is not None else None
        sent = session.load(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {pattern} }}", store, graph)
    except Truncated as exc:
        raise KGError(f"the SPARQL endpoint {session.endpoint} sent only the first {exc.cut} of {where} ({exc.why}); "
                      f"this command reads the whole graph, so it stops rather than answer from part of it: {limit}") from None
    except ValueError:
        expected = -1
    if expected is None or expected < 0:
        raise KGError(f"the SPARQL endpoint {session.endpoint} did not say how many triples {where} holds "
                      "(SELECT (COUNT(*) AS ?triples) gave no number)")
    if sent < expected:
        raise KGError(f"the SPARQL endpoint {session.endpoint} sent {sent:,} of the {expected:,} triples of "
                      f"{where}: it cut the answer at its row limit; this command reads the whole graph, so it stops "
                      f"rather than answer from part of it: {limit}")
    _restore(store, graph)


def _restore(store, graph) -> None:
    """The literals of ``graph`` that Virtuoso changed, put back as the build wrote them."""
    import pyoxigraph

    changed = []
    for quad in store.quads_for_pattern(None, None, None, graph):
        term = quad.object
        if isinstance(term, pyoxigraph.Literal) and term.datatype.value in _CHANGED:
            restored = _restored(quad.triple).object
            if restored == term and quad.predicate.value == SCHEMA_VALUE:
                restored = _decimal_digits(store, quad)
            if restored != term:
                changed.append((quad, pyoxigraph.Quad(quad.subject, quad.predicate, restored, graph)))
    for old, new in changed:
        store.remove(old)
        store.add(new)


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


def _decimal_digits(store, quad):
    """A value node's schema:value with the digits Virtuoso dropped put back.

    Virtuoso keeps 15 digits after the decimal point (3.9045853984413377 comes
    back as 3.904585398441338). The node's label, a string, keeps them all
    ("3.9045853984413377 USD"), and the node's IRI is the hash of the kind,
    number and unit (kg.graph.compile), so the label's number is taken only
    where that hash confirms it."""
    import pyoxigraph

    from kg.curate.values import Value

    term = quad.object
    _, found, local = quad.subject.value.rpartition(PATHS["value"])
    kind, _, digest = local.partition("-")
    for label in store.quads_for_pattern(quad.subject, pyoxigraph.NamedNode(RDFS_LABEL), None, quad.graph_name):
        number, _, unit = label.object.value.rpartition(" ")
        lexical = number.replace(",", "")
        if found and lexical != term.value and short_hash(Value(kind, lexical, unit=unit).key) == digest:
            return pyoxigraph.Literal(lexical, datatype=term.datatype)
    return term


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


def _no_claims(session: Session, remote: Remote, where: str) -> str:
    message = f"{where} of the SPARQL endpoint {remote.endpoint} holds no claims of the graph"
    if remote.default_graph is not None:
        return message + "; give the graph that kg push --default-graph named, or push the graph there"
    holding = [row["g"].value for row in session.run(_HOLDING_CLAIMS)]
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
