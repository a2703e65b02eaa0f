"""The viewer's data, filters, layout and HTML, checked without a browser."""
from __future__ import annotations

import base64
import hashlib
import json
import re
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner

from kg.build import check
from kg.cli.main import cli
from kg.errors import KGError
from kg.export.html import json_for_script, render, script_body, viewer_html
from kg.export.layout import force_layout
from kg.export.viewer_data import select, viewer_data
from kg.graph.terms import short_hash

from .conftest import DATA, FIXTURES

XSS = FIXTURES / "xss"


def entity_claims(catalog):
    return [c for c in catalog.claims if c.value.kind == "entity"]


def test_nodes_and_edges_are_the_graphs(built, store):
    data = viewer_data(built.catalog)
    assert [n["id"] for n in data["nodes"]] == sorted(built.catalog.entities)
    # Every claim whose value is an entity is one edge; count them in the RDF.
    query = """
        PREFIX kg: <https://w3id.org/ai-race-kg/ontology#>
        SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {
            ?c a kg:Claim ; kg:value ?v . FILTER(STRSTARTS(STR(?v), "https://w3id.org/ai-race-kg/entity/"))
        }
    """
    from kg.graph.store import sparql_prologue

    rows = list(store.query(sparql_prologue() + query, use_default_graph_as_union=True))
    assert len(data["edges"]) == int(rows[0][0].value) == len(entity_claims(built.catalog))
    claim_ids = {c["id"] for c in data["claims"]}
    assert len(claim_ids) == len(built.catalog.claims)
    assert all(data["claims"][e["claim"]]["entity"] == e["to"] for e in data["edges"])


def test_claims_carry_value_rank_reason_and_every_quote(built):
    data = viewer_data(built.catalog)
    rows = {c["id"]: c for c in data["claims"]}
    for claim in built.catalog.claims:
        row = rows[short_hash(claim.key)]
        assert (row["subject"], row["property"], row["value"]) == (claim.subject, claim.property.name, claim.value.display())
        assert row["rank"] == claim.rank and row["reason"] == claim.reason
        assert sorted(ev["quote"] for ev in row["evidence"]) == sorted(ev.exact for ev in claim.evidence)
        for ev in row["evidence"]:
            if "row" in ev:  # a dataset's cell, checked by tests/test_datasets.py
                continue
            article = built.articles[ev["source"]]
            assert article.text[ev["start"]:ev["end"]] == ev["quote"]
    deprecated = [c for c in data["claims"] if c["rank"] == "deprecated"]
    assert deprecated and all(c["reason"] for c in deprecated)


def test_disputes_are_marked_from_the_disagreements(built):
    from kg.curate.disagreements import disagreements

    found = disagreements(built.catalog)
    assert found, "the real data has disagreements"
    data = viewer_data(built.catalog)
    disputed = {c["id"] for c in data["claims"] if c["disputed"]}
    from kg.graph.terms import short_hash

    assert disputed == {short_hash(claim.key) for d in found for claim in d.claims}
    assert {n["id"] for n in data["nodes"] if n["disputed"]} == {actor for d in found for actor in d.involves()}
    assert [(d["kind"], d["topic"]) for d in data["disagreements"]] == [(d.kind, d.topic) for d in found]


def test_sources_carry_title_or_file_and_date(built):
    data = viewer_data(built.catalog)
    by_id = {s["id"]: s for s in data["sources"]}
    for sid, source in built.catalog.sources.items():
        assert by_id[sid]["title"] == source.record.title
        assert by_id[sid]["file"] == source.record.file
        assert by_id[sid]["date"] == source.record.date


def test_size_follows_pagerank(built):
    data = viewer_data(built.catalog)
    sizes = {n["id"]: n["size"] for n in data["nodes"]}
    isolated = {n["id"] for n in data["nodes"]} - {e["from"] for e in data["edges"]} - {e["to"] for e in data["edges"]}
    most_cited = max(sizes, key=sizes.get)
    assert most_cited not in isolated
    assert all(sizes[node] < sizes[most_cited] for node in isolated)


def test_select_by_type_includes_subtypes(built):
    catalog = built.catalog
    chips = select(catalog, types=["Chip"])
    assert set(chips.entities) == {e for e, ent in catalog.entities.items() if ent.type == "Chip"}
    orgs = select(catalog, types=["Organization"])
    assert {"deepseek", "nvidia", "high-flyer"} <= set(orgs.entities)
    assert all(c.subject in orgs.entities for c in orgs.claims)
    assert all(c.value.lexical in orgs.entities for c in entity_claims(orgs))


def test_select_by_source_keeps_only_its_evidence(built):
    chosen = select(built.catalog, sources=["a002"])
    assert set(chosen.sources) == {"a002"}
    assert chosen.claims and all(ev.source == "a002" for c in chosen.claims for ev in c.evidence)
    expected = [c for c in built.catalog.claims if any(ev.source == "a002" for ev in c.evidence)]
    assert {c.key for c in chosen.claims} == {c.key for c in expected}
    mentioned = {c.subject for c in expected} | {c.value.lexical for c in expected if c.value.kind == "entity"}
    assert set(chosen.entities) == mentioned


