"""Disagreements of every kind: found by their rules, declared in YAML, in the graph and in `kg conflicts`.

The fixture (tests/disagreement_fixture.py) has two short articles and one
disagreement of each kind; the real data must list every disagreement that
a reader of the five articles finds.
"""
from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from kg.cli.main import cli
from tests import disagreement_fixture
from tests.conftest import DATA


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def fixture(tmp_path_factory):
    folder = tmp_path_factory.mktemp("disagreements")
    data, corpus = disagreement_fixture.write(folder)
    return data, corpus


def conflicts(fixture, *args):
    data, corpus = fixture
    return run("conflicts", "--data", data, "--corpus", corpus, *args)


TABLES = {
    "value": """\
[value] Zeta: development cost: 1 source against 1
  1. 5,000,000 USD  (1 source: s1)
     Zeta developmentCost 5,000,000 USD
       s1: “cost $5 million”
  2. at most 5,000,000 USD  (1 source: s2)
     Zeta developmentCost 5,000,000 USD [upperBound=true]
       s2: “less than $5 million”
""",
    "correction": """\
[correction] Acme Labs: founded by: 1 source against 1
  1. Jon Smyth (deprecated)  (1 source: s1)
     Acme Labs foundedBy Jon Smyth (deprecated: s2 spells the founder John Smith.)
       s1: “founded by Jon Smyth”
  2. John Smith  (1 source: s2)
     Acme Labs foundedBy John Smith
       s2: “founded by John Smith”
""",
    "characterisation": """\
[characterisation] Acme Labs and Big Fund: where an organisation comes from or who runs it: 1 source against 1
  'operated by' and 'originated from' are readings of one relation in ontology.ttl
  1. operated by  (1 source: s2)
     Acme Labs operatedBy Big Fund
       s2: “Acme is run by Big Fund”
  2. originated from  (1 source: s1)
     Acme Labs originatedFrom Big Fund
       s1: “Acme grew out of Big Fund”
""",
    "specificity": """\
[specificity] Zeta: outperformed Omega or Omega 2: 1 source against 1
  Omega is broader or vaguer than Omega 2
  1. Omega  (1 source: s1)
     Zeta outperformed Omega
       s1: “Zeta beat Omega in coding tests”
  2. Omega 2  (1 source: s2)
     Zeta outperformed Omega 2
       s2: “Zeta beat Omega 2”
""",
    "declared": """\
[declared] Jo's remark, quoted differently: 1 source against 1
  1. said We are fast.  (1 source: s1)
     Jo said We are fast.
       s1: “"We are fast."”
  2. said We move quickly.  (1 source: s2)
     Jo said We move quickly.
       s2: “"We move quickly."”
""",
}


def claim(subject, prop, value, source, quote, qualifiers=None, rank="normal", reason=""):
    title = "One" if source == "s1" else ""
    return {"subject": subject, "property": prop, "value": value, "qualifiers": qualifiers or {}, "rank": rank,
            "reason": reason, "evidence": [{"source": source, "title": title, "quote": quote}]}


def side(label, source, *claims):
    return {"label": label, "sources": [source], "claims": list(claims)}


