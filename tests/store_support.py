"""Real triple stores on loopback for the store tests: Virtuoso from Debian's
``virtuoso-opensource`` package, started on a throwaway database."""
from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from .serve_support import free_port, running

VIRTUOSO_MAX_ROWS = 1000  # ResultSetMaxRows: small, so that a test can pass it quickly

_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DirsAllowed = ., {dir}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
CheckpointInterval = 0
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
ServerThreads = 4
[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = 60
"""


@dataclass
class Virtuoso:
    url: str  # http://127.0.0.1:PORT
    user: str
    password: str

    @property
    def env(self) -> dict[str, str]:
        return {"KG_PUSH_USER": self.user, "KG_PUSH_PASSWORD": self.password}


def virtuoso_binaries() -> tuple[str, str]:
    """The server and its isql client, or a skip (a failure under CI, which installs them)."""
    server = shutil.which("virtuoso-t")
    isql = shutil.which("isql-vt") or shutil.which("isql")
    if server and isql:
        return server, isql
    message = "Virtuoso is not installed: bash .ci/install-system-packages installs virtuoso-opensource"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@contextlib.contextmanager
def virtuoso_server(directory: Path, max_rows: int = VIRTUOSO_MAX_ROWS):
    """Virtuoso on free loopback ports, with its own virtuoso.ini and database
    in ``directory``, ResultSetMaxRows ``max_rows``, and a fresh random password for the user dba."""
    server, isql = virtuoso_binaries()
    directory.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    ini = directory / "virtuoso.ini"
    ini.write_text(_INI.format(dir=directory, sql_port=sql_port, http_port=http_port, max_rows=max_rows))
    url = f"http://127.0.0.1:{http_port}"
    with running([server, "-f", "-c", str(ini)], url + "/sparql?query=ASK%7B%7D", timeout=120, cwd=directory):
        password = secrets.token_hex(12)
        # a new database has dba/dba; the Graph Store endpoint then logs in with digest
        subprocess.run([isql, f"127.0.0.1:{sql_port}", "dba", "dba", f"exec=USER_SET_PASSWORD('dba', '{password}');"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
        yield Virtuoso(url, "dba", password)
