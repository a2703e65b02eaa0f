"""The built graph as a pyoxigraph store, for queries.

pyoxigraph answers SPARQL 1.1 orders of magnitude faster than rdflib. The
store is loaded from export/kg.nq; queries see the union of the default graph
and every source's named graph unless they ask for a GRAPH.
"""
from __future__ import annotations

from pathlib import Path

from kg.errors import KGError

DEFAULT_EXPORT = Path("export")
NQUADS = "kg.nq"


def sparql_prologue(base: str | None = None) -> str:
    """PREFIX declarations for the vocabularies (and the minted IRIs)."""
    return "".join(f"PREFIX {name}: <{ns}>\n" for name, ns in sorted(prefixes(base).items()))


def open_store(export: Path = DEFAULT_EXPORT, whole_graph: bool = False):
    """A pyoxigraph Store holding export/kg.nq: its on-disk copy opened read-only
    (kg.graph.local_store), or in memory with KG_STORE_CACHE=off.

    ``whole_graph``: the caller joins every actor with every claim (kg path, rank,
    export). pyoxigraph answers such joins several times faster in memory than
    on RocksDB, by more than parsing kg.nq costs (BENCHMARKS.md, "The on-disk
    store"), so those callers get the graph parsed into memory."""
    from kg.graph.local_store import load_nquads, open_local
    from kg.graph.switch import reading

    with reading(export):
        path = nquads_path(export)
        if whole_graph:
            return load_nquads(path, str(path))
        return open_local(path)[0]


def nquads_path(export: Path) -> Path:
    path = Path(export)
    if path.is_dir():
        path = path / NQUADS
    if not path.is_file():
        raise KGError(f"{path} not found; run 'kg build' first (or pass --export DIR)")
    return path


def check_nquads(export: Path = DEFAULT_EXPORT) -> None:
    """Read export/kg.nq through without keeping it: a KGError if it is missing or not valid N-Quads."""
    import pyoxigraph

    from kg.graph.switch import reading

    with reading(export):
        path = nquads_path(export)
        try:
            for _ in pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.N_QUADS):
                pass
        except SyntaxError as exc:
            raise KGError(f"{path} is not valid N-Quads ({exc}); rebuild it with 'kg build'") from None


def prefixes(base: str | None = None) -> dict[str, str]:
    """The prefixes declared for every query: vocabularies and minted IRIs."""
    from kg.graph.terms import DEFAULT_BASE, base_prefixes

    return base_prefixes(base or DEFAULT_BASE)


__all__ = ["DEFAULT_EXPORT", "NQUADS", "check_nquads", "nquads_path", "open_store", "prefixes", "sparql_prologue"]
