"""Push the built graph to a triple store: the SPARQL 1.1 Graph Store Protocol,
plus SPARQL 1.1 Update for ``replace``.

The default graph goes to ``ENDPOINT?default`` and each named graph to
``ENDPOINT?graph=IRI`` (or all of them into one graph with ``graph=``; the
default graph into the named graph ``default_graph`` for stores that refuse
the default graph, such as Virtuoso's Graph Store endpoint). The body is
N-Triples sent as ``text/turtle``, which every store named in the design
accepts (Fuseki, GraphDB, Virtuoso, Neptune, Oxigraph).

kg.nq is read as a stream and spilled to one file per graph (kg.push_split),
and each graph is sent in requests of at most ``batch`` triples with POST,
which adds to what the store holds, so memory stays flat whatever the size
of the export. A request that fails in a way that may pass (the connection
broke, no answer within the deadline, 502, 503 or 504) is sent again after a
pause that doubles each time, ``retries`` times at most; a 4xx never is.

``replace`` is all or nothing per graph: the graph is loaded into a temporary
graph, ``BASE/graph/.kg-push-tmp/TOKEN/N``, which one SPARQL Update request
then moves over the target (``MOVE <tmp> TO <graph>``). A push stopped half
way leaves the target as it was and at most a temporary graph, which the next
``replace`` push drops first. Once every graph is in, the project's graphs
that the export no longer has (those under ``BASE/graph/``) are dropped;
other graphs of the store are never touched.

``incremental`` sends only what changed since the last push to that store.
It keeps a copy of the kg.nq it last pushed (kg.push_manifest) and merges
the old and new files, both sorted, line by line into the quads each graph
lost and gained (kg.push_diff), which go as SPARQL 1.1 Update ``DELETE DATA``
then ``INSERT DATA`` requests of at most ``batch`` quads, retried as the
rest. The copy and the manifest are replaced only once every request has
succeeded. A push stopped half way leaves the old copy, so the next one sends
the same changes again, and that converges: deleting quads that are gone and
inserting quads that are there change nothing. Without a copy that matches
the manifest (the first ``incremental`` push, or after a push of another
kind), or with ``graph`` (one graph holds the union, so a quad removed from
one source may still be in another), it is ``replace`` for the graphs whose
SHA-256 changed, as the manifest records them.

Requests go through kg.http_client: each has a total deadline, the store's
answer a size cap, and a redirect is an error, never followed. Credentials
come from the environment only, never from the command line (kg.login).
"""
from __future__ import annotations

import gc
import json
import secrets
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import KGError
from kg.graph.store import nquads_path
from kg.graph.switch import reading
from kg.graph.terms import is_absolute_iri
from kg.http_client import Broken, Client, Response, TimedOut, Unreachable
from kg.login import PASSWORD_ENV, TOKEN_ENV, USER_ENV, login
from kg.push_diff import Change, Diff, diff
from kg.push_manifest import Manifest
from kg.push_split import BATCH, RETRIES, Part, batches, split

MAX_RESPONSE_BYTES = 1024 * 1024  # a store answers a push with a status and a few lines
BACKOFF = 0.5  # seconds before the first retry; each later one waits twice as long
TRANSIENT = {502, 503, 504}
TMP = ".kg-push-tmp/"
LIST_PAGE = 500  # graphs per listing query, well under any store's row limit

# Where a store's SPARQL endpoints are, from its Graph Store Protocol URL: (update, query)
KNOWN_STORES = {
    "/store": ("/update", "/query"),  # Oxigraph server
    "/sparql-graph-crud-auth": ("/sparql-auth", "/sparql-auth"),  # Virtuoso, digest login
    "/sparql-graph-crud": ("/sparql", "/sparql"),  # Virtuoso
    "/data": ("/update", "/query"),  # Apache Jena Fuseki (/DATASET/data)
}


@dataclass
class Sent:
    name: str  # the graph's IRI or "default"
    triples: int
    action: str  # "added", "replaced", "updated" or "unchanged"
    requests: int = 0  # the requests that carried its triples, retries included
    removed: int = 0  # "updated": the quads deleted (``triples`` is then the quads inserted)


@dataclass
class Pushed:
    endpoint: str
    graphs: list[Sent] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # the project's graphs the export no longer has
    cleaned: list[str] = field(default_factory=list)  # temporary graphs an earlier push left
    diffed: bool = False  # only the quads that changed were sent (``incremental`` with a saved copy)

    @property
    def triples(self) -> int:
        return sum(g.triples for g in self.graphs if g.action != "unchanged")

    @property
    def sent(self) -> list[Sent]:
        return [g for g in self.graphs if g.action != "unchanged"]