JSON = {
    "value": {
        "id": "disagreement:552adef63f1c60f9", "kind": "value", "topic": "Zeta: development cost",
        "balance": "1 source against 1", "note": "",
        "sides": [side("5,000,000 USD", "s1", claim("Zeta", "developmentCost", "5,000,000 USD", "s1", "cost $5 million")),
                  side("at most 5,000,000 USD", "s2", claim("Zeta", "developmentCost", "5,000,000 USD", "s2",
                                                              "less than $5 million", {"upperBound": "true"}))],
    },
    "correction": {
        "id": "disagreement:0f16c4a080d8d32d", "kind": "correction", "topic": "Acme Labs: founded by",
        "balance": "1 source against 1", "note": "",
        "sides": [side("Jon Smyth (deprecated)", "s1", claim("Acme Labs", "foundedBy", "Jon Smyth", "s1", "founded by Jon Smyth",
                                                             rank="deprecated", reason="s2 spells the founder John Smith.")),
                  side("John Smith", "s2", claim("Acme Labs", "foundedBy", "John Smith", "s2", "founded by John Smith"))],
    },
    "characterisation": {
        "id": "disagreement:54843d3fc08ba0e4", "kind": "characterisation",
        "topic": "Acme Labs and Big Fund: where an organisation comes from or who runs it",
        "balance": "1 source against 1", "note": "'operated by' and 'originated from' are readings of one relation in ontology.ttl",
        "sides": [side("operated by", "s2", claim("Acme Labs", "operatedBy", "Big Fund", "s2", "Acme is run by Big Fund")),
                  side("originated from", "s1", claim("Acme Labs", "originatedFrom", "Big Fund", "s1", "Acme grew out of Big Fund"))],
    },
    "specificity": {
        "id": "disagreement:8c584494f256299c", "kind": "specificity", "topic": "Zeta: outperformed Omega or Omega 2",
        "balance": "1 source against 1", "note": "Omega is broader or vaguer than Omega 2",
        "sides": [side("Omega", "s1", claim("Zeta", "outperformed", "Omega", "s1", "Zeta beat Omega in coding tests")),
                  side("Omega 2", "s2", claim("Zeta", "outperformed", "Omega 2", "s2", "Zeta beat Omega 2"))],
    },
    "declared": {
        "id": "disagreement:71157a5d7b013033", "kind": "declared", "topic": "Jo's remark, quoted differently",
        "balance": "1 source against 1", "note": "",
        "sides": [side("said We are fast.", "s1", claim("Jo", "said", "We are fast.", "s1", '"We are fast."')),
                  side("said We move quickly.", "s2", claim("Jo", "said", "We move quickly.", "s2", '"We move quickly."'))],
    },
}


@pytest.mark.parametrize("kind", list(TABLES))
def test_each_kind_as_a_table(fixture, kind):
    result = conflicts(fixture, "--kind", kind)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"1 disagreement between sources ({kind} 1)\n\n" + TABLES[kind]


