"""`kg serve --processes N`: several HTTP processes share the port and stop together."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from .serve_support import free_port, wait_until_up


def descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_two_processes_answer_and_stop_together(built):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen([sys.executable, "-c", "from kg.cli.main import main; main()", "serve", "--export", str(built.out),
                                "--port", str(port), "--no-access-log", "--processes", "2", "--workers", "2"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_until_up(url + "/health", process)
        deadline = time.monotonic() + 30
        while len(descendants(process.pid)) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        family = descendants(process.pid)
        assert len(family) == 3  # the second server process and one query worker under each
        health = httpx.get(url + "/health").json()
        assert health["workers"] == 1  # each process has its share of --workers 2
        for _ in range(40):  # new connections: the kernel spreads them over both processes
            with httpx.Client() as client:
                for query in ("ASK { ?s ?p ?o }", "ASK { ?s ?p ?o . ?o ?q ?r }"):  # a direct lookup, and a worker's query
                    response = client.get(url + "/sparql", params={"query": query})
                    assert response.status_code == 200 and response.json()["boolean"] is True
        refused = httpx.get(url + "/sparql", params={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"})
        assert refused.status_code == 400 and refused.json()["error"]["code"] == "service_refused"
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    deadline = time.monotonic() + 15
    while any(alive(pid) for pid in family) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in family if alive(pid)]
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0


def test_fewer_workers_than_processes_is_a_clean_error(built):
    result = subprocess.run([sys.executable, "-c", "from kg.cli.main import main; main()", "serve", "--export", str(built.out),
                             "--port", "0", "--processes", "3", "--workers", "2"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "--workers 2 is fewer than --processes 3" in result.stderr and "Traceback" not in result.stderr


def test_a_port_in_use_is_a_clean_error(built):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-c", "from kg.cli.main import main; main()", "serve", "--export", str(built.out),
                                 "--port", str(port)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr and "Traceback" not in result.stderr


def group_members(pgid: int) -> list[int]:
    """Live processes of a process group (orphans keep their group when re-parented)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(stat.parent.name))
    return members


def start_serve(built, *options):
    return subprocess.Popen([sys.executable, "-c", "from kg.cli.main import main; main()", "serve", "--export", str(built.out),
                             "--port", "0", "--no-access-log", *options], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)


def stopped_cleanly(process, signum) -> list[int]:
    """Send ``signum``; the processes of the server's group still alive a while later."""
    process.send_signal(signum)
    process.wait(timeout=30)
    deadline = time.monotonic() + 15
    while group_members(process.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    return group_members(process.pid)


@pytest.mark.parametrize("options, processes, workers", [
    ((), min(len(os.sched_getaffinity(0)), 4), 2 * min(len(os.sched_getaffinity(0)), 4)),
    (("--processes", "1"), 1, 2),
    (("--workers", "1"), 1, 1),
    (("--processes", "3", "--workers", "5"), 3, 5),
])
def test_by_default_one_process_per_core_and_two_workers_each(built, options, processes, workers):
    process = start_serve(built, *options)
    try:
        lines = [process.stderr.readline(), process.stderr.readline()]
    finally:
        left = stopped_cleanly(process, signal.SIGTERM)
    assert lines[0] == f"Loading {built.out}/kg.nq\n"
    assert f" from {processes} process{'es' if processes > 1 else ''} and {workers} query workers; " in lines[1]
    assert left == []


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
@pytest.mark.parametrize("delay", [0, 0.005, 0.05, 1.0])
def test_a_stop_at_any_moment_of_the_start_leaves_nothing_running(built, signum, delay):
    """The processes fork right after the "Serving" line; a signal then, before
    uvicorn handles signals, must still stop the forked ones and their workers."""
    process = start_serve(built, "--processes", "3", "--workers", "3")
    process.stderr.readline(), process.stderr.readline()
    time.sleep(delay)
    assert stopped_cleanly(process, signum) == []
