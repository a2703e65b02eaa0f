"""Facts from a dataset in the commands that read the built graph.

`kg show`, `kg path`, `kg rank`, `kg export`, `kg diff` and the entity pages
of `kg serve` show a dataset's cell by its source, row and column and its
exact text, apart from an article's quote, and credit the dataset with its
licence as the graph states them. The graph here is the tiny dataset of
tests/fixtures/datasets/ with one short article that states one of its facts
and contradicts another.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli.main import cli
from tests.conftest import FIXTURES, write_articles

TINY = FIXTURES / "datasets"
ARTICLE = "Acme trained Alpha-1 on Widget X100 chips, using 500 of them.\n"
CLAIMS = """
claims:
  - subject: alpha-1
    property: trainedOn
    value: widget-x100
    evidence: [{source: n1, quote: Acme trained Alpha-1 on Widget X100 chips}]
  - subject: alpha-1
    property: trainingChipCount
    value: 500
    evidence: [{source: n1, quote: using 500 of them}]
"""


def _build(tmp_path: Path, name: str, with_dataset: bool = True, article: str = ARTICLE, claims: str = CLAIMS,
           entities: str = "") -> Path:
    """The tiny dataset and an article (n1) with its ``claims`` and more ``entities`` (YAML
    list items) built into tmp_path/name; without the dataset, the article alone."""
    folder = tmp_path / "datasets"
    if not folder.exists():
        shutil.copytree(TINY, folder)
    curated, dataset = (TINY / "data.yaml").read_text(encoding="utf-8").split("\ndatasets:", 1)
    sources = write_articles(tmp_path / "corpus", {"n1": ("n1.txt", article)})
    data = tmp_path / f"{name}.yaml"
    data.write_text(curated.rstrip("\n") + "\n" + entities + ("\ndatasets:" + dataset if with_dataset else "") + "\n"
                    + sources + claims, encoding="utf-8")
    out = tmp_path / name
    result = CliRunner().invoke(cli, ["build", "--data", str(data), "--corpus", str(tmp_path / "corpus"),
                                      "--datasets", str(folder), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> Path:
    return _build(tmp_path_factory.mktemp("dataset-views"), "export")


def run(*args: str):
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_kg_show_cites_cells_by_row_and_column_and_credits_the_dataset(export):
    assert run("show", "alpha-1", "--export", str(export)) == """\
Alpha-1 (Model)  entity:alpha-1

Claims
  developedBy
    Acme
      tiny row 2, column 'Organization': \u201cAcme Labs,Beta Research\u201d
    Beta Research
      tiny row 2, column 'Organization': \u201cAcme Labs,Beta Research\u201d
  developmentCost
    1,200,000 USD [priceYear=2023]
      tiny row 2, column 'Training compute cost (2023 USD)': \u201c1200000.0\u201d
  parameterCount
    7000000000
      tiny row 2, column 'Parameters': \u201c7000000000.0\u201d
  releaseDate
    2024-05-01
      tiny row 2, column 'Publication date': \u201c2024-05-01\u201d
  trainedOn
    Widget X100
      n1: \u201cAcme trained Alpha-1 on Widget X100 chips\u201d
      tiny row 2, column 'Training hardware': \u201cWidget X100 SXM\u201d
  trainingChipCount
    500
      n1: \u201cusing 500 of them\u201d
    512
      tiny row 2, column 'Hardware quantity': \u201c512.0\u201d
  trainingCompute
    150,000,000,000,000,000,000,000 FLOP
      tiny row 2, column 'Training compute (FLOP)': \u201c1.5e+23\u201d

Claims by others pointing here
  baseModel
    Alpha-1-Chat
      tiny row 3, column 'Base model': \u201cAlpha-1\u201d

Where the sources disagree
  [value] Alpha-1: training chip count: 1 source against 1
    1. 500
       n1: \u201cusing 500 of them\u201d
    2. 512
       tiny row 2, column 'Hardware quantity': \u201c512.0\u201d

Data credits
  Data: Tiny Data, licence https://creativecommons.org/licenses/by/4.0/ (tiny)
