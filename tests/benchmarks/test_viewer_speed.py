"""Viewer benchmark: our graph.html against pyvis's default export, same graphs, same run.

Run: pytest -m benchmark tests/benchmarks/test_viewer_speed.py -s
Figures are printed and written to bench-out/viewer.md (and .json).

``test_viewer_page`` measures a page already written, `kg build`'s export/graph.html unless
KG_VIEWER_PAGE names another: its size, time to interactive, and how long the toggle takes to
show the actors only a dataset names (figures in bench-out/viewer-page.md):

    KG_VIEWER_PAGE=/tmp/export/graph.html pytest -m benchmark tests/benchmarks/test_viewer_speed.py -k page -s

Two families of graphs, 1,000 and 5,000 actors each:
- ``synthetic``: kg.synthetic's data, built as `kg build` builds it (few relations: most actors
  have only literal claims);
- ``dense``: an entity graph made here, two relations per actor to earlier actors chosen at random,
  for a picture as crowded as a real graph of that size would be.

For our viewer: file size, layout time, and time from navigation to the first frame drawn and to
interactive (the first task after that frame), median of three loads in headless Chromium. For
pyvis (physics on, its resources inlined, its CDN links to Bootstrap removed so it loads offline):
file size, and time from navigation until vis-network's stabilisation iterations are done (the
picture appears) and until it reports 'stabilized' (it stops moving), waited for up to CAP seconds.
"""
from __future__ import annotations

import json
import os
import random
import re
import statistics
import time
from pathlib import Path

import pytest

from kg.build import check
from kg.curate.catalog import Catalog, Claim, Entity, Evidence, Source
from kg.curate.model import EntityRecord, SourceRecord
from kg.curate.values import Value
from kg.curate.vocab import load_vocabulary
from kg.export.html import render
from kg.export.layout import force_layout
from kg.export.viewer_data import viewer_data

from ..chromium import browser, open_viewer  # noqa: F401 - the fixture is used by name
from ..conftest import ROOT

pytestmark = pytest.mark.benchmark

CAP = float(os.environ.get("KG_BENCH_CAP", "120"))  # seconds to wait for pyvis to stabilise
OUT = ROOT / "bench-out"
RESULTS: list[dict] = []


def dense_catalog(size: int, seed: int = 0) -> Catalog:
    """``size`` actors, each backed by two earlier ones: about 2 relations per actor."""
    rng = random.Random(seed)
    vocab = load_vocabulary()
    prop = vocab.properties["backedBy"]
    types = ["Company", "Lab", "Person", "Model", "Chip", "Government", "VentureCapitalFirm"]
    catalog = Catalog(vocab)
    catalog.sources["s0"] = Source(SourceRecord(id="s0", file="s0.txt", sha256="0" * 64, kind="news", title="Synthetic"), None)
    for i in range(size):
        record = EntityRecord(id=f"e{i}", type=types[i % len(types)], name=f"Actor {i}")
        catalog.entities[record.id] = Entity(record, None)
    seen = set()
    for i in range(1, size):
        for target in {rng.randrange(i) for _ in range(2)}:
            if (i, target) in seen:
                continue
            seen.add((i, target))
            quote = f"actor {target} backs actor {i}"
            evidence = Evidence("s0", quote, None, exact=quote)
            catalog.claims.append(Claim(f"e{i}", prop, Value("entity", f"e{target}"), {}, "normal", None, [evidence], None))
    return catalog


def synthetic_catalog(size: int, tmp: Path) -> Catalog:
    from kg.synthetic import generate

    data, corpus = generate(tmp, size)
    return check(data, corpus).catalog


