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
Actors with no relation at all are set out in rows below the rest.

Each actor's name is drawn under it, and names are far wider than the ideal
edge length, so the layout then makes room for them: given each node's
footprint (its shape and its label, whose size :func:`label_box` estimates
from the viewer's font metrics), the rows of unlinked actors are packed by
width, and a few rounds push apart every two footprints that overlap, along
the axis where they overlap least.

Given the positions of some nodes (the viewer's first picture), the others are
laid out around them the same way while those stay put.

The result depends only on the input and the seed; coordinates are rounded so
that the exported file is byte-identical from one build to the next.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

SPACING = 50.0  # pixels per ideal edge length in the viewer; labels then take the room they need
WIDEN = 1.5  # the picture is stretched sideways this much: names are wide and so are screens
ITERATIONS = 60
NEIGHBOURS = 12  # near field: how many nearest nodes repel each node exactly...
RADIUS = 3.0  # ...if they are closer than this many ideal edge lengths
GRID = 24  # far field: cells per side of the grid whose masses repel each other
FAR = 0.1  # far field strength: enough to keep dense graphs from collapsing
FAR_FROM = 200  # below this many nodes the near field alone keeps the picture compact and clear

# The viewer's label font; viewer.js draws with these (kg.export.viewer_data passes them on).
FONT_FACE = "arial"
FONT_SIZE = 14.0
LABEL_WIDTH = 150.0  # a longer name wraps onto more lines (vis-network's widthConstraint.maximum)
LABEL_OFFSET = 11.0  # from the bottom of a node's shape to the top of its label, as vis-network draws it
GAP = 6.0  # free space kept around each footprint
SEPARATE_ROUNDS = 80  # at most this many rounds of pushing overlapping footprints apart
COVER = 0.3  # before those rounds, the picture is spread out until footprints cover at most this share of it
SPREAD_EVERY, SPREAD = 20, 1.1  # and every so many rounds, if some still overlap, spread out this much more
# Advance widths of ASCII 32-126 in Arial (metric-compatible with Liberation Sans), in 1/1000 em.
_ARIAL = (
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667,
    611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500,
    222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
)
_WIDE = 1000  # any other character: as wide as a CJK ideograph, the widest common case
_SLACK = 1.08  # the browser may fall back to a wider font; estimate widths on the generous side


def text_width(text: str, size: float = FONT_SIZE, slack: float = _SLACK) -> float:
    """About how many pixels ``text`` takes in the label font, erring wide by ``slack``."""
    units = sum(_ARIAL[ord(c) - 32] if 32 <= ord(c) < 127 else _WIDE for c in text)
    return units * size / 1000 * slack


def label_lines(text: str, size: float = FONT_SIZE, width: float = LABEL_WIDTH, slack: float = _SLACK) -> list[str]:
    """``text`` wrapped greedily at spaces into lines no wider than ``width``, as vis-network does.

    Widths are estimated generously, so this never gives fewer lines than the browser draws.
    """
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if text_width(candidate, size, slack) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        for char in word:  # a word wider than a line is cut where it must be
            if line and text_width(line + char, size, slack) > width:
                lines.append(line)
                line = ""
            line += char
    if line:
        lines.append(line)
    return lines


def label_box(text: str, size: float = FONT_SIZE, width: float = LABEL_WIDTH) -> tuple[float, float]:
    """(width, height) in pixels of ``text`` drawn as a node's label, erring large."""
    lines = label_lines(text, size, width)
    if not lines:
        return 0.0, 0.0
    # A browser with Arial's own metrics may keep on one line what the generous
    # estimate wraps ("restricted open-source"): reserve room for both wrappings.
    exact = label_lines(text, size, width, slack=1.0)
    widest = max(text_width(line, size) for line in lines + exact)
    # vis-network gives each line of a label the font's size in height.
    return min(widest, width), max(len(lines), len(exact)) * size


def footprint(label: str, radius: float) -> tuple[float, float, float]:
    """(width, above, below): the box a node of ``radius`` takes with ``label`` under it.

    It spans x - width / 2 to x + width / 2 and y - above to y + below (y grows downwards).
    """
    width, height = label_box(label)
    return max(2 * radius, width), radius, radius + (LABEL_OFFSET + height if height else 0.0)


def force_layout(
    nodes: Sequence[str],
    edges: Sequence[tuple[str, str]],
    *,
    boxes: Mapping[str, tuple[float, float, float]] | None = None,
    seed: int = 0,
    iterations: int = ITERATIONS,
    fixed: Mapping[str, tuple[float, float]] | None = None,
) -> dict[str, tuple[float, float]]:
    """Positions (in viewer pixels, rounded to 0.1) for ``nodes`` joined by ``edges``.

    ``boxes`` gives a node's footprint as :func:`footprint` does; footprints are
    kept from overlapping. Without it, nodes are points. ``fixed`` gives some
    nodes' positions, which are kept: the other nodes are laid out around them
    (see :func:`_around`).
    """
    import numpy as np

    if not nodes:
        return {}
    if fixed:
        return _around(nodes, edges, boxes or {}, fixed, seed, iterations)
    index = {node: i for i, node in enumerate(nodes)}
    links = [(index[a], index[b]) for a, b in edges if a != b]
    linked_set = {i for pair in links for i in pair}
    linked = sorted(linked_set)
    isolated = [i for i in range(len(nodes)) if i not in linked_set]
    box = np.array([boxes.get(node, (0.0, 0.0, 0.0)) if boxes else (0.0, 0.0, 0.0) for node in nodes], dtype=float).reshape(-1, 3)
    box[:, 0] += GAP if boxes else 0.0
    box[:, 1:] += GAP / 2 if boxes else 0.0
    pos = np.zeros((len(nodes), 2))
    if linked:
        renumber = {old: new for new, old in enumerate(linked)}
        pairs = np.array([(renumber[a], renumber[b]) for a, b in links], dtype=np.int64).reshape(-1, 2)
        pos[linked] = _spring(len(linked), pairs, seed, iterations) * SPACING * (WIDEN, 1.0)
        if boxes:
            pos[linked] = _separate(pos[linked], box[linked])
    if isolated:  # actors with no relation: rows below the rest, out of the way
        pos[isolated] = _rows(box[isolated], pos[linked], box[linked])
    pos = pos - pos.mean(axis=0)
    return {node: (round(float(x), 1) + 0.0, round(float(y), 1) + 0.0) for node, (x, y) in zip(nodes, pos)}


def _spring(n: int, pairs, seed: int, iterations: int, start=None, movable=None, step: float | None = None):
    """Force-directed positions for ``n`` nodes joined by ``pairs``; ideal edge length 1.

    ``start`` gives the initial positions (else random), ``movable`` which nodes
    may move (else all), ``step`` how far a node may move at first.
    """
    import numpy as np
    from scipy.spatial import cKDTree

    if n == 1:
        return np.zeros((1, 2)) if start is None else np.array(start, dtype=float)
    degree = np.bincount(pairs.ravel(), minlength=n).astype(float)
    pull_share = 1.0 / np.sqrt(np.maximum(degree, 1.0))  # hubs move less per spring
    if start is None:
        pos = np.random.default_rng(seed).uniform(0.0, math.sqrt(n) * 1.5, size=(n, 2))
    else:
        pos = np.array(start, dtype=float)
    if step is None:
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
        if movable is not None:
            move[~movable] = 0.0
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


def _rows(box, above, above_box):
    """Points for footprints ``box``, set out in rows under the points ``above``, about as wide as they are.

    Points are at least 1.5 ideal edge lengths apart, wider footprints further.
    """
    import numpy as np

    cell = 1.5 * SPACING
    widths = np.maximum(box[:, 0], cell)
    if len(above):
        left = (above[:, 0] - above_box[:, 0] / 2).min()
        top = (above[:, 1] + above_box[:, 2]).max() + 2.5 * SPACING - cell / 2
        width = max((above[:, 0] + above_box[:, 0] / 2).max() - left, math.sqrt(len(box)) * cell)
    else:
        left, top, width = 0.0, 0.0, math.sqrt(len(box)) * cell
    pos = np.zeros((len(box), 2))
    x, row = 0.0, []
    for i, w in enumerate(widths):
        if row and x + w > width:
            pos[row, 1] = top + max(box[row, 1].max(), cell / 2)
            top += max(box[row, 1].max() + box[row, 2].max(), cell)
            x, row = 0.0, []
        pos[i, 0] = left + x + w / 2
        x += w
        row.append(i)
    pos[row, 1] = top + max(box[row, 1].max(), cell / 2)
    return pos


def _separate(pos, box, movable=None):
    """``pos`` moved so that no two footprints overlap, or as few as ``SEPARATE_ROUNDS`` rounds manage.

    Each round finds the overlapping pairs (a k-d tree in coordinates scaled by the
    largest footprint finds the candidates) and moves both nodes of each pair half
    the overlap apart, along the axis where they overlap less. Where ``movable``
    is given, only those nodes move: one that overlaps a node that stays moves
    the whole overlap, and the picture is spread by moving them alone.
    """
    import numpy as np
    from scipy.spatial import cKDTree

    n = len(pos)
    if n < 2 or not box[:, 0].any():
        return pos
    if movable is None:
        # Where footprints would cover more than a share of the picture, no local pushing
        # can make room for them: spread the picture out first.
        span = np.maximum(pos.max(axis=0) - pos.min(axis=0), 1.0)
        crowding = (box[:, 0] * (box[:, 1] + box[:, 2])).sum() / (span[0] * span[1])
        pos = (pos - pos.mean(axis=0)) * max(1.0, math.sqrt(crowding / COVER))
        weight = np.ones(n)
    else:
        pos = pos.copy()
        weight = movable.astype(float)
    half = box[:, 0] / 2
    scale = np.array([box[:, 0].max(), box[:, 1].max() + box[:, 2].max()])
    for done in range(SEPARATE_ROUNDS):
        if done and not done % SPREAD_EVERY:  # still crowded somewhere: give every part more room
            if movable is None:
                pos = (pos - pos.mean(axis=0)) * SPREAD
            else:
                centre = pos.mean(axis=0)
                pos[movable] = centre + (pos[movable] - centre) * SPREAD
        pairs = cKDTree(pos / scale).query_pairs(1.0, p=np.inf, output_type="ndarray")
        if not len(pairs):
            break
        pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
        i, j = pairs[:, 0], pairs[:, 1]
        dx = pos[j, 0] - pos[i, 0]
        ox = half[i] + half[j] - np.abs(dx)
        oy = np.minimum(pos[i, 1] + box[i, 2], pos[j, 1] + box[j, 2]) - np.maximum(pos[i, 1] - box[i, 1], pos[j, 1] - box[j, 1])
        hit = (ox > 0) & (oy > 0) & ((weight[i] + weight[j]) > 0)  # two nodes that stay are left as they are
        if not hit.any():
            break
        i, j, dx, ox, oy = i[hit], j[hit], dx[hit], ox[hit], oy[hit]
        # Which way each pair parts: by where their footprints' centres lie; ties by index.
        sx = np.where(dx >= 0, 1.0, -1.0)
        cy = (pos[j, 1] + (box[j, 2] - box[j, 1]) / 2) - (pos[i, 1] + (box[i, 2] - box[i, 1]) / 2)
        sy = np.where(cy >= 0, 1.0, -1.0)
        sideways = ox <= oy
        push = np.zeros((len(i), 2))
        push[:, 0] = np.where(sideways, sx * (ox / 2 + 0.5), 0.0)
        push[:, 1] = np.where(sideways, 0.0, sy * (oy / 2 + 0.5))
        # Each node of a pair takes half the push, or all of it if the other stays.
        wi, wj = weight[i] * (2.0 - weight[j]), weight[j] * (2.0 - weight[i])
        pos -= np.stack([np.bincount(i, push[:, k] * wi, n) - np.bincount(j, push[:, k] * wj, n) for k in (0, 1)], axis=1)
    return pos


def _around(nodes, edges, boxes, fixed, seed: int, iterations: int) -> dict[str, tuple[float, float]]:
    """Positions for ``nodes``, those in ``fixed`` kept where they are and the others laid out around them.

    Each other node starts at the mean of its neighbours already placed (breadth
    first from the fixed ones), then springs and repulsion move it while the fixed
    nodes stay; the ideal edge length is as long as the names to place need for
    room. Then footprints are pushed apart, moving only the nodes placed here,
    and those with no relation at all are set out in rows below.
    """
    import numpy as np

    n = len(nodes)
    index = {node: i for i, node in enumerate(nodes)}
    movable = np.array([node not in fixed for node in nodes])
    links = [(index[a], index[b]) for a, b in edges if a != b]
    linked = {i for pair in links for i in pair}
    box = np.array([boxes.get(node, (0.0, 0.0, 0.0)) for node in nodes], dtype=float).reshape(-1, 3)
    box[:, 0] += GAP
    box[:, 1:] += GAP / 2
    placed = ~movable
    free = np.flatnonzero(movable)
    if not len(free):
        return {node: fixed[node] for node in nodes}
    area = float((box[free, 0] * (box[free, 1] + box[free, 2])).mean())
    unit = max(SPACING, math.sqrt(area / (COVER * WIDEN)))
    scale = np.array([unit * WIDEN, unit])
    pos = np.zeros((n, 2))
    for node, i in index.items():
        if node in fixed:
            pos[i] = fixed[node]
    pos /= scale
    rng = np.random.default_rng(seed)
    neighbours: list[list[int]] = [[] for _ in range(n)]
    for a, b in links:
        neighbours[a].append(b)
        neighbours[b].append(a)
    frontier = [i for i in range(n) if placed[i]]
    placed = placed.copy()
    while frontier:
        reached = sorted({j for i in frontier for j in neighbours[i] if not placed[j]})
        for j in reached:
            near = [k for k in neighbours[j] if placed[k]]
            pos[j] = pos[near].mean(axis=0) + rng.normal(0.0, 0.5, 2)
        placed[reached] = True
        frontier = reached
    low, high = pos[~movable].min(axis=0), pos[~movable].max(axis=0)
    for j in np.flatnonzero(~placed):  # in a part of the graph no fixed node reaches
        pos[j] = rng.uniform(low, high + 1.0)
    moving = np.array([i for i in range(n) if not movable[i] or i in linked])
    renumber = {old: new for new, old in enumerate(moving)}
    pairs = np.array([(renumber[a], renumber[b]) for a, b in links], dtype=np.int64).reshape(-1, 2)
    pos[moving] = _spring(len(moving), pairs, seed, iterations, start=pos[moving], movable=movable[moving], step=2.0)
    pos *= scale
    pos[moving] = _separate(pos[moving], box[moving], movable[moving])
    alone = np.array([i for i in free if i not in linked], dtype=np.int64)
    if len(alone):
        pos[alone] = _rows(box[alone], pos[moving], box[moving])
    for node, i in index.items():
        if node in fixed:
            pos[i] = fixed[node]  # exactly as given, whatever the arithmetic did
    return {node: (round(float(x), 1) + 0.0, round(float(y), 1) + 0.0) for node, (x, y) in zip(nodes, pos)}


def _scatter(pairs, force, n):
    """Add ``force`` to the first node of each pair and subtract it from the second."""
    import numpy as np

    return np.stack(
        [np.bincount(pairs[:, 0], force[:, j], n) - np.bincount(pairs[:, 1], force[:, j], n) for j in (0, 1)],
        axis=1,
    )
