"""The viewer opens on the actors the articles name; the actors only a dataset names wait one click away.

The fixture is made here: one article naming three actors, and a dataset of 61
rows (its own, not a copy of any real one) whose 60 other models, 2 labs and
1 chip no article names. It is laid out so that the counts below can be told
by hand:

- Acme (a lab), Alpha (a model) and Freedonia (a country) are named by the
  article; Lab Data, the dataset's publisher, is named by no claim. These 4
  are shown first. The 63 others only the dataset names.
- Model 01 .. Model 60 (row i + 2): developed by Acme when i % 3 == 0 (20
  models), by Lab A when i % 3 == 1, by Lab B when i % 3 == 2 (20 each);
  all from Freedonia; trained on Chip K1 when i is even (30 models).
- Row 2 is Alpha: developed by Acme (as the article says) and from Freedonia.

Relations: 2 from the article (Alpha developed by Acme, Acme based in
Freedonia), 1 more from the dataset among the first 4 (Alpha's country), and
60 + 60 + 30 from the 60 models: 153, of which 3 are shown first.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from kg.build import build
from kg.curate.catalog import Catalog

from .chromium import FOCUSED, browser, open_viewer  # noqa: F401 - the fixture is used by name
from .conftest import write_articles

MODELS = 60
ARTICLE = "Acme built the Alpha model. Acme is based in Freedonia, where it employs 40 people."
ATTRIBUTION = "Data: <b>Lab</b> & Co (example.org)"  # markup in a record stays text
URL = "https://example.org/lab-models"
LICENCE = "https://creativecommons.org/licenses/by/4.0/"
CREDIT = f"{ATTRIBUTION} \u00b7 Lab models \u00b7 {URL} \u00b7 licence: {LICENCE}"
FIRST = ["acme", "alpha", "freedonia", "lab-data"]
ALL_ACTORS, ALL_RELATIONS, FIRST_RELATIONS = 67, 153, 3


def shown_first(catalog: Catalog) -> set[str]:
    """The actors the viewer shows at first: every actor but those that only datasets name."""
    named_by: dict[str, set[str]] = {eid: set() for eid in catalog.entities}
    for claim in catalog.claims:
        cited = {ev.source for ev in claim.evidence}
        named_by[claim.subject] |= cited
        if claim.value.kind == "entity":
            named_by[claim.value.lexical] |= cited
    return {eid for eid, cited in named_by.items() if not cited or not cited <= set(catalog.datasets)}


def model(i: int) -> str:
    return f"Model {i:02d}"


def lab(i: int) -> str:
    return ("Acme", "Lab A", "Lab B")[i % 3]


def write_fixture(root: Path) -> tuple[Path, Path, Path]:
    """(data file, corpus, datasets folder) of the fixture described above."""
    corpus, datasets = root / "corpus", root / "datasets"
    sources = write_articles(corpus, {"a1": ("a1.txt", ARTICLE)})
    (datasets / "lab").mkdir(parents=True)
    lines = ["Model,Organization,Country (of organization),Training hardware", "Alpha,Acme,Freedonia,"]
    lines += [f"{model(i)},{lab(i)},Freedonia,{'' if i % 2 else 'Chip K1'}" for i in range(1, MODELS + 1)]
    csv_path = datasets / "lab" / "models.csv"
    csv_path.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="")
    sha = hashlib.sha256(csv_path.read_bytes()).hexdigest()

    def cells(name, org, chip):
        text = f'{{Model: "{name}", Organization: "{org}", "Country (of organization)": Freedonia'
        return text + (f', Training hardware: "{chip}"}}' if chip else "}")

    rows = [f"      - {{row: 2, entity: alpha, cells: {cells('Alpha', 'Acme', '')}}}"]
    rows += [f"      - {{row: {i + 2}, entity: model-{i:02d}, cells: {cells(model(i), lab(i), '' if i % 2 else 'Chip K1')}}}"
             for i in range(1, MODELS + 1)]
    data = root / "data.yaml"
    data.write_text(sources + f"""
