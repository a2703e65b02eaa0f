"""The one way the project talks to other HTTP servers (``kg push``, ``kg query --endpoint``).

A remote server is not trusted. Every request here has:

- a total deadline, from connecting to the last byte of the answer: a server
  that trickles a byte a second is cut off when it is reached, not kept alive
  by each byte it sends;
- a cap on the size of the answer, checked on ``Content-Length`` before
  reading and again while the body streams in;
- no redirects: a 3xx is handed back like any other answer, so credentials
  and data never go to an address the user did not give;
- clean errors: anything the connection or the server does wrong becomes a
  :class:`KGError`, and whatever text of the server's reaches a message is
  made safe for a terminal first (:func:`kg.error_text.safe_text`).

It uses httpx, asynchronously under the hood, because only a cancellable
request gets a total deadline; :class:`Client` keeps one event loop and one
connection pool for all the requests of a command.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass

import httpx

from kg.error_text import error_text, safe_text

from kg.errors import KGError

USER_AGENT = "ai-race-kg"


class Unreachable(KGError):
    """No connection to the server, or it broke before an answer came."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason


class Broken(KGError):
    """The connection failed after it was made, before the whole answer came."""


class TimedOut(KGError):
    """The whole exchange did not finish within its deadline."""


class TooLarge(KGError):
    """The answer is larger than the size cap."""


class BadAnswer(KGError):
    """The server's bytes are not an HTTP/1.1 answer (or not a complete one)."""


@dataclass(frozen=True)
class Response:
    """A complete answer of at most the size cap; every status is returned, not raised."""

    url: str
    status: int
    reason: str  # the server's reason phrase, terminal-safe
    headers: httpx.Headers
    body: bytes

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def redirect(self) -> bool:
        return 300 <= self.status < 400

    @property
    def status_line(self) -> str:
        """``404 Not Found``."""
        return f"{self.status} {self.reason or httpx.codes.get_reason_phrase(self.status)}".strip()

    @property
    def location(self) -> str:
        return safe_text(self.headers.get("Location", ""))

    def detail(self, limit: int | None = None) -> str:
        """The body's text as one line of terminal-safe text ('' if empty): the
        words of an HTML error page, not its markup, and by default all of them
        (the body was read under the size cap)."""
        return error_text(self.body, self.headers.get("Content-Type", ""), limit)


def _reason(exc: BaseException) -> str:
    """The deepest OS error behind ``exc``, said plainly."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, OSError) and cause.strerror:
            return cause.strerror[0].lower() + cause.strerror[1:]
        cause = cause.__cause__ or cause.__context__
    return safe_text(str(exc)) or type(exc).__name__


class Client:
    """Requests to one server, each under ``timeout`` seconds in all and with
    an answer of at most ``max_bytes``. ``who`` names the server in errors
    (``the store``, ``the SPARQL endpoint``); ``headers`` go with every request.

    Use it as a context manager; it closes its connections at the end.
    """

    def __init__(self, who: str, timeout: float, max_bytes: int, headers: dict[str, str] | None = None,
                 auth: httpx.Auth | None = None):
        self.who, self.timeout, self.max_bytes = who, timeout, max_bytes
        self._auth = auth  # e.g. httpx.DigestAuth, which answers the server's challenge (kg.login)
        self._headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity", **(headers or {})}
        self._runner: asyncio.Runner | None = None
        self._client: httpx.AsyncClient | None = None

    def __enter__(self) -> Client:
        try:
            self._client = httpx.AsyncClient(headers=self._headers, follow_redirects=False,
                                             timeout=httpx.Timeout(self.timeout), auth=self._auth)
        except UnicodeEncodeError:
            raise KGError(f"cannot send a request to {self.who}: a header value (the credentials in the "
                          "environment?) is not ASCII text") from None
        self._runner = asyncio.Runner()
        return self

    def __exit__(self, *exc_info) -> None:
        try:
            self._runner.run(self._client.aclose())
        finally:
            self._runner.close()

    def request(self, method: str, url: str, content: bytes | None = None,
                headers: dict[str, str] | None = None) -> Response:
        """Send one request and read its whole answer, or raise a :class:`KGError`."""
        to = f"{self.who} ({method} {url})"
        try:
            return self._runner.run(self._exchange(method, url, content, headers, to))
        except (TimeoutError, httpx.TimeoutException):  # httpx's per-step limits are the same number
            raise TimedOut(f"{to} sent no complete answer within {self.timeout:g} s "
                           "(--timeout sets the limit for each request)") from None
        except (httpx.RemoteProtocolError, httpx.DecodingError) as exc:
            raise BadAnswer(f"{to} sent an answer that is not valid HTTP/1.1: {_reason(exc)}") from None
        except httpx.LocalProtocolError:  # its message would show the header, which may be a secret
            raise KGError(f"cannot send the request to {url}: a header value (the credentials in the "
                          "environment?) is not valid in HTTP") from None
        except (httpx.ReadError, httpx.WriteError) as exc:
            raise Broken(f"the connection to {to} broke before the whole answer came: {_reason(exc)}") from None
        except (httpx.TransportError, httpx.InvalidURL, OSError) as exc:
            raise Unreachable(f"cannot reach {self.who} {url}: {_reason(exc)}", _reason(exc)) from None

    async def _exchange(self, method, url, content, headers, to) -> Response:
        async with asyncio.timeout(self.timeout):
            async with self._client.stream(method, url, content=content, headers=headers) as answer:
                declared = answer.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > self.max_bytes:
                    raise TooLarge(f"the answer of {to} is {int(declared):,} bytes, more than the cap of "
                                   f"{self.max_bytes:,} bytes (--max-response-bytes); it was not read")
                body = bytearray()
                async for chunk in answer.aiter_bytes():
                    body += chunk
                    if len(body) > self.max_bytes:
                        raise TooLarge(f"the answer of {to} is larger than the cap of {self.max_bytes:,} "
                                       "bytes (--max-response-bytes); reading stopped there")
                return Response(url, answer.status_code, safe_text(answer.reason_phrase, 80), answer.headers, bytes(body))
