"""A direct ASGI route for SPARQL queries, in front of Starlette.

GET and POST on /sparql are answered here by the same code as the Starlette
route (:func:`kg.serve.sparql.answer`: the guard, the dataset checks, the size
cap, the worker pool with its time limit, the row cap), without Starlette's
middleware stack, router and request objects, which cost more CPU per
request than the checks themselves. The responses are byte for byte those
of the Starlette route, CORS headers and JSON errors included (a test
compares them). Everything else (the service description, OPTIONS, pages,
/health) goes to the Starlette app.
"""
from __future__ import annotations

from kg.graph.guard import Refused
from kg.serve.sparql import CORS_EXPOSE, answer, internal_error, refusal

PATHS = frozenset({"/sparql", "/sparql/"})
# What Starlette's CORSMiddleware (allow_origins=["*"], no credentials) adds to a simple response.
CORS_SIMPLE = [(b"access-control-allow-origin", b"*"),
               (b"access-control-expose-headers", ", ".join(CORS_EXPOSE).encode("latin-1"))]


def _with_cors(raw: list[tuple[bytes, bytes]], origin: bytes | None) -> list[tuple[bytes, bytes]]:
    if origin is not None:
        raw += CORS_SIMPLE
    varies = [value for key, value in raw if key == b"vary"]
    if not varies:
        raw.append((b"vary", b"Origin"))
        return raw
    merged = b", ".join([*varies, b"Origin"])
    first = next(i for i, (key, _) in enumerate(raw) if key == b"vary")
    raw = [item for i, item in enumerate(raw) if item[0] != b"vary" or i == first]
    raw[first] = (b"vary", merged)
    return raw


async def _send(send, status: int, raw: list[tuple[bytes, bytes]], body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class FastApp:
    """The Starlette app with /sparql queries answered directly."""

    def __init__(self, app):
        self.app = app
        self.state = app.state

    async def __call__(self, scope, receive, send) -> None:
        if (scope["type"] != "http" or scope["path"] not in PATHS or scope["method"] not in ("GET", "POST")
                or (scope["method"] == "GET" and not scope.get("query_string"))):
            await self.app(scope, receive, send)
            return
        headers: dict[bytes, bytes] = {}
        for key, value in scope["headers"]:
            headers.setdefault(key, value)

        def header(name: str) -> str | None:
            value = headers.get(name.encode("latin-1"))
            return None if value is None else value.decode("latin-1")

        async def stream():
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    raise ConnectionResetError("the client went away")
                body = message.get("body", b"")
                if body:
                    yield body
                if not message.get("more_body", False):
                    return

        origin = headers.get(b"origin")
        try:
            answered = await answer(self.state, scope, header, stream)
        except Refused as exc:
            response = refusal(exc, self.state.settings)
            await _send(send, response.status_code, _with_cors(response.raw_headers, origin), response.body)
            return
        except Exception:
            # as Starlette's ServerErrorMiddleware does: a 500 (outside CORS), then the error goes to the log
            response = internal_error()
            await _send(send, 500, response.raw_headers, response.body)
            raise
        if answered is None:  # GET with an empty query string: the service description
            await self.app(scope, receive, send)
            return
        body, media, extra = answered
        raw = [(key.lower().encode("latin-1"), value.encode("latin-1")) for key, value in extra.items()]
        raw += [(b"content-length", str(len(body)).encode("latin-1")), (b"content-type", media.encode("latin-1"))]
        await _send(send, 200, _with_cors(raw, origin), body)