entities:
  - {{id: lab-data, type: Organization, name: Lab Data}}
  - {{id: acme, type: Lab, name: Acme}}
  - {{id: alpha, type: Model, name: Alpha}}
  - {{id: freedonia, type: Country, name: Freedonia}}
""" + "".join(f"  - {{id: model-{i:02d}, type: Model, name: {model(i)}}}\n" for i in range(1, MODELS + 1)) + f"""
claims:
  - subject: alpha
    property: developedBy
    value: acme
    evidence: [{{source: a1, quote: Acme built the Alpha model}}]
  - subject: acme
    property: basedIn
    value: freedonia
    evidence: [{{source: a1, quote: Acme is based in Freedonia}}]

datasets:
  - id: lab-models
    kind: dataset
    file: lab/models.csv
    sha256: {sha}
    title: Lab models
    publisher: lab-data
    licence: {LICENCE}
    attribution: "{ATTRIBUTION}"
    retrieved: 2026-01-26
    url: {URL}
    key: Model
    columns:
      - {{column: Organization, property: developedBy, read: actors, type: Lab}}
      - {{column: Country (of organization), property: developerCountry, read: actors, type: Country}}
      - {{column: Training hardware, property: trainedOn, read: actors, type: Chip}}
    rows:
""" + "\n".join(rows) + """

crosswalk:
  - {name: Acme, entity: acme}
  - {name: Freedonia, entity: freedonia}
  - {name: Alpha, entity: alpha}