@pytest.mark.parametrize("kind", list(JSON))
def test_each_kind_as_json(fixture, kind):
    result = conflicts(fixture, "--kind", kind, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [JSON[kind]]


def test_all_kinds_together_in_order(fixture):
    result = conflicts(fixture)
    assert result.exit_code == 0, result.output
    assert result.stdout == ("5 disagreements between sources (value 1, correction 1, characterisation 1, specificity 1, declared 1)\n\n"
                             + "\n".join(TABLES.values()))


def test_csv_has_one_row_per_claim_and_quote(fixture):
    result = conflicts(fixture, "--kind", "correction", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "id,kind,topic,side,subject,property,value,qualifiers,rank,reason,source,quote\n"
        "disagreement:0f16c4a080d8d32d,correction,Acme Labs: founded by,1,Acme Labs,foundedBy,Jon Smyth,,deprecated,"
        "s2 spells the founder John Smith.,s1,founded by Jon Smyth\n"
        "disagreement:0f16c4a080d8d32d,correction,Acme Labs: founded by,2,Acme Labs,foundedBy,John Smith,,normal,,s2,founded by John Smith\n")


def test_filter_by_subject_reads_names_as_kg_show(fixture):
    result = conflicts(fixture, "--subject", "big fund", "--format", "json")
    assert [d["kind"] for d in json.loads(result.stdout)] == ["characterisation"]
    # Omega is involved as a value, not a subject.
    result = conflicts(fixture, "--subject", "Omega 2", "--format", "json")
    assert [d["kind"] for d in json.loads(result.stdout)] == ["specificity"]
    result = conflicts(fixture, "--subject", "Smith")
    assert result.stdout.startswith("1 disagreement between sources (correction 1)\n")


def test_filter_by_subject_unknown_name(fixture):
    result = conflicts(fixture, "--subject", "Zetta")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "Error: no actor is called 'Zetta' (did you mean 'Zeta'?); 'kg query actors' lists them all\n"


def test_filter_by_source(fixture):
    assert conflicts(fixture, "--source", "s2", "--kind", "value").stdout.startswith("1 disagreement")
    none = conflicts(fixture, "--source", "s1", "--kind", "value", "--subject", "acme")
    assert (none.exit_code, none.stdout) == (0, "No value disagreements about Acme Labs in which s1 backs a side.\n")
    unknown = conflicts(fixture, "--source", "s3")
    assert (unknown.exit_code, unknown.stderr) == (1, "Error: unknown source 's3'; known: s1, s2\n")


def test_stats_counts_disagreements_by_kind(fixture):
    data, corpus = fixture
    result = run("stats", "--data", data, "--corpus", corpus, "--format", "json")
    assert json.loads(result.stdout)["disagreements_by_kind"] == {
        "value": 1, "correction": 1, "characterisation": 1, "specificity": 1, "declared": 1}
    table = run("stats", "--data", data, "--corpus", corpus).stdout
    assert ("\nDisagreements by kind (kg conflicts)\n  value                 1\n  correction            1\n"
            "  characterisation      1\n  specificity           1\n  declared              1\n") in table


@pytest.fixture(scope="module")
def export(fixture, tmp_path_factory):
    data, corpus = fixture
    out = tmp_path_factory.mktemp("disagreements-export")
    result = run("build", "--data", data, "--corpus", corpus, "--out", out)
    assert result.exit_code == 0, result.output
    return out


S1, S2 = "https://w3id.org/ai-race-kg/source/s1", "https://w3id.org/ai-race-kg/source/s2"


def test_disagreements_canned_query(export):
    result = run("query", "disagreements", "--export", export, "-f", "csv")
    assert result.exit_code == 0, result.output
    assert list(csv.reader(io.StringIO(result.stdout))) == [
        ["kind", "topic", "side", "subject", "property", "value", "qualifiers", "rank", "reason", "source", "cell",
         "evidence"],
        ["characterisation", "Acme Labs and Big Fund: where an organisation comes from or who runs it", "1", "Acme Labs",
         "operatedBy", "Big Fund", "", "normal", "", S2, "", "Acme is run by Big Fund"],
        ["characterisation", "Acme Labs and Big Fund: where an organisation comes from or who runs it", "2", "Acme Labs",
         "originatedFrom", "Big Fund", "", "normal", "", S1, "", "Acme grew out of Big Fund"],
        ["correction", "Acme Labs: founded by", "1", "Acme Labs", "foundedBy", "Jon Smyth", "", "deprecated",
         "s2 spells the founder John Smith.", S1, "", "founded by Jon Smyth"],
        ["correction", "Acme Labs: founded by", "2", "Acme Labs", "foundedBy", "John Smith", "", "normal", "", S2, "",
         "founded by John Smith"],
        ["declared", "Jo's remark, quoted differently", "1", "Jo", "said", "We are fast.", "", "normal", "", S1, "", '"We are fast."'],
        ["declared", "Jo's remark, quoted differently", "2", "Jo", "said", "We move quickly.", "", "normal", "", S2, "", '"We move quickly."'],
        ["specificity", "Zeta: outperformed Omega or Omega 2", "1", "Zeta", "outperformed", "Omega", "", "normal", "", S1, "",
         "Zeta beat Omega in coding tests"],
        ["specificity", "Zeta: outperformed Omega or Omega 2", "2", "Zeta", "outperformed", "Omega 2", "", "normal", "", S2, "",
         "Zeta beat Omega 2"],
        ["value", "Zeta: development cost", "1", "Zeta", "developmentCost", "5,000,000 USD", "", "normal", "", S1, "",
         "cost $5 million"],
        ["value", "Zeta: development cost", "2", "Zeta", "developmentCost", "5,000,000 USD", "upper bound", "normal", "", S2, "",
         "less than $5 million"],
    ]


def test_disagreement_nodes_have_deterministic_iris_kinds_and_actors(export):
    query = """SELECT ?d ?kind ?actor WHERE { ?d a kg:Disagreement ; kg:disagreementKind ?kind ; kg:involves ?actor }
               ORDER BY ?d ?actor"""
    result = run("query", query, "--export", export, "-f", "csv")
    rows = list(csv.reader(io.StringIO(result.stdout)))[1:]
    base = "https://w3id.org/ai-race-kg/"
    found = {(d.removeprefix(base + "disagreement/"), kind.rsplit("#", 1)[1], actor.removeprefix(base + "entity/"))
             for d, kind, actor in rows}
    # The ids are the ones kg conflicts prints: the same node, reachable from both.
    assert found == {
        ("552adef63f1c60f9", "ValueDisagreement", "zeta"),
        ("0f16c4a080d8d32d", "CorrectionDisagreement", "acme"),
        ("0f16c4a080d8d32d", "CorrectionDisagreement", "jon-smyth"),
        ("0f16c4a080d8d32d", "CorrectionDisagreement", "john-smith"),
        ("54843d3fc08ba0e4", "CharacterisationDisagreement", "acme"),
        ("54843d3fc08ba0e4", "CharacterisationDisagreement", "big-fund"),
        ("8c584494f256299c", "SpecificityDisagreement", "zeta"),
        ("8c584494f256299c", "SpecificityDisagreement", "omega"),
        ("8c584494f256299c", "SpecificityDisagreement", "omega-2"),
        ("71157a5d7b013033", "DeclaredDisagreement", "jo"),
    }


def test_the_vaguer_mention_stays_its_own_actor(export):
    result = run("query", "SELECT ?b WHERE { entity:omega-2 skos:broader ?b }", "--export", export, "-f", "csv")
    assert result.stdout == "b\nhttps://w3id.org/ai-race-kg/entity/omega\n"


def test_an_unknown_claim_in_a_declared_disagreement_is_located(tmp_path):
    data, corpus = disagreement_fixture.write(tmp_path, claim="jo-s3")
    result = run("conflicts", "--data", data, "--corpus", corpus)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (f"{data}:64:23: unknown claim 'jo-s3' (did you mean 'jo-s2' or 'jo-s1'?); "
                             "give the claim an 'id' and name it here\n1 problem in the data\n")


def test_bad_disagreement_records_are_all_reported(tmp_path):
    data, corpus = disagreement_fixture.write(tmp_path)
    text = data.read_text()
    text = text.replace("{id: omega-2, type: Model, name: Omega 2, broader: [omega]}",
                        "{id: omega-2, type: Model, name: Omega 2, broader: [omegaa]}")
    text = text.replace("  - id: jo-s2\n", "  - id: jo-s1\n")
    text += ("  - topic: One side only\n    sides: [[jo-s1]]\n"
             "  - topic: Twice\n    sides: [[jo-s1], [jo-s1]]\n"
             "  - topic: Misspelt\n    sides: [[jo-s1], []]\n    notes: typo\n")
    data.write_text(text)
    result = run("build", "--data", data, "--corpus", corpus, "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr == (
        f"{data}:11:57: unknown entity 'omegaa' (did you mean 'omega' or 'omega-2'?)\n"
        f"{data}:56:9: duplicate claim id 'jo-s1' (first used at {data}:51:9)\n"
        f"{data}:64:23: unknown claim 'jo-s2' (did you mean 'jo-s1'?); give the claim an 'id' and name it here\n"
        f"{data}:66:12: a disagreement has at least two sides, each a list of one or more claim ids\n"
        f"{data}:68:23: claim 'jo-s1' is already on a side of this disagreement\n"
        f"{data}:70:22: a disagreement has at least two sides, each a list of one or more claim ids\n"
        f"{data}:71:5: unknown field 'notes' (did you mean 'note'?); allowed: note, sides, topic\n"
        "7 problems in the data\n")
    assert not (tmp_path / "out").exists()


def test_the_real_data_lists_every_disagreement_a_reader_finds(corpus_dir):
    result = run("conflicts", "--data", DATA, "--corpus", corpus_dir, "--format", "json")
    assert result.exit_code == 0, result.output
    found = [(d["kind"], d["topic"], [side["sources"] for side in d["sides"]]) for d in json.loads(result.stdout)]
    assert found == [
        ("value", "DeepSeek-V3: development cost", [["epoch-notable-ai-models"], ["a000"], ["a001", "a003"], ["a002", "a004"]]),
        ("value", "DeepSeek-V3: release date", [["epoch-notable-ai-models"], ["a003"], ["a002"], ["a001"]]),
        ("value", "DeepSeek-V3: training chip count", [["a001", "a003"], ["epoch-notable-ai-models"]]),
        ("correction", "DeepSeek-R1: outperformed", [["a000"], ["a001", "a002"]]),
        ("correction", "DeepSeek: founded by", [["a000"], ["a002"]]),
        ("characterisation", "DeepSeek and High-Flyer: where an organisation comes from or who runs it", [["a003"], ["a000", "a002"]]),
        ("characterisation", "DeepSeek-V3 and GPT-4: how one model compares with another", [["a000"], ["a004"]]),
        ("characterisation", "DeepSeek-V3 and Llama 3.1: how one model compares with another", [["a002"], ["a004"]]),
        ("specificity", "DeepSeek-V3: outperformed Claude 3.5 or Claude 3.5 Sonnet", [["a000"], ["a002"]]),
        ("specificity", "DeepSeek-V3: outperformed GPT-4 or GPT-4o", [["a000"], ["a001", "a002"]]),
        ("specificity", "DeepSeek-V3: outperformed Llama or Llama 3.1", [["a000", "a001"], ["a002"]]),
        ("specificity", "Ion Stoica: works for University of California or University of California, Berkeley", [["a001"], ["a003"]]),
        ("declared", "Nadella's remark at Davos, quoted in different words", [["a001"], ["a002"]]),
        ("declared", "Srinivas's remark on necessity, quoted in different words", [["a001"], ["a002"]]),
        ("declared", "Stoica's remark on the open-source community, paraphrased and quoted", [["a001"], ["a003"]]),
        ("declared", "Whether DeepSeek-R1 beat OpenAI's reasoning model or kept pace with US models", [["a001", "a002"], ["a003"]]),
        ("declared", "Whether DeepSeek-V3 beat the leading US models or only matched them", [["a000", "a001", "a002"], ["a004"], ["a003"]]),
    ]
    founder = next(d for d in json.loads(result.stdout) if d["topic"] == "DeepSeek: founded by")
    assert [c["value"] for side in founder["sides"] for c in side["claims"]] == ["Liang Wang", "Liang Wenfeng"]
    assert founder["sides"][0]["claims"][0]["reason"].startswith("The one other article that names DeepSeek's founder (a002)")


def test_kg_show_has_a_section_on_disagreements(export):
    result = run("show", "acme", "--export", export)
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith(
        "\nWhere the sources disagree\n"
        "  [correction] Acme Labs: founded by: 1 source against 1\n"
        "    1. Jon Smyth (deprecated)\n"
        "       deprecated: s2 spells the founder John Smith.\n"
        "       s1: “founded by Jon Smyth”\n"
        "    2. John Smith\n"
        "       s2: “founded by John Smith”\n"
        "  [characterisation] Acme Labs and Big Fund: where an organisation comes from or who runs it: 1 source against 1\n"
        "    'operated by' and 'originated from' are readings of one relation in ontology.ttl\n"
        "    1. operated by\n"
        "       s2: “Acme is run by Big Fund”\n"
        "    2. originated from\n"
        "       s1: “Acme grew out of Big Fund”\n")
    shown = json.loads(run("show", "jo", "--export", export, "-f", "json").stdout)
    assert shown["disagreements"] == [{
        "iri": "https://w3id.org/ai-race-kg/disagreement/71157a5d7b013033", "kind": "declared",
        "topic": "Jo's remark, quoted differently", "note": "", "balance": "1 source against 1",
        "sides": [{"label": "said We are fast.", "sources": ["s1"], "reasons": [],
                   "evidence": [{"source": "s1", "quote": '"We are fast."'}]},
                  {"label": "said We move quickly.", "sources": ["s2"], "reasons": [],
                   "evidence": [{"source": "s2", "quote": '"We move quickly."'}]}]}]


def test_entity_page_has_a_section_on_disagreements(export):
    from starlette.testclient import TestClient

    from kg.serve.app import create_app

    with TestClient(create_app(export, timeout=5, workers=1)) as client:
        page = client.get("/entity/omega-2", headers={"Accept": "text/html"}).text
        calm = client.get("/entity/jon-smyth", headers={"Accept": "text/html"}).text
        none = client.get("/entity/zeta", headers={"Accept": "text/html"}).text
    section = page[page.index('<h2 id="disagreements">'):page.index("<h2>Referenced by</h2>")]
    assert section == (
        '<h2 id="disagreements">Where the sources disagree (1)</h2><ul>'
        '<li class="disagreement kind-specificity"><p><span class=kind>specificity</span> '
        '<a href="/disagreement/8c584494f256299c">Zeta: outperformed Omega or Omega 2</a>: 1 source against 1</p>'
        "<p>Omega is broader or vaguer than Omega 2</p><ol>"
        "<li><strong>Omega</strong> <small>(1 source)</small>"
        "<blockquote>“Zeta beat Omega in coding tests”<footer>s1</footer></blockquote></li>"
        "<li><strong>Omega 2</strong> <small>(1 source)</small>"
        "<blockquote>“Zeta beat Omega 2”<footer>s2</footer></blockquote></li></ol></li></ul>\n")
    assert "<p class=reason>Deprecated: s2 spells the founder John Smith.</p>" in calm
    assert "Zeta: development cost" in none and "Where the sources disagree (2)" in none


def test_a_property_joins_a_relation_in_the_ontology_alone(tmp_path, fixture):
    """Declaring kg:partOf a reading of kg:OriginOrControl is enough for the rule to see it."""
    from kg.build import checked_catalog
    from kg.curate.disagreements import disagreements
    from kg.curate.load import load
    from kg.curate.vocab import load_vocabulary, ontology_path

    data, corpus = fixture
    ontology = tmp_path / "ontology.ttl"
    ontology.write_text(ontology_path().read_text(encoding="utf-8")
                        + "\nkg:partOf kg:readingOf kg:OriginOrControl .\n", encoding="utf-8")
    text = data.read_text(encoding="utf-8").replace("property: operatedBy", "property: partOf")
    changed = tmp_path / "data.yaml"
    changed.write_text(text, encoding="utf-8")
    plain = [d.topic for d in disagreements(checked_catalog(changed, corpus)[0]) if d.kind == "characterisation"]
    assert plain == []
    catalog = load(changed, load_vocabulary(ontology))
    found = [(d.topic, [s.label for s in d.sides]) for d in disagreements(catalog) if d.kind == "characterisation"]
    assert found == [("Acme Labs and Big Fund: where an organisation comes from or who runs it", ["originated from", "part of"])]


def test_shacl_refuses_a_disagreement_with_one_side(fixture):
    from kg.build import check
    from kg.graph.validate import shacl_violations, union_graph

    data, corpus = fixture
    quads = check(data, corpus).quads
    assert shacl_violations(union_graph(quads)) == []
    one_sided = [q for q in quads if not (q[1].endswith("#hasSide>") and q[2].endswith("-side-2>"))]
    assert sorted({v.message for v in shacl_violations(union_graph(one_sided))}) == ["a disagreement has at least two sides"]