def graph_url(endpoint: str, graph: str | None) -> str:
    """``ENDPOINT?default`` or ``ENDPOINT?graph=IRI`` (keeping any query the endpoint has)."""
    joiner = "&" if urllib.parse.urlsplit(endpoint).query else "?"
    if graph is None:
        return f"{endpoint}{joiner}default"
    return f"{endpoint}{joiner}graph={urllib.parse.quote(graph, safe='')}"


def derived_endpoints(endpoint: str) -> tuple[str, str] | None:
    """(update URL, query URL) of a store known by its Graph Store Protocol URL, else None."""
    parts = urllib.parse.urlsplit(endpoint)
    path = parts.path.rstrip("/")
    for suffix, (update, query) in KNOWN_STORES.items():
        if path.endswith(suffix):
            root = path[: -len(suffix)]
            return tuple(urllib.parse.urlunsplit((parts.scheme, parts.netloc, root + p, "", "")) for p in (update, query))
    return None


class Redirected(KGError):
    """The store answered with a redirect, which is never followed."""

    def __init__(self, status: int, url: str, location: str):
        self.status, self.url, self.location = status, url, location
        super().__init__(f"the store answered {status} to {url}, redirecting to {location or '(no Location)'}")


_HINTS = {401: " (check --auth and the credentials in the environment)", 403: " (the account may not write there)",
          404: " (is this the store's Graph Store Protocol URL? see the README)",
          405: " (the store does not accept this method here; is it read-only?)"}


def _refusal(response: Response, method: str, url: str, what: str | None) -> KGError:
    """The store's refusal of a request: of a graph's triples (``what`` None)
    or of the SPARQL request ``what``."""
    if response.redirect:
        return Redirected(response.status, url, response.location)
    detail = response.detail()  # all of it: the reason is often at the end of an HTML page
    hint = _HINTS.get(response.status, "")
    if what is not None and (response.status in (403, 404, 405) or "permission" in detail.lower()):
        hint = (" (--replace needs a SPARQL endpoint that takes updates from this account: give it with "
                "--update-endpoint and --query-endpoint; Virtuoso's is /sparql-auth, with --auth digest)")
    if (url.endswith("default") or " graph default " in (what or "")) and "default graph" in detail.lower():
        hint = " (store the default graph in a named graph with --default-graph IRI; see the README)"  # Virtuoso
    to = f"{what} at {url}" if what is not None else f"{method} {url}"
    return KGError(f"the store answered {response.status_line} to {to}{hint}" + (f": {detail}" if detail else ""))


class _Store:
    """The requests of one push, each retried while its failure may pass."""

    def __init__(self, client: Client, retries: int, backoff: float):
        self.client, self.retries, self.backoff = client, retries, backoff
        self.requests = 0
        self.triples_sent = 0

    def send(self, method: str, url: str, body: bytes, content_type: str, what: str, sparql: str | None = None,
             idempotent: bool = True, accept: str | None = None) -> Response:
        """The store's 2xx answer to one request; ``what`` names it when the
        retries run out, ``sparql`` names a SPARQL request in a refusal. A
        request that is not ``idempotent`` is sent again only when the store
        said it did not run it (502, 503)."""
        headers = {"Content-Type": content_type, **({"Accept": accept} if accept else {})}
        last = ""
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            self.requests += 1
            try:
                response = self.client.request(method, url, content=body, headers=headers)
            except Unreachable as exc:
                # a refused connection means no store there: a wrong address, not a hiccup
                if exc.reason == "connection refused" or not self.retries:
                    raise KGError(f"could not reach {url}: {exc.reason}") from None
                last = f"could not reach {url}: {exc.reason}"
            except (Broken, TimedOut) as exc:
                if not idempotent:
                    raise KGError(f"{exc}; {what} may or may not have been done: push again") from None
                if not self.retries:
                    raise
                last = str(exc)
            else:
                if response.ok:
                    return response
                if (response.status not in TRANSIENT or (not idempotent and response.status == 504)
                        or not self.retries):
                    raise _refusal(response, method, url, sparql)
                detail = response.detail()
                last = f"the store answered {response.status_line}" + (f": {detail}" if detail else "")
        raise KGError(f"gave up on {what} after {self.retries + 1} attempts: {last}")

    def post(self, url: str, body: bytes, what: str) -> None:
        self.send("POST", url, body, "text/turtle; charset=utf-8", what)

    def update(self, url: str, text: str, what: str, idempotent: bool) -> None:
        body = urllib.parse.urlencode({"update": text}).encode()
        self.send("POST", url, body, "application/x-www-form-urlencoded", what, f"the update {what}", idempotent)

    def graphs(self, url: str, prefix: str) -> list[str]:
        """The store's named graphs whose IRI starts with ``prefix``, page by page."""
        found: list[str] = []
        while True:
            query = (f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "
                     f"{json.dumps(prefix)})) }} ORDER BY ?g LIMIT {LIST_PAGE} OFFSET {len(found)}")
            body = urllib.parse.urlencode({"query": query}).encode()
            what = f"the query for the graphs under {prefix}"
            response = self.send("POST", url, body, "application/x-www-form-urlencoded", what, what,
                                 accept="application/sparql-results+json")
            try:
                rows = json.loads(response.body)["results"]["bindings"]
                page = [row["g"]["value"] for row in rows]
            except (ValueError, KeyError, TypeError):
                raise KGError(f"the SPARQL endpoint {url} did not answer the list of graphs as SPARQL JSON results; "
                              "give the store's query endpoint with --query-endpoint") from None
            found += page
            if len(page) < LIST_PAGE:
                return found


