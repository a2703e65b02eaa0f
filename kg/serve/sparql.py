"""The SPARQL 1.1 Protocol: reading a request, negotiating the answer's format, running
the query on the worker pool and answering, shared by the Starlette route and the fast route."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, unquote_plus

from starlette.datastructures import URL
from starlette.responses import JSONResponse

from kg.graph import guard
from kg.graph.terms import DEFAULT_BASE
from kg.report.sparql_results import GRAPH_TYPES, SELECT_TYPES, TooLarge
from kg.serve import lookup
from kg.serve.negotiate import BadAccept, choose
from kg.serve.pool import Pool
from kg.serve.worker import CUT_HEAD, WHOLE_HEAD, Busy, TimedOut

SELECT_OFFER = tuple(SELECT_TYPES)
GRAPH_OFFER = tuple(GRAPH_TYPES)
TRUNCATED = "X-Result-Truncated"
LIMIT = "X-Result-Limit"
CORS_EXPOSE = (TRUNCATED, LIMIT, "Retry-After")


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


def refusal(exc: guard.Refused, settings: Settings) -> JSONResponse:
    headers = {}
    if exc.status in (429, 503):
        headers["Retry-After"] = "1" if exc.status == 429 else str(max(1, math.ceil(settings.timeout)))
    return error(exc.status, exc.code, exc.message, headers)