"""


def test_kg_show_as_data_gives_the_cell_and_the_credit(export):
    shown = json.loads(run("show", "alpha-1-chat", "--export", str(export), "-f", "json"))
    assert [c["evidence"] for c in shown["claims"] if c["property"] == "baseModel"] == [
        [{"source": "tiny", "quote": "Alpha-1", "cell": "cell=3,10", "row": 3, "column": "Base model"}]]
    assert shown["credits"] == [{"source": "tiny", "credit": "Data: Tiny Data",
                                 "licence": "https://creativecommons.org/licenses/by/4.0/", "page": ""}]
    rows = run("show", "alpha-1", "--export", str(export), "-f", "csv").splitlines()
    assert rows[6:8] == ["out,trainedOn,Alpha-1,Widget X100,,normal,,n1,Acme trained Alpha-1 on Widget X100 chips",
                         'out,trainedOn,Alpha-1,Widget X100,,normal,,"tiny#cell=2,6",Widget X100 SXM']


def test_an_actor_with_facts_from_articles_only_gets_no_credit(export):
    assert run("show", "publisher", "--export", str(export)) == (
        "Tiny Data (Organization)  entity:publisher\n\nNo claims mention it yet.\n")


def test_kg_path_follows_a_claim_only_a_dataset_states(export):
    assert run("path", "alpha-1-chat", "widget-x100", "--export", str(export)) == """\
1. alpha-1-chat \u2014 alpha-1 \u2014 widget-x100  (2 steps)
     alpha-1-chat -baseModel-> alpha-1  [tiny]
       tiny row 3, column 'Base model': \u201cAlpha-1\u201d
     alpha-1 -trainedOn-> widget-x100  [n1 tiny] \u201cAcme trained Alpha-1 on Widget X100 chips\u201d
       tiny row 2, column 'Training hardware': \u201cWidget X100 SXM\u201d
