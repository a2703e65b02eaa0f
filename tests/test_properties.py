"""kg properties and kg types: the ontology's properties and types for curators."""
from __future__ import annotations

from click.testing import CliRunner

from kg.cli.main import cli

from .conftest import FIXTURES

GOOD = str(FIXTURES / "good.yaml")
QUALIFIERS = "about, approximate, context, former, lowerBound, pointInTime, priceYear, upperBound"


def _run(*args):
    return CliRunner().invoke(cli, [*args, "--data", GOOD])


def test_properties_table_filtered_by_kind_and_subject_type():
    result = _run("properties", "--kind", "boolean", "--domain", "Person")
    assert (result.exit_code, result.output) == (0, (
        "property    kind     domain  range  single_valued  description                                             example\n"
        "----------  -------  ------  -----  -------------  ------------------------------------------------------  -------\n"
        "openSource  boolean  Actor          true           Whether a model or product is released as open source.\n"
        "\n"
        f"Qualifiers, on any claim: {QUALIFIERS}\n"))


def test_properties_json_has_a_real_example_from_the_data():
    result = _run("properties", "The chip a model was trained on", "--format", "json")
    assert (result.exit_code, result.output) == (0, (
        "[\n  {\n"
        '    "property": "trainedOn",\n    "label": "trained on",\n    "kind": "entity",\n'
        '    "domain": "Model",\n    "range": "Chip",\n    "single_valued": false,\n'
        f'    "qualifiers": "{QUALIFIERS}",\n'
        '    "description": "The chip a model was trained on.",\n'
        '    "example": "deepseek-v3 trainedOn nvidia-h800 (a002: \u201cutilizing reduced-capability chips from Nvidia known as H800s\u201d)"\n'
        "  }\n]\n"))


def test_properties_whose_value_can_be_a_chip_as_csv():
    """A range of Actor takes a Chip too."""
    result = _run("properties", "--range", "Chip", "--kind", "entity", "--domain", "Model", "--format", "csv")
    assert result.exit_code == 0
    assert [line.split(",")[0] for line in result.output.splitlines()] == [
        "property", "accused", "backedBy", "cheaperThan", "competesWith", "developedBy", "evaluated", "launchedBy", "trainedOn"]


def test_an_unknown_type_is_an_error_with_a_suggestion():
    result = _run("properties", "--domain", "Chp")
    assert (result.exit_code, result.output) == (1, "Error: --domain: unknown type 'Chp' (did you mean 'Chip'?); see kg types\n")


def test_types_under_a_parent_as_tsv():
    result = _run("types", "--parent", "InvestmentFirm", "--format", "tsv")
    assert (result.exit_code, result.output) == (0, (
        "type\tlabel\tparents\tentities\tdescription\texample\n"
        "HedgeFund\thedge fund\tActor, InvestmentFirm, Organization\t0\tAn investment firm that trades securities, including quantitative trading firms.\t\n"
        "InvestmentFirm\tinvestment firm\tActor, Organization\t0\tAn organisation that invests money: a fund, a venture capital firm or a trading firm.\t\n"
        "SovereignWealthFund\tsovereign wealth fund\tActor, InvestmentFirm, Organization\t0\tAn investment fund owned by a state.\t\n"
        "VentureCapitalFirm\tventure capital firm\tActor, InvestmentFirm, Organization\t0\tAn investment firm that backs startups.\t\n"))


def test_types_count_the_entities_of_the_data():
    result = _run("types", "--parent", "Chip", "--format", "json")
    assert result.exit_code == 0
    assert '"entities": 1' in result.output and '"example": "nvidia-h800"' in result.output