""", encoding="utf-8")
    return data, corpus, datasets


@pytest.fixture(scope="module")
def fixture(tmp_path_factory, monkeypatch_module):
    root = tmp_path_factory.mktemp("viewer-dataset")
    data, corpus, datasets = write_fixture(root)
    monkeypatch_module.setenv("KG_DATASETS", str(datasets))
    result = build(data, corpus, root / "out")
    result.out = root / "out"
    return result


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def embedded(path: Path) -> dict:
    return embedded_html(path.read_text("utf-8"))


def embedded_html(html: str) -> dict:
    start = html.index('<script type="application/json" id="kg-data">') + len('<script type="application/json" id="kg-data">')
    return json.loads(html[start:html.index("</script>", start)])


# Without a browser: what the page holds.

def test_the_fixture_has_the_actors_and_relations_it_describes(fixture):
    catalog = fixture.catalog
    assert len(catalog.entities) == ALL_ACTORS
    assert sorted(shown_first(catalog)) == FIRST
    data = embedded(fixture.out / "graph.html")
    assert len(data["edges"]) == ALL_RELATIONS
    assert data["datasetOnly"] == ALL_ACTORS - len(FIRST)
    assert sorted(n["id"] for n in data["nodes"] if not n["datasetOnly"]) == FIRST


def test_the_credit_comes_from_the_dataset_record_escaped(fixture):
    html = (fixture.out / "graph.html").read_text("utf-8")
    assert ("<p>Data: &lt;b&gt;Lab&lt;/b&gt; &amp; Co (example.org) \u00b7 <cite>Lab models</cite> \u00b7 "
            f"{URL} \u00b7 licence: {LICENCE}</p>") in html
    assert "Epoch" not in html


def test_a_page_without_the_dataset_s_facts_has_no_credit(fixture):
    from kg.export.html import viewer_html

    html = viewer_html(fixture.catalog, sources=["a1"])
    assert 'id="credits"' not in html and "example.org" not in html
    assert 'id="show-dataset"' not in html  # nothing is hidden either


def test_a_page_of_the_dataset_alone_hides_nothing(fixture):
    from kg.export.html import viewer_html

    html = viewer_html(fixture.catalog, sources=["lab-models"])
    data = embedded_html(html)
    assert (len(data["nodes"]), data["datasetOnly"]) == (ALL_ACTORS - 1, 0)  # all but Lab Data, which it does not cite
    assert not any(n["datasetOnly"] for n in data["nodes"])
    assert 'id="show-dataset"' not in html and 'id="credits"' in html


@pytest.mark.parametrize("around, first, hidden", [
    # Model 08's page: it and its 3 neighbours, which only the dataset names there.
    ("Model 08", ["chip-k1", "freedonia", "lab-b", "model-08"], []),
    # Acme's: the 20 models it develops are few enough to show with it; Alpha's country is the dataset's word alone.
    ("Acme", ["acme", "alpha", "freedonia"] + [f"model-{i:02d}" for i in range(3, MODELS + 1, 3)], []),
    # Freedonia's: its 60 models are too many; the page opens on what the article names.
    ("Freedonia", ["acme", "alpha", "freedonia"], [f"model-{i:02d}" for i in range(1, MODELS + 1)]),
])
def test_a_page_around_an_actor_opens_as_if_it_were_selected(fixture, around, first, hidden):
    from kg.export.html import viewer_html

    data = embedded_html(viewer_html(fixture.catalog, around=around))
    assert sorted(n["id"] for n in data["nodes"] if not n["datasetOnly"]) == first
    assert sorted(n["id"] for n in data["nodes"] if n["datasetOnly"]) == hidden


def test_the_page_is_the_same_from_one_build_to_the_next(fixture, tmp_path):
    again = build(fixture.out.parent / "data.yaml", fixture.out.parent / "corpus", tmp_path / "out")
    assert again.catalog.entities.keys() == fixture.catalog.entities.keys()
    assert (tmp_path / "out" / "graph.html").read_bytes() == (fixture.out / "graph.html").read_bytes()


def test_the_layout_keeps_fixed_nodes_where_they_are_and_places_the_others_clear_of_them():
    from kg.export.layout import footprint, force_layout

    from .test_viewer_legibility import _boxes_overlap

    first = {"a": (0.0, 0.0), "b": (200.0, 0.0), "c": (100.0, 120.0)}
    nodes = ["a", "b", "c"] + [f"m{i}" for i in range(40)]
    edges = [("a", "b"), ("b", "c")] + [(f"m{i}", "abc"[i % 3]) for i in range(40)] + [("m0", "m1")]
    boxes = {node: footprint(f"A long name for {node}", 10.0) for node in nodes}
    positions = force_layout(nodes, edges, boxes=boxes, fixed=first)
    assert {node: positions[node] for node in first} == first
    assert _boxes_overlap(positions, boxes) == []
    assert force_layout(nodes, edges, boxes=boxes, fixed=first) == positions


# In Chromium.

SHOWN = """() => {
    const body = kgViewer.network.body;
    return {nodes: body.nodeIndices.slice().sort(), edges: body.edgeIndices.length,
            status: document.getElementById('status').textContent};
}"""


@pytest.fixture
def viewer(browser, fixture):
    page, recorder = open_viewer(browser, fixture.out / "graph.html", bypass_csp=True)
    yield page, recorder
    page.context.close()


@pytest.mark.browser
def test_the_first_view_shows_only_the_actors_the_article_names(viewer):
    page, recorder = viewer
    assert page.evaluate(SHOWN) == {"nodes": FIRST, "edges": FIRST_RELATIONS,
                                    "status": f"4 of {ALL_ACTORS} actors, 3 of {ALL_RELATIONS} relations shown"}
    assert page.text_content("#hidden-note") == (
        "Shown first: the actors the articles name. Hidden: the 63 actors only a dataset names. "
        "Search finds every actor; selecting one shows it and the hidden actors linked to it.")
    assert page.is_visible("#hidden-note")
    assert recorder.console_errors == []


@pytest.mark.browser
def test_the_toggle_shows_the_dataset_s_actors_and_hides_them_again(viewer):
    page, _ = viewer
    assert page.text_content("label:has(#show-dataset)").strip() == "Show the dataset's 63 actors"
    page.check("#show-dataset")
    shown = page.evaluate(SHOWN)
    assert (len(shown["nodes"]), shown["edges"]) == (ALL_ACTORS, ALL_RELATIONS)
    assert shown["status"] == f"{ALL_ACTORS} of {ALL_ACTORS} actors, {ALL_RELATIONS} of {ALL_RELATIONS} relations shown"
    page.uncheck("#show-dataset")
    assert page.evaluate(SHOWN)["nodes"] == FIRST


@pytest.mark.browser
def test_search_finds_a_hidden_actor_and_shows_it_with_its_neighbours(viewer):
    page, _ = viewer
    page.fill("#search", "model 08")  # Lab B's (8 % 3 == 2), trained on Chip K1 (8 is even)
    page.press("#search", "Enter")
    assert page.wait_for_function(FOCUSED, timeout=5000).json_value() == "model-08"
    assert page.text_content("#panel h2") == "Model 08"
    shown = page.evaluate(SHOWN)
    # Model 08 and its hidden neighbours, Lab B and Chip K1; its relations to them and to Freedonia.
    assert shown["nodes"] == sorted(FIRST + ["chip-k1", "lab-b", "model-08"])
    assert shown["edges"] == FIRST_RELATIONS + 3
    assert page.text_content("#search-note") == ""


def node_point(page, node):
    """Where ``node`` is on the screen, the view fitted to the actors shown."""
    return page.evaluate("""id => {
        const net = kgViewer.network;
        net.fit({animation: false});
        const dom = net.canvasToDOM(net.getPositions([id])[id]);
        const box = document.getElementById('graph').getBoundingClientRect();
        return {x: box.left + dom.x, y: box.top + dom.y};
    }""", node)


@pytest.mark.browser
def test_selecting_an_actor_shows_its_hidden_neighbours(viewer):
    page, _ = viewer
    point = node_point(page, "acme")
    page.mouse.click(point["x"], point["y"])  # Acme develops 20 of the models: few enough to show at once
    page.wait_for_selector("#panel:not([hidden])")
    assert page.text_content("#panel h2") == "Acme"
    shown = page.evaluate(SHOWN)
    assert shown["nodes"] == sorted(FIRST + [f"model-{i:02d}" for i in range(3, MODELS + 1, 3)])
    assert shown["edges"] == FIRST_RELATIONS + 20 + 20  # each model's lab and country
    assert page.query_selector("#panel .hidden-neighbours") is None

    point = node_point(page, "freedonia")
    page.mouse.click(point["x"], point["y"])  # 40 models are still hidden: too many to show unasked
    page.wait_for_selector("#panel .hidden-neighbours")
    assert page.text_content("#panel h2") == "Freedonia"
    assert len(page.evaluate(SHOWN)["nodes"]) == 4 + 20
    assert page.text_content("#panel .hidden-neighbours") == \
        "40 actors linked to it are hidden (only a dataset names them). Show them"
    page.click("#show-neighbours")
    assert len(page.evaluate(SHOWN)["nodes"]) == 4 + MODELS
    assert page.query_selector("#panel .hidden-neighbours") is None


@pytest.mark.browser
def test_the_dataset_s_credit_is_on_screen(viewer):
    page, _ = viewer
    assert page.text_content("#credits").strip() == CREDIT
    box = page.locator("#credits").bounding_box()
    assert page.is_visible("#credits") and box["height"] > 0
    assert box["y"] >= 0 and box["y"] + box["height"] <= page.viewport_size["height"]
    assert page.evaluate("document.querySelectorAll('#credits b, #credits a').length") == 0


@pytest.mark.browser
def test_no_request_leaves_the_page(viewer, fixture):
    # The page's Content-Security-Policy is off (bypass_csp): a request it tried would go out and be recorded.
    page, recorder = viewer
    page.check("#show-dataset")
    page.fill("#search", "Chip K1")
    page.press("#search", "Enter")
    page.wait_for_function(FOCUSED, timeout=5000)
    page.uncheck("#show-dataset")
    point = node_point(page, "freedonia")
    page.mouse.click(point["x"], point["y"])
    page.click("#show-neighbours")
    page.mouse.wheel(0, 300)
    page.wait_for_timeout(300)
    assert recorder.requests == [(fixture.out / "graph.html").resolve().as_uri()]
    assert recorder.console_errors == [] and recorder.dialogs == []
