"""The real data builds, deterministically, into the documented model."""
from __future__ import annotations

from kg.build import build

from .conftest import DATA


def test_build_is_byte_identical(tmp_path, corpus_dir):
    first, second = tmp_path / "one", tmp_path / "two"
    build(DATA, corpus_dir, first)
    build(DATA, corpus_dir, second)
    names = sorted(p.name for p in first.iterdir() if not p.name.startswith(".kg-"))  # the lock files
    assert names == ["graph.html", "kg.jsonld", "kg.nq", "kg.ttl"]
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_the_compiled_quads_load_as_an_rdflib_dataset(built):
    from kg.graph.compile import to_dataset

    dataset = to_dataset(built.quads)
    assert len(list(dataset.quads())) == len(built.quads)
    graphs = {str(g.identifier).rsplit("/", 1)[-1] for g in dataset.graphs() if str(g.identifier).startswith("https://")}
    assert set(built.catalog.sources) <= graphs


def test_a_write_failure_leaves_the_previous_files(tmp_path):
    from kg.export.files import replace_files

    (tmp_path / "a.txt").write_text("old a")
    (tmp_path / "b.txt").write_text("old b")
    try:
        replace_files(tmp_path, {"a.txt": "new a", "b.txt": "\ud800 cannot be encoded"})
    except UnicodeEncodeError:
        pass
    else:  # pragma: no cover
        raise AssertionError("expected the write to fail")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt"]
    assert (tmp_path / "a.txt").read_text() == "old a"


def test_forked_rendering_gives_the_same_bytes(tmp_path, corpus_dir, monkeypatch):
    import kg.build

    serial, forked = tmp_path / "serial", tmp_path / "forked"
    build(DATA, corpus_dir, serial)
    monkeypatch.setattr(kg.build, "PARALLEL_QUADS", 0)
    build(DATA, corpus_dir, forked)
    for path in serial.iterdir():
        assert (forked / path.name).read_bytes() == path.read_bytes(), path.name
