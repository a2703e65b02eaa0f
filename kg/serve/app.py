"""The read-only SPARQL 1.1 Protocol endpoint and linked-data pages.

``create_app(export_dir)`` returns a Starlette app; ``kg serve`` runs it with
uvicorn. Every query is checked by :mod:`kg.serve.guard`. A query that is one
triple pattern is then answered by an index lookup in this process
(:mod:`kg.serve.lookup`, bounded in rows and bytes); any other runs in a
worker process under a time limit (:mod:`kg.serve.worker`). Every error is
``{"error": {"status": ..., "code": ..., "message": ...}}``.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, unquote_plus

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.datastructures import URL
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Match, Route, get_route_path

from ..store import nquads_path, open_store, sparql_prologue
from ..terms import DEFAULT_BASE, PATHS, base_prefixes
from . import guard, lookup, pages
from .negotiate import BadAccept, choose
from .results import GRAPH_TYPES, SELECT_TYPES, TooLarge
from .worker import CUT_HEAD, WHOLE_HEAD, Busy, Pool, TimedOut

SELECT_OFFER = tuple(SELECT_TYPES)
GRAPH_OFFER = tuple(GRAPH_TYPES)
PAGE_OFFER = ("text/html", *GRAPH_OFFER)
PAGE_FORMATS = {"html": "text/html", "ttl": "text/turtle", "jsonld": "application/ld+json",
                "nt": "application/n-triples", "rdf": "application/rdf+xml"}
TRUNCATED = "X-Result-Truncated"
LIMIT = "X-Result-Limit"
CORS_EXPOSE = (TRUNCATED, LIMIT, "Retry-After")
HTML_POLICY = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:"
PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:"  # an entity page has no script


@dataclass
class Settings:
    export: Path
    base: str = DEFAULT_BASE
    timeout: float = 10.0
    workers: int = 2
    queue: int = 32
    row_limit: int = 10_000
    max_query_bytes: int = 64 * 1024
    max_result_bytes: int = 64 * 1024 * 1024
    max_depth: int = guard.MAX_DEPTH
    worker_memory_mb: int = 1024
    fast_path: bool = True  # answer /sparql queries without Starlette's stack (kg.serve.fast); same bytes
    direct_lookups: bool = True  # answer one-triple-pattern queries here (kg.serve.lookup); the same rows


def error(status: int, code: str, message: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"error": {"status": status, "code": code, "message": message}}, status, headers=headers)


def internal_error() -> JSONResponse:
    """The 500 for a failure of the server's own; a new response each time, as callers add headers."""
    return error(500, "internal_error", "the server could not answer this request")


def _read_only() -> guard.Refused:
    return guard.Refused(403, "read_only", "this endpoint is read-only; SPARQL updates are refused")


def _too_large(what: str, limit: int) -> guard.Refused:
    return guard.Refused(413, "too_large", f"the {what} is over the limit of {limit} bytes")


def _content_type(header: str | None) -> tuple[str, dict[str, str]]:
    if not header:
        return "", {}
    media, *params = header.split(";")
    options = {}
    for param in params:
        name, _, value = param.partition("=")
        options[name.strip().lower()] = value.strip().strip('"').lower()
    return media.strip().lower(), options


async def _read_body(length: str | None, chunks, limit: int) -> bytes:
    if length and length.isdigit() and int(length) > limit:
        raise _too_large("request body", limit)
    parts, size = [], 0
    async for chunk in chunks:
        size += len(chunk)
        if size > limit:
            raise _too_large("request body", limit)
        parts.append(chunk)
    return b"".join(parts)


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise guard.Refused(400, "bad_encoding", "the request body is not valid UTF-8") from None


def _query_params(text: str) -> list[tuple[str, str]]:
    """parse_qsl(text, keep_blank_values=True), with a shortcut for the usual lone ``query=...``."""
    if "&" in text:
        return parse_qsl(text, keep_blank_values=True)
    name, _, value = text.partition("=")
    return [(unquote_plus(name), unquote_plus(value))] if text else []


async def _params(method: str, query_string: bytes, header, stream, settings: Settings) -> list[tuple[str, str]]:
    """The protocol parameters from the URL and, for POST, the body."""
    params = _query_params(query_string.decode("latin-1")) if query_string else []
    if method != "POST":
        return params
    media, options = _content_type(header("content-type"))
    if media == "application/sparql-update":
        raise _read_only()
    body = await _read_body(header("content-length"), stream(), settings.max_query_bytes)
    if media == "application/x-www-form-urlencoded":
        return params + parse_qsl(_decode(body), keep_blank_values=True)
    if media == "application/sparql-query":
        if options.get("charset", "utf-8") not in ("utf-8", "utf8"):
            raise guard.Refused(415, "bad_media_type", "application/sparql-query must be UTF-8 (charset=utf-8)")
        if any(name == "query" for name, _ in params):
            raise guard.Refused(400, "bad_request", "a query in the body and another in the URL")
        return params + [("query", _decode(body))]
    raise guard.Refused(415, "bad_media_type", "POST a query as application/sparql-query or application/x-www-form-urlencoded")


