"""What changed between the kg.nq last pushed to a store and the new one, per graph.

kg.nq is sorted by line and has no blank nodes (kg.graph.compile), so two
exports are compared with one merge of two line streams, as ``comm`` does:
memory holds two lines, whatever the size of the files, and the quads that
differ are spilled to one N-Triples file per target graph and direction
(removed, added). A line out of order means the file is not sorted as this
merge needs: ``diff`` then answers None and the caller sends whole graphs.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kg.push_split import Part, _Files


@dataclass
class Change:
    """The quads one target graph lost and gained."""

    target: str | None  # the graph's IRI, or None for the store's default graph
    removed: Part
    added: Part

    @property
    def name(self) -> str:
        return self.target or "default"


@dataclass
class Diff:
    changes: list[Change] = field(default_factory=list)  # the default graph first, then by IRI

    @property
    def removed(self) -> int:
        return sum(c.removed.triples for c in self.changes)

    @property
    def added(self) -> int:
        return sum(c.added.triples for c in self.changes)


def _lines(path: Path):
    with open(path, "rb") as handle:
        yield from handle


class Unsorted(Exception):
    pass


def _ordered(lines):
    last = b""
    for line in lines:
        if line < last:
            raise Unsorted
        last = line
        yield line


def merged(old: Path, new: Path):
    """(sign, line) for each line only in ``old`` ("-") or only in ``new`` ("+"), in order."""
    before, after = _ordered(_lines(old)), _ordered(_lines(new))
    a, b = next(before, None), next(after, None)
    while a is not None or b is not None:
        if b is None or (a is not None and a < b):
            yield "-", a
            a = next(before, None)
        elif a is None or b < a:
            yield "+", b
            b = next(after, None)
        else:
            a, b = next(before, None), next(after, None)


def diff(old: Path, new: Path, folder: Path, default_graph: str | None = None) -> Diff | None:
    """The quads removed and added from ``old`` to ``new``, per target graph
    (the default graph into ``default_graph`` if given), spilled into ``folder``;
    None if either file is not sorted by line."""
    import pyoxigraph

    changes: dict[str | None, Change] = {}
    files = _Files()
    try:
        for sign, line in merged(old, new):
            quad = next(iter(pyoxigraph.parse(line, format=pyoxigraph.RdfFormat.N_QUADS)))
            source = None if isinstance(quad.graph_name, pyoxigraph.DefaultGraph) else quad.graph_name.value
            target = default_graph if source is None else source
            change = changes.get(target)
            if change is None:
                n = len(changes)
                change = changes[target] = Change(target, Part(target, folder / f"{n}-removed.nt"),
                                                  Part(target, folder / f"{n}-added.nt"))
                for part in (change.removed, change.added):
                    part.path.touch()
            part = change.removed if sign == "-" else change.added
            files.write(part.path, f"{quad.triple} .\n".encode("utf-8"))
            part.triples += 1
    except Unsorted:
        return None
    finally:
        files.close()
    ordered = sorted(changes.values(), key=lambda c: (c.target is not None and c.target != default_graph, c.target or ""))
    return Diff(ordered)
