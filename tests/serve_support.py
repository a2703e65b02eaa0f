"""Real servers on loopback for the endpoint tests: `kg serve`, a canary, Oxigraph."""
from __future__ import annotations

import contextlib
import http.server
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

ERROR_KEYS = {"status", "code", "message"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1.0).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server at {url} did not come up")


@contextlib.contextmanager
def running(command: list[str], probe: str, timeout: float = 60.0, cwd: Path | None = None):
    """A server process, up once ``probe`` answers; stopped on exit."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd)
    try:
        wait_until_up(probe, process, timeout)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def local_rows(store, query: str, union: bool = True) -> list[tuple]:
    """A query's rows from pyoxigraph here, as tuples of values (None where unbound)."""
    solutions = store.query(query, use_default_graph_as_union=union)
    names = [v.value for v in solutions.variables]
    return [tuple(s[n].value if s[n] is not None else None for n in names) for s in solutions]


@contextlib.contextmanager
def live_kg_serve(export, *options: str):
    """`kg serve` on an ephemeral loopback port; yields its base URL."""
    port = free_port()
    command = [sys.executable, "-c", "from kg.cli.main import main; main()", "serve", "--export", str(export),
               "--port", str(port), "--no-access-log", *options]
    url = f"http://127.0.0.1:{port}"
    with running(command, url + "/health"):
        yield url


@contextlib.contextmanager
def canary():
    """An HTTP server on loopback that records every request it receives."""
    hits: list[dict] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def _record(self):
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            hits.append({"request": f"{self.command} {self.path}", "authorization": self.headers.get("Authorization")})
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.end_headers()
            self.wfile.write(b'{"head":{"vars":[]},"results":{"bindings":[{}]}}')

        do_GET = do_POST = _record

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sparql", hits
    finally:
        server.shutdown()
        server.server_close()


def assert_error(response, status: int) -> dict:
    """The response has ``status`` and the one JSON error shape, without internals."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == ERROR_KEYS
    assert body["error"]["status"] == status
    text = response.text
    assert "Traceback" not in text and "/work/" not in text and ".py" not in text and "/tmp/" not in text
    return body["error"]


def tool(name: str) -> str:
    """A console script of this environment (oxigraph, rdflib-endpoint)."""
    return shutil.which(name) or str(Path(sys.executable).parent / name)


@contextlib.contextmanager
def oxigraph_server(location, read_only: bool = False, options: tuple[str, ...] = ()):
    """A real Oxigraph server (PyPI `oxigraph`) on an ephemeral loopback port."""
    port = free_port()
    command = [tool("oxigraph"), "serve-read-only" if read_only else "serve", "--location", str(location),
               "--bind", f"127.0.0.1:{port}", *options]
    url = f"http://127.0.0.1:{port}"
    with running(command, url + "/query?query=ASK%7B%7D"):
        yield url
