"""The read-only SPARQL 1.1 Protocol endpoint and linked-data pages.

``create_app(export_dir)`` returns a Starlette app; ``kg serve`` runs it with
uvicorn. Every query is checked by :mod:`kg.graph.guard`. A query that is one
triple pattern is then answered by an index lookup in this process
(:mod:`kg.serve.lookup`, bounded in rows and bytes); any other runs in a
worker process under a time limit (:mod:`kg.serve.worker`). Every error is
``{"error": {"status": ..., "code": ..., "message": ...}}``.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Match, Route, get_route_path

from kg.graph import guard
from kg.graph.store import nquads_path, open_store, sparql_prologue
from kg.graph.terms import PATHS, base_prefixes
from kg.report.sparql_results import GRAPH_TYPES
from kg.serve import pages
from kg.serve.pool import Pool
from kg.serve.sparql import (
    CORS_EXPOSE,
    GRAPH_OFFER,
    Settings,
    _media_type,
    _negotiate,
    _run,
    answer,
    endpoint,
    error,
    internal_error,
    refusal,
)

PAGE_OFFER = ("text/html", *GRAPH_OFFER)
PAGE_FORMATS = {"html": "text/html", "ttl": "text/turtle", "jsonld": "application/ld+json",
                "nt": "application/n-triples", "rdf": "application/rdf+xml"}
HTML_POLICY = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:"
PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:"  # an entity page has no script


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
    if request.url.path == "/":
        page = await asyncio.to_thread(_viewer, request.app.state.settings.export)
        if page is not None:
            return Response(page, media_type="text/html; charset=utf-8")
    html = pages.query_page(sparql_prologue(request.app.state.settings.base))
    return HTMLResponse(html, headers={"Content-Security-Policy": HTML_POLICY})


def _viewer(export: Path) -> bytes | None:
    """export/graph.html read whole under the switch lock: one build's file, its length and bytes together."""
    from kg.graph.switch import reading

    with reading(export):
        try:
            return (export / "graph.html").read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None


async def health(request: Request) -> Response:
    pool: Pool = request.app.state.pool
    return JSONResponse({"status": "ok", "workers": pool.size, "busy": pool.busy, "time_limit": pool.timeout,
                         "direct_lookups": {"on": request.app.state.store is not None,
                                            "answered": request.app.state.looked_up[0]}})


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
    lookups; without it the app opens the graph's store (kg.graph.store.open_store) at startup."""
    settings = Settings(export=Path(export_dir), **options)
    nquads_path(settings.export)  # a KGError now if there is no graph to serve
    pool = Pool(settings.export, size=settings.workers, queue=settings.queue, timeout=settings.timeout,
                memory_mb=settings.worker_memory_mb)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        # this process's handle on the graph, for direct lookups, opens while the workers open theirs
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
        from kg.serve.fast import FastApp

        return FastApp(app)
    return app
