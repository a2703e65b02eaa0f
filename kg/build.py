"""The build pipeline: load, verify quotes, compile, write exports."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from .compile import Quad, compile_catalog
from .corpus import Article, resolve_corpus, verify_quotes
from .load import Catalog, load
from .terms import DEFAULT_BASE

DEFAULT_DATA = Path("data")
DEFAULT_OUT = Path("export")


@dataclass
class BuildResult:
    catalog: Catalog
    articles: dict[str, Article]
    quads: list[Quad]
    written: list[Path] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


class _Timer:
    def __init__(self, timings: dict[str, float], stage: str):
        self.timings, self.stage = timings, stage

    def __enter__(self):
        self.start = time.perf_counter()

    def __exit__(self, *exc):
        self.timings[self.stage] = time.perf_counter() - self.start


def check(data: Path = DEFAULT_DATA, corpus: str | Path | None = None, base: str = DEFAULT_BASE) -> BuildResult:
    """Everything a build does except writing files. Raises on bad input."""
    timings: dict[str, float] = {}
    with _Timer(timings, "load"):
        catalog = load(Path(data))
    with _Timer(timings, "quotes"):
        articles = verify_quotes(catalog, resolve_corpus(corpus))
    with _Timer(timings, "compile"):
        quads = compile_catalog(catalog, base)
    return BuildResult(catalog, articles, quads, timings=timings)


def exporters() -> dict:
    """File name -> function(result, base) returning the file's text.

    Every output format registers here; `kg build` writes them all.
    """
    from .export import html, rdf

    return {
        "graph.html": html.write_graph_html,
        "kg.nq": lambda result, base: rdf.write_nquads(result.quads, base),
        "kg.ttl": lambda result, base: rdf.write_turtle(result.quads, base),
        "kg.jsonld": lambda result, base: rdf.write_jsonld(result.quads, base),
    }


def build(data: Path = DEFAULT_DATA, corpus: str | Path | None = None, out: Path = DEFAULT_OUT, base: str = DEFAULT_BASE) -> BuildResult:
    """Check the data, then replace the exports in ``out`` all at once."""
    from .export.files import replace_files

    result = check(data, corpus, base)
    with _Timer(result.timings, "serialise"):
        contents = {name: export(result, base) for name, export in exporters().items()}
    with _Timer(result.timings, "write"):
        result.written = replace_files(Path(out), contents)
    return result
