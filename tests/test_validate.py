"""SHACL: the real graph conforms; a broken graph is reported node by node."""
from __future__ import annotations

import rdflib
from click.testing import CliRunner

from kg.cli.main import cli
from kg.graph.validate import shacl_violations

from .conftest import DATA, FIXTURES


def test_real_data_conforms(corpus_dir):
    result = CliRunner().invoke(cli, ["validate", "--data", str(DATA), "--corpus", str(corpus_dir)])
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("OK: ") and result.stderr.endswith(", SHACL conforms\n")


def test_broken_graph_is_reported():
    graph = rdflib.Graph().parse(FIXTURES / "broken.ttl", format="turtle")
    found = {(v.focus.rsplit("/", 1)[-1], v.message) for v in shacl_violations(graph)}
    assert found == {
        ("nameless", "an actor has exactly one name (rdfs:label with a language)"),
        ("article", "an article has exactly one sha256 of 64 lowercase hex digits"),
        ("unsupported", "a claim has at least one piece of evidence"),
        ("unexplained", "a preferred or deprecated claim says why, in kg:rankReason"),
        ("sole-support", "a deprecated claim must not be the only support of a direct triple"),
        ("one-position", "a position selector has one start, before its end"),
        ("amount", "an amount has exactly one ISO 4217 currency code"),
    }


def test_validate_command_fails_on_bad_data(corpus_dir):
    result = CliRunner().invoke(cli, ["validate", "--data", str(FIXTURES / "bad" / "quote_twice.yaml"), "--corpus", str(corpus_dir)])
    assert result.exit_code == 1
    assert "quote occurs more than once" in result.stderr