async def _run(state, job: dict) -> tuple[dict, bytes]:
    try:
        head, body = await state.pool.run(job)
    except Busy as exc:
        if exc.status == 429:
            raise guard.Refused(429, "busy", "too many queries at once; retry shortly") from None
        raise guard.Refused(503, "busy", "no worker came free within the time limit; retry shortly") from None
    except TimedOut:
        raise guard.Refused(503, "timeout", f"the query ran past the time limit of {state.settings.timeout:g} s and was stopped") from None
    if head["status"] != 200:
        raise guard.Refused(**head)
    return head, body


_IRI_SAFE = re.compile(r"^https?://[^<>\"{}|^`\\\x00-\x20]+$")


class _Memo(dict):
    """A small cache of a pure function of request headers; emptied when full,
    so that clients sending endless variants cannot make it grow."""

    def __init__(self, function, size: int = 512):
        super().__init__()
        self.function, self.size = function, size

    def __missing__(self, key):
        if len(self) >= self.size:
            self.clear()
        value = self[key] = self.function(*key)
        return value


def _endpoint_of(scheme, server, root_path, path, host) -> str:
    scope = {"type": "http", "scheme": scheme, "server": server, "root_path": root_path, "path": path,
             "query_string": b"", "headers": [(b"host", host)] if host is not None else []}
    url = URL(scope=scope)
    return str(url) if _IRI_SAFE.match(str(url)) else f"http://127.0.0.1{url.path}"


_ENDPOINTS = _Memo(_endpoint_of)


def endpoint(scope) -> str:
    """This endpoint's IRI (the base for relative IRIs in queries); the Host
    header is the client's, so an unusable one falls back to loopback."""
    host = next((value for key, value in scope["headers"] if key == b"host"), None)
    server = scope.get("server")
    return _ENDPOINTS[scope.get("scheme", "http"), tuple(server) if server else None, scope.get("root_path", ""), scope["path"], host]


def _media_type(media: str) -> str:
    return media + "; charset=utf-8" if media.startswith("text/") else media


def _choice(header: str | None, offered: tuple[str, ...]) -> str | BadAccept | None:
    try:
        return choose(header, list(offered))
    except BadAccept as exc:
        return exc


_CHOICES = _Memo(_choice)


def _negotiate(header: str | None, offered: tuple[str, ...]) -> str:
    media = _CHOICES[header, offered]
    if isinstance(media, BadAccept):
        raise guard.Refused(406, "not_acceptable", "the Accept header could not be parsed")
    if media is None:
        raise guard.Refused(406, "not_acceptable", "none of the media types in Accept can be served; available: " + ", ".join(offered))
    return media


async def answer(state, scope, header, stream) -> tuple[bytes, str, dict] | None:
    """A /sparql query request answered: (body, media type, headers), or None
    for the service description. Shared by the Starlette route and the fast
    path (:mod:`kg.serve.fast`); ``header(name)`` gives a request header and
    ``stream()`` the body's chunks."""
    settings: Settings = state.settings
    pool: Pool = state.pool
    method = scope["method"]
    params = await _params(method, scope.get("query_string", b""), header, stream, settings)
    names = [name for name, _ in params]
    if "update" in names:
        raise _read_only()
    queries = [value for name, value in params if name == "query"]
    if not queries:
        if method == "GET" and not params:
            return None
        raise guard.Refused(400, "bad_request", "no query: pass exactly one 'query' parameter")
    if len(queries) > 1:
        raise guard.Refused(400, "bad_request", "more than one 'query' parameter")
    query = queries[0]
    if len(query.encode("utf-8", "surrogatepass")) > settings.max_query_bytes:
        raise _too_large("query", settings.max_query_bytes)
    await pool.start()
    default = [value for name, value in params if name == "default-graph-uri"]
    named = [value for name, value in params if name == "named-graph-uri"]
    guard.check_dataset_iris(default, pool.graphs, "default-graph-uri")
    guard.check_dataset_iris(named, pool.graphs, "named-graph-uri")
    base = endpoint(scope)
    checked = guard.check(query, pool.graphs, settings.max_depth, base=base)
    offered, writers = (SELECT_OFFER, SELECT_TYPES) if checked.form in ("SELECT", "ASK") else (GRAPH_OFFER, GRAPH_TYPES)
    media = _negotiate(header("accept"), offered)
    fmt = writers[media]
    found = lookup.recognise(checked) if state.store is not None and not (default or named) else None
    answered = _look_up(state, found, fmt) if found is not None else None
    if answered is None:
        job = {"query": checked.text, "format": fmt, "cap": settings.row_limit, "base": base,
               "max_bytes": settings.max_result_bytes}
        if default or named:
            job.update(default=default, named=named)
        answered = await _run(state, job)
    head, body = answered
    headers = {"Vary": "Accept"}
    if head.get("truncated"):
        headers.update({TRUNCATED: "true", LIMIT: str(settings.row_limit)})
    return body, _media_type(media), headers


