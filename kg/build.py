"""The build pipeline: load, verify quotes, compile, write exports."""
from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from kg.curate.article import Article
from kg.curate.catalog import Catalog
from kg.curate.corpus import locate_quotes, resolve_corpus
from kg.curate.load import load_catalog
from kg.errors import DataError
from kg.graph.compile import Quad, compile_catalog
from kg.graph.terms import DEFAULT_BASE

DEFAULT_DATA = Path("data")
DEFAULT_OUT = Path("export")


@dataclass
class BuildResult:
    catalog: Catalog
    articles: dict[str, Article]
    quads: list[Quad]
    written: list[Path] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


STAGES = {
    "load": "reading and checking the data",
    "quotes": "locating every quote in the corpus",
    "compile": "compiling the graph",
    "write": "writing the exports",
}


class _Timer:
    def __init__(self, timings: dict[str, float], stage: str, progress=None):
        self.timings, self.stage, self.progress = timings, stage, progress

    def __enter__(self):
        if self.progress:
            self.progress(self.stage)
        self.start = time.perf_counter()

    def __exit__(self, *exc):
        self.timings[self.stage] = time.perf_counter() - self.start


def checked_catalog(data: Path = DEFAULT_DATA, corpus: str | Path | None = None, progress=None,
                    timings: dict[str, float] | None = None):
    """The catalog and the articles it quotes, every quote located; raises on bad input.
    For the commands that need the curated data but not the graph."""
    timings = {} if timings is None else timings
    corpus_dir = resolve_corpus(corpus)
    with _Timer(timings, "load", progress):
        catalog, problems = load_catalog(Path(data), corpus=corpus_dir)
    with _Timer(timings, "quotes", progress):
        articles, quote_problems = locate_quotes(catalog, corpus_dir)
    if problems or quote_problems:
        raise DataError(problems + quote_problems)
    return catalog, articles


def check(data: Path = DEFAULT_DATA, corpus: str | Path | None = None, base: str = DEFAULT_BASE, progress=None) -> BuildResult:
    """Everything a build does except writing files. Raises on bad input.

    ``progress``, if given, is called with each stage's name as it starts.
    """
    timings: dict[str, float] = {}
    catalog, articles = checked_catalog(data, corpus, progress, timings)
    with _Timer(timings, "compile", progress):
        quads = compile_catalog(catalog, base)
    return BuildResult(catalog, articles, quads, timings=timings)


def exporters() -> dict:
    """File name -> function(result, base) returning the file's text.

    Every output format registers here; `kg build` writes them all.
    """
    from kg.export import html, rdf

    return {
        "graph.html": html.write_graph_html,
        "kg.nq": lambda result, base: rdf.write_nquads(result.quads, base),
        "kg.ttl": lambda result, base: rdf.write_turtle(result.quads, base),
        "kg.jsonld": lambda result, base: rdf.write_jsonld(result.quads, base),
    }


def build(data: Path = DEFAULT_DATA, corpus: str | Path | None = None, out: Path = DEFAULT_OUT,
          base: str = DEFAULT_BASE, progress=None, notice=None) -> BuildResult:
    """Check the data, then replace the exports in ``out`` all at once."""
    result = check(data, corpus, base, progress)
    with _Timer(result.timings, "write", progress):
        result.written = write_exports(result, base, Path(out), notice)
    return result


# Above this many quads the exports are rendered in two processes: the
# machine this project targets has two cores, and rendering is half the build.
PARALLEL_QUADS = 200_000
_SLOWEST = ("kg.jsonld", "graph.html")
_FORKED: tuple | None = None


def write_exports(result: BuildResult, base: str, out: Path, notice=None) -> list[Path]:
    """Render every export into ``out``'s staging folder, then switch all in at once
    (see :mod:`kg.graph.switch`). ``notice`` is told if another build holds ``out``."""
    global _FORKED
    from kg.export.files import building, stage, staging, switch

    renderers = exporters()
    forked: dict[str, concurrent.futures.Future] = {}
    pool = None
    with building(out, sorted(renderers), notice) as staging_dir:
        with staging(out) as staged:
            try:
                if len(result.quads) >= PARALLEL_QUADS and "fork" in multiprocessing.get_all_start_methods():
                    _FORKED = (result, base, staging_dir)
                    pool = concurrent.futures.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"),
                                                                  initializer=_die_with_parent, initargs=(os.getpid(),))
                    # The slowest renderings go to the child; the parent does the rest.
                    forked = {name: pool.submit(_stage_forked, name) for name in _SLOWEST if name in renderers}
                for name in sorted(renderers):
                    if name not in forked:
                        staged[name] = stage(staging_dir, name, renderers[name](result, base))
                for name, future in forked.items():
                    staged[name] = future.result()
            except BaseException:
                if pool is not None:
                    pool.shutdown(wait=True)  # so that no child writes after the clean-up, which staging does
                    for name, future in forked.items():
                        if name not in staged and not future.cancelled() and future.exception() is None:
                            staged[name] = future.result()
                raise
            finally:
                if pool is not None:
                    pool.shutdown()
                _FORKED = None
        # outside staging, whose clean-up would delete files a begun switch still needs
        return switch(out, staged)


def _die_with_parent(parent: int) -> None:
    """In the forked renderer: have the kernel kill it when the build dies, by
    any signal (kill -9 included), instead of rendering on with nobody to wait."""
    import ctypes
    import signal

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG (Linux)
    except (OSError, AttributeError):  # not Linux: the renderer ends when it next talks to the pool
        pass
    if os.getppid() != parent:  # the build died before prctl took effect
        os._exit(1)


def _stage_forked(name: str) -> str:
    from kg.export.files import stage

    result, base, staging_dir = _FORKED
    return stage(staging_dir, name, exporters()[name](result, base))
