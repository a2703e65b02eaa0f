"""The layout makes room for every actor's name: no two footprints overlap, long names wrap.

tests/test_viewer_browser.py measures the same in the page vis-network draws.
"""
from __future__ import annotations

import random

from kg.export.layout import LABEL_WIDTH, footprint, force_layout, label_lines, text_width


def overlap(a, b) -> float:
    """The area two boxes [left, top, right, bottom] share."""
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def _boxes_overlap(positions, boxes):
    placed = [
        (x - w / 2, y - above, x + w / 2, y + below)
        for node, (x, y) in positions.items()
        for w, above, below in [boxes[node]]
    ]
    return [(i, j) for i in range(len(placed)) for j in range(i + 1, len(placed)) if overlap(placed[i], placed[j]) > 0]


def test_unlinked_actors_with_long_names_do_not_overlap():
    names = ["the West", "UCLA Anderson School of Management", "The Wall Street Journal", "Weiming Zhang",
             "Supercalifragilisticexpialidocious-Corporation", "\u6df1\u5ea6\u6c42\u7d22", "X"]
    nodes = [f"n{i}" for i in range(len(names))] + ["a", "b"]
    boxes = {node: footprint(name, 8.0) for node, name in zip(nodes, names)}
    boxes.update(a=footprint("Alpha", 20.0), b=footprint("Beta", 8.0))
    positions = force_layout(nodes, [("a", "b")], boxes=boxes)
    assert _boxes_overlap(positions, boxes) == []


def test_linked_actors_with_long_names_do_not_overlap():
    rng = random.Random(11)
    words = ["Nvidia", "Administration", "of", "the", "United", "States", "Model", "DeepSeek-V3", "AI", "Lab"]
    nodes = [f"n{i}" for i in range(300)]
    edges = [(f"n{i}", f"n{rng.randrange(i)}") for i in range(1, 300) for _ in range(2)]
    boxes = {node: footprint(" ".join(rng.choice(words) for _ in range(rng.randint(1, 5))), rng.uniform(8, 30)) for node in nodes}
    positions = force_layout(nodes, edges, boxes=boxes, seed=2)
    assert _boxes_overlap(positions, boxes) == []
    assert positions == force_layout(nodes, edges, boxes=boxes, seed=2)


def test_long_names_wrap_at_spaces_and_long_words_are_cut():
    assert label_lines("UCLA Anderson School of Management") == ["UCLA Anderson", "School of", "Management"]
    assert label_lines("the West") == ["the West"]
    assert label_lines("") == []
    cut = label_lines("x" * 60)
    assert "".join(cut) == "x" * 60 and len(cut) > 1
    assert all(text_width(line) <= LABEL_WIDTH < text_width(line + "x") for line in cut[:-1])
