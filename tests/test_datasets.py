"""Datasets as sources: the cells the build checks, the mapping, the crosswalk,
and where the dataset and the articles disagree."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

from click.testing import CliRunner

from kg.cli.main import cli
from tests.conftest import FIXTURES

TINY = FIXTURES / "datasets"


def _tiny(tmp_path: Path, csv_text: str | None = None, data_text: str | None = None) -> list[str]:
    """Arguments for a command on the tiny dataset, copied into tmp_path (and changed if asked)."""
    folder = tmp_path / "datasets"
    shutil.copytree(TINY, folder)
    if csv_text is not None:
        (folder / "tiny" / "models.csv").write_text(csv_text, encoding="utf-8", newline="")
    data = folder / "data.yaml"
    if data_text is not None:
        data.write_text(data_text, encoding="utf-8")
    (tmp_path / "corpus").mkdir()
    return ["--data", str(data), "--corpus", str(tmp_path / "corpus"), "--datasets", str(folder)]


def _csv() -> str:
    return (TINY / "tiny" / "models.csv").read_text(encoding="utf-8")


def test_the_build_checks_every_cited_cell(tmp_path):
    args = _tiny(tmp_path)
    result = CliRunner().invoke(cli, ["build", *args, "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1] == (
        "1 dataset name with no crosswalk decision, each its own entity: Beta Research "
        "(decide in data/crosswalk.yaml; kg match proposes pairs)")


def test_a_changed_cell_fails_the_build_naming_row_column_expected_and_found(tmp_path):
    args = _tiny(tmp_path, _csv().replace("2024-06-15", "2024-06-16"))
    data = args[1]
    result = CliRunner().invoke(cli, ["build", *args, "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    digest = hashlib.sha256((tmp_path / "datasets" / "tiny" / "models.csv").read_bytes()).hexdigest()
    assert result.output == (
        f"{data}:13:13: tiny/models.csv has changed: its sha256 is "
        f"{digest}, not the one recorded; "
        "check the cells below, then record the new sha256\n"
        f"{data}:44:29: row 3, column 'Publication date': expected '2024-06-15', found '2024-06-16'\n"
        "2 problems in the data\n")
    assert not (tmp_path / "out").exists()


def test_unreadable_cells_are_all_reported_with_row_and_column_and_never_guessed(tmp_path):
    csv_text = _csv().replace("7000000000.0,1.5e+23", "about 7B,1.5e+23").replace("2024-06-15", "mid-June 2024")
    data = (TINY / "data.yaml").read_text(encoding="utf-8")
    data = data.replace('Parameters: "7000000000.0"\n          Training compute', 'Parameters: "about 7B"\n          Training compute')
    data = data.replace('"2024-06-15"', '"mid-June 2024"')
    args = _tiny(tmp_path, csv_text, data)
    result = CliRunner().invoke(cli, ["validate", *args, "--no-shacl"])
    assert result.exit_code == 1
    lines = [line.split(": ", 1)[1] for line in result.output.splitlines() if "cannot read" in line]
    assert lines == [
        "row 2, column 'Parameters': cannot read 'about 7B' as count: 'about 7B' is not a number",
        "row 3, column 'Publication date': cannot read 'mid-June 2024' as date: "
        + lines[1].split("as date: ", 1)[1],
    ]
    assert "mid-June 2024" in lines[1]


def test_a_cell_the_mapping_imports_must_be_cited(tmp_path):
    data = (TINY / "data.yaml").read_text(encoding="utf-8").replace('          Hardware quantity: "512.0"\n', "")
    args = _tiny(tmp_path, data_text=data)
    result = CliRunner().invoke(cli, ["validate", *args, "--no-shacl"])
    assert result.exit_code == 1
    assert result.output.splitlines()[0].endswith(
        "row 2, column 'Hardware quantity' holds '512.0', which the mapping imports: "
        "cite it under 'cells' as Hardware quantity: '512.0'")


def _tiny_quads(tmp_path) -> str:
    args = _tiny(tmp_path)
    result = CliRunner().invoke(cli, ["build", *args, "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    return (tmp_path / "out" / "kg.nq").read_text(encoding="utf-8")


def _select(export: Path, query: str) -> list[dict]:
    result = CliRunner().invoke(cli, ["query", query, "--export", str(export), "--format", "json"])
    assert result.exit_code == 0, result.output
    return [{k: v["value"] for k, v in b.items()} for b in json.loads(result.output)["results"]["bindings"]]


def test_a_model_whose_organisation_is_two_organisations(tmp_path):
    _tiny_quads(tmp_path)
    rows = _select(tmp_path / "out", "SELECT ?org ?cell ?exact { entity:alpha-1 kg:developedBy ?org . "
                   "?c kg:subject entity:alpha-1 ; kg:property kg:developedBy ; kg:value ?org ; prov:wasDerivedFrom ?e . "
                   "?e oa:hasSelector ?s . ?s rdf:value ?cell ; oa:refinedBy/oa:exact ?exact } ORDER BY ?org")
    base = "https://w3id.org/ai-race-kg/entity/"
    assert rows == [
        {"org": base + "acme", "cell": "cell=2,2", "exact": "Acme Labs,Beta Research"},
        {"org": base + "beta-research", "cell": "cell=2,2", "exact": "Acme Labs,Beta Research"},
    ]


def test_a_model_with_a_base_model_cites_the_cell(tmp_path):
    _tiny_quads(tmp_path)
    rows = _select(tmp_path / "out", "SELECT ?base ?cell ?std ?column { entity:alpha-1-chat kg:baseModel ?base . "
                   "?c kg:subject entity:alpha-1-chat ; kg:property kg:baseModel ; prov:wasDerivedFrom ?e . "
                   "?e oa:hasSource source:tiny ; oa:hasSelector ?s . "
                   "?s a oa:FragmentSelector ; rdf:value ?cell ; dct:conformsTo ?std ; kg:column ?column }")
    assert rows == [{"base": "https://w3id.org/ai-race-kg/entity/alpha-1", "cell": "cell=3,10",
                     "std": "http://tools.ietf.org/rfc/rfc7111", "column": "Base model"}]


def test_an_amount_keeps_its_price_year_and_the_publishers_note(tmp_path):
    _tiny_quads(tmp_path)
    rows = _select(tmp_path / "out", "SELECT ?amount ?year ?note { ?c kg:subject entity:alpha-1 ; "
                   "kg:property kg:developmentCost ; kg:value/schema:value ?amount ; kg:priceYear ?year ; "
                   "prov:wasDerivedFrom ?e . ?e kg:publisherNote ?note }")
    assert rows == [{"amount": "1200000", "year": "2023", "note": "Table 2\n$1.2M in 2023 dollars"}]


def test_the_dataset_record_carries_its_licence_and_credit(tmp_path):
    _tiny_quads(tmp_path)
    rows = _select(tmp_path / "out", "SELECT ?licence ?credit ?sha ?retrieved { source:tiny a kg:Dataset ; "
                   "dct:license ?licence ; schema:creditText ?credit ; kg:sha256 ?sha ; kg:retrievedOn ?retrieved }")
    assert rows == [{"licence": "https://creativecommons.org/licenses/by/4.0/", "credit": "Data: Tiny Data",
                     "sha": "4c0e241ea3c6fdf4b30836383949ee93c4af7ae7e936328b237b459c2108b392",
                     "retrieved": "2026-01-26"}]


def test_a_name_without_a_decision_never_merges_silently_into_a_curated_entity(tmp_path):
    data = (TINY / "data.yaml").read_text(encoding="utf-8").replace("  - {name: Widget X100 SXM, entity: widget-x100}\n", "")
    data = data.replace("{id: widget-x100, type: Chip, name: Widget X100}", "{id: widget-x100-sxm, type: Chip, name: Widget X100}")
    args = _tiny(tmp_path, data_text=data)
    result = CliRunner().invoke(cli, ["validate", *args, "--no-shacl"])
    assert result.exit_code == 1
    assert result.output.splitlines()[0].endswith(
        "'Widget X100 SXM' has no crosswalk decision and its id 'widget-x100-sxm' is taken by a curated entity; "
        "add to the crosswalk 'name: Widget X100 SXM' with 'entity: widget-x100-sxm' if it is that entity, or 'new: TYPE'")


# The real dataset, read from ../shared/datasets, against the articles.

def test_the_crosswalk_merges_a_dataset_name_into_a_curated_entity(built):
    claims = [c for c in built.catalog.claims
              if c.subject == "deepseek-v3" and c.property.name == "trainedOn" and c.value.lexical == "nvidia-h800"]
    assert len(claims) == 1
    cited = sorted((ev.source, ev.exact if ev.row else "") for ev in claims[0].evidence)
    assert cited == [("a000", ""), ("a001", ""), ("a002", ""), ("a004", ""),
                     ("epoch-notable-ai-models", "NVIDIA H800 SXM5")]
    assert "nvidia-h800-sxm5" not in built.catalog.entities


def test_deepseek_v3_facts_from_both_kinds_of_source_side_by_side(built):
    rows = sorted(
        (c.property.name, c.value.display(), ev.source, ev.exact, ev.fragment)
        for c in built.catalog.claims if c.subject == "deepseek-v3" and c.property.name in ("releaseDate", "trainingChipCount")
        for ev in c.evidence)
    assert rows == [
        ("releaseDate", "2024-12", "a002", "made headlines in December by introducing a free, open-source large-language model", ""),
        ("releaseDate", "2024-12-24", "epoch-notable-ai-models", "2024-12-24", "cell=94,3"),
        ("releaseDate", "2024-12-26", "a003", "The day after Christmas, a small Chinese startup called DeepSeek unveiled a new artificial intelligence system", ""),
        ("releaseDate", "2025-01-24", "a001", "DeepSeek V3, introduced on January 24, 2025", ""),
        ("trainingChipCount", "2,000", "a001", "[DeepSeek] declared to have used 2,000 of such chips", ""),
        ("trainingChipCount", "2,000", "a003", "DeepSeek’s engineers claimed they only needed around 2,000 specialized computer chips from Nvidia", ""),
        ("trainingChipCount", "2,048", "epoch-notable-ai-models", "2048.0", "cell=94,27"),
    ]


def test_the_three_deepseek_v3_disagreements_show_quotes_against_cells():
    result = CliRunner().invoke(cli, ["conflicts", "--subject", "deepseek-v3", "--kind", "value"])
    assert result.exit_code == 0, result.output
    assert result.output == """\
