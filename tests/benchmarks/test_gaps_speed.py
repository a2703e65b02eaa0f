"""`kg gaps` against `kg build` on the same synthetic data, at two sizes.

Run with:  pytest -m benchmark tests/benchmarks/test_gaps_speed.py -s
(KG_BENCH_ENTITIES sets the larger size; the smaller is a tenth of it.)
Each command runs in a fresh process (tests/benchmarks/measure.py). The
figures are ratios from this one run: gaps over build at each size, and
gaps at the larger size over gaps at the smaller one (10 means linear).
"""
from __future__ import annotations

import json
import os
import sys

import pytest

from kg.synthetic import generate

from .test_build_speed import measure


def _run(tmp_path, entities: int) -> dict:
    data, corpus = generate(tmp_path / str(entities), entities)
    build = measure(sys.executable, "-m", "kg", "build", "--data", str(data), "--corpus", str(corpus),
                    "--out", str(tmp_path / str(entities) / "export"))
    gaps = measure(sys.executable, "-m", "kg", "gaps", "--data", str(data), "--corpus", str(corpus))
    return {"build": build, "gaps": gaps, "rows": int(gaps["stderr"].split()[0])}  # "N uncovered: ..."


@pytest.mark.benchmark
def test_gaps_speed(tmp_path):
    large = int(os.environ.get("KG_BENCH_ENTITIES", "100000"))
    small = max(large // 10, 1)
    runs = {n: _run(tmp_path, n) for n in (small, large)}
    report = {
        f"{n}": {
            "kg_build_s": round(r["build"]["wall"], 2),
            "kg_gaps_s": round(r["gaps"]["wall"], 2),
            "kg_gaps_peak_mib": round(r["gaps"]["peak_mib"]),
            "gaps_over_build": round(r["gaps"]["wall"] / r["build"]["wall"], 2),
            "uncovered_rows": r["rows"],
        }
        for n, r in runs.items()
    }
    report["gaps_large_over_small"] = round(runs[large]["gaps"]["wall"] / runs[small]["gaps"]["wall"], 2)
    print("\n" + json.dumps(report, indent=2))
    # The synthetic articles cover every name; only their running numbers are left.
    assert all(r["rows"] > 0 for r in runs.values())