def _check(endpoint: str, graph: str | None, default_graph: str | None) -> None:
    parts = urllib.parse.urlsplit(endpoint)
    if "@" in parts.netloc:
        raise KGError("--endpoint must not hold credentials (user:password@host): use --auth basic with "
                      f"{USER_ENV} and {PASSWORD_ENV} in the environment, or --auth bearer with {TOKEN_ENV}")
    if parts.scheme not in ("http", "https"):
        raise KGError(f"--endpoint must be an http(s) URL, not {endpoint!r}")
    if graph is not None and default_graph is not None:
        raise KGError("--graph puts everything in one graph; --default-graph does not go with it")
    if default_graph is not None and not is_absolute_iri(default_graph):
        raise KGError(f"--default-graph must be an absolute IRI such as https://example.org/kg/default, not {default_graph!r}")


def _sparql_endpoints(endpoint: str, update_endpoint: str | None, query_endpoint: str | None) -> tuple[str, str]:
    derived = derived_endpoints(endpoint)
    update = update_endpoint or (derived[0] if derived else None)
    query = query_endpoint or (derived[1] if derived else None)
    if update is None or query is None:
        raise KGError(f"--replace needs the store's SPARQL Update and query endpoints, which cannot be told from "
                      f"{endpoint}: give --update-endpoint URL and --query-endpoint URL")
    for url in (update, query):
        if "@" in urllib.parse.urlsplit(url).netloc or urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise KGError(f"{url!r} is not an http(s) URL without credentials")
    return update, query


Progress = Callable[[int, int], None]  # (triples sent so far, triples to send)


def push(export: Path, endpoint: str, graph: str | None = None, replace: bool = False,
         auth: str = "none", timeout: float = 300.0, environ: dict | None = None,
         max_response_bytes: int = MAX_RESPONSE_BYTES, default_graph: str | None = None,
         batch: int = BATCH, retries: int = RETRIES, backoff: float = BACKOFF,
         update_endpoint: str | None = None, query_endpoint: str | None = None,
         incremental: bool = False, manifest: Path | None = None, progress: Progress | None = None) -> Pushed:
    """Send every graph of ``export`` to the Graph Store Protocol ``endpoint``
    in requests of at most ``batch`` triples, each answered within ``timeout``
    seconds; with ``replace`` (or ``incremental``), each graph all or nothing."""
    _check(endpoint, graph, default_graph)
    replace = replace or incremental
    report = progress or (lambda done, total: None)
    update, query = _sparql_endpoints(endpoint, update_endpoint, query_endpoint) if replace else (None, None)
    login_headers, login_flow = login(auth, environ)
    headers = {"User-Agent": "ai-race-kg push", **login_headers}
    result = Pushed(endpoint)
    with tempfile.TemporaryDirectory(prefix="kg-push-") as folder:
        spilled = split(Path(export), Path(folder), graph, default_graph)
        record = Manifest.for_push(Path(export), endpoint, graph, default_graph, manifest)
        known = record.load() if incremental else {}
        if not replace:
            record.forget()  # the store now holds more than any recorded push sent
        todo = [p for p in spilled.parts if known.get(p.name) != p.sha256]
        total = sum(p.triples for p in todo)
        changes = _changes(export, record, Path(folder), default_graph) if incremental and graph is None else None
        if changes is not None:
            result.diffed = True
            total = changes.removed + changes.added
        with Client("the store", timeout, max_response_bytes, headers, login_flow) as client:
            store = _Store(client, retries, backoff)
            tmp_root = (spilled.graph_prefix or (graph or default_graph or "urn:kg:") + "/") + TMP
            if replace:
                result.cleaned = store.graphs(query, tmp_root)
                _drop(store, update, result.cleaned, "the temporary graphs an earlier push left")
            token = secrets.token_hex(6)
            if changes is not None:
                wanted = {p.target for p in spilled.parts}
                gone = {t for t in known if t not in wanted and spilled.graph_prefix and t.startswith(spilled.graph_prefix)}
                touched = {}
                for change in changes.changes:
                    if change.target in gone:
                        continue  # the whole graph is dropped below
                    requests = _apply(store, update, change, batch, lambda n: report(n, total))
                    touched[change.target] = Sent(change.name, change.added.triples, "updated", requests,
                                                  change.removed.triples)
            for index, part in enumerate(spilled.parts if changes is None else []):
                if part not in todo:
                    result.graphs.append(Sent(part.name, part.triples, "unchanged"))
                    continue
                target = f"{tmp_root}{token}/{index}" if replace else part.target
                try:
                    loads = _load(store, endpoint, part, target, batch, replace, lambda n: report(n, total))
                    if replace:
                        into = f"<{part.target}>" if part.target else "DEFAULT"
                        store.update(update, f"MOVE <{target}> TO {into}", f"moving graph {part.name} into place",
                                     idempotent=False)
                        record.set(part.name, part.sha256)
                except Redirected as exc:
                    sent = [g.name for g in result.graphs if g.action != "unchanged"]
                    so_far = f"{len(sent)} graphs were pushed before it" if sent else "nothing was pushed"
                    raise KGError(f"{exc}; redirects are not followed, so credentials never go to another address, "
                                  f"and {so_far}; if that address is the store, give it as --endpoint") from None
                except KGError:
                    if replace:
                        _try_drop(store, update, target)
                    raise
                result.graphs.append(Sent(part.name, part.triples, "replaced" if replace else "added", loads))
            if changes is not None:
                result.graphs = [touched.get(p.target) or Sent(p.name, p.triples, "unchanged") for p in spilled.parts]
            if replace and graph is None and spilled.graph_prefix:
                wanted = {p.target for p in spilled.parts}
                result.removed = [g for g in store.graphs(query, spilled.graph_prefix) if g not in wanted]
                _drop(store, update, result.removed, "the project's graphs the export no longer has")
            if replace:
                copy = None
                if incremental and graph is None:
                    with reading(export):
                        copy = record.save_copy(nquads_path(export))
                record.keep({p.name: p.sha256 for p in spilled.parts}, copy)
    return result


