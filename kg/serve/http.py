"""uvicorn's HTTP protocol, with its own 400 (a request it cannot parse, such
as a header with control characters) in the endpoint's JSON error shape."""
from __future__ import annotations

import json

BAD_REQUEST = json.dumps({"error": {"status": 400, "code": "bad_http",
                                    "message": "the HTTP request could not be parsed"}}).encode()


def _json_400(self, msg: str) -> None:
    head = [b"HTTP/1.1 400 Bad Request\r\n"]
    for name, value in self.server_state.default_headers:
        head += [name, b": ", value, b"\r\n"]
    head += [b"content-type: application/json\r\n", b"content-length: %d\r\n" % len(BAD_REQUEST),
             b"connection: close\r\n", b"\r\n", BAD_REQUEST]
    self.transport.write(b"".join(head))
    self.transport.close()


def protocol():
    """The fastest HTTP protocol class uvicorn has here, with JSON 400s."""
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as base
    except ImportError:  # pragma: no cover - httptools is a dependency
        from uvicorn.protocols.http.h11_impl import H11Protocol as base
    return type("JSONErrorHttpProtocol", (base,), {"send_400_response": _json_400})
