"""The command line: help with examples everywhere, clean errors, exact output."""
from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner

from kg.cli.main import cli

from .conftest import FIXTURES


def _commands(group: click.Group, prefix=()):
    for name, command in sorted(group.commands.items()):
        yield prefix + (name,), command
        if isinstance(command, click.Group):
            yield from _commands(command, prefix + (name,))


@pytest.mark.parametrize("path, command", list(_commands(cli)), ids=lambda v: " ".join(v) if isinstance(v, tuple) else "")
def test_every_command_has_help_with_an_example(path, command):
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0
    assert command.help and len(command.help.splitlines()[0]) > 10
    if not isinstance(command, click.Group):
        assert "Examples:" in result.output
        assert f"kg {' '.join(path)}" in result.output


def test_stats_json_on_a_small_file(corpus_dir):
    result = CliRunner().invoke(cli, ["stats", "--data", str(FIXTURES / "good.yaml"), "--corpus", str(corpus_dir), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "entities": 2,
        "claims": 1,
        "evidence": 1,
        "sources": 1,
        "datasets": 0,
        "undecided_names": 0,
        "entities_by_type": {"Chip": 1, "Model": 1},
        "claims_by_property": {"trainedOn": 1},
        "claims_by_rank": {"normal": 1},
        "claims_per_source": {"a002": 1},
        "disagreements_by_kind": {"value": 0, "correction": 0, "characterisation": 0, "specificity": 0, "declared": 0},
        "conflicts": [],
    }


def test_stats_table_lists_conflicts_with_sources(corpus_dir):
    result = CliRunner().invoke(cli, ["stats", "--corpus", str(corpus_dir)])
    assert result.exit_code == 0, result.output
    assert ("\n  deepseek-v3 developmentCost:\n    5,390,000 USD [priceYear=2023]  per epoch-notable-ai-models\n"
            "    5,600,000 USD  per a000\n") in result.stdout


def test_stats_counts_the_dataset_with_the_sources(corpus_dir):
    result = CliRunner().invoke(cli, ["stats", "--corpus", str(corpus_dir), "--format", "json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert (figures["sources"], figures["datasets"], figures["undecided_names"]) == (5, 1, 1443)
    assert figures["claims_per_source"]["epoch-notable-ai-models"] == 5755
    table = CliRunner().invoke(cli, ["stats", "--corpus", str(corpus_dir)]).stdout
    assert table.splitlines()[:2] == ["1,524 entities, 5,932 claims, 6,003 pieces of evidence, 5 sources and 1 dataset",
                                      "1,443 dataset names with no crosswalk decision (kg match)"]
    assert "  Model                1,021" in table.splitlines()
    assert "  epoch-notable-ai-models  5,755" in table.splitlines()


def test_synth_then_build(tmp_path):
    runner = CliRunner()
    assert runner.invoke(cli, ["synth", str(tmp_path), "--entities", "200"]).exit_code == 0
    result = runner.invoke(cli, ["build", "--data", str(tmp_path / "data"), "--corpus", str(tmp_path / "corpus"), "--out", str(tmp_path / "export")])
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("Built 200 entities, ")


def test_a_base_that_is_not_an_iri_is_refused(tmp_path, corpus_dir):
    result = CliRunner().invoke(cli, ["build", "--data", str(FIXTURES / "good.yaml"), "--corpus", str(corpus_dir),
                                      "--out", str(tmp_path), "--base", "http://ex.org/a b/"])
    assert result.exit_code == 1
    assert result.stderr == "Error: base IRI 'http://ex.org/a b/' is not an absolute IRI; write e.g. https://example.org/kg/\n"
    assert list(tmp_path.iterdir()) == []


def test_a_base_without_a_slash_gets_one_everywhere(tmp_path, corpus_dir):
    result = CliRunner().invoke(cli, ["build", "--data", str(FIXTURES / "good.yaml"), "--corpus", str(corpus_dir),
                                      "--out", str(tmp_path), "--base", "http://ex.org/kg"])
    assert result.exit_code == 0, result.output
    turtle = (tmp_path / "kg.ttl").read_text()
    assert "@prefix entity: <http://ex.org/kg/entity/> ." in turtle
    assert "entity:deepseek-v3" in turtle


@pytest.mark.parametrize("command", [["query", "trained-on"], ["serve", "--port", "0"],
                                     ["serve", "--port", "0", "--no-direct-lookups"]])
def test_a_corrupt_export_is_a_clean_error(tmp_path, command):
    (tmp_path / "kg.nq").write_text("garbage\n")
    result = CliRunner().invoke(cli, [*command, "--export", str(tmp_path)])
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    error = result.stderr.splitlines()[-1]
    assert error.startswith(f"Error: {tmp_path / 'kg.nq'} is not valid N-Quads (")
    assert error.endswith("); rebuild it with 'kg build'")