def test_select_around_follows_relations_both_ways(built):
    catalog = built.catalog
    neighbours = {c.value.lexical for c in entity_claims(catalog) if c.subject == "deepseek"}
    neighbours |= {c.subject for c in entity_claims(catalog) if c.value.lexical == "deepseek"}
    assert set(select(catalog, around="deepseek", depth=1).entities) == neighbours | {"deepseek"}
    assert set(select(catalog, around="deepseek", depth=0).entities) == {"deepseek"}
    two = set(select(catalog, around="deepseek", depth=2).entities)
    assert two > neighbours | {"deepseek"}


@pytest.mark.parametrize("kwargs, message", [
    ({"types": ["Chipp"]}, "unknown type 'Chipp' (did you mean 'Chip'?)"),
    ({"sources": ["a02"]}, "unknown source 'a02'"),
    ({"around": "deepsek"}, "no actor is called 'deepsek' (did you mean 'deepseek'"),
    ({"around": "deepseek", "types": ["Chip"]}, "'deepseek' is left out by the --type or --source filter"),
])
def test_select_rejects_unknown_names(built, kwargs, message):
    with pytest.raises(KGError, match=re.escape(message)):
        select(built.catalog, **kwargs)


def test_layout_is_deterministic_and_keeps_neighbours_close():
    import random

    rng = random.Random(7)
    nodes = [f"n{i}" for i in range(400)]
    edges = [(f"n{i}", f"n{rng.randrange(i)}") for i in range(1, 400)]  # a random tree
    first = force_layout(nodes, edges, seed=3)
    assert first == force_layout(nodes, edges, seed=3)
    assert first != force_layout(nodes, edges, seed=4)

    def dist(a, b):
        (x1, y1), (x2, y2) = first[a], first[b]
        return ((x1 - x2) ** 2 + (y1 - y2) ** 2) ** 0.5

    linked = sum(dist(a, b) for a, b in edges) / len(edges)
    pairs = [(rng.choice(nodes), rng.choice(nodes)) for _ in range(2000)]
    unlinked = sum(dist(a, b) for a, b in pairs) / len(pairs)
    assert linked < unlinked / 3


def test_layout_handles_tiny_graphs():
    assert force_layout([], []) == {}
    assert force_layout(["a"], [("a", "a")]) == {"a": (0.0, 0.0)}
    two = force_layout(["a", "b"], [("a", "b"), ("a", "a")])
    assert two["a"] != two["b"]


def test_json_in_script_cannot_close_it():
    data = {"name": "</script><script>alert(1)</script>", "q": "a & b <!-- \u2028\u2029 >"}
    text = json_for_script(data)
    assert not set(text) & {"<", ">", "&", "\u2028", "\u2029"}
    assert json.loads(text) == data


def test_script_body_cannot_close_its_element():
    js = 'var a = "</script><script>", b = "<!--", c = "</SCRIPT >";'
    body = script_body(js)
    assert not re.search(r"<(/?script|!--)", body, re.IGNORECASE)
    assert body.count("\\x3C") == 4


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: dict[str, str] = {}
        self._open: list[str] = []
        self.scripts: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._open.append(tag)
        if tag == "script":
            self.scripts.append("")

    def handle_endtag(self, tag):
        if self._open and self._open[-1] == tag:
            self._open.pop()

    def handle_data(self, data):
        if self._open:
            self.text[self._open[-1]] = self.text.get(self._open[-1], "") + data
            if self._open[-1] == "script":
                self.scripts[-1] += data


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def test_page_is_self_contained(built):
    html = (built.out / "graph.html").read_text("utf-8")
    page = parse(html)
    tags = [tag for tag, _ in page.tags]
    assert "link" not in tags and "iframe" not in tags and "img" not in tags
    for tag, attrs in page.tags:
        assert "src" not in attrs, (tag, attrs)
        assert "href" not in attrs, (tag, attrs)
    assert [attrs.get("type") for tag, attrs in page.tags if tag == "script"] == ["application/json", None, None]
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", html)
    # The only absolute URLs outside vis-network's own script and the data (where a dataset's
    # licence and notes are text, never loaded) are the Wikidata link the user may click and,
    # as text in the credits, each dataset's page and licence.
    vis = page.scripts[1]
    outside = html.replace(vis, "").replace(page.scripts[0], "")
    credited = {url for d in built.catalog.datasets.values() for url in (d.record.url, d.record.licence) if url}
    assert set(re.findall(r"https?://[^\s\"'<>)]+", outside)) == {"https://www.wikidata.org/wiki/"} | credited


