"""export/kg.nq split by the graph each quad goes to, in one streaming pass.

kg.nq is sorted by line, so the quads of one graph are spread all over the
file. ``kg push`` sends one graph at a time, so the quads are first spilled
to one N-Triples file per target graph in a temporary folder: memory holds
one quad and a bounded number of open files, whatever the size of the export,
and the disk holds about one more copy of kg.nq. Each file keeps kg.nq's
order, so its SHA-256 names the graph's content (the manifest of
``--incremental`` compares them).
"""
from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from kg.errors import KGError

# kg push's defaults, here so that the CLI can show them without importing httpx
BATCH = 20_000  # triples per request: about 4 MB of N-Triples in the shape of this graph
RETRIES = 4
OPEN_FILES = 64  # files kept open while spilling; more graphs than that reopen theirs in append mode


@dataclass
class Part:
    """The triples of one target graph, on disk."""

    target: str | None  # the graph's IRI, or None for the store's default graph
    path: Path
    triples: int = 0
    sha256: str = ""

    @property
    def name(self) -> str:
        return self.target or "default"


@dataclass
class Split:
    parts: list[Part]  # the default graph first, then the named graphs by IRI
    graph_prefix: str | None  # where the export's source graphs live: BASE + "graph/" (None if it has none)


class _Files:
    """Append-only files, at most OPEN_FILES of them open at once."""

    def __init__(self):
        self.open: OrderedDict[Path, object] = OrderedDict()

    def write(self, path: Path, data: bytes) -> None:
        handle = self.open.pop(path, None)
        if handle is None:
            if len(self.open) >= OPEN_FILES:
                self.open.popitem(last=False)[1].close()
            handle = open(path, "ab")
        self.open[path] = handle
        handle.write(data)

    def close(self) -> None:
        for handle in self.open.values():
            handle.close()
        self.open.clear()


def split(export: Path, folder: Path, graph: str | None = None, default_graph: str | None = None) -> Split:
    """Spill the quads of ``export`` into ``folder``, one file per target graph:
    all of them into ``graph`` if one is given, else the default graph into
    ``default_graph`` (or the store's default graph) and each named graph into itself."""
    import pyoxigraph

    from kg.graph.store import nquads_path
    from kg.graph.switch import reading
    from kg.graph.terms import PATHS

    parts: dict[str | None, Part] = {}
    hashes: dict[str | None, hashlib._Hash] = {}
    named: set[str] = set()
    files = _Files()
    last = None  # with --graph, a triple in several graphs is sent once (kg.nq is sorted: they are neighbours)
    try:
        with reading(export):
            path = nquads_path(export)
            try:
                for quad in pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.N_QUADS):
                    source = None if isinstance(quad.graph_name, pyoxigraph.DefaultGraph) else quad.graph_name.value
                    if source is not None:
                        named.add(source)
                    line = f"{quad.triple} .\n"
                    if graph is not None:
                        if line == last:
                            continue
                        last, target = line, graph
                    else:
                        target = source
                    part = parts.get(target)
                    if part is None:
                        part = parts[target] = Part(target, folder / f"{len(parts)}.nt")
                        hashes[target] = hashlib.sha256()
                    data = line.encode("utf-8")
                    files.write(part.path, data)
                    hashes[target].update(data)
                    part.triples += 1
            except SyntaxError as exc:
                raise KGError(f"{path} is not valid N-Quads ({exc}); rebuild it with 'kg build'") from None
    finally:
        files.close()
    if default_graph is not None and default_graph in named:
        raise KGError(f"--default-graph {default_graph} is the graph of a source; choose another IRI")
    if graph is None and None in parts and default_graph is not None:
        parts[default_graph] = parts.pop(None)
        parts[default_graph].target = default_graph
        hashes[default_graph] = hashes.pop(None)
    for key, part in parts.items():
        part.sha256 = hashes[key].hexdigest()
    ordered = sorted(parts.values(), key=lambda p: (p.target is not None and p.target != default_graph, p.target or ""))
    first = min(named, default=None)
    prefix = first.rpartition(PATHS["graph"])[0] + PATHS["graph"] if first and PATHS["graph"] in first else None
    return Split(ordered, prefix)


def batches(part: Part, size: int):
    """(N-Triples bytes, triples) of at most ``size`` triples each, read from the part's file."""
    with open(part.path, "rb") as handle:
        lines: list[bytes] = []
        for line in handle:
            lines.append(line)
            if len(lines) == size:
                yield b"".join(lines), len(lines)
                lines = []
        if lines:
            yield b"".join(lines), len(lines)
