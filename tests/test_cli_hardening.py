"""Hostile and unlucky use of the CLI: crafted queries, killed and concurrent
builds, quotes that only look alike, and revisions that look like options."""
from __future__ import annotations

import hashlib
import subprocess
import sys

import pytest
from click.testing import CliRunner

from kg.cli import cli

from .conftest import ROOT


def run(*args, **kwargs):
    return CliRunner().invoke(cli, [str(a) for a in args], **kwargs)


# Quotes ------------------------------------------------------------------

def _one_quote(tmp_path, article: str, quote: str):
    """Build a catalog of one source holding ``article`` and one claim quoting ``quote``."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    raw = article.encode("utf-8")
    (corpus / "a.txt").write_bytes(raw)
    data = tmp_path / "data.yaml"
    data.write_text(
        "sources:\n"
        "  - id: a001\n"
        "    file: a.txt\n"
        f"    sha256: {hashlib.sha256(raw).hexdigest()}\n"
        "    kind: news\n"
        "entities:\n"
        "  - id: m1\n"
        "    type: Model\n"
        "    name: M1\n"
        "claims:\n"
        "  - subject: m1\n"
        "    property: said\n"
        "    value: something\n"
        "    evidence:\n"
        "      - source: a001\n"
        f"        quote: \"{quote}\"\n", encoding="utf-8")
    return run("build", "--data", data, "--corpus", corpus, "--out", tmp_path / "out")


def test_a_full_stop_does_not_match_an_ellipsis(tmp_path):
    result = _one_quote(tmp_path, "The model is fast. Ellipsis here\u2026 And more text follows.\n", "Ellipsis here.")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{tmp_path / 'data.yaml'}:16:16: quote not found in a.txt; the article has an ellipsis where the quote has a "
        "full stop ('.'), and a full stop never matches part of an ellipsis ('…' or '...'): end the quote before it, "
        "or copy the ellipsis",
        "1 problem in the data",
    ]
    assert not (tmp_path / "out" / "kg.nq").exists()


@pytest.mark.parametrize("article", ["Ellipsis here\u2026 And more.\n", "Ellipsis here... And more.\n"])
@pytest.mark.parametrize("quote", ["Ellipsis here\u2026", "Ellipsis here...", "Ellipsis here"])
def test_an_ellipsis_matches_either_spelling_whole(tmp_path, article, quote):
    result = _one_quote(tmp_path, article, quote)
    assert result.exit_code == 0, result.output
    nquads = (tmp_path / "out" / "kg.nq").read_text(encoding="utf-8")
    exact = "Ellipsis here" if quote == "Ellipsis here" else article.split(" And")[0]
    assert f'<http://www.w3.org/ns/oa#exact> "{exact}"' in nquads


def test_a_quote_in_another_normalisation_form_names_the_cause(tmp_path):
    nfd = "Le caf\u0065\u0301 de Par\u0069s est ouvert.\n"
    result = _one_quote(tmp_path, nfd, "Le caf\u00e9 de Paris")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{tmp_path / 'data.yaml'}:16:16: quote not found in a.txt; the quote and the article write the same words in "
        "different Unicode normalisation forms (the quote is NFC, the article NFD): copy the quote from the article, "
        "or normalise both to NFC",
        "1 problem in the data",
    ]


# kg diff ------------------------------------------------------------------

def test_diff_refuses_a_revision_that_git_would_read_as_an_option(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)  # a git work tree with a committed export/
    target = tmp_path / "written"
    result = run("diff", "--", f"--output={target}")
    assert result.exit_code == 1
    assert result.stderr == (f"Error: '--output={target}' is neither an export folder nor a git revision: a revision "
                             f"cannot start with '-' (to name a folder of that name, write ./--output={target})\n")
    assert list(tmp_path.iterdir()) == []