3 disagreements between sources (value 3)

[value] DeepSeek-V3: development cost: 1 source against 1 against 2 against 2
  the amounts are on different bases (in 2023 money, nominal): shown side by side, not compared
  1. 5,390,000 USD in 2023 money  (1 source: epoch-notable-ai-models)
     DeepSeek-V3 developmentCost 5,390,000 USD [priceYear=2023]
       epoch-notable-ai-models row 94, column 'Training compute cost (2023 USD)': \u201c5390000.0\u201d
         Training compute cost (2023 USD) notes: Table 1 $5.576M 2024 USD = $5.39M 2023 USD (https://www.usinflationcalculator.com/)
  2. 5,600,000 USD  (1 source: a000)
     DeepSeek-V3 developmentCost 5,600,000 USD
       a000: \u201cDeepSeek reportedly developed its model for a mere $5.6 million\u201d
  3. 6,000,000 USD  (2 sources: a001, a003)
     DeepSeek-V3 developmentCost 6,000,000 USD
       a001: \u201cThe startup managed to develop DeepSeek V3 with just $6 million\u201d
     DeepSeek-V3 developmentCost 6,000,000 USD [approximate=true]
       a003: \u201cthey needed around US$6 million in raw computing power\u201d
  4. at most 6,000,000 USD  (2 sources: a002, a004)
     DeepSeek-V3 developmentCost 6,000,000 USD [upperBound=true]
       a002: \u201ccost under $6 million\u201d
       a004: \u201cWith a budget of less than $6 million, DeepSeek managed to develop an AI model V3\u201d

[value] DeepSeek-V3: release date: 1 source against 1 against 1 against 1
  1. 2024-12-24  (1 source: epoch-notable-ai-models)
     DeepSeek-V3 releaseDate 2024-12-24
       epoch-notable-ai-models row 94, column 'Publication date': \u201c2024-12-24\u201d
  2. 2024-12-26  (1 source: a003)
     DeepSeek-V3 releaseDate 2024-12-26 [context=curator's reading of 'the day after Christmas'; the article gives no year]
       a003: \u201cThe day after Christmas, a small Chinese startup called DeepSeek unveiled a new artificial intelligence system\u201d
  3. 2024-12  (1 source: a002)
     DeepSeek-V3 releaseDate 2024-12
       a002: \u201cmade headlines in December by introducing a free, open-source large-language model\u201d
  4. 2025-01-24  (1 source: a001)
     DeepSeek-V3 releaseDate 2025-01-24
       a001: \u201cDeepSeek V3, introduced on January 24, 2025\u201d

[value] DeepSeek-V3: training chip count: 2 sources against 1
  1. 2,000  (2 sources: a001, a003)
     DeepSeek-V3 trainingChipCount 2,000
       a001: \u201c[DeepSeek] declared to have used 2,000 of such chips\u201d
     DeepSeek-V3 trainingChipCount 2,000 [approximate=true]
       a003: \u201cDeepSeek\u2019s engineers claimed they only needed around 2,000 specialized computer chips from Nvidia\u201d
  2. 2,048  (1 source: epoch-notable-ai-models)
     DeepSeek-V3 trainingChipCount 2,048
       epoch-notable-ai-models row 94, column 'Hardware quantity': \u201c2048.0\u201d
"""


def test_the_disagreements_as_rows_cite_cells_by_rfc_7111_fragment():
    result = CliRunner().invoke(cli, ["conflicts", "--subject", "deepseek-v3", "--kind", "value", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    rows = [(claim["property"], claim["value"], claim["qualifiers"], ev)
            for d in report for side in d["sides"] for claim in side["claims"] for ev in claim["evidence"]]
    cells = sorted((prop, value, quals, ev["cell"], ev["row"], ev["column"], ev["quote"])
                   for prop, value, quals, ev in rows if "cell" in ev)
    assert cells == [
        ("developmentCost", "5,390,000 USD", {"priceYear": "2023"}, "cell=94,29", 94, "Training compute cost (2023 USD)", "5390000.0"),
        ("releaseDate", "2024-12-24", {}, "cell=94,3", 94, "Publication date", "2024-12-24"),
        ("trainingChipCount", "2,048", {}, "cell=94,27", 94, "Hardware quantity", "2048.0"),
    ]
    quotes = sorted(ev["quote"] for prop, _, _, ev in rows if prop == "trainingChipCount" and "cell" not in ev)
    assert quotes == ["DeepSeek’s engineers claimed they only needed around 2,000 specialized computer chips from Nvidia",
                      "[DeepSeek] declared to have used 2,000 of such chips"]


# kg match: proposals, and the curator's answers in the crosswalk.

def _with_beta(tmp_path) -> list[str]:
    data = (TINY / "data.yaml").read_text(encoding="utf-8").replace(
        "  - {id: acme, type: Lab, name: Acme}\n",
        "  - {id: acme, type: Lab, name: Acme}\n  - {id: beta, type: Lab, name: Beta Research Institute}\n")
    return _tiny(tmp_path, data_text=data)


def test_match_proposes_a_pair_with_its_score_and_evidence(tmp_path):
    args = _with_beta(tmp_path)
    result = CliRunner().invoke(cli, ["match", *args])
    assert result.exit_code == 0, result.output
    assert result.output == (
        "1 undecided name, 1 proposal\n"
        "  100  Beta Research = beta   'Beta Research Institute' (name of beta, a Lab); shared words: beta, research\n")


def test_an_accepted_pair_merges_the_name_into_the_entity(tmp_path):
    args = _with_beta(tmp_path)
    crosswalk = args[1]
    result = CliRunner().invoke(cli, ["match", *args, "--crosswalk", crosswalk, "--accept", "Beta Research=beta"])
    assert result.exit_code == 0, result.output
    assert result.output == f'{crosswalk}: - {{name: "Beta Research", entity: beta}}\n'
    assert CliRunner().invoke(cli, ["match", *args]).output == "0 undecided names, 0 proposals\n"
    result = CliRunner().invoke(cli, ["build", *args, "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert len(result.output.splitlines()) == 1  # no undecided names left
    rows = _select(tmp_path / "out", "SELECT ?org { entity:alpha-1 kg:developedBy ?org } ORDER BY ?org")
    assert rows == [{"org": "https://w3id.org/ai-race-kg/entity/acme"}, {"org": "https://w3id.org/ai-race-kg/entity/beta"}]


def test_a_rejected_pair_is_not_proposed_again_and_the_name_stays_undecided(tmp_path):
    args = _with_beta(tmp_path)
    crosswalk = args[1]
    result = CliRunner().invoke(cli, ["match", *args, "--crosswalk", crosswalk, "--reject", "Beta Research=beta"])
    assert result.exit_code == 0, result.output
    assert result.output == f'{crosswalk}: - {{name: "Beta Research", rejected: [beta]}}\n'
    result = CliRunner().invoke(cli, ["match", *args])
    assert result.output == "1 undecided name, 0 proposals\n       Beta Research: no entity scores 60 or more\n"
    result = CliRunner().invoke(cli, ["build", *args, "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    rows = _select(tmp_path / "out", "SELECT ?org ?name { entity:alpha-1 kg:developedBy ?org . ?org rdfs:label ?name } ORDER BY ?org")
    assert rows == [{"org": "https://w3id.org/ai-race-kg/entity/acme", "name": "Acme"},
                    {"org": "https://w3id.org/ai-race-kg/entity/beta-research", "name": "Beta Research"}]


def test_accepting_an_unknown_entity_is_refused(tmp_path):
    args = _with_beta(tmp_path)
    result = CliRunner().invoke(cli, ["match", *args, "--crosswalk", args[1], "--accept", "Beta Research=betta"])
    assert result.exit_code == 1
    assert result.output == "Error: unknown entity 'betta' (did you mean 'beta'?)\n"


def test_the_real_dataset_with_one_cell_changed_fails_with_the_row_and_column(tmp_path, corpus_dir):
    from tests.conftest import DATA

    real = Path(os.environ["KG_DATASETS"]) / "epoch-notable-ai-models" / "notable-ai-models.csv"
    text = real.read_text(encoding="utf-8")
    at = text.index("DeepSeek-V3,DeepSeek,2024-12-24")
    changed = text[:at] + text[at:].replace("2024-12-24", "2024-12-25", 1)
    copy = tmp_path / "epoch-notable-ai-models" / "notable-ai-models.csv"
    copy.parent.mkdir()
    copy.write_text(changed, encoding="utf-8", newline="")
    digest = hashlib.sha256(copy.read_bytes()).hexdigest()
    result = CliRunner().invoke(cli, ["validate", "--no-shacl", "--data", str(DATA),
                                      "--corpus", str(corpus_dir), "--datasets", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output == (
        f"{DATA}/datasets.yaml:36:13: epoch-notable-ai-models/notable-ai-models.csv has changed: its sha256 is {digest}, "
        "not the one recorded; check the cells below, then record the new sha256\n"
        f"{DATA}/datasets.yaml:61:29: row 94, column 'Publication date': expected '2024-12-24', found '2024-12-25'\n"
        "2 problems in the data\n")


def test_the_entity_page_credits_the_dataset_beside_each_cell(built):
    from starlette.testclient import TestClient

    from kg.serve.app import create_app

    with TestClient(create_app(built.out, timeout=5, workers=1)) as client:
        page = client.get("/entity/deepseek-v3", headers={"Accept": "text/html"}).text
    assert ("<blockquote class=\"cell\"><code>2024-12-24</code><footer><a href=\"/source/epoch-notable-ai-models\">"
            "Data on Notable AI Models</a> row 94, column &#x27;Publication date&#x27; · Data: Epoch AI (epochai.org) · "
            "<a href=\"https://creativecommons.org/licenses/by/4.0/\" rel=\"license nofollow\">licence</a></footer></blockquote>") in page


def test_the_graph_credits_epoch_ai_with_its_licence(built):
    rows = _select(built.out, "SELECT ?licence ?page ?credit ?publisher { source:epoch-notable-ai-models a kg:Dataset ; "
                   "dct:license ?licence ; dct:source ?page ; schema:creditText ?credit ; dct:publisher/rdfs:label ?publisher }")
    assert rows == [{"licence": "https://creativecommons.org/licenses/by/4.0/", "page": "https://epoch.ai/data/notable-ai-models",
                     "credit": "Data: Epoch AI (epochai.org)", "publisher": "Epoch AI"}]


def test_a_value_in_a_given_years_money_is_never_one_side_with_a_nominal_one(built):
    from dataclasses import replace

    from kg.curate.disagreements import disagreements

    catalog = built.catalog
    epoch = next(c for c in catalog.claims if c.subject == "deepseek-v3" and c.property.name == "developmentCost"
                 and "priceYear" in c.qualifiers)
    # The same figure stated by an article in nominal dollars: a side of its own, not Epoch's.
    nominal = replace(epoch, qualifiers={}, evidence=[replace(epoch.evidence[0], source="a000", row=0)])
    try:
        catalog.claims.append(nominal)
        cost = next(d for d in disagreements(catalog) if d.topic == "DeepSeek-V3: development cost")
    finally:
        catalog.claims.remove(nominal)
    labels = [side.label for side in cost.sides]
    assert "5,390,000 USD in 2023 money" in labels and "5,390,000 USD" in labels
    assert cost.note == "the amounts are on different bases (in 2023 money, nominal): shown side by side, not compared"


def test_kg_show_gives_a_dataset_fact_beside_the_articles(built):
    result = CliRunner().invoke(cli, ["show", "deepseek-v3", "--export", str(built.out)])
    assert result.exit_code == 0, result.output
    assert ("  developmentCost\n    5,390,000 USD [priceYear=2023]\n"
            "      epoch-notable-ai-models row 94, column 'Training compute cost (2023 USD)': \u201c5390000.0\u201d\n"
            "    5,600,000 USD\n      a000: \u201cDeepSeek reportedly developed its model for a mere $5.6 million\u201d\n") in result.output