def pyvis_page(catalog: Catalog, path: Path) -> float:
    """pyvis's default export of the same graph (physics on), inlined for offline use; returns seconds."""
    from pyvis.network import Network

    start = time.perf_counter()
    net = Network(height="900px", width="100%", directed=True, cdn_resources="in_line")
    for eid in sorted(catalog.entities):
        net.add_node(eid, label=catalog.entities[eid].record.name)
    for claim in catalog.claims:
        if claim.value.kind == "entity":
            net.add_edge(claim.subject, claim.value.lexical, label=claim.property.label)
    html = net.generate_html()
    seconds = time.perf_counter() - start
    # in_line still links Bootstrap from a CDN; drop it so that the page loads offline.
    html = re.sub(r"<link[^>]*href=\"https://[^\"]*\"[^>]*>", "", html, flags=re.S)
    html = re.sub(r"<script[^>]*src=\"https://[^\"]*\"[^>]*>\s*</script>", "", html, flags=re.S)
    assert not re.search(r"(src|href)=\"https?://", html)
    anchor = "network = new vis.Network(container, data, options);"
    assert anchor in html
    probe = (
        "window.kgProbe = {};"
        "network.once('stabilizationIterationsDone', function () { kgProbe.iterationsDone = performance.now(); });"
        "network.once('stabilized', function () { kgProbe.stabilized = performance.now(); });"
    )
    path.write_text(html.replace(anchor, anchor + probe), "utf-8")
    return seconds


def measure_ours(browser, path: Path, runs: int = 3) -> dict:
    drawn, interactive = [], []
    for _ in range(runs):
        page, recorder = open_viewer(browser, path, timeout=60_000)
        timing = page.evaluate("kgTiming")
        assert recorder.console_errors == [] and len(recorder.requests) == 1
        drawn.append(timing["drawn"] / 1000)
        interactive.append(timing["interactive"] / 1000)
        page.context.close()
    return {"drawn_s": statistics.median(drawn), "interactive_s": statistics.median(interactive)}


def measure_pyvis(browser, path: Path) -> dict:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page.goto(path.resolve().as_uri())
    result = {"drawn_s": None, "stabilized_s": None}
    deadline = time.monotonic() + CAP
    while time.monotonic() < deadline:
        probe = page.evaluate("window.kgProbe || {}")
        if probe.get("iterationsDone") and result["drawn_s"] is None:
            result["drawn_s"] = probe["iterationsDone"] / 1000
        if probe.get("stabilized"):
            result["stabilized_s"] = probe["stabilized"] / 1000
            break
        page.wait_for_timeout(250)
    assert len(requests) == 1, requests
    context.close()
    return result


@pytest.mark.parametrize("family", ["synthetic", "dense"])
@pytest.mark.parametrize("size", [1000, 5000])
def test_viewer_against_pyvis(browser, tmp_path, family, size):
    catalog = synthetic_catalog(size, tmp_path / "synth") if family == "synthetic" else dense_catalog(size)
    nodes = sorted(catalog.entities)
    edges = [(c.subject, c.value.lexical) for c in catalog.claims if c.value.kind == "entity"]

    force_layout(["a", "b", "c"], [("a", "b")])  # import numpy and scipy before timing
    start = time.perf_counter()
    force_layout(nodes, edges)
    layout_s = time.perf_counter() - start
    start = time.perf_counter()
    ours = tmp_path / "graph.html"
    ours.write_text(render(viewer_data(catalog)), "utf-8")
    export_s = time.perf_counter() - start

    theirs = tmp_path / "pyvis.html"
    pyvis_s = pyvis_page(catalog, theirs)

    row = {
        "family": family, "nodes": len(nodes), "edges": len(edges),
        "layout_s": layout_s, "export_s": export_s, "bytes": ours.stat().st_size,
        **measure_ours(browser, ours),
        "pyvis_export_s": pyvis_s, "pyvis_bytes": theirs.stat().st_size,
        **{f"pyvis_{k}": v for k, v in measure_pyvis(browser, theirs).items()},
    }
    RESULTS.append(row)
    _report()
    assert row["drawn_s"] > 0 and row["interactive_s"] >= row["drawn_s"]


