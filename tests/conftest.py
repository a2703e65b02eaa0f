"""Shared fixtures: the real corpus, and the real data built once per session.

``built`` is the data as committed, with every row of Epoch AI's table.
``curated_built`` is the same data with the dataset's curated rows only
(``import: rows``): the tests of how kg push moves a graph, whose cost grows
with every triple sent in small batches, use it.
"""
from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# An absolute datasets folder, so that tests that run from another folder still find it.
os.environ.setdefault("KG_DATASETS", str(ROOT.parent / "shared" / "datasets"))


def _corpus() -> Path:
    path = Path(os.environ.get("KG_CORPUS", ROOT.parent / "shared" / "corpus"))
    if not path.is_dir():
        pytest.exit(f"corpus not found at {path}; set KG_CORPUS", returncode=2)
    return path


def writable_copy(source: Path, target: Path) -> Path:
    """A copy that the test may change, whatever the source's permissions: the
    shared corpus has no write bits, and only root ignores that."""
    shutil.copytree(source, target, copy_function=shutil.copyfile)
    for folder in [target, *(path for path in target.rglob("*") if path.is_dir())]:
        folder.chmod(0o755)
    return target


def write_articles(corpus: Path, articles: dict[str, tuple[str, str]]) -> str:
    """Write each source's article ({id: (file name, text)}) into ``corpus`` and
    return the YAML ``sources:`` block that records them, sha256 included."""
    corpus.mkdir(parents=True, exist_ok=True)
    lines = ["sources:"]
    for source_id, (name, text) in articles.items():
        (corpus / name).write_text(text, encoding="utf-8")
        sha = hashlib.sha256((corpus / name).read_bytes()).hexdigest()
        lines.append(f"  - {{id: {source_id}, file: {name}, sha256: {sha}, kind: news}}")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return _corpus()


def _built(data: Path, corpus: Path, out: Path):
    from kg.build import build

    result = build(data, corpus, out)
    result.out = out
    return result


@pytest.fixture(scope="session")
def built(tmp_path_factory, corpus_dir):
    """The real data, built into a temporary export folder."""
    return _built(DATA, corpus_dir, tmp_path_factory.mktemp("export"))


@pytest.fixture(scope="session")
def store(built):
    """The built graph in pyoxigraph."""
    from kg.graph.store import open_store

    return open_store(built.out)


@pytest.fixture(scope="session")
def curated_built(tmp_path_factory, corpus_dir):
    """The real data with the dataset's curated rows only, built into a temporary export folder."""
    data = tmp_path_factory.mktemp("curated") / "data"
    shutil.copytree(DATA, data)
    record = data / "datasets.yaml"
    text = record.read_text(encoding="utf-8")
    assert text.count("\n    import: all\n") == 1, "data/datasets.yaml no longer imports the whole table"
    record.write_text(text.replace("\n    import: all\n", "\n    import: rows\n"), encoding="utf-8")
    return _built(data, corpus_dir, tmp_path_factory.mktemp("curated-export"))


@pytest.fixture(scope="session")
def curated_store(curated_built):
    """The curated rows' graph in pyoxigraph."""
    from kg.graph.store import open_store

    return open_store(curated_built.out)