def _look_up(state, found: lookup.Lookup, fmt: str) -> tuple[dict, bytes] | None:
    settings: Settings = state.settings
    try:
        answered = lookup.answer(state.store, found, fmt, settings.row_limit, settings.max_result_bytes)
    except TooLarge:
        raise guard.Refused(**TooLarge.error(settings.max_result_bytes)) from None
    if answered is None:
        return None
    state.looked_up[0] += 1
    body, truncated = answered
    return (CUT_HEAD if truncated else WHOLE_HEAD), body


async def sparql(request: Request) -> Response:
    answered = await answer(request.app.state, request.scope, request.headers.get, request.stream)
    if answered is None:
        return await service_description(request)
    body, media, headers = answered
    return Response(body, media_type=media, headers=headers)


async def service_description(request: Request) -> Response:
    import pyoxigraph

    pool: Pool = request.app.state.pool
    await pool.start()
    media = _negotiate(request.headers.get("accept"), GRAPH_OFFER)
    iri = endpoint(request.scope)
    formats = ["SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
               "Turtle", "N-Triples", "JSON-LD", "RDF_XML"]
    named = "".join(f" ;\n    sd:namedGraph [ a sd:NamedGraph ; sd:name <{g}> ]" for g in sorted(pool.graphs))
    turtle = f"""@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix void: <http://rdfs.org/ns/void#> .
<{iri}> a sd:Service ;
  sd:endpoint <{iri}> ;
  sd:supportedLanguage sd:SPARQL11Query ;
  sd:feature sd:UnionDefaultGraph ;
  sd:resultFormat {", ".join(f"<http://www.w3.org/ns/formats/{f}>" for f in formats)} ;
  sd:defaultDataset [ a sd:Dataset ;
    sd:defaultGraph [ a sd:Graph ; void:triples {pool.triples} ]{named} ] .
"""
    triples = pyoxigraph.parse(turtle, format=pyoxigraph.RdfFormat.TURTLE)
    body = pyoxigraph.serialize(triples, format=getattr(pyoxigraph.RdfFormat, GRAPH_TYPES[media]),
                                prefixes={"sd": "http://www.w3.org/ns/sparql-service-description#"}
                                if media in ("text/turtle", "application/x-turtle") else None)
    return Response(body, media_type=_media_type(media), headers={"Vary": "Accept"})


async def resource(request: Request) -> Response:
    """The linked-data page of an IRI minted under the base."""
    settings: Settings = request.app.state.settings
    kind, name = request.path_params["kind"], request.path_params["name"]
    if kind + "/" not in PATHS.values() or not guard.SAFE_NAME.match(name):
        raise HTTPException(404)
    iri = f"{settings.base}{kind}/{name}"
    fmt = request.query_params.get("format")
    if fmt is not None and fmt not in PAGE_FORMATS:
        raise guard.Refused(400, "bad_request", "format must be one of " + ", ".join(PAGE_FORMATS))
    media = PAGE_FORMATS[fmt] if fmt else _negotiate(request.headers.get("accept"), PAGE_OFFER)
    cap = settings.row_limit
    _, exists = await _run(request.app.state, {"query": f"ASK {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?p <{iri}> }} }}", "format": "json", "cap": 1})
    if not json.loads(exists)["boolean"]:
        raise guard.Refused(404, "not_found", f"nothing is known about <{iri}>")
    headers = {"Vary": "Accept"}
    if media != "text/html":
        job = {"query": pages.graph_query(iri), "format": GRAPH_TYPES[media], "cap": cap,
               "prefixes": base_prefixes(settings.base)}
        _, body = await _run(request.app.state, job)
        return Response(body, media_type=_media_type(media), headers=headers)
    rows = {}
    for key, query in pages.profile_queries(iri).items():
        _, body = await _run(request.app.state, {"query": query, "format": "json", "cap": cap})
        rows[key] = json.loads(body)["results"]["bindings"]
    html = pages.Page(settings.base, "/").render(iri, rows)
    return HTMLResponse(html, headers={**headers, "Content-Security-Policy": PAGE_POLICY})


