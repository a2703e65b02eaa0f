"""The viewer marks a disagreement of each kind and shows both sides in its panel (Chromium, headless)."""
from __future__ import annotations

import pytest

from kg.build import build

from . import disagreement_fixture
from .chromium import browser, open_viewer  # noqa: F401 - the fixture is used by name

pytestmark = pytest.mark.browser

DISPUTED = "#d62728"

# kind: (an actor in it, the edges (subject, target) on its sides, the topic and the quotes on each side)
KINDS = {
    "value": ("zeta", [], "Zeta: development cost: 1 source against 1", ["cost $5 million", "less than $5 million"]),
    "correction": ("jon-smyth", [("acme", "jon-smyth"), ("acme", "john-smith")], "Acme Labs: founded by: 1 source against 1",
                   ["founded by Jon Smyth", "founded by John Smith"]),
    "characterisation": ("big-fund", [("acme", "big-fund")],
                         "Acme Labs and Big Fund: where an organisation comes from or who runs it: 1 source against 1",
                         ["Acme is run by Big Fund", "Acme grew out of Big Fund"]),
    "specificity": ("omega-2", [("zeta", "omega"), ("zeta", "omega-2")], "Zeta: outperformed Omega or Omega 2: 1 source against 1",
                    ["Zeta beat Omega in coding tests", "Zeta beat Omega 2"]),
    "declared": ("jo", [], "Jo's remark, quoted differently: 1 source against 1", ['"We are fast."', '"We move quickly."']),
}


@pytest.fixture(scope="module")
def graph_html(tmp_path_factory):
    folder = tmp_path_factory.mktemp("disagreements-viewer")
    data, corpus = disagreement_fixture.write(folder)
    build(data, corpus, folder / "export")
    return folder / "export" / "graph.html"


@pytest.fixture
def page(browser, graph_html):
    page, recorder = open_viewer(browser, graph_html)
    yield page
    assert recorder.console_errors == []
    page.context.close()


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_kind_is_marked_and_both_sides_are_in_the_panel(page, kind):
    actor, pairs, heading, quotes = KINDS[kind]
    border = page.evaluate(f"() => kgViewer.network.body.nodes[{actor!r}].options.color.border")
    assert border == DISPUTED
    for subject, target in pairs:
        colours = page.evaluate(f"""() => kgViewer.data.edges.filter(e => e.from === {subject!r} && e.to === {target!r})
            .map(e => kgViewer.network.body.edges[e.id].options.color.color)""")
        assert colours and set(colours) == {DISPUTED}
    page.evaluate(f"kgViewer.showNode({actor!r})")
    items = page.eval_on_selector_all("#panel .disagreements > .disagreement", """els => els.map(e => ({
        heading: e.querySelector('.statement').textContent,
        sides: Array.from(e.querySelectorAll('.sides > .side')).map(s =>
            Array.from(s.querySelectorAll('blockquote')).map(q => q.textContent))}))""")
    mine = [item for item in items if item["heading"] == f"{kind} {heading}"]
    assert mine == [{"heading": f"{kind} {heading}", "sides": [[quote] for quote in quotes]}]


def test_an_edge_panel_shows_the_disagreement_of_its_claim(page):
    edge = page.evaluate("() => kgViewer.data.edges.find(e => e.from === 'acme' && e.to === 'jon-smyth').id")
    page.evaluate(f"kgViewer.showEdge({edge!r})")
    assert page.text_content("#panel .disagreements .statement") == "correction Acme Labs: founded by: 1 source against 1"
    assert page.eval_on_selector_all("#panel .disagreements blockquote", "els => els.map(e => e.textContent)") == [
        "founded by Jon Smyth", "founded by John Smith"]


def test_the_marked_actors_are_those_the_disagreements_involve(page):
    marked = page.evaluate(f"""() => Object.values(kgViewer.network.body.nodes)
        .filter(n => n.options && n.options.color && n.options.color.border === {DISPUTED!r}).map(n => n.id).sort()""")
    involved = page.evaluate("""() => kgViewer.data.nodes.filter(n => n.disagreements.length).map(n => n.id).sort()""")
    assert marked == involved == sorted(["acme", "big-fund", "jo", "john-smith", "jon-smyth", "omega", "omega-2", "zeta"])