def _seconds(value) -> str:
    return f"> {CAP:.0f} (cap)" if value is None else f"{value:.2f}"


def _report() -> None:
    OUT.mkdir(exist_ok=True)
    (OUT / "viewer.json").write_text(json.dumps(RESULTS, indent=2), "utf-8")
    lines = [
        "| graph | nodes | edges | layout s | export s | graph.html MB | drawn s | interactive s "
        "| pyvis file MB | pyvis picture s | pyvis still s |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in RESULTS:
        lines.append(
            f"| {r['family']} | {r['nodes']:,} | {r['edges']:,} | {r['layout_s']:.2f} | {r['export_s']:.2f} "
            f"| {r['bytes'] / 1e6:.2f} | {r['drawn_s']:.2f} | {r['interactive_s']:.2f} "
            f"| {r['pyvis_bytes'] / 1e6:.2f} | {_seconds(r['pyvis_drawn_s'])} | {_seconds(r['pyvis_stabilized_s'])} |"
        )
    table = "\n".join(lines)
    (OUT / "viewer.md").write_text(table + "\n", "utf-8")
    print("\n" + table)


SHOW_ALL = """async () => {
    const box = document.getElementById('show-dataset');
    if (!box) return null;
    const drawn = new Promise(resolve => kgViewer.network.once('afterDrawing', resolve));
    const start = performance.now();
    box.click();
    await drawn;
    await new Promise(resolve => setTimeout(resolve, 0));
    return (performance.now() - start) / 1000;
}"""


def test_viewer_page(browser):
    """A page as written, the real graph by default; three loads, medians."""
    path = Path(os.environ.get("KG_VIEWER_PAGE") or ROOT / "export" / "graph.html")
    if not path.is_file():
        pytest.skip(f"no page at {path}: run kg build, or set KG_VIEWER_PAGE")
    drawn, interactive, show_all = [], [], []
    for _ in range(3):
        page, recorder = open_viewer(browser, path, timeout=60_000)
        timing = page.evaluate("kgTiming")
        drawn.append(timing["drawn"] / 1000)
        interactive.append(timing["interactive"] / 1000)
        first = page.evaluate("kgViewer.shown()")
        show_all.append(page.evaluate(SHOW_ALL))
        every = page.evaluate("kgViewer.shown()")
        assert recorder.console_errors == [] and recorder.requests == [path.resolve().as_uri()]
        page.context.close()
    data = page_data(path)
    row = {
        "page": str(path), "actors": len(data["nodes"]), "relations": len(data["edges"]),
        "first_actors": first["nodes"], "first_relations": first["edges"], "all_actors": every["nodes"],
        "bytes": path.stat().st_size, "drawn_s": statistics.median(drawn),
        "interactive_s": statistics.median(interactive),
        "show_all_s": None if None in show_all else statistics.median(show_all),
    }
    OUT.mkdir(exist_ok=True)
    (OUT / "viewer-page.json").write_text(json.dumps(row, indent=2), "utf-8")
    table = (
        "| page | actors | relations | shown first | graph.html MB | drawn s | interactive s | show all s |\n"
        "|---|---|---|---|---|---|---|---|\n"
        f"| {path.name} | {row['actors']:,} | {row['relations']:,} | {row['first_actors']:,} actors, "
        f"{row['first_relations']:,} relations | {row['bytes'] / 1e6:.2f} | {row['drawn_s']:.2f} "
        f"| {row['interactive_s']:.2f} | {_seconds(row['show_all_s']) if row['show_all_s'] is not None else 'nothing hidden'} |\n"
    )
    (OUT / "viewer-page.md").write_text(table, "utf-8")
    print("\n" + table)
    assert row["interactive_s"] >= row["drawn_s"] > 0


def page_data(path: Path) -> dict:
    html = path.read_text("utf-8")
    tag = '<script type="application/json" id="kg-data">'
    start = html.index(tag) + len(tag)
    return json.loads(html[start:html.index("</script>", start)])
