"""The HTTP layer of a live `kg serve` under abuse: limits on request heads,
slow and idle connections and open connections, processes that die with
their parent, and the security headers of every response."""
from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import httpx
import pytest

from .serve_support import assert_error, free_port, live_kg_serve, wait_until_up
from .test_serve_processes import alive, descendants

# Long enough for a loaded machine, short enough for the suite: the tests wait on sockets, never on a clock.
HEAD_TIMEOUT = 1
WAIT = 15  # a socket read that outlasts this means the server never answered or closed
CROSS_PRODUCT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"  # runs for hours


@pytest.fixture(scope="module")
def server(built):
    with live_kg_serve(built.out, "--processes", "1", "--workers", "1") as url:
        yield url


@pytest.fixture(scope="module")
def impatient(built):
    """A server with short deadlines for request heads and idle connections."""
    with live_kg_serve(built.out, "--processes", "1", "--workers", "1", "--timeout", "3",
                       "--header-timeout", str(HEAD_TIMEOUT), "--keep-alive", "1") as url:
        yield url


def _address(url: str) -> tuple[str, int]:
    host, port = url.removeprefix("http://").split(":")
    return host, int(port)


def _connect(url: str) -> socket.socket:
    sock = socket.create_connection(_address(url), timeout=WAIT)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def _read_all(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    data = b""
    with contextlib.suppress(ConnectionResetError):
        while chunk := sock.recv(65536):
            data += chunk
    return data


def _parse(raw: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(lines[0].split()[1]), headers, body


def _json_error(raw: bytes, status: int) -> dict:
    got, headers, body = _parse(raw)
    assert got == status, raw[:300]
    assert headers["content-type"] == "application/json"
    assert headers["x-content-type-options"] == "nosniff"
    error = json.loads(body)["error"]
    assert set(error) == {"status", "code", "message"} and error["status"] == status
    return error


def _send_until_refused(sock: socket.socket, data: bytes) -> None:
    view = memoryview(data)
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        while view:
            view = view[sock.send(view[:65536]):]


# -- request heads ---------------------------------------------------------------------------------------

def test_a_header_over_the_limit_gets_431_before_it_ends(server):
    """A header of 4 MiB that never ends: refused once 64 KiB (the default) have come, not parsed for ever."""
    with _connect(server) as sock:
        _send_until_refused(sock, b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (4 * 1024 * 1024))
        error = _json_error(_read_all(sock), 431)
    assert error["code"] == "head_too_large"
    assert error["message"] == ("the request line and headers are over the limit of 65536 bytes; "
                                "send a long query by POST")
    assert httpx.get(server + "/health", timeout=WAIT).status_code == 200


def test_a_long_url_over_the_limit_gets_431(server):
    with _connect(server) as sock:
        _send_until_refused(sock, b"GET /sparql?query=" + b"A" * (70 * 1024) + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        assert _json_error(_read_all(sock), 431)["code"] == "head_too_large"


def test_a_head_under_the_limit_is_answered(server):
    response = httpx.get(server + "/health", headers={"X-Big": "a" * (60 * 1024)}, timeout=WAIT)
    assert response.status_code == 200 and response.json()["status"] == "ok"


def test_a_connection_that_sends_nothing_is_closed(impatient):
    with _connect(impatient) as sock:
        assert _read_all(sock) == b""  # closed by the server, without an answer: nothing was asked


def test_a_request_line_without_headers_gets_408(impatient):
    with _connect(impatient) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\n")
        error = _json_error(_read_all(sock), 408)
    assert error == {"status": 408, "code": "head_timeout",
                     "message": f"the request line and headers did not arrive within {HEAD_TIMEOUT} s"}


def test_slowloris_headers_are_cut_off(impatient):
    """A header line every 0.2 s keeps the connection busy but never ends the head: the deadline is for the whole head."""
    with _connect(impatient) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
        sent, answer = 0, b""
        while sent < 10 * WAIT:  # bounded: 10 * WAIT header lines, 0.2 s apart
            try:
                sock.sendall(b"X-Slow-%d: a\r\n" % sent)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += 1
            sock.settimeout(0.2)
            try:
                answer = sock.recv(65536)
            except TimeoutError:
                continue
            break
        sock.settimeout(WAIT)
        answer += _read_all(sock)
    assert _json_error(answer, 408)["code"] == "head_timeout"
    assert sent < 10 * WAIT


def test_an_idle_keep_alive_connection_is_closed(impatient):
    with _connect(impatient) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        status, headers, body = _parse(_read_all(sock))  # the answer, then the close of the idle connection
    assert status == 200 and json.loads(body)["status"] == "ok"
    assert headers["x-content-type-options"] == "nosniff"


def test_a_slow_query_is_not_cut_off_by_the_head_deadline(impatient):
    """The deadline is for the head alone: a query that runs into its 3 s time limit, past the
    head's 1 s deadline, is answered (503 timeout) on a connection that stays open."""
    with httpx.Client(timeout=60) as client:
        response = client.get(impatient + "/sparql", params={"query": CROSS_PRODUCT})
        assert assert_error(response, 503)["code"] == "timeout"
        assert client.get(impatient + "/health").status_code == 200


# -- connections -----------------------------------------------------------------------------------------

def test_past_the_connection_cap_a_new_connection_gets_503(built):
    with live_kg_serve(built.out, "--processes", "1", "--workers", "1", "--max-connections", "4") as url:
        held = [_connect(url) for _ in range(4)]
        try:
            with _connect(url) as sock:
                sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
                raw = _read_all(sock)
            assert _json_error(raw, 503)["code"] == "too_many_connections"
            assert _parse(raw)[1]["retry-after"] == "1"
        finally:
            for sock in held:
                sock.close()
        for _ in range(50):  # bounded: until the server has seen the four close
            response = httpx.get(url + "/health", timeout=WAIT)
            if response.status_code == 200:
                break
            time.sleep(0.1)
        assert response.status_code == 200


def test_a_connection_cap_over_the_open_files_limit_is_lowered(built):
    port = free_port()
    command = [sys.executable, "-c", "import resource; resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256)); "
               "from kg.cli.main import main; main()", "serve", "--export", str(built.out), "--port", str(port),
               "--no-access-log", "--processes", "1", "--workers", "1"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/health", process)  # the lines below come before it answers
    finally:
        process.terminate()
        stderr = process.communicate(timeout=30)[1]
    assert stderr.splitlines()[2] == ("At most 190 connections per process, not 1000: the open-files limit is lower "
                                      "(raise it with ulimit -n)")


# -- processes -------------------------------------------------------------------------------------------


def test_after_a_kill_9_of_the_server_its_processes_and_workers_die(built):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen([sys.executable, "-c", "from kg.cli.main import main; main()", "serve", "--export",
                                str(built.out), "--port", str(port), "--no-access-log", "--processes", "2",
                                "--workers", "2", "--timeout", "60"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    family: set[int] = set()
    try:
        wait_until_up(url + "/health", process)
        for _ in range(300):  # bounded: until the second HTTP process and a worker under each are up
            family = descendants(process.pid)
            if len(family) >= 3:
                break
            time.sleep(0.1)
        assert len(family) == 3

        def ask() -> None:
            with contextlib.suppress(httpx.HTTPError):
                httpx.get(url + "/sparql", params={"query": CROSS_PRODUCT}, timeout=90)

        for _ in range(4):
            threading.Thread(target=ask, daemon=True).start()
        for _ in range(100):  # bounded: until a worker runs a query
            if httpx.get(url + "/health", timeout=WAIT).json()["busy"]:
                break
            time.sleep(0.1)
        family = descendants(process.pid)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        for _ in range(100):  # bounded: ten seconds, far below the queries' 60 s time limit
            if not any(alive(pid) for pid in family):
                break
            time.sleep(0.1)
        assert [pid for pid in family if alive(pid)] == []
    finally:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        process.wait(timeout=30)
        for pid in family:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


# -- response headers ------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/health", "/sparql?query=ASK%7B%7D", "/sparql", "/query", "/no/such/page",
                                  "/entity/deepseek", "/sparql?query=ASK%7B"])
def test_every_response_says_nosniff(server, path):
    response = httpx.get(server + path, timeout=WAIT)
    assert response.headers["x-content-type-options"] == "nosniff"


def test_a_request_the_parser_refuses_says_nosniff(server):
    with _connect(server) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nAccept: \x7f\x01\r\n\r\n")
        assert _json_error(_read_all(sock), 400)["code"] == "bad_http"


def test_an_entity_page_allows_no_script(server):
    response = httpx.get(server + "/entity/deepseek", headers={"Accept": "text/html"}, timeout=WAIT)
    assert response.status_code == 200 and "<script" not in response.text
    assert response.headers["content-security-policy"] == "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:"


def test_the_query_page_keeps_its_script(server):
    response = httpx.get(server + "/query", timeout=WAIT)
    assert "<script>" in response.text
    assert "script-src 'unsafe-inline'" in response.headers["content-security-policy"]


@pytest.mark.parametrize("method, headers", [("DELETE", None), ("POST", "x-secret")])
def test_a_refused_cors_preflight_is_a_json_error(server, method, headers):
    request = {"Origin": "https://elsewhere.example", "Access-Control-Request-Method": method}
    if headers:
        request["Access-Control-Request-Headers"] = headers
    response = httpx.options(server + "/sparql", headers=request, timeout=WAIT)
    error = assert_error(response, 400)
    refused = "method" if method == "DELETE" else "headers"
    assert error == {"status": 400, "code": "cors_refused",
                     "message": f"the cross-origin request was refused ({refused}): any origin may use GET and POST "
                                "with the headers Accept and Content-Type"}
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("path, location", [("/query/", "/query"), ("/entity/deepseek/?format=ttl", "/entity/deepseek?format=ttl"),
                                            ("/health/", "/health")])
def test_a_slash_redirect_ignores_the_host_header(server, path, location):
    response = httpx.get(server + path, headers={"Host": "evil.example"}, timeout=WAIT)
    assert response.status_code == 307
    assert response.headers["location"] == location


def test_a_path_without_a_route_either_way_is_404(server):
    response = httpx.get(server + "/no/such/page/", headers={"Host": "evil.example"}, timeout=WAIT)
    assert assert_error(response, 404)["code"] == "not_found"
