"""Push the built graph to a triple store over the SPARQL 1.1 Graph Store Protocol.

Each graph of export/kg.nq goes in one request: the default graph to
``ENDPOINT?default`` and each named graph to ``ENDPOINT?graph=IRI`` (or all of
them into one graph with ``graph=``). POST adds to what the store holds; PUT
(``replace=True``) replaces each graph, so pushing again gives the same store.
The body is N-Triples sent as ``text/turtle``, which every store named in the
design accepts (Fuseki, GraphDB, Virtuoso, Neptune, Oxigraph).
Requests go through kg.http_client: each has a total deadline, the store's
answer a size cap, and a redirect is an error, never followed.

Credentials come from the environment only, never from the command line
(kg.login): ``KG_PUSH_TOKEN`` for bearer, ``KG_PUSH_USER`` and
``KG_PUSH_PASSWORD`` for basic and digest.

Some stores (Virtuoso's Graph Store endpoint) refuse the default graph:
``default_graph=IRI`` stores it in that named graph instead, next to the
sources' graphs. The canned queries still answer where the store's default
graph is the union of its graphs (Virtuoso's is; Oxigraph's with
``--union-default-graph``), since they read claims from the default graph and
evidence with ``GRAPH ?g``.
"""
from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import KGError
from kg.http_client import Client, Unreachable
from kg.login import PASSWORD_ENV, TOKEN_ENV, USER_ENV, login

MAX_RESPONSE_BYTES = 1024 * 1024  # a store answers a push with a status and a few lines


@dataclass
class Pushed:
    endpoint: str
    method: str
    graphs: list[tuple[str, int]] = field(default_factory=list)  # (graph or "default", triples)

    @property
    def triples(self) -> int:
        return sum(count for _, count in self.graphs)


def graph_url(endpoint: str, graph: str | None) -> str:
    """``ENDPOINT?default`` or ``ENDPOINT?graph=IRI`` (keeping any query the endpoint has)."""
    joiner = "&" if urllib.parse.urlsplit(endpoint).query else "?"
    if graph is None:
        return f"{endpoint}{joiner}default"
    return f"{endpoint}{joiner}graph={urllib.parse.quote(graph, safe='')}"


def _bodies(export: Path, graph: str | None, default_graph: str | None = None):
    """(target graph or None for the default graph, N-Triples bytes, triple count);
    the default graph goes to ``default_graph`` if one is given."""
    import pyoxigraph

    from kg.graph.store import open_store

    store = open_store(export)
    if graph is not None:
        triples = sorted({quad.triple for quad in store}, key=str)
        yield graph, pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES) or b"", len(triples)
        return
    named = sorted(store.named_graphs(), key=lambda g: g.value)
    if default_graph is not None and default_graph in {g.value for g in named}:
        raise KGError(f"--default-graph {default_graph} is the graph of a source; choose another IRI")
    targets = [pyoxigraph.DefaultGraph(), *named]
    for target in targets:
        quads = list(store.quads_for_pattern(None, None, None, target))
        body = pyoxigraph.serialize([q.triple for q in quads], format=pyoxigraph.RdfFormat.N_TRIPLES) or b""
        yield (default_graph if isinstance(target, pyoxigraph.DefaultGraph) else target.value), body, len(quads)


class Redirected(KGError):
    """The store answered with a redirect, which is never followed."""

    def __init__(self, status: int, url: str, location: str):
        self.status, self.url, self.location = status, url, location
        super().__init__(f"the store answered {status} to {url}, redirecting to {location or '(no Location)'}")


_HINTS = {401: " (check --auth and the credentials in the environment)", 403: " (the account may not write there)",
          404: " (is this the store's Graph Store Protocol URL? see the README)",
          405: " (the store does not accept this method here; is it read-only?)"}


def _send(client: Client, method: str, url: str, body: bytes) -> None:
    try:
        response = client.request(method, url, content=body)
    except Unreachable as exc:
        raise KGError(f"could not reach {url}: {exc.reason}") from None
    if response.ok:
        return
    if response.redirect:
        raise Redirected(response.status, url, response.location)
    detail = response.detail()  # all of it: the reason is often at the end of an HTML page
    hint = _HINTS.get(response.status, "")
    if url.endswith("default") and "default graph" in detail.lower():  # Virtuoso's Graph Store endpoint
        hint = " (store the default graph in a named graph with --default-graph IRI; see the README)"
    raise KGError(f"the store answered {response.status_line} to {method} {url}{hint}"
                  + (f": {detail}" if detail else ""))


def push(export: Path, endpoint: str, graph: str | None = None, replace: bool = False,
         auth: str = "none", timeout: float = 300.0, environ: dict | None = None,
         max_response_bytes: int = MAX_RESPONSE_BYTES, default_graph: str | None = None) -> Pushed:
    """Send every graph of ``export`` to the Graph Store Protocol ``endpoint``,
    each in one request that must be answered within ``timeout`` seconds;
    the default graph to the named graph ``default_graph`` if one is given."""
    parts = urllib.parse.urlsplit(endpoint)
    if "@" in parts.netloc:
        raise KGError("--endpoint must not hold credentials (user:password@host): use --auth basic with "
                      f"{USER_ENV} and {PASSWORD_ENV} in the environment, or --auth bearer with {TOKEN_ENV}")
    if parts.scheme not in ("http", "https"):
        raise KGError(f"--endpoint must be an http(s) URL, not {endpoint!r}")
    if graph is not None and default_graph is not None:
        raise KGError("--graph puts everything in one graph; --default-graph does not go with it")
    if default_graph is not None and not _absolute_iri(default_graph):
        raise KGError(f"--default-graph must be an absolute IRI such as https://example.org/kg/default, not {default_graph!r}")
    login_headers, login_flow = login(auth, environ)
    method = "PUT" if replace else "POST"
    result = Pushed(endpoint, method)
    headers = {"Content-Type": "text/turtle; charset=utf-8", "User-Agent": "ai-race-kg push"}
    headers.update(login_headers)
    with Client("the store", timeout, max_response_bytes, headers, login_flow) as client:
        for target, body, count in _bodies(Path(export), graph, default_graph):
            try:
                _send(client, method, graph_url(endpoint, target), body)
            except Redirected as exc:
                done = f"{len(result.graphs)} graphs were pushed before it" if result.graphs else "nothing was pushed"
                raise KGError(f"{exc}; redirects are not followed, so credentials never go to another address, and "
                              f"{done}; if that address is the store, give it as --endpoint") from None
            result.graphs.append((target or "default", count))
    return result


def _absolute_iri(text: str) -> bool:
    import pyoxigraph

    try:
        pyoxigraph.NamedNode(text)
    except ValueError:
        return False
    return bool(urllib.parse.urlsplit(text).scheme) and not any(c.isspace() for c in text)
