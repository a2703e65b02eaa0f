"""The canned queries on training runs, hardware and lineage, on the tiny dataset
of tests/fixtures/datasets/ and one short article.

The article gives Alpha-1 an earlier year than the dataset does (its year is
the earliest its sources give), a larger run of its own for Alpha-1-Chat, a
second lab in another country with a deprecated figure larger than any other
(which must not count), and a model derived from Alpha-1-Chat, so that the
lineage runs through a link an article states and one a dataset states.
"""
from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner

from kg.cli.main import cli
from tests.test_dataset_views import _build

ARTICLE = """\
Acme trained Alpha-1 on Widget X100 chips. Alpha-1 came out in 2023 in the United States.
Training Alpha-1-Chat took 2e23 FLOP.
Gamma Lab in France built Gamma-2 on Widget X100 chips in 2023 with 9e22 FLOP; one report said 5e24 FLOP.
Delta-3 is a fine-tune of Alpha-1-Chat.
"""
ENTITIES = """\
  - {id: usa, type: Country, name: United States}
  - {id: france, type: Country, name: France}
  - {id: gamma-lab, type: Lab, name: Gamma Lab}
  - {id: gamma-2, type: Model, name: Gamma-2}
  - {id: delta-3, type: Model, name: Delta-3}
"""
CLAIMS = """
claims:
  - subject: alpha-1
    property: trainedOn
    value: widget-x100
    evidence: [{source: n1, quote: Acme trained Alpha-1 on Widget X100 chips}]
  - subject: alpha-1
    property: releaseDate
    value: 2023
    evidence: [{source: n1, quote: Alpha-1 came out in 2023}]
  - subject: alpha-1
    property: developerCountry
    value: usa
    evidence: [{source: n1, quote: Alpha-1 came out in 2023 in the United States}]
  - subject: alpha-1-chat
    property: trainingCompute
    value: 200,000,000,000,000,000,000,000 FLOP
    evidence: [{source: n1, quote: Training Alpha-1-Chat took 2e23 FLOP}]
  - subject: gamma-2
    property: developedBy
    value: gamma-lab
    evidence: [{source: n1, quote: Gamma Lab in France built Gamma-2}]
  - subject: gamma-2
    property: developerCountry
    value: france
    evidence: [{source: n1, quote: Gamma Lab in France built Gamma-2}]
  - subject: gamma-2
    property: trainedOn
    value: widget-x100
    evidence: [{source: n1, quote: built Gamma-2 on Widget X100 chips}]
  - subject: gamma-2
    property: releaseDate
    value: 2023
    evidence: [{source: n1, quote: Widget X100 chips in 2023 with 9e22 FLOP}]
  - subject: gamma-2
    property: trainingCompute
    value: 90,000,000,000,000,000,000,000 FLOP
    evidence: [{source: n1, quote: with 9e22 FLOP}]
  - subject: gamma-2
    property: trainingCompute
    value: 5,000,000,000,000,000,000,000,000 FLOP
    rank: deprecated
    reason: A figure fifty times the one the same article gives.
    evidence: [{source: n1, quote: one report said 5e24 FLOP}]
  - subject: delta-3
    property: baseModel
    value: alpha-1-chat
    evidence: [{source: n1, quote: Delta-3 is a fine-tune of Alpha-1-Chat}]
"""
N1, TINY = "https://w3id.org/ai-race-kg/source/n1", "https://w3id.org/ai-race-kg/source/tiny"
ENTITY = "https://w3id.org/ai-race-kg/entity/"

EXPECTED = {
    # Alpha-1 is of 2023 by the article (the dataset says 2024); Gamma-2's
    # deprecated 5e24 does not count.
    "training-runs-by-year": [
        ("year", "model", "compute", "unit", "rank", "source", "cell", "evidence"),
        ("2023", "Alpha-1", "150000000000000000000000", "FLOP", "normal", TINY,
         "row 2, column 'Training compute (FLOP)'", "1.5e+23"),
        ("2024", "Alpha-1-Chat", "200000000000000000000000", "FLOP", "normal", N1, "", "Training Alpha-1-Chat took 2e23 FLOP"),
    ],
    # Alpha-1-Chat has no country, so the United States' largest is Alpha-1's.
    "training-runs-by-country": [
        ("country", "model", "compute", "unit", "rank", "source", "cell", "evidence"),
        ("France", "Gamma-2", "90000000000000000000000", "FLOP", "normal", N1, "", "with 9e22 FLOP"),
        ("United States", "Alpha-1", "150000000000000000000000", "FLOP", "normal", TINY,
         "row 2, column 'Training compute (FLOP)'", "1.5e+23"),
    ],
    "lab-hardware": [
        ("lab", "chip", "model", "rank", "source", "cell", "evidence"),
        ("Acme", "Widget X100", "Alpha-1", "normal", N1, "", "Acme trained Alpha-1 on Widget X100 chips"),
        ("Acme", "Widget X100", "Alpha-1", "normal", TINY, "row 2, column 'Training hardware'", "Widget X100 SXM"),
        ("Beta Research", "Widget X100", "Alpha-1", "normal", N1, "", "Acme trained Alpha-1 on Widget X100 chips"),
        ("Beta Research", "Widget X100", "Alpha-1", "normal", TINY, "row 2, column 'Training hardware'", "Widget X100 SXM"),
        ("Gamma Lab", "Widget X100", "Gamma-2", "normal", N1, "", "built Gamma-2 on Widget X100 chips"),
    ],
    "model-lineage": [
        ("model", "step", "derived", "base", "rank", "source", "cell", "evidence"),
        (ENTITY + "alpha-1-chat", "1", "Alpha-1-Chat", "Alpha-1", "normal", TINY, "row 3, column 'Base model'", "Alpha-1"),
        (ENTITY + "delta-3", "1", "Delta-3", "Alpha-1-Chat", "normal", N1, "", "Delta-3 is a fine-tune of Alpha-1-Chat"),
        (ENTITY + "delta-3", "2", "Alpha-1-Chat", "Alpha-1", "normal", TINY, "row 3, column 'Base model'", "Alpha-1"),
    ],
}


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    return _build(tmp_path_factory.mktemp("dataset-queries"), "export", article=ARTICLE, claims=CLAIMS, entities=ENTITIES)


def rows(export, *args: str) -> list[tuple[str, ...]]:
    result = CliRunner().invoke(cli, ["query", *args, "--export", str(export), "-f", "csv"])
    assert result.exit_code == 0, result.output
    return [tuple(row) for row in csv.reader(io.StringIO(result.stdout))]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_canned_query_rows_on_a_dataset_and_an_article(export, name):
    assert rows(export, name) == EXPECTED[name]


def test_the_lineage_of_one_model(export):
    assert rows(export, "model-lineage", "--bind", "model=Delta-3") == [EXPECTED["model-lineage"][0], *EXPECTED["model-lineage"][2:]]
    assert rows(export, "model-lineage", "--bind", "model=alpha-1") == [EXPECTED["model-lineage"][0]]
