"""`kg query --endpoint` against a real Oxigraph server on loopback gives the local rows."""
from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli.main import cli
from kg.query import canned_queries


def _oxigraph() -> str:
    found = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    if not Path(found).is_file():
        pytest.skip("the oxigraph server (pip install oxigraph) is not installed")
    return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def endpoint(built, tmp_path_factory):
    """A read-only Oxigraph server holding the built export, queried over the union graph."""
    binary = _oxigraph()
    location = tmp_path_factory.mktemp("oxigraph")
    subprocess.run([binary, "load", "--location", str(location), "--file", str(built.out / "kg.nq")],
                   check=True, capture_output=True, timeout=120)
    port = _free_port()
    server = subprocess.Popen([binary, "serve-read-only", "--location", str(location),
                               "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/query"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{url}?query=ASK%7B%7D", timeout=2):
                break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"oxigraph did not start: {server.stderr.read().decode(errors='replace')}")
            time.sleep(0.1)
    yield url
    server.terminate()
    server.wait(timeout=10)


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.mark.parametrize("name", sorted(canned_queries()))
def test_remote_rows_equal_local_rows(built, endpoint, name):
    local = run("query", name, "--export", built.out, "-f", "json")
    remote = run("query", name, "--endpoint", endpoint, "-f", "json")
    assert (local.exit_code, remote.exit_code) == (0, 0), remote.stderr
    local_rows, remote_rows = json.loads(local.stdout), json.loads(remote.stdout)
    assert local_rows["results"]["bindings"]
    assert remote_rows == local_rows


def test_remote_table_csv_ask_and_construct(built, endpoint):
    for fmt in ("table", "csv", "tsv"):
        local = run("query", "trained-on", "--export", built.out, "-f", fmt)
        remote = run("query", "trained-on", "--endpoint", endpoint, "-f", fmt)
        assert remote.stdout_bytes == local.stdout_bytes
    ask = "ASK { entity:deepseek-v3 kg:trainedOn entity:nvidia-h800 }"
    assert run("query", ask, "--endpoint", endpoint).stdout == "true\n"
    no = run("query", ask.replace("h800", "h100"), "--endpoint", endpoint)
    assert (no.exit_code, no.stdout) == (1, "false\n")
    describe = "DESCRIBE entity:deepseek-v3"
    assert run("query", describe, "--endpoint", endpoint, "-f", "nt").stdout == run("query", describe, "--export", built.out, "-f", "nt").stdout


def test_remote_error_is_reported(endpoint):
    result = run("query", "SELECT * WHERE { ?s ?p ?o }", "--endpoint", endpoint.replace("/query", "/nothing-here"))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: the SPARQL endpoint {endpoint.replace('/query', '/nothing-here')} answered 404 Not Found")