"""
    assert run("path", "alpha-1-chat", "widget-x100", "--export", str(export), "-f", "csv") == (
        "path,step,from,property,to,rank,sources,quote,cells\n"
        "1,1,alpha-1-chat,baseModel,alpha-1,normal,tiny,,\"tiny row 3, column 'Base model': \u201cAlpha-1\u201d\"\n"
        "1,2,alpha-1,trainedOn,widget-x100,normal,n1 tiny,Acme trained Alpha-1 on Widget X100 chips,"
        "\"tiny row 2, column 'Training hardware': \u201cWidget X100 SXM\u201d\"\n")


def test_kg_rank_counts_the_dataset_edges_and_not_the_dataset(export):
    assert run("rank", "--by", "degree", "--export", str(export), "-f", "csv") == (
        "id,label,type,degree,betweenness,pagerank\n"
        "alpha-1,Alpha-1,Model,4,0.5,0.176772\n"
        "acme,Acme,Lab,2,0,0.226857\n"
        "alpha-1-chat,Alpha-1-Chat,Model,2,0,0.12405\n"
        "beta-research,Beta Research,Lab,1,0,0.174135\n"
        "widget-x100,Widget X100,Chip,1,0,0.174135\n"
        "publisher,Tiny Data,Organization,0,0,0.12405\n")


def test_kg_export_lists_the_cells_behind_each_edge(export):
    assert run("export", "csv", "--export", str(export)) == (
        "Source,Target,Label,Id,Rank,Sources,Quote,Cells\n"
        "alpha-1,acme,developedBy,734a51a2854b5169,normal,tiny,,\"tiny row 2, column 'Organization': \u201cAcme Labs,Beta Research\u201d\"\n"
        "alpha-1,beta-research,developedBy,80f980d14d277845,normal,tiny,,\"tiny row 2, column 'Organization': \u201cAcme Labs,Beta Research\u201d\"\n"
        "alpha-1,widget-x100,trainedOn,913358f4bc86b9c0,normal,n1 tiny,Acme trained Alpha-1 on Widget X100 chips,"
        "\"tiny row 2, column 'Training hardware': \u201cWidget X100 SXM\u201d\"\n"
        "alpha-1-chat,alpha-1,baseModel,1da205f76bd8c1df,normal,tiny,,\"tiny row 3, column 'Base model': \u201cAlpha-1\u201d\"\n"
        "alpha-1-chat,acme,developedBy,88d146e15b79aa6d,normal,tiny,,\"tiny row 3, column 'Organization': \u201cAcme Labs\u201d\"\n")
    graphml = run("export", "graphml", "--export", str(export))
    assert '<key id="d7" for="edge" attr.name="cells" attr.type="string" />' in graphml
    assert "<data key=\"d7\">tiny row 3, column 'Base model': &#8220;Alpha-1&#8221;</data>" in graphml


def test_kg_diff_shows_the_cells_a_dataset_adds(export, tmp_path):
    old = _build(tmp_path, "old", with_dataset=False)
    text = run("diff", str(old), str(export), "--export", str(export))
    assert text.splitlines()[10:14] == [
        "+ evidence added   alpha-1 trainedOn: widget-x100",
        "      tiny row 2, column 'Training hardware': \u201cWidget X100 SXM\u201d",
        "+ added            alpha-1 trainingChipCount: 512",
        "      tiny row 2, column 'Hardware quantity': \u201c512.0\u201d",
    ]
    assert text.splitlines()[-1] == "11 added, 1 evidence added"
    rows = run("diff", str(old), str(export), "--export", str(export), "-f", "csv").splitlines()
    assert rows[6] == 'evidence added,alpha-1,trainedOn,widget-x100,widget-x100,,"tiny#cell=2,6",Widget X100 SXM'
    changes = json.loads(run("diff", str(old), str(export), "--export", str(export), "-f", "json"))
    assert changes[5]["evidence"] == [{"source": "tiny", "quote": "Widget X100 SXM", "cell": "cell=2,6", "row": 2,
                                       "column": "Training hardware"}]


def test_the_entity_page_shows_cells_with_the_credit_and_licence_link(export):
    from starlette.testclient import TestClient

    from kg.serve.app import create_app

    with TestClient(create_app(export, timeout=5, workers=1)) as client:
        page = client.get("/entity/alpha-1", headers={"Accept": "text/html"}).text
    licence = ' · Data: Tiny Data · <a href="https://creativecommons.org/licenses/by/4.0/" rel="license nofollow">licence</a>'
    assert (f'<blockquote>\u201cAcme trained Alpha-1 on Widget X100 chips\u201d<footer><a href="/source/n1">source/n1</a></footer></blockquote>'
            f'<blockquote class="cell"><code>Widget X100 SXM</code><footer><a href="/source/tiny">Tiny models</a> '
            f"row 2, column &#x27;Training hardware&#x27;{licence}</footer></blockquote>") in page
    disagreement = page[page.index('<h2 id="disagreements">'):page.index("<h2>Referenced by")]
    assert disagreement == (
        '<h2 id="disagreements">Where the sources disagree (1)</h2><ul><li class="disagreement kind-value"><p>'
        '<span class=kind>value</span> <a href="/disagreement/1dc88d7059811fff">Alpha-1: training chip count</a>: '
        "1 source against 1</p><ol>"
        "<li><strong>500</strong> <small>(1 source)</small><blockquote>\u201cusing 500 of them\u201d<footer>n1</footer></blockquote></li>"
        '<li><strong>512</strong> <small>(1 source)</small><blockquote class="cell"><code>512.0</code><footer>tiny '
        f"row 2, column &#x27;Hardware quantity&#x27;{licence}</footer></blockquote></li></ol></li></ul>\n")
    assert page.count("Data: Tiny Data") == 9


def test_an_entity_page_without_dataset_facts_has_no_credit(export):
    from starlette.testclient import TestClient

    from kg.serve.app import create_app

    with TestClient(create_app(export, timeout=5, workers=1)) as client:
        page = client.get("/entity/widget-x100", headers={"Accept": "text/html"}).text
    assert "Data: Tiny Data" not in page and "license" not in page
