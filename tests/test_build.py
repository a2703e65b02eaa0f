"""The real data builds, deterministically, into the documented model."""
from __future__ import annotations

from kg.build import build

from .conftest import DATA


def test_build_is_byte_identical(tmp_path, corpus_dir):
    first, second = tmp_path / "one", tmp_path / "two"
    build(DATA, corpus_dir, first)
    build(DATA, corpus_dir, second)
    names = sorted(p.name for p in first.iterdir())
    assert names == ["graph.html", "kg.jsonld", "kg.nq", "kg.ttl"]
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