async def home(request: Request) -> Response:
    viewer = request.app.state.settings.export / "graph.html"
    if request.url.path == "/" and viewer.is_file():
        return FileResponse(viewer, media_type="text/html; charset=utf-8")
    html = pages.query_page(sparql_prologue(request.app.state.settings.base))
    return HTMLResponse(html, headers={"Content-Security-Policy": HTML_POLICY})


async def health(request: Request) -> Response:
    pool: Pool = request.app.state.pool
    return JSONResponse({"status": "ok", "workers": pool.size, "busy": pool.busy, "time_limit": pool.timeout,
                         "direct_lookups": {"on": request.app.state.store is not None,
                                            "answered": request.app.state.looked_up[0]}})


def refusal(exc: guard.Refused, settings: Settings) -> JSONResponse:
    headers = {}
    if exc.status in (429, 503):
        headers["Retry-After"] = "1" if exc.status == 429 else str(max(1, math.ceil(settings.timeout)))
    return error(exc.status, exc.code, exc.message, headers)


async def _refused(request: Request, exc: guard.Refused) -> Response:
    return refusal(exc, request.app.state.settings)


async def _http_error(request: Request, exc: HTTPException) -> Response:
    codes = {404: ("not_found", "no such page"), 405: ("method_not_allowed", "use GET or POST")}
    code, message = codes.get(exc.status_code, ("http_error", "the request could not be handled"))
    return error(exc.status_code, code, message, exc.headers)


async def _crash(request: Request, exc: Exception) -> Response:
    return internal_error()


class _CORS(CORSMiddleware):
    """Starlette's CORS, with a refused preflight in the one JSON error shape."""

    def preflight_response(self, request_headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code != 400:
            return response
        refused = response.body.decode().removeprefix("Disallowed CORS ")
        headers = {k: v for k, v in response.headers.items() if k not in ("content-type", "content-length")}
        return error(400, "cors_refused", f"the cross-origin request was refused ({refused}): any origin may use "
                     "GET and POST with the headers Accept and Content-Type", headers)


def _slash_redirects(router):
    """Starlette's redirect between /path and /path/, to a Location without
    scheme and host: Starlette's own copies the client's Host header into it."""

    async def redirect(scope, receive, send) -> None:
        path = scope["path"]
        if scope["type"] == "http" and get_route_path(scope) != "/":
            other = {**scope, "path": path.rstrip("/") if path.endswith("/") else path + "/"}
            location = other["path"]
            if not location.startswith("//") and any(route.matches(other)[0] is not Match.NONE for route in router.routes):
                if scope.get("query_string"):
                    location += "?" + scope["query_string"].decode("latin-1")
                await RedirectResponse(location)(scope, receive, send)
                return
        await router.not_found(scope, receive, send)

    return redirect


def create_app(export_dir: Path | str = "export", store=None, **options):
    """The endpoint over the graph built into ``export_dir`` (its kg.nq).

    ``store``, that graph already loaded into pyoxigraph, serves the direct
    lookups; without it the app loads its own copy at startup."""
    settings = Settings(export=Path(export_dir), **options)
    nquads_path(settings.export)  # a KGError now if there is no graph to serve
    pool = Pool(settings.export, size=settings.workers, queue=settings.queue, timeout=settings.timeout,
                memory_mb=settings.worker_memory_mb)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        # this process's own copy of the graph, for direct lookups, loads while the workers load theirs
        loading = None
        if settings.direct_lookups and store is None:
            loading = asyncio.ensure_future(asyncio.to_thread(open_store, settings.export))
        await pool.start()
        if settings.direct_lookups:
            app.state.store = store if loading is None else await loading
        yield
        await pool.close()

    routes = [
        Route("/", home, methods=["GET"]),
        Route("/query", home, methods=["GET"]),
        Route("/health", health, methods=["GET"]),
        Route("/sparql", sparql, methods=["GET", "POST"]),
        Route("/sparql/", sparql, methods=["GET", "POST"]),
        Route("/{kind}/{name}", resource, methods=["GET"]),
    ]
    middleware = [Middleware(_CORS, allow_origins=["*"], allow_methods=["GET", "POST"],
                             allow_headers=["Accept", "Content-Type"], expose_headers=list(CORS_EXPOSE),
                             max_age=600)]
    handlers = {guard.Refused: _refused, HTTPException: _http_error, Exception: _crash}
    app = Starlette(routes=routes, middleware=middleware, exception_handlers=handlers, lifespan=lifespan)
    app.router.redirect_slashes = False
    app.router.default = _slash_redirects(app.router)
    app.state.settings = settings
    app.state.pool = pool
    app.state.store = None  # set at startup when direct lookups are on
    app.state.looked_up = [0]  # queries this process answered by a direct lookup (a list: State's setattr is slow)
    if settings.fast_path:
        from .fast import FastApp

        return FastApp(app)
    return app
