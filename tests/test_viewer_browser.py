"""The viewer in a real browser: Debian's Chromium, headless, opening graph.html from file://."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from kg.build import build
from kg.export.layout import footprint, label_lines

from .chromium import FOCUSED, browser, open_viewer  # noqa: F401 - the fixture is used by name
from .conftest import FIXTURES, ROOT
from .test_viewer import entity_claims
from .test_viewer_dataset import shown_first
from .test_viewer_legibility import overlap

pytestmark = pytest.mark.browser

SCREENSHOT = Path(os.environ.get("KG_SCREENSHOT", ROOT / "docs" / "viewer.png"))


@pytest.fixture
def viewer(browser, built):
    page, recorder = open_viewer(browser, built.out / "graph.html")
    yield page, recorder
    page.context.close()


GRAPH_COUNTS = """
    PREFIX kg: <https://w3id.org/ai-race-kg/ontology#>
    SELECT (COUNT(DISTINCT ?e) AS ?entities) (COUNT(DISTINCT ?c) AS ?relations) WHERE {
        { ?e rdfs:label ?name . FILTER(STRSTARTS(STR(?e), "https://w3id.org/ai-race-kg/entity/")) }
        UNION
        { ?c a kg:Claim ; kg:value ?v . FILTER(STRSTARTS(STR(?v), "https://w3id.org/ai-race-kg/entity/")) }
    }
