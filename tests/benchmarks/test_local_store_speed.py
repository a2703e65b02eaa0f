"""Benchmark: reading commands and `kg serve` with their defaults (the on-disk store) against the in-memory graph.

On the 10^6-quad synthetic graph (kg.synthetic, 10^5 entities), each command
runs in a fresh process, once with ``KG_STORE_CACHE=off`` (kg.nq parsed into
memory on every call: what every reading command did before the on-disk store)
and once with the defaults: cold (the first call, which loads the store into
.kg-cache/ beside the export) and warm.
`kg serve` runs with its defaults; the figures are the time from process start
to the first 200 from /health (it answers only once every worker has the
graph), and the memory of all its processes then and after one query per
worker: the sum of RSS and the sum of PSS (shared pages divided among the
processes that map them). Rerun with:

    KG_BENCH_DIR=/tmp/kg-bench pytest -m benchmark tests/benchmarks/test_local_store_speed.py -s
"""
from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from ..serve_support import free_port
from .conftest import ENTITIES

pytestmark = pytest.mark.benchmark

MEASURE = Path(__file__).with_name("measure.py")
KG = [sys.executable, "-c", "from kg.cli.main import main; main()"]
LOOKUP = 'SELECT ?e WHERE { ?e rdfs:label "%s"@en }'


def measure(args: list[str], env: dict) -> dict:
    done = subprocess.run([sys.executable, str(MEASURE), *KG, *args], capture_output=True, text=True, env=env,
                          check=True)
    result = json.loads(done.stdout)
    assert result["code"] == 0, result["stderr"]
    return result


def tree(pid: int) -> list[int]:
    """``pid`` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def memory_mib(pid: int) -> tuple[float, float, int]:
    """(sum of RSS, sum of PSS, processes) over the process tree, in MiB."""
    rss = pss = 0
    pids = tree(pid)
    for each in pids:
        try:
            for line in Path(f"/proc/{each}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
        except OSError:
            continue
    return rss / 1024, pss / 1024, len(pids)


def serve_figures(export: Path, env: dict, label: str) -> dict:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    start = time.perf_counter()
    process = subprocess.Popen([*KG, "serve", "--export", str(export), "--port", str(port), "--no-access-log"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        while True:
            assert process.poll() is None, "kg serve exited"
            try:
                if httpx.get(url + "/health", timeout=1.0).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.02)
        first = time.perf_counter() - start
        at_start = memory_mib(process.pid)
        health = httpx.get(url + "/health").json()
        # one query per worker, so that every process has read the graph
        answers = set()
        for _ in range(health["workers"] * 2):
            answer = httpx.post(url + "/sparql", data={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"},
                                headers={"Accept": "text/csv"}, timeout=120)
            answers.add(answer.text)
            httpx.get(url + "/sparql", params={"query": LOOKUP % label}, headers={"Accept": "text/csv"})
        assert len(answers) == 1
        return {"first_answer_s": first, "memory_at_start": at_start, "memory_after_queries": memory_mib(process.pid)}
    finally:
        process.terminate()
        process.wait(timeout=60)


def test_reading_commands_and_serve_on_the_local_store(bench_export):
    cache = bench_export.parent / ".kg-cache"
    memory = {**os.environ, "KG_STORE_CACHE": "off"}
    disk = {key: value for key, value in os.environ.items() if key != "KG_STORE_CACHE"}  # the defaults
    first = json.loads(measure(["query", "SELECT ?id ?l { ?e a kg:Lab ; dct:identifier ?id ; rdfs:label ?l } "
                                "ORDER BY ?id LIMIT 1", "--format", "json", "--export", str(bench_export)],
                               memory)["stdout"])["results"]["bindings"][0]
    label = first["l"]["value"]
    queries = {"actors": ["query", "actors", "--format", "csv"],
               "label lookup": ["query", LOOKUP % label, "--format", "csv"],
               "show": ["show", first["id"]["value"]],
               "show by label": ["show", label],
               "export csv (parses kg.nq)": ["export", "csv"]}
    rows = []
    for name, args in queries.items():
        args = [*args, "--export", str(bench_export)]
        before = measure(args, memory)
        shutil.rmtree(cache, ignore_errors=True)
        cold = measure(args, disk)
        warm = [measure(args, disk) for _ in range(1 if "parses" in name else 3)]
        # the same rows; a query without ORDER BY may list them in another order on the other store
        assert all(sorted(w["stdout"].splitlines()) == sorted(before["stdout"].splitlines()) for w in [cold, *warm])
        best = min(warm, key=lambda r: r["wall"])
        rows.append((name, before, cold, statistics.median(w["wall"] for w in warm), best))
        print(f"\n{name}: {before['wall']:.2f} s / {cold['wall']:.2f} s / {rows[-1][3]:.2f} s, load {os.getloadavg()}",
              flush=True)
    serve_before = serve_figures(bench_export, memory, label)
    measure(queries["label lookup"] + ["--export", str(bench_export)], disk)  # the store loaded, as after any command
    serve_after = serve_figures(bench_export, disk, label)

    print(f"\nkg.nq: {(bench_export / 'kg.nq').stat().st_size / 2**20:.0f} MiB, "
          f"store: {sum(f.stat().st_size for f in cache.rglob('*') if f.is_file()) / 2**20:.0f} MiB")
    print(f"load average: {os.getloadavg()}")
    print("| command | in memory (before) | peak | store, cold | store, warm (median of 3) | peak |")
    print("|---|---|---|---|---|---|")
    for name, before, cold, warm, best in rows:
        print(f"| {name} | {before['wall']:.2f} s | {before['peak_mib']:.0f} MiB | {cold['wall']:.2f} s | "
              f"{warm:.2f} s | {best['peak_mib']:.0f} MiB |")
    print("| kg serve | first answer | RSS at start (sum) | PSS at start (sum) | RSS after queries | PSS after queries | processes |")
    print("|---|---|---|---|---|---|---|")
    for name, s in (("in memory (KG_STORE_CACHE=off)", serve_before), ("defaults (store)", serve_after)):
        (rss0, pss0, n), (rss1, pss1, _) = s["memory_at_start"], s["memory_after_queries"]
        print(f"| {name} | {s['first_answer_s']:.2f} s | {rss0:.0f} MiB | {pss0:.0f} MiB | {rss1:.0f} MiB | "
              f"{pss1:.0f} MiB | {n} |")
