"""`kg push` and `kg query --endpoint` against hostile servers on loopback.

Each server is a raw socket in a thread that reads one request and answers
with exactly the bytes under test: broken HTTP, a trickle, a flood, a
redirect, escape sequences. Every case must end in one clean `Error: ...`
line with exit status 1, and never in a traceback.
"""
from __future__ import annotations

import contextlib
import socket
import struct
import threading

import pytest
from click.testing import CliRunner

from kg.cli.main import cli
from kg.error_text import safe_text

from .serve_support import canary


class Hostile:
    """What the server did: requests it read and bytes it managed to send."""

    def __init__(self):
        self.requests: list[bytes] = []
        self.sent = 0


def _read_request(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head


@contextlib.contextmanager
def hostile_server(answer, reset: bool = False):
    """A loopback server answering every request with ``answer``: bytes, or a
    list of byte strings sent one by one with ``pause`` seconds between them;
    then it closes the connection, with a TCP reset if ``reset``."""
    record = Hostile()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    stop = threading.Event()

    def send(conn, parts, pause):
        for part in parts:
            if stop.is_set():
                return
            conn.sendall(part)
            record.sent += len(part)
            if pause:
                stop.wait(pause)

    def handle(conn):
        with conn:
            try:
                record.requests.append(_read_request(conn))
                if isinstance(answer, bytes):
                    send(conn, [answer], 0)
                else:
                    send(conn, *answer)
                if reset:
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                else:
                    conn.shutdown(socket.SHUT_WR)
            except OSError:  # the client hung up: what these tests want
                pass

    def serve():
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", record
    finally:
        stop.set()
        listener.close()


def kg_push(built, url, *args):
    # each case is about one answer: --retries 0 keeps kg push from asking again (tests/test_push_stores.py
    # checks the retries)
    return CliRunner().invoke(cli, ["push", "--export", str(built.out), "--endpoint", url + "/store", "--retries", "0",
                                    *args])


def kg_query(url, *args, query="trained-on"):
    return CliRunner().invoke(cli, ["query", query, "--endpoint", url + "/sparql", *args])


def assert_clean_error(result, expected: str):
    assert (result.exit_code, result.stdout) == (1, ""), result.output
    assert result.stderr == f"Error: {expected}\n"


ERROR_BODY = "\x1b[2J\x1b]0;owned\x07the store\r\x1b[31mbroke\u009b1m\u202etxt.exe\n"
ERROR_SHOWN = r"\x1b[2J\x1b]0;owned\x07the store \x1b[31mbroke\x9b1m\u202etxt.exe"
PROTOCOL = "sent an answer that is not valid HTTP/1.1: "
# name: (the server's answer, what follows "Error: " for kg push, and for kg query)
CASES = {
    "bad status line": (
        b"HTTP/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n",
        "the store (POST {url}/store?default) " + PROTOCOL + "illegal status line: bytearray(b'HTTP/1.1 2OO OK')",
        "the SPARQL endpoint (POST {url}/sparql) " + PROTOCOL + "illegal status line: bytearray(b'HTTP/1.1 2OO OK')",
    ),
    "garbage": (
        b"\x00\xff\x1b[2J garbage\r\n\r\n",
        "the store (POST {url}/store?default) " + PROTOCOL
        + r"illegal status line: bytearray(b'\x00\xff\x1b[2J garbage')",
        "the SPARQL endpoint (POST {url}/sparql) " + PROTOCOL
        + r"illegal status line: bytearray(b'\x00\xff\x1b[2J garbage')",
    ),
    "HTTP/0.9": (
        b"<html>an answer without a status line</html>\n",
        "the store (POST {url}/store?default) " + PROTOCOL + "{http09}",
        "the SPARQL endpoint (POST {url}/sparql) " + PROTOCOL + "{http09}",
    ),
    "101 headers": (
        b"HTTP/1.1 500 Internal Server Error\r\n" + b"".join(b"X-Header-%d: %d\r\n" % (i, i) for i in range(101))
        + b"Content-Length: 4\r\n\r\nboom",
        "the store answered 500 Internal Server Error to POST {url}/store?default: boom",
        "the SPARQL endpoint {url}/sparql answered 500 Internal Server Error: boom",
    ),
    "65 KB header": (
        b"HTTP/1.1 503 Service Unavailable\r\nX-Big: " + b"a" * 65 * 1024 + b"\r\nContent-Length: 4\r\n\r\nbusy",
        "the store answered 503 Service Unavailable to POST {url}/store?default: busy",
        "the SPARQL endpoint {url}/sparql answered 503 Service Unavailable: busy",
    ),
    "200 KB of headers": (
        b"HTTP/1.1 200 OK\r\n" + b"X-Big: " + b"a" * 200 * 1024 + b"\r\n\r\n",
        "the store (POST {url}/store?default) " + PROTOCOL + "{too_long}",
        "the SPARQL endpoint (POST {url}/sparql) " + PROTOCOL + "{too_long}",
    ),
    "HTTP/2 200": (
        b"HTTP/2 200\r\nContent-Length: 0\r\n\r\n",
        "the store (POST {url}/store?default) " + PROTOCOL + "illegal status line: bytearray(b'HTTP/2 200')",
        "the SPARQL endpoint (POST {url}/sparql) " + PROTOCOL + "illegal status line: bytearray(b'HTTP/2 200')",
    ),
    "short body": (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\nContent-Length: 100\r\n\r\n{\"head\"",
        "the store (POST {url}/store?default) " + PROTOCOL
        + "peer closed connection without sending complete message body (received 7 bytes, expected 100)",
        "the SPARQL endpoint (POST {url}/sparql) " + PROTOCOL
        + "peer closed connection without sending complete message body (received 7 bytes, expected 100)",
    ),
    "error body with escape sequences": (
        b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s"
        % (len(ERROR_BODY.encode()), ERROR_BODY.encode()),
        "the store answered 500 Internal Server Error to POST {url}/store?default: " + ERROR_SHOWN,
        "the SPARQL endpoint {url}/sparql answered 500 Internal Server Error: " + ERROR_SHOWN,
    ),
    "announced huge body": (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\nContent-Length: 600000000\r\n\r\n{",
        "the answer of the store (POST {url}/store?default) is 600,000,000 bytes, more than the cap of "
        "1,048,576 bytes (--max-response-bytes); it was not read",
        "the answer of the SPARQL endpoint (POST {url}/sparql) is 600,000,000 bytes, more than the cap of "
        "268,435,456 bytes (--max-response-bytes); it was not read",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_broken_answers_are_clean_errors(built, case):
    answer, push_error, query_error = CASES[case]
    with hostile_server(answer) as (url, record):
        pushed = kg_push(built, url)
        queried = kg_query(url)
    assert len(record.requests) == 2  # one request each: neither command retries or follows anything
    details = {"http09": "Server disconnected without sending a response.",
               "too_long": "Receive buffer too long"}
    assert_clean_error(pushed, push_error.format(url=url, **details))
    assert_clean_error(queried, query_error.format(url=url, **details))


def test_malformed_sparql_json_is_a_clean_error():
    body = b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"uri"}}]}}'
    answer = b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\nContent-Length: %d\r\n\r\n%s" % (
        len(body), body)
    with hostile_server(answer) as (url, _):
        result = kg_query(url)
    assert_clean_error(result, f"the SPARQL endpoint {url}/sparql sent an answer that is not "
                               "application/sparql-results+json: uri serialization must have a 'value' key")


