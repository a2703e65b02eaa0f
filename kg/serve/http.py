"""uvicorn's HTTP protocol (httptools), with the limits a public server needs
and its own refusals in the endpoint's JSON error shape.

- A request head (request line and headers) over ``max_head_bytes`` gets 431
  as soon as that many bytes have arrived: httptools has no such limit, and
  the time it takes to parse a header grows with the square of its length.
- A head must be complete within ``head_timeout`` seconds of the connection
  opening or of the previous response (408 if part of it came, else the
  connection just closes), so idle and slow ("slowloris") connections cannot
  hold sockets for ever; uvicorn's keep-alive timeout still closes an idle
  connection sooner after a response.
- Past ``max_connections`` open connections, a new one is answered 503 and
  closed at once, before the process runs out of file descriptors.
- A request the parser cannot read gets uvicorn's 400, as JSON.

The per-request cost is a few attribute writes: one timer per connection
checks the head's deadline and re-arms itself.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


@dataclass(frozen=True)
class Limits:
    max_head_bytes: int = 64 * 1024
    head_timeout: float = 10.0
    max_connections: int = 1000


def _error_body(status: int, code: str, message: str) -> bytes:
    return json.dumps({"error": {"status": status, "code": code, "message": message}}).encode()


_REASONS = {400: b"Bad Request", 408: b"Request Timeout", 431: b"Request Header Fields Too Large",
            503: b"Service Unavailable"}
BAD_REQUEST = _error_body(400, "bad_http", "the HTTP request could not be parsed")


class _HeadTooLarge(Exception):
    pass


class LimitedHttpProtocol(HttpToolsProtocol):
    """One connection; the class attribute ``limits`` is set per server by :func:`protocol`."""

    limits = Limits()
    _head_bytes: int | None = None  # bytes of the request head read so far; None once the head is complete
    _head_since: float | None = None  # when the wait for the next head began; None while a request is answered
    _head_timer = None
    _oversized = False  # the head just parsed is over the limit

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        if len(self.connections) > self.limits.max_connections:
            self._refuse(503, "too_many_connections",
                         "the server has too many open connections; retry shortly", b"retry-after: 1\r\n")
            return
        self._head_bytes = 0
        self._head_since = self.loop.time()
        self._head_timer = self.loop.call_at(self._head_since + self.limits.head_timeout, self._check_head)

    def connection_lost(self, exc) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._head_bytes is None:
            super().data_received(data)
            return
        # Counted before parsing: a chunk is at most the transport's read size (256 KiB),
        # so the parser's work stays bounded however long the head claims to be.
        self._head_bytes += len(data)
        super().data_received(data)
        if self._head_bytes is not None and self._head_bytes > self.limits.max_head_bytes \
                and not self.transport.is_closing():
            self._refuse_head()

    def on_headers_complete(self) -> None:
        # The bytes counted may include a body read along with the head: measure the head itself.
        if self._head_bytes is not None and self._head_bytes > self.limits.max_head_bytes \
                and self._head_size() > self.limits.max_head_bytes:
            self._oversized = True
            raise _HeadTooLarge()  # stops the parser, which reports a callback error: see send_400_response
        self._head_bytes = self._head_since = None
        super().on_headers_complete()

    def _head_size(self) -> int:
        """The request line and headers as sent, but for spaces around header values."""
        return (len(self.parser.get_method()) + len(self.url) + len(" HTTP/1.1\r\n\r\n")
                + sum(len(name) + len(value) + 4 for name, value in self.headers))

    def _refuse_head(self) -> None:
        self._refuse(431, "head_too_large",
                     f"the request line and headers are over the limit of {self.limits.max_head_bytes} bytes; "
                     "send a long query by POST")

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._head_bytes = 0  # what follows is the next request's head

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.cycle is not None and self.cycle.response_complete and not self.transport.is_closing():
            self._head_since = self.loop.time()  # nothing in flight: wait for the next head

    def _check_head(self) -> None:
        self._head_timer = None
        if self.transport.is_closing():
            return
        now = self.loop.time()
        if self._head_since is None:
            due = now + self.limits.head_timeout
        else:
            due = self._head_since + self.limits.head_timeout
            if now >= due:
                if self._head_bytes:
                    self._refuse(408, "head_timeout", "the request line and headers did not arrive within "
                                 f"{self.limits.head_timeout:g} s")
                else:
                    self.transport.close()
                return
        self._head_timer = self.loop.call_at(due, self._check_head)

    def send_400_response(self, msg: str) -> None:
        if self._oversized:
            self._refuse_head()
        else:
            self._write_error(400, BAD_REQUEST)

    def _refuse(self, status: int, code: str, message: str, extra: bytes = b"") -> None:
        self._head_bytes = self._head_since = None
        self._write_error(status, _error_body(status, code, message), extra)

    def _write_error(self, status: int, body: bytes, extra: bytes = b"") -> None:
        head = [b"HTTP/1.1 %d %s\r\n" % (status, _REASONS[status])]
        for name, value in self.server_state.default_headers:
            head += [name, b": ", value, b"\r\n"]
        head += [b"content-type: application/json\r\n", b"content-length: %d\r\n" % len(body), extra,
                 b"connection: close\r\n", b"\r\n", body]
        self.transport.write(b"".join(head))
        self.transport.close()


def protocol(limits: Limits | None = None) -> type[LimitedHttpProtocol]:
    """uvicorn's httptools protocol class with ``limits``."""
    return type("LimitedHttpProtocol", (LimitedHttpProtocol,), {"limits": limits or Limits()})