"""


def test_renders_every_node_and_edge(viewer, built, store):
    from kg.graph.store import sparql_prologue

    entities, relations = (int(term.value) for term in next(iter(store.query(sparql_prologue() + GRAPH_COUNTS, use_default_graph_as_union=True))))
    assert (entities, relations) == (len(built.catalog.entities), len(entity_claims(built.catalog)))
    page, _ = viewer
    page.check("#show-dataset")  # the actors only the dataset names are hidden at first
    drawn = page.evaluate("""() => {
        const body = kgViewer.network.body;
        return {nodes: body.nodeIndices.length, edges: body.edgeIndices.length,
                canvas: document.querySelector('#graph canvas').width};
    }""")
    assert drawn["nodes"] == len(built.catalog.entities)
    assert drawn["edges"] == len(entity_claims(built.catalog))
    assert drawn["canvas"] > 0
    status = page.text_content("#status")
    assert status == f"{len(built.catalog.entities):,} of {len(built.catalog.entities):,} actors, " \
                     f"{drawn['edges']:,} of {drawn['edges']:,} relations shown"


@pytest.mark.parametrize("query, entity", [("High Flyer", "high-flyer"), ("h800s", "nvidia-h800"), ("deepseek v3", "deepseek-v3")])
def test_search_focuses_an_actor(viewer, built, query, entity):
    page, _ = viewer
    page.fill("#search", query)
    page.press("#search", "Enter")
    assert page.wait_for_function(FOCUSED, timeout=5000).json_value() == entity
    assert page.text_content("#panel h2") == built.catalog.entities[entity].record.name
    assert page.is_visible("#panel")


def test_search_says_when_nothing_matches(viewer):
    page, _ = viewer
    page.fill("#search", "no such actor")
    page.press("#search", "Enter")
    assert page.text_content("#search-note") == "No actor matches \u201cno such actor\u201d"
    assert page.evaluate("kgViewer.network.getSelectedNodes()") == []


def click_edge(page, subject, target):
    """Click the edge between two nodes as a user would: near its middle, where no node covers it."""
    point = page.evaluate("""([a, b]) => {
        const net = kgViewer.network;
        net.fit({nodes: [a, b], animation: false});
        const p = net.getPositions([a, b]);
        for (const t of [0.5, 0.4, 0.6, 0.3, 0.7]) {
            const dom = net.canvasToDOM({x: p[a].x + (p[b].x - p[a].x) * t, y: p[a].y + (p[b].y - p[a].y) * t});
            if (net.getNodeAt(dom) !== undefined) continue;
            const box = document.getElementById('graph').getBoundingClientRect();
            return {x: box.left + dom.x, y: box.top + dom.y};
        }
        return null;
    }""", [subject, target])
    page.mouse.click(point["x"], point["y"])


def test_clicking_an_edge_shows_its_quotes_and_sources(viewer, built):
    page, _ = viewer
    claim = next(c for c in built.catalog.claims if (c.subject, c.property.name, c.value.lexical) == ("deepseek-v3", "trainedOn", "nvidia-h800"))
    click_edge(page, "deepseek-v3", "nvidia-h800")
    page.wait_for_selector("#panel:not([hidden])")
    assert page.evaluate("kgViewer.network.getSelectedEdges().length") == 1
    assert page.text_content("#panel h2") == "DeepSeek-V3 \u2192 trained on \u2192 Nvidia H800"
    quotes = page.eval_on_selector_all("#panel blockquote", "els => els.map(e => e.textContent)")
    cites = page.eval_on_selector_all("#panel cite", "els => els.map(e => e.textContent)")
    assert sorted(quotes) == sorted(ev.exact for ev in claim.evidence)
    for ev in claim.evidence:
        cite = cites[quotes.index(ev.exact)]
        if ev.row:  # a dataset's cell: its row and column, and the credit its licence requires
            dataset = built.catalog.datasets[ev.source].record
            assert cite.startswith(dataset.title)
            assert f"row {ev.row}, column {ev.column}" in cite and f"{dataset.attribution} ({dataset.licence})" in cite
            continue
        source = built.catalog.sources[ev.source].record
        assert cite.startswith(source.title or source.file)
        if source.date:
            assert source.date in cite


def test_node_panel_shows_ranks_reasons_and_disputes(viewer, built):
    page, _ = viewer
    page.evaluate("kgViewer.showNode('deepseek')")
    deprecated = next(c for c in built.catalog.claims if c.subject == "deepseek" and c.rank == "deprecated")
    text = page.text_content("#panel")
    assert "deprecated" in page.text_content("#panel .claim.deprecated .badge")
    assert f"Deprecated: {deprecated.reason}" in text
    page.evaluate("kgViewer.showNode('deepseek-v3')")
    assert page.text_content("#panel .meta .badge.disputed") == "sources disagree"
    disputed = page.eval_on_selector_all(
        "#panel .claim", "els => els.filter(e => !e.closest('.disagreements') && e.querySelector('.badge.disputed')).length")
    from kg.curate.disagreements import disagreements

    in_one = {claim.key for d in disagreements(built.catalog) for claim in d.claims}
    assert disputed == sum(1 for c in built.catalog.claims if c.key in in_one and "deepseek-v3" in (c.subject, c.value.lexical))


def test_type_filter_hides_nodes_of_that_type(viewer, built):
    page, _ = viewer
    models = {eid for eid, e in built.catalog.entities.items() if e.type == "Model"}
    assert models
    visible_types = """() => kgViewer.network.body.nodeIndices.map(id => kgViewer.data.nodes.find(n => n.id === id).type)"""
    page.check("#show-dataset")  # every actor, those only the dataset names included
    page.uncheck("#types input[value=Model]")
    types = page.evaluate(visible_types)
    assert "Model" not in types and len(types) == len(built.catalog.entities) - len(models)
    edges = page.evaluate("kgViewer.network.body.edgeIndices.map(id => kgViewer.network.body.edges[id]).map(e => [e.fromId, e.toId])")
    assert not any(a in models or b in models for a, b in edges)
    page.check("#types input[value=Model]")
    assert len(page.evaluate(visible_types)) == len(built.catalog.entities)


def test_source_filter_keeps_only_relations_that_source_states(viewer, built):
    page, _ = viewer
    for sid in [*built.catalog.sources, *built.catalog.datasets]:
        if sid != "a002":
            page.uncheck(f"#sources input[value={sid}]")
    shown = set(page.evaluate("kgViewer.network.body.edgeIndices"))
    from kg.graph.terms import short_hash

    expected = {short_hash(c.key) for c in entity_claims(built.catalog) if any(ev.source == "a002" for ev in c.evidence)}
    assert shown == expected


def test_no_console_errors_and_no_network_requests(browser, built):
    # With the page's Content-Security-Policy switched off, any request the page
    # tried would really go out and be recorded; none may leave.
    page, recorder = open_viewer(browser, built.out / "graph.html", bypass_csp=True)
    try:
        page.fill("#search", "Nvidia")
        page.press("#search", "Enter")
        page.wait_for_function(FOCUSED, timeout=5000)
        click_edge(page, "deepseek-v3", "nvidia-h800")
        page.uncheck("#types input[value=Chip]")
        page.uncheck("#sources input[value=a000]")
        page.mouse.wheel(0, 300)
        page.wait_for_timeout(300)
        assert recorder.requests == [(built.out / "graph.html").resolve().as_uri()]
        assert recorder.console_errors == []
        assert recorder.dialogs == []
    finally:
        page.context.close()


def test_screenshot_of_the_real_data(browser, built):
    page, recorder = open_viewer(browser, built.out / "graph.html", width=1600, height=1000)
    try:
        page.evaluate("kgViewer.network.selectNodes(['deepseek-v3']); kgViewer.showNode('deepseek-v3')")
        page.wait_for_timeout(200)  # the canvas shrinks beside the panel and redraws
        page.evaluate("kgViewer.network.fit({animation: false})")
        page.wait_for_timeout(100)
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT))
        assert SCREENSHOT.stat().st_size > 20_000
        assert recorder.console_errors == []
    finally:
        page.context.close()


XSS = FIXTURES / "xss"
HOSTILE = {
    "evil-lab": "<img src=x onerror=alert('name')>",
    "evil-chip": "Chip </script><script>alert('chip')</script>",
    "evil-model": "Model <svg onload=alert('model')>",
}


@pytest.fixture(scope="module")
def xss_page(tmp_path_factory):
    out = tmp_path_factory.mktemp("xss")
    build(XSS / "data.yaml", XSS / "corpus", out)
    return out / "graph.html"


@pytest.mark.parametrize("bypass_csp", [False, True], ids=["with-csp", "escaping-alone"])
def test_hostile_text_is_shown_literally_and_never_runs(browser, xss_page, bypass_csp):
    page, recorder = open_viewer(browser, xss_page, bypass_csp=bypass_csp)
    try:
        page.fill("#search", "Plain Model")
        page.press("#search", "Enter")
        page.wait_for_function(FOCUSED, timeout=5000)
        panel = page.text_content("#panel")
        assert page.text_content("#panel h2") == HOSTILE["evil-model"]
        assert "the lab <img src=x onerror=alert('quote')> built the model" in panel
        assert "trained on chips, per <a href=\"javascript:alert('href')\">this report</a> & others" in panel
        assert HOSTILE["evil-lab"] in panel and HOSTILE["evil-chip"] in panel
        assert "<b>Bold</b> & </title><script>alert('title')</script> \u00b7 2025-02-01" in panel
        page.evaluate("kgViewer.showNode('evil-lab')")
        panel = page.text_content("#panel")
        assert "Also: </script><script>alert('alias')</script>" in panel
        assert "<a href=\"javascript:alert('description')\">click</a> & <b>bold</b>" in panel
        page.evaluate("kgViewer.showNode('evil-chip')")
        assert "architecture: </script><script>alert('value')</script>" in page.text_content("#panel")
        for edge in page.evaluate("kgViewer.data.edges.map(e => e.id)"):
            page.evaluate("id => kgViewer.showEdge(id)", edge)
        labels = page.evaluate("kgViewer.network.body.nodeIndices.map(id => kgViewer.network.body.nodes[id].options.label)")
        assert sorted(labels) == sorted(HOSTILE.values())
        assert page.text_content("#sources label") == "<b>Bold</b> & </title><script>alert('title')</script>2025-02-01"
        options = page.eval_on_selector_all("#names option", "els => els.map(e => e.value)")
        assert "</script><script>alert('alias')</script>" in options
        page.hover("#panel")
        page.wait_for_timeout(200)
        injected = page.evaluate("document.querySelectorAll('img, svg, iframe, object, embed, a[href^=javascript], i, b').length")
        assert injected == 0
        assert page.evaluate("document.scripts.length") == 3
        assert recorder.dialogs == []
        assert recorder.console_errors == []
        assert recorder.requests == [xss_page.resolve().as_uri()]
    finally:
        page.context.close()


# The first view at the size of a laptop's screen: every name can be read.

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


@pytest.fixture
def first_view(browser, built):
    page, recorder = open_viewer(browser, built.out / "graph.html", width=WIDTH, height=HEIGHT)
    yield page, recorder
    page.context.close()


def test_no_two_names_overlap_in_the_first_view(first_view, built):
    page, recorder = first_view
    page.screenshot(path=str(SCREENSHOT.with_name("viewer-first-view.png")))  # for people to look at
    drawn = page.evaluate(DRAWN)
    assert len(drawn) == len(shown_first(built.catalog))
    assert all(node["drawn"] for node in drawn), "every name is drawn, none faded out for being too small"
    clashes = [
        (a["name"], b["name"])
        for i, a in enumerate(drawn) for b in drawn[i + 1:]
        if overlap(a["label"], b["label"]) > 0 or overlap(a["label"], b["shape"]) > 0 or overlap(b["label"], a["shape"]) > 0
    ]
    assert clashes == []
    assert recorder.console_errors == []


def test_names_are_drawn_at_a_readable_size(first_view):
    page, _ = first_view
    smallest = min(node["font"] for node in page.evaluate(DRAWN))
    assert smallest >= 7.0, f"the names are {smallest:.1f} px high on the screen"


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


@pytest.mark.parametrize("font_size", [None, 20], ids=["default-font", "larger-font"])
def test_source_names_show_whole_in_the_sidebar(first_view, built, font_size):
    page, _ = first_view
    if font_size:  # a reader's larger font, or a wider fallback font, must not cut names off either
        page.add_style_tag(content=f"#sidebar {{ font-size: {font_size}px; }}")
    rows = page.evaluate(SOURCE_NAMES)
    assert len(rows) == len(built.catalog.sources) + len(built.catalog.datasets) + 1
    cut = [row["name"] for row in rows if not row["fits"] or row["right"] > row["limit"]]
    assert cut == []
    titles = page.eval_on_selector_all("#sources label", "els => els.map(e => e.title)")
    every = {**built.catalog.sources, **built.catalog.datasets}
    for sid, title in zip(sorted(every), titles):
        assert every[sid].record.file in title