TRICKLE = b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n" + b"X-Slow: " + b"a" * 100 + b"\r\n\r\n"


@pytest.mark.parametrize("command", ["push", "query"])
def test_a_trickling_server_is_cut_off_at_the_deadline(built, command):
    """A byte every 0.25 s would take 30 s; --timeout 1 ends it after about one second.

    Loosely: the command must end while the server is still trickling."""
    parts = [bytes([b]) for b in TRICKLE]
    with hostile_server((parts, 0.25)) as (url, record):
        result = kg_push(built, url, "--timeout", "1") if command == "push" else kg_query(url, "--timeout", "1")
        sent = record.sent
    assert 0 < sent < len(TRICKLE)
    who = f"the store (POST {url}/store?default)" if command == "push" else f"the SPARQL endpoint (POST {url}/sparql)"
    assert_clean_error(result, f"{who} sent no complete answer within 1 s (--timeout sets the limit for each request)")


@pytest.mark.parametrize("command", ["push", "query"])
def test_a_huge_body_stops_at_the_size_cap(built, command):
    chunk = b"x" * 65536
    flood = [b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n\r\n"] + [chunk] * 1024  # 64 MiB
    with hostile_server((flood, 0)) as (url, record):
        args = ("--max-response-bytes", "1000000")
        result = kg_push(built, url, *args) if command == "push" else kg_query(url, *args)
        sent = record.sent
    assert sent < 16 * len(chunk) * 16  # stopped long before the 64 MiB
    who = f"the store (POST {url}/store?default)" if command == "push" else f"the SPARQL endpoint (POST {url}/sparql)"
    assert_clean_error(result, f"the answer of {who} is larger than the cap of 1,000,000 bytes "
                               "(--max-response-bytes); reading stopped there")


def test_query_does_not_follow_a_redirect(built):
    with canary() as (target, hits):
        answer = f"HTTP/1.1 302 Found\r\nLocation: {target}\r\nContent-Length: 0\r\n\r\n".encode()
        with hostile_server(answer) as (url, record):
            queried = kg_query(url)
            pushed = kg_push(built, url)
    assert hits == [] and len(record.requests) == 2
    assert_clean_error(queried, f"the SPARQL endpoint {url}/sparql answered 302 Found, redirecting to {target}; "
                                "redirects are not followed, so only the given address is contacted; "
                                "if that address is the endpoint, give it as --endpoint")
    assert_clean_error(pushed, f"the store answered 302 to {url}/store?default, redirecting to {target}; redirects "
                               "are not followed, so credentials never go to another address, and nothing was pushed; "
                               "if that address is the store, give it as --endpoint")


def test_safe_text_escapes_what_a_terminal_would_obey():
    assert safe_text("ok \x1b[2J\x07\x00\x7f\u0085\u202e\u2066 done\r\nnext") == \
        r"ok \x1b[2J\x07\x00\x7f\x85\u202e\u2066 done next"
    assert safe_text("a" * 400) == "a" * 297 + "..."
    assert safe_text("Ünïcode, 中文 and emoji 🙂 stay") == "Ünïcode, 中文 and emoji 🙂 stay"


def test_a_connection_reset_mid_answer_is_a_clean_error(built):
    with hostile_server(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{", reset=True) as (url, _):
        pushed = kg_push(built, url)
        queried = kg_query(url)
    broke = "broke before the whole answer came: connection reset by peer"
    assert_clean_error(pushed, f"the connection to the store (POST {url}/store?default) {broke}")
    assert_clean_error(queried, f"the connection to the SPARQL endpoint (POST {url}/sparql) {broke}")


@pytest.mark.parametrize("token, problem", [("t\u00f6k\u20acn", "is not ASCII text"), ("a\nb", "is not valid in HTTP")])
def test_a_token_that_cannot_be_a_header_is_a_clean_error_that_does_not_show_it(built, token, problem):
    with hostile_server(b"HTTP/1.1 204 No Content\r\n\r\n") as (url, record):
        result = CliRunner().invoke(cli, ["push", "--export", str(built.out), "--endpoint", url + "/store", "--auth",
                                          "bearer"], env={"KG_PUSH_TOKEN": token})
    assert not any(record.requests)  # not a byte of the request was sent
    where = "a request to the store" if "ASCII" in problem else f"the request to {url}/store?default"
    assert_clean_error(result, f"cannot send {where}: a header value (the credentials in the environment?) {problem}")
