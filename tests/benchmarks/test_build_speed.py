"""`kg build` at 10^5 entities (about 10^6 triples), against two references.

Run with:  pytest -m benchmark tests/benchmarks/test_build_speed.py -s
(KG_BENCH_ENTITIES changes the size.) Every figure comes from this one run,
each command in a fresh process:

* ``kg build`` from process start to exit, with its peak memory;
* PyYAML's CSafeLoader just parsing the same file (the time inside the
  process, without interpreter start-up: the stricter comparison);
* a straightforward pipeline: PyYAML's pure-Python SafeLoader, rdflib
  ``Graph.add`` and rdflib's Turtle serializer (tests/benchmarks/baseline.py).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kg.synthetic import generate

HERE = Path(__file__).resolve().parent


def measure(*command: str) -> dict:
    out = subprocess.run([sys.executable, str(HERE / "measure.py"), *command], capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    assert result["code"] == 0, result["stderr"]
    return result


@pytest.mark.benchmark
def test_build_speed(tmp_path):
    entities = int(os.environ.get("KG_BENCH_ENTITIES", "100000"))
    data, corpus = generate(tmp_path, entities)
    yaml_file = data / "entities.yaml"

    csafe = measure(sys.executable, str(HERE / "csafe.py"), str(yaml_file))
    build = measure(sys.executable, "-m", "kg", "build", "--data", str(data), "--corpus", str(corpus), "--out", str(tmp_path / "export"))
    baseline = measure(sys.executable, str(HERE / "baseline.py"), str(yaml_file), str(corpus), str(tmp_path / "baseline.ttl"))

    quads = sum(1 for _ in open(tmp_path / "export" / "kg.nq", encoding="utf-8"))
    parse_only = float(csafe["stdout"].strip())
    report = {
        "entities": entities,
        "yaml_mib": round(yaml_file.stat().st_size / 2**20, 1),
        "quads": quads,
        "kg_build_s": round(build["wall"], 2),
        "kg_build_peak_mib": round(build["peak_mib"]),
        "csafeloader_parse_s": round(parse_only, 2),
        "baseline_s": round(baseline["wall"], 2),
        "baseline_stages": baseline["stdout"].strip(),
        "baseline_peak_mib": round(baseline["peak_mib"]),
        "speedup_vs_baseline": round(baseline["wall"] / build["wall"], 2),
        "build_over_csafeloader_parse": round(build["wall"] / parse_only, 2),
    }
    print("\n" + json.dumps(report, indent=2))
    assert quads > entities * 5