def _changes(export: Path, record: Manifest, folder: Path, default_graph: str | None) -> Diff | None:
    """The quads that changed since the saved copy, or None without a copy to compare with."""
    old = record.saved()
    if old is None:
        return None
    (folder / "diff").mkdir()
    with reading(export):
        return diff(old, nquads_path(export), folder / "diff", default_graph)


def _apply(store: _Store, update: str, change: Change, batch: int, sent: Callable[[int], None]) -> int:
    """DELETE DATA then INSERT DATA for one graph, at most ``batch`` quads a request
    (both in one request when they fit); the number of requests that took."""
    before = store.requests
    into = (lambda body: f"GRAPH <{change.target}> {{\n{body}}}") if change.target else (lambda body: body)
    requests: list[tuple[str, int]] = []

    def flush():
        text = " ;\n".join(r[0] for r in requests)
        count = sum(r[1] for r in requests)
        store.update(update, text, f"changing {count} quads of graph {change.name}", idempotent=True)
        store.triples_sent += count
        sent(store.triples_sent)
        requests.clear()

    combined = change.removed.triples + change.added.triples <= batch
    for verb, part in (("DELETE DATA", change.removed), ("INSERT DATA", change.added)):
        for body, count in batches(part, batch):
            requests.append((f"{verb} {{ {into(body.decode('utf-8'))} }}", count))
            if not combined:
                flush()
    if requests:
        flush()
    return store.requests - before


def _load(store: _Store, endpoint: str, part: Part, target: str | None, batch: int, temporary: bool,
          sent: Callable[[int], None]) -> int:
    """POST the part's triples into ``target`` in batches; the number of requests that took."""
    before = store.requests
    batches_in_all = -(-part.triples // batch)
    into = f" (into the temporary graph {target})" if temporary else ""
    for number, (body, count) in enumerate(batches(part, batch), 1):
        store.post(graph_url(endpoint, target), body, f"batch {number} of {batches_in_all} of graph {part.name}{into}")
        del body
        # httpx's response and its stream refer to each other, so a request (and its body) lives on until the
        # cycle collector runs; without this, several bodies pile up and the peak grows with the graph
        gc.collect()
        store.triples_sent += count
        sent(store.triples_sent)
    return store.requests - before


def _drop(store: _Store, update: str, graphs: list[str], what: str) -> None:
    if graphs:
        store.update(update, " ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs), f"dropping {what}",
                     idempotent=True)


def _try_drop(store: _Store, update: str, tmp: str) -> None:
    """Drop a temporary graph after a failure, if the store lets us; else the next push does."""
    try:
        store.client.request("POST", update, content=urllib.parse.urlencode({"update": f"DROP SILENT GRAPH <{tmp}>"}).encode(),
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
    except KGError:
        pass
