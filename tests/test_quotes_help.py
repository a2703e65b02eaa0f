"""kg quote, and the help the build gives when a quote is not found."""
from __future__ import annotations

import unicodedata

import pytest
from click.testing import CliRunner

from kg.cli.main import cli

from .conftest import write_articles

# Invented articles; the second is stored in NFD, as some tools save text.
N001 = (
    "Quillfeather Labs trained Wren-2 on Basalt X9 chips, the lab said.\n"
    "Wren-2 beat Heron-1 on every test. Quillfeather Labs said Wren-2 cost less than $4 million.\n"
)
N002 = unicodedata.normalize("NFD", "The launch was held at the Caf\u00e9 Bellecour in Kestrel City.\n")


@pytest.fixture()
def place(tmp_path, monkeypatch):
    sources = write_articles(tmp_path / "corpus", {"n001": ("n001.txt", N001), "n002": ("n002.txt", N002)})
    (tmp_path / "data.yaml").write_text(
        sources +
        "entities:\n"
        "  - {id: wren-2, type: Model, name: Wren-2}\n"
        "  - {id: basalt-x9, type: Chip, name: Basalt X9}\n"
        "  - {id: cafe, type: Organization, name: Café Bellecour}\n"
        "claims:\n"
        "  - subject: wren-2\n"
        "    property: trainedOn\n"
        "    value: basalt-x9\n"
        "    evidence:\n"
        "      - {source: n001, quote: trained Wren 2 on Basalt X9 GPUs}\n"
        "      - {source: n002, quote: Wren-2 beat Heron-1 on every test}\n"
        "  - subject: cafe\n"
        "    property: describedAs\n"
        "    value: launch venue\n"
        "    evidence:\n"
        "      - {source: n002, quote: held at the Caf\u00e9 Bellecour}\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _quote(*args):
    return CliRunner().invoke(cli, ["quote", *args, "--data", "data.yaml", "--corpus", "corpus"])


def test_a_unique_passage_is_printed_verbatim_with_its_place(place):
    result = _quote("n001", "wren 2 cost less than 4 million")
    assert (result.exit_code, result.output) == (0, (
        "n001.txt:2:59: characters 125-157, close (95%), unique\n"
        "Wren-2 cost less than $4 million\n"))
    assert N001[125:157] == "Wren-2 cost less than $4 million"


def test_an_exact_passage_is_marked_exact(place):
    result = _quote("n001", "beat Heron-1")
    assert (result.exit_code, result.output) == (0, "n001.txt:2:8: characters 74-86, exact, unique\nbeat Heron-1\n")


def test_an_ambiguous_passage_gets_its_shortest_unique_extension(place):
    result = _quote("n001", "Quillfeather Labs")
    assert (result.exit_code, result.output) == (0, (
        "n001.txt:1:1: characters 0-17, exact, not unique\n"
        "Quillfeather Labs\n"
        "shortest unique extension, characters 0-25:\n"
        "Quillfeather Labs trained\n"))


def test_json_output(place):
    result = _quote("n001", "Wren-2 cost", "--format", "json")
    assert result.exit_code == 0
    assert result.output == (
        '{\n  "source": "n001",\n  "file": "n001.txt",\n  "line": 2,\n  "column": 59,\n  "start": 125,\n'
        '  "end": 136,\n  "exact": "Wren-2 cost",\n  "match": "exact",\n  "unique": true,\n  "extension": null\n}\n')


def test_words_in_no_article_are_an_error(place):
    result = _quote("n001", "a sentence about turnips")
    assert (result.exit_code, result.output) == (1, "Error: nothing in n001.txt is close to 'a sentence about turnips'\n")


def test_words_of_another_article_name_it(place):
    result = _quote("n002", "beat Heron-1 on every test")
    assert (result.exit_code, result.output) == (1, (
        "Error: 'beat Heron-1 on every test' is not in n002.txt; it is in n001.txt (source 'n001') "
        "at line 2, column 8: cite that source\n"))


def test_nfc_words_against_an_nfd_article_name_the_cause(place):
    result = _quote("n002", "the Caf\u00e9 Bellecour")
    exact = unicodedata.normalize("NFD", "the Caf\u00e9 Bellecour")
    assert (result.exit_code, result.output) == (0, (
        "n002.txt:1:24: characters 23-42, the same words in another Unicode normalisation "
        f"(the quote is NFC, the article NFD), unique\n{exact}\n"))


def test_an_unknown_source_is_an_error(place):
    result = _quote("n003", "words")
    assert (result.exit_code, result.output) == (1, (
        "Error: unknown source 'n003' (did you mean 'n002' or 'n001'?); give a source id of the data "
        "or a file name in corpus\n"))


def test_a_quote_not_found_shows_the_closest_passage_another_article_and_normalisation(place):
    result = CliRunner().invoke(cli, ["validate", "--no-shacl", "--data", "data.yaml", "--corpus", "corpus"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("data.yaml:13:31: quote not found in n001.txt; ")
    assert lines[0].endswith("; the closest passage is at line 1, column 19; paste exactly: 'trained Wren-2 on Basalt X9 chips'")
    assert lines[1].startswith("data.yaml:14:31: quote not found in n002.txt; ")
    assert lines[1].endswith("; it is in n001.txt (source 'n001') at line 2, column 1: cite that source")
    assert lines[2].startswith("data.yaml:19:31: quote not found in n002.txt; ")
    nfd = unicodedata.normalize("NFD", "held at the Caf\u00e9 Bellecour")
    assert lines[2].endswith("; the words are at line 1, column 16 but differ in Unicode normalisation "
                             f"(the quote is NFC, the article NFD): paste the article's text: {nfd!r}")
    assert lines[3:] == ["3 problems in the data"]
