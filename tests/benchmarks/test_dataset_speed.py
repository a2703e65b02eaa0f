"""What importing Epoch AI's whole dataset costs `kg build` and `kg query`, on the real data.

Run with:  pytest -m benchmark tests/benchmarks/test_dataset_speed.py -s
(KG_BENCH_REPEAT sets how many times each command runs; the median is kept.)

Three copies of data/, built in a fresh process each (tests/benchmarks/measure.py):
- ``none``: the dataset record removed (articles only);
- ``rows``: the dataset's curated rows only (the record without ``import: all``);
- ``all``: the data as committed (``import: all``), every row of the file imported.
For each: `kg build` wall time and peak memory, the export's files and their sizes, and
`kg query 'ASK {}'` from process start on the export it built, with the on-disk store (the
default: the first call after a build loads it, later ones open it) and parsing kg.nq into
memory on every call (KG_STORE_CACHE=off).
The build of ``all`` must stay under 5 s and give the same bytes twice.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import statistics
import sys

import pytest

from ..conftest import DATA, ROOT
from .test_build_speed import measure

pytestmark = pytest.mark.benchmark
REPEAT = int(os.environ.get("KG_BENCH_REPEAT", "3"))
FILES = ("kg.nq", "kg.ttl", "kg.jsonld", "graph.html")


def _data(tmp_path, variant: str):
    folder = tmp_path / variant / "data"
    shutil.copytree(DATA, folder)
    record = folder / "datasets.yaml"
    text = record.read_text(encoding="utf-8")
    if variant == "none":
        text = text[:text.index("\ndatasets:\n") + 1]  # the record is the file's last section
    elif variant == "rows":
        text = re.sub(r"^    import: all\n", "", text, flags=re.M)
    record.write_text(text, encoding="utf-8")
    return folder


def _median(runs: list[dict], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def _digests(out) -> dict:
    return {name: hashlib.sha256((out / name).read_bytes()).hexdigest() for name in FILES}


def test_dataset_import_speed(tmp_path, corpus_dir):
    report, digests = {}, {}
    for variant in ("none", "rows", "all"):
        data, out = _data(tmp_path, variant), tmp_path / variant / "export"
        builds = [measure(sys.executable, "-m", "kg", "build", "--data", str(data), "--corpus", str(corpus_dir),
                          "--out", str(out)) for _ in range(REPEAT)]
        digests[variant] = _digests(out)
        # kg.nq parsed into memory on every call (KG_STORE_CACHE=off)
        os.environ["KG_STORE_CACHE"] = "off"
        try:
            queries = [measure(sys.executable, "-m", "kg", "query", "ASK {}", "--export", str(out)) for _ in range(REPEAT)]
        finally:
            del os.environ["KG_STORE_CACHE"]
        built = re.match(r"Built (\S+) entities, (\S+) claims and (\S+) quads", builds[-1]["stderr"])
        report[variant] = {
            "entities": built.group(1), "claims": built.group(2), "quads": built.group(3),
            "build_s": round(_median(builds, "wall"), 2), "build_peak_mib": round(max(b["peak_mib"] for b in builds)),
            "query_start_s": round(_median(queries, "wall"), 2), "query_peak_mib": round(max(q["peak_mib"] for q in queries)),
            "bytes": {name: (out / name).stat().st_size for name in FILES},
        }
        # The default: the on-disk store next to the export (.kg-cache/), loaded by the first call, opened by the others.
        stored = [measure(sys.executable, "-m", "kg", "query", "ASK {}", "--export", str(out)) for _ in range(REPEAT + 1)]
        report[variant]["query_start_store_first_s"] = round(stored[0]["wall"], 2)
        report[variant]["query_start_store_s"] = round(_median(stored[1:], "wall"), 2)
        if variant == "all":  # the same input twice: the same bytes
            measure(sys.executable, "-m", "kg", "build", "--data", str(data), "--corpus", str(corpus_dir), "--out", str(out))
            assert _digests(out) == digests["all"]
    report["all_over_none"] = {key: round(report["all"][key] / report["none"][key], 2)
                               for key in ("build_s", "build_peak_mib", "query_start_s", "query_peak_mib")}
    print("\n" + json.dumps(report, indent=2))
    (ROOT / "bench-out").mkdir(exist_ok=True)
    (ROOT / "bench-out" / "dataset.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    assert report["all"]["build_s"] < 5.0