def test_content_security_policy_allows_only_the_inlined_scripts(built):
    html = (built.out / "graph.html").read_text("utf-8")
    page = parse(html)
    csp = next(attrs["content"] for tag, attrs in page.tags if attrs.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in csp
    hashes = re.findall(r"'sha256-([^']+)'", csp)
    executable = page.scripts[1:]
    assert hashes == [base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode() for s in executable]
    embedded = json.loads(page.scripts[0])
    assert len(embedded["nodes"]) == len(built.catalog.entities)


def test_hostile_text_stays_data():
    result = check(XSS / "data.yaml", XSS / "corpus")
    html = viewer_html(result.catalog, title="<img src=x onerror=alert('page-title')>")
    page = parse(html)
    assert [tag for tag, _ in page.tags].count("script") == 3
    assert not {"img", "svg", "a", "i", "b"} & {tag for tag, _ in page.tags}
    assert page.text["title"] == "<img src=x onerror=alert('page-title')>"
    data = json.loads(page.scripts[0])
    names = {n["id"]: n["name"] for n in data["nodes"]}
    assert names["evil-lab"] == "<img src=x onerror=alert('name')>"
    quotes = [ev["quote"] for c in data["claims"] for ev in c["evidence"]]
    assert any('href="javascript:' in q for q in quotes)
    assert "\u2028" not in html and "\u2029" not in html


def test_render_is_byte_identical(built):
    data = viewer_data(built.catalog)
    assert render(data) == render(viewer_data(built.catalog))
    assert (built.out / "graph.html").read_text("utf-8") == render(data)


def test_cli_writes_a_filtered_viewer(tmp_path, corpus_dir):
    out = tmp_path / "sub" / "chips.html"
    result = CliRunner().invoke(cli, ["viewer", "--data", str(DATA), "--corpus", str(corpus_dir), "--out", str(out), "--type", "Chip"])
    assert result.exit_code == 0, result.output
    assert "Wrote" in result.stderr and str(out) in result.stderr
    data = json.loads(parse(out.read_text("utf-8")).scripts[0])
    assert {n["type"] for n in data["nodes"]} == {"Chip"}
    assert "Chip" in data["title"]


def test_cli_around_and_depth(tmp_path, corpus_dir):
    out = tmp_path / "around.html"
    args = ["viewer", "--data", str(DATA), "--corpus", str(corpus_dir), "--out", str(out), "--around", "nvidia-h800", "--depth", "1"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    data = json.loads(parse(out.read_text("utf-8")).scripts[0])
    catalog = check(DATA, corpus_dir).catalog
    links = [(c.subject, c.value.lexical) for c in entity_claims(catalog)]
    neighbours = {b for a, b in links if a == "nvidia-h800"} | {a for a, b in links if b == "nvidia-h800"}
    kept = {n["id"] for n in data["nodes"]}
    assert kept == neighbours | {"nvidia-h800"}
    assert sorted((e["from"], e["to"]) for e in data["edges"]) == sorted((a, b) for a, b in links if a in kept and b in kept)


@pytest.mark.parametrize("args, message", [
    (["--type", "Chipp"], "Error: unknown type 'Chipp' (did you mean 'Chip'?)"),
    (["--around", "nvidia-h8000"], "Error: --around: no actor is called 'nvidia-h8000' (did you mean 'nvidia-h800'"),
    (["--depth", "-1", "--around", "nvidia"], "Invalid value for '--depth'"),
])
def test_cli_reports_bad_filters_cleanly(tmp_path, corpus_dir, args, message):
    out = tmp_path / "x.html"
    result = CliRunner().invoke(cli, ["viewer", "--data", str(DATA), "--corpus", str(corpus_dir), "--out", str(out), *args])
    assert result.exit_code != 0
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()


def test_cli_help_has_examples():
    result = CliRunner().invoke(cli, ["viewer", "--help"])
    assert result.exit_code == 0
    assert "Examples:" in result.output and "kg viewer --out" in result.output


def test_every_type_has_its_own_colour_and_none_is_the_dispute_red(built):
    from kg.export.viewer_data import type_styles

    colours = [style["color"] for style in type_styles(built.catalog).values()]
    assert len(set(colours)) == len(colours)
    assert "#d62728" not in colours


def test_viewer_is_byte_identical_across_processes(tmp_path, corpus_dir):
    """Set order and hashing differ between processes; the file must not."""
    import os
    import subprocess
    import sys

    pages = []
    for seed in ("1", "2"):
        out = tmp_path / f"graph-{seed}.html"
        env = dict(os.environ, PYTHONHASHSEED=seed)
        subprocess.run([sys.executable, "-m", "kg", "viewer", "--data", str(DATA), "--corpus", str(corpus_dir), "--out", str(out)],
                       check=True, env=env, capture_output=True)
        pages.append(out.read_bytes())
    assert pages[0] == pages[1]


def test_build_writes_a_pointer_page_when_the_graph_is_too_large(tmp_path, corpus_dir, monkeypatch):
    from kg.build import build
    from kg.export import html

    monkeypatch.setattr(html, "WHOLE_GRAPH_LIMIT", 10)
    build(DATA, corpus_dir, tmp_path)
    page = (tmp_path / "graph.html").read_text()
    assert "The graph has 1,524 actors, more than a browser can draw at once (the limit is 10)." in page
    assert "kg viewer --around ENTITY --depth 2" in page
    assert "<script" not in page
