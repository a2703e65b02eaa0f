"""A fast force-directed layout for the viewer, computed once in Python.

vis-network's own physics jitters and takes seconds past a thousand nodes, and
networkx's ``spring_layout`` computes every pairwise repulsion (about 37 s at
5,000 nodes). This is Fruchterman and Reingold's model with approximate
repulsion: each node is pushed exactly by its nearest neighbours within a few
edge lengths (a k-d tree finds them) and, in graphs of some size, from afar
by the masses of the cells of a coarse grid (a particle-mesh approximation);
edges pull like springs, and a weak gravity keeps components together. Each
iteration costs O(n log n + e) in numpy whatever the density, so 5,000 nodes
take about a second.
Actors with no relation at all are set out on a grid below the rest.

The result depends only on the input and the seed; coordinates are rounded so
that the exported file is byte-identical from one build to the next.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

SPACING = 90.0  # pixels per ideal edge length in the viewer
ITERATIONS = 60
NEIGHBOURS = 12  # near field: how many nearest nodes repel each node exactly...
RADIUS = 3.0  # ...if they are closer than this many ideal edge lengths
GRID = 24  # far field: cells per side of the grid whose masses repel each other
FAR = 0.1  # far field strength: enough to keep dense graphs from collapsing
FAR_FROM = 200  # below this many nodes the near field alone keeps the picture compact and clear


def force_layout(
    nodes: Sequence[str], edges: Sequence[tuple[str, str]], *, seed: int = 0, iterations: int = ITERATIONS
) -> dict[str, tuple[float, float]]:
    """Positions (in viewer pixels, rounded to 0.1) for ``nodes`` joined by ``edges``."""
    import numpy as np

    if not nodes:
        return {}
    index = {node: i for i, node in enumerate(nodes)}
    links = [(index[a], index[b]) for a, b in edges if a != b]
    linked_set = {i for pair in links for i in pair}
    linked = sorted(linked_set)
    isolated = [i for i in range(len(nodes)) if i not in linked_set]
    pos = np.zeros((len(nodes), 2))
    if linked:
        renumber = {old: new for new, old in enumerate(linked)}
        pairs = np.array([(renumber[a], renumber[b]) for a, b in links], dtype=np.int64).reshape(-1, 2)
        pos[linked] = _spring(len(linked), pairs, seed, iterations)
    if isolated:  # actors with no relation: a grid below the rest, out of the way
        pos[isolated] = _grid(len(isolated), pos[linked] if linked else np.zeros((0, 2)))
    pos = (pos - pos.mean(axis=0)) * SPACING
    return {node: (round(float(x), 1) + 0.0, round(float(y), 1) + 0.0) for node, (x, y) in zip(nodes, pos)}


def _spring(n: int, pairs, seed: int, iterations: int):
    """Force-directed positions for ``n`` nodes joined by ``pairs``; ideal edge length 1."""
    import numpy as np
    from scipy.spatial import cKDTree

    if n == 1:
        return np.zeros((1, 2))
    degree = np.bincount(pairs.ravel(), minlength=n).astype(float)
    pull_share = 1.0 / np.sqrt(np.maximum(degree, 1.0))  # hubs move less per spring
    pos = np.random.default_rng(seed).uniform(0.0, math.sqrt(n) * 1.5, size=(n, 2))
    step = math.sqrt(n) * 1.5 / 8  # the temperature: how far a node may move in one iteration
    near = min(NEIGHBOURS, n - 1)
    for _ in range(iterations):
        # Near field: exact repulsion from the nearest neighbours.
        _, idx = cKDTree(pos).query(pos, k=near + 1, distance_upper_bound=RADIUS)
        found = idx[:, 1:] < n  # a missing neighbour has index n
        delta = pos[:, None, :] - pos[np.where(found, idx[:, 1:], 0)]
        push = np.where(found, 1.0 / np.maximum((delta * delta).sum(axis=2), 1e-4), 0.0)
        move = (push[:, :, None] * delta).sum(axis=1)
        if n > FAR_FROM:
            move += _far_field(pos)
        # Springs along the edges, and a weak pull to the centre.
        delta = pos[pairs[:, 0]] - pos[pairs[:, 1]]
        dist = np.sqrt(np.maximum((delta * delta).sum(axis=1), 1e-8))
        move -= _scatter(pairs, ((dist - 1.0) / dist)[:, None] * delta, n) * pull_share[:, None]
        move += (pos.mean(axis=0) - pos) * 0.02
        length = np.sqrt((move * move).sum(axis=1))
        pos += move * (np.minimum(length, step) / np.maximum(length, 1e-9))[:, None]
        step = max(step * 0.92, 0.05)
    return pos


def _far_field(pos):
    """Repulsion between the cells of a coarse grid, by their mass; each node gets its cell's."""
    import numpy as np

    low = pos.min(axis=0)
    span = np.maximum(pos.max(axis=0) - low, 1e-9)
    cell = np.minimum(((pos - low) / span * GRID).astype(np.int64), GRID - 1)
    cid = cell[:, 0] * GRID + cell[:, 1]
    mass = np.bincount(cid, minlength=GRID * GRID).astype(float)
    full = mass > 0
    centres = np.stack([np.bincount(cid, pos[:, j], GRID * GRID)[full] / mass[full] for j in (0, 1)], axis=1)
    delta = centres[:, None, :] - centres[None, :, :]
    dist2 = (delta * delta).sum(axis=2)
    np.fill_diagonal(dist2, np.inf)
    force = np.zeros((GRID * GRID, 2))
    force[full] = ((mass[full][None, :] / dist2)[:, :, None] * delta).sum(axis=1)
    return FAR * force[cid]


def _grid(count: int, above):
    """``count`` points on a grid of spacing 1.5, under the points ``above``, as wide as they are."""
    import numpy as np

    if len(above):
        left, top = above[:, 0].min(), above[:, 1].max() + 2.5
        width = max(above[:, 0].max() - left, math.sqrt(count))
    else:
        left, top, width = 0.0, 0.0, math.sqrt(count) * 1.5
    columns = max(1, int(width / 1.5) + 1)
    i = np.arange(count)
    return np.stack([left + (i % columns) * 1.5, top + (i // columns) * 1.5], axis=1)


def _scatter(pairs, force, n):
    """Add ``force`` to the first node of each pair and subtract it from the second."""
    import numpy as np

    return np.stack(
        [np.bincount(pairs[:, 0], force[:, j], n) - np.bincount(pairs[:, 1], force[:, j], n) for j in (0, 1)],
        axis=1,
    )
