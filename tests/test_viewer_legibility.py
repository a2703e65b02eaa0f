"""The viewer's first picture can be read: names do not run into each other, source names show whole.

The browser tests open the real data's graph.html at 1280x800 in headless Chromium and
measure what vis-network drew; the layout tests check the same property in Python.
"""
from __future__ import annotations

import random

import pytest

from kg.layout import LABEL_WIDTH, footprint, force_layout, label_lines, text_width

from .chromium import browser, open_viewer  # noqa: F401 - the fixture is used by name

WIDTH, HEIGHT = 1280, 800

# Every drawn label's box and every node's shape, in DOM pixels, as vis-network placed them.
DRAWN = """() => {
    const net = kgViewer.network, scale = net.getScale(), out = [];
    for (const id of net.body.nodeIndices) {
        const node = net.body.nodes[id], label = node.labelModule, size = label.size;
        const topLeft = net.canvasToDOM({x: size.left, y: size.top});
        const bottomRight = net.canvasToDOM({x: size.left + size.width, y: size.top + size.height});
        const centre = net.canvasToDOM({x: node.x, y: node.y}), r = node.options.size * scale;
        out.push({id: id, name: node.options.label, lines: label.lineCount, width: size.width,
                  drawn: label.visible(), font: label.fontOptions.size * scale,
                  label: [topLeft.x, topLeft.y, bottomRight.x, bottomRight.y],
                  shape: [centre.x - r, centre.y - r, centre.x + r, centre.y + r]});
    }
    return out;
}"""


def overlap(a, b) -> float:
    """The area two boxes [left, top, right, bottom] share."""
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


@pytest.fixture
def first_view(browser, built):
    page, recorder = open_viewer(browser, built.out / "graph.html", width=WIDTH, height=HEIGHT)
    yield page, recorder
    page.context.close()


@pytest.mark.browser
def test_no_two_names_overlap_in_the_first_view(first_view, built):
    page, recorder = first_view
    drawn = page.evaluate(DRAWN)
    assert len(drawn) == len(built.catalog.entities)
    assert all(node["drawn"] for node in drawn), "every name is drawn, none faded out for being too small"
    clashes = [
        (a["name"], b["name"])
        for i, a in enumerate(drawn) for b in drawn[i + 1:]
        if overlap(a["label"], b["label"]) > 0 or overlap(a["label"], b["shape"]) > 0 or overlap(b["label"], a["shape"]) > 0
    ]
    assert clashes == []
    assert recorder.console_errors == []


@pytest.mark.browser
def test_names_are_drawn_at_a_readable_size(first_view):
    page, _ = first_view
    smallest = min(node["font"] for node in page.evaluate(DRAWN))
    assert smallest >= 7.0, f"the names are {smallest:.1f} px high on the screen"


@pytest.mark.browser
def test_the_layout_reserves_at_least_the_room_each_name_takes(first_view):
    # The layout sizes names from Arial's metrics; the browser's own measure must not exceed them.
    page, _ = first_view
    for node in page.evaluate(DRAWN):
        lines = label_lines(node["name"])
        assert node["lines"] <= len(lines), node["name"]
        assert node["width"] <= footprint(node["name"], 0)[0], node["name"]


RELATION_LABELS = """() => {
    const net = kgViewer.network, scale = net.getScale();
    return net.body.edgeIndices.map(id => net.body.edges[id].labelModule)
        .map(label => ({drawn: label.visible(), size: label.fontOptions.size * scale}));
}"""


@pytest.mark.browser
def test_relation_labels_show_once_they_can_be_read(first_view):
    page, _ = first_view
    labels = page.evaluate(RELATION_LABELS)
    assert labels and all(label["size"] >= 8 for label in labels if label["drawn"])
    page.evaluate("kgViewer.network.moveTo({scale: 1.0, animation: false})")
    assert all(label["drawn"] for label in page.evaluate(RELATION_LABELS))


# Each source's name in the sidebar: its box, the box its text needs, and the sidebar's.
SOURCE_NAMES = """() => {
    const sidebar = document.getElementById('sidebar'), box = sidebar.getBoundingClientRect();
    const right = box.left + sidebar.clientWidth - parseFloat(getComputedStyle(sidebar).paddingRight);
    return Array.from(document.querySelectorAll('#sources label')).map(label => {
        const name = label.querySelector('.name'), text = document.createRange();
        text.selectNodeContents(name);
        const r = text.getBoundingClientRect();
        return {name: name.textContent, right: r.right, limit: right + 0.5,
                fits: name.scrollWidth <= name.clientWidth && label.scrollWidth <= label.clientWidth};
    }).concat([{name: '#sidebar', right: 0, limit: 0, fits: sidebar.scrollWidth <= sidebar.clientWidth}]);
}"""


@pytest.mark.browser
@pytest.mark.parametrize("font_size", [None, 20], ids=["default-font", "larger-font"])
def test_source_names_show_whole_in_the_sidebar(first_view, built, font_size):
    page, _ = first_view
    if font_size:  # a reader's larger font, or a wider fallback font, must not cut names off either
        page.add_style_tag(content=f"#sidebar {{ font-size: {font_size}px; }}")
    rows = page.evaluate(SOURCE_NAMES)
    assert len(rows) == len(built.catalog.sources) + 1
    cut = [row["name"] for row in rows if not row["fits"] or row["right"] > row["limit"]]
    assert cut == []
    titles = page.eval_on_selector_all("#sources label", "els => els.map(e => e.title)")
    for sid, title in zip(sorted(built.catalog.sources), titles):
        assert built.catalog.sources[sid].record.file in title


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
