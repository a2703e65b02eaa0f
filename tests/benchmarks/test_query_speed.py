"""Benchmark: every canned query on pyoxigraph against rdflib's SPARQL engine, same graph, same run.

Run with:  pytest -m benchmark tests/benchmarks/test_query_speed.py -s
(KG_BENCH_ENTITIES sets the size, default 100000 entities ~ 10^6 triples;
KG_BENCH_RDFLIB_CAP caps one rdflib run in seconds, default 60.)

rdflib has no way to stop a query, so each rdflib run happens in a forked
child that is killed at the cap; a capped query is reported as "> cap".
Also measured: the wall time of `kg query <canned>` on the real data, from
process start, as a user sees it.
"""
from __future__ import annotations

import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.graph.store import prefixes
from kg.query import canned_queries, run_local

ENTITIES = int(os.environ.get("KG_BENCH_ENTITIES", "100000"))
RDFLIB_CAP = float(os.environ.get("KG_BENCH_RDFLIB_CAP", "60"))
OXIGRAPH_RUNS = 7
RDFLIB_RUNS = 3

pytestmark = [pytest.mark.benchmark, pytest.mark.filterwarnings("ignore::DeprecationWarning")]  # rdflib's Dataset internals


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    from kg.build import build
    from kg.synthetic import generate

    folder = tmp_path_factory.mktemp("synthetic")
    data, corpus = generate(folder, ENTITIES)
    result = build(data, corpus, folder / "export")
    return folder / "export", len(result.quads)


def _oxigraph_run(store, text: str) -> tuple[float, int]:
    start = time.perf_counter()
    count = sum(1 for _ in run_local(store, text))
    return time.perf_counter() - start, count


_GRAPH = None  # the rdflib Dataset, shared with forked children


def _rdflib_child(text: str, conn) -> None:
    start = time.perf_counter()
    count = len(list(_GRAPH.query(text, initNs=prefixes())))
    conn.send((time.perf_counter() - start, count))


def _rdflib_run(text: str) -> tuple[float, int] | None:
    """One rdflib run in a forked child; None when it passes the cap."""
    context = multiprocessing.get_context("fork")
    parent, child = context.Pipe()
    process = context.Process(target=_rdflib_child, args=(text, child))
    process.start()
    ready = parent.poll(RDFLIB_CAP)
    result = parent.recv() if ready else None
    if process.is_alive():
        process.kill()
    process.join()
    return result


def test_canned_queries_pyoxigraph_vs_rdflib(synthetic):
    global _GRAPH
    import rdflib

    from kg.graph.store import open_store

    export, quads = synthetic
    started = time.perf_counter()
    store = open_store(export)
    oxigraph_load = time.perf_counter() - started
    started = time.perf_counter()
    _GRAPH = rdflib.Dataset(default_union=True)
    _GRAPH.parse(export / "kg.nq", format="nquads")
    rdflib_load = time.perf_counter() - started

    lines = [
        f"{quads:,} quads ({ENTITIES:,} synthetic entities); load: pyoxigraph {oxigraph_load:.1f} s, rdflib {rdflib_load:.1f} s",
        f"median of {OXIGRAPH_RUNS} pyoxigraph runs and up to {RDFLIB_RUNS} rdflib runs (each capped at {RDFLIB_CAP:.0f} s)",
        "",
        "| query | rows | pyoxigraph median | rdflib median | rdflib / pyoxigraph |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, query in sorted(canned_queries().items()):
        text = query.text
        runs = [_oxigraph_run(store, text) for _ in range(OXIGRAPH_RUNS)]
        ox = statistics.median(t for t, _ in runs)
        rows = runs[0][1]
        rd_times = []
        for _ in range(RDFLIB_RUNS):
            outcome = _rdflib_run(text)
            if outcome is None:
                break
            rd_times.append(outcome[0])
            assert outcome[1] == rows, f"{name}: rdflib gives {outcome[1]} rows, pyoxigraph {rows}"
            if outcome[0] > RDFLIB_CAP / 4:
                break  # one slow run is enough to know
        if rd_times:
            rd = statistics.median(rd_times)
            lines.append(f"| {name} | {rows:,} | {ox * 1000:.1f} ms | {rd * 1000:.0f} ms ({len(rd_times)} runs) | {rd / ox:,.0f}x |")
        else:
            lines.append(f"| {name} | {rows:,} | {ox * 1000:.1f} ms | > {RDFLIB_CAP:.0f} s (capped) | > {RDFLIB_CAP / ox:,.0f}x |")
    print("\n" + "\n".join(lines))


def test_kg_query_wall_time_from_process_start(built):
    kg = shutil.which("kg") or str(Path(sys.executable).with_name("kg"))
    lines = ["", "| command (real data) | median wall | max |", "|---|---:|---:|"]
    for name in ("trained-on", "founders", "mentions"):
        times = []
        for _ in range(20):
            start = time.perf_counter()
            subprocess.run([kg, "query", name, "--export", str(built.out)], check=True, capture_output=True)
            times.append(time.perf_counter() - start)
        lines.append(f"| kg query {name} | {statistics.median(times) * 1000:.0f} ms | {max(times) * 1000:.0f} ms |")
    print("\n".join(lines))
