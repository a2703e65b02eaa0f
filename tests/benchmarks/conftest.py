"""What the benchmarks share: the synthetic graph they measure."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ENTITIES = int(os.environ.get("KG_BENCH_ENTITIES", "100000"))


@pytest.fixture(scope="module")
def bench_export(tmp_path_factory) -> Path:
    """The synthetic graph of ENTITIES entities, built once (and kept between runs in KG_BENCH_DIR)."""
    from kg.build import build
    from kg.synthetic import generate

    folder = Path(os.environ.get("KG_BENCH_DIR") or tmp_path_factory.mktemp("bench"))
    export = folder / f"export-{ENTITIES}"
    if not (export / "kg.nq").is_file():
        data, corpus = generate(folder / f"synth-{ENTITIES}", ENTITIES)
        build(data, corpus, export)
    return export
