"""`kg gaps`: whether a capitalised word is a name does not hinge on another article.

"The Wall Street Journal" in the middle of one sentence capitalises "The"
there; that must not turn every sentence-initial "The" of every article
into a name, and "Last week, ..." does not make "Last" one either.
"""
from __future__ import annotations

import json

from click.testing import CliRunner

from kg.cli.main import cli
from kg.curate.mentions import Lexicon, find_mentions

from .conftest import DATA, writable_copy

WSJ = (
    "Meta steps up\n"
    "\n"
    "Last week, Mark Zuckerberg said Meta would spend more, according to The Wall Street Journal. "
    "The company did not comment. One analyst, Ada Park, called it a bet.\n"
)
OTHER = (
    "The Long Run\n"
    "\n"
    "The model is small. Last year it grew. One of its makers is Bo Li. Next, the team of Zeta Labs will ship.\n"
)
ENTITIES = "entities:\n  - {id: meta, type: Company, name: Meta}\n"


def _gaps(tmp_path, articles: dict[str, str]):
    corpus = tmp_path / "corpus"
    corpus.mkdir(parents=True)
    for name, text in articles.items():
        (corpus / name).write_text(text, encoding="utf-8")
    (tmp_path / "data.yaml").write_text(ENTITIES, encoding="utf-8")
    return CliRunner().invoke(cli, ["gaps", "--data", str(tmp_path / "data.yaml"), "--corpus", str(corpus), "--format", "json"])


def _rows(result, file=None):
    assert result.exit_code == 0, result.output
    return [(r["file"], r["line"], r["column"], r["kind"], r["text"]) for r in json.loads(result.stdout)
            if file is None or r["file"] == file]


def test_sentence_initial_ordinary_words_are_not_names(tmp_path):
    # Before: 'Last' (twice), 'The' (three times), 'One' (twice) and 'Next' were names.
    result = _gaps(tmp_path, {"wsj.txt": WSJ, "other.txt": OTHER})
    assert _rows(result) == [
        ("other.txt", 3, 61, "name", "Bo Li"),
        ("other.txt", 3, 86, "name", "Zeta Labs"),
        ("wsj.txt", 3, 12, "name", "Mark Zuckerberg"),
        ("wsj.txt", 3, 69, "name", "The Wall Street Journal"),
        ("wsj.txt", 3, 136, "name", "Ada Park"),
    ]


def test_an_article_does_not_change_what_is_a_name_in_another(tmp_path):
    alone = _rows(_gaps(tmp_path / "one", {"other.txt": OTHER}))
    beside = _rows(_gaps(tmp_path / "two", {"other.txt": OTHER, "wsj.txt": WSJ}), "other.txt")
    assert beside == alone


def test_a_word_capitalised_in_a_name_elsewhere_starts_a_name_only_before_another_name():
    # 'One' of 'HTC One' and 'Energy' of 'Constellation Energy' are ordinary words at the start
    # of a sentence, unless a name follows them there.
    elsewhere = "He owned an HTC One. Shares of Constellation Energy fell. One by one, energy prices rose."
    lexicon = Lexicon([elsewhere, "Energy prices rose. One of them fell. Energy Secretary Chris Wright spoke."])
    text = "Energy prices rose. One of them fell. Energy Secretary Chris Wright spoke."
    assert [m.text for m in find_mentions(text, lexicon)] == ["Energy Secretary Chris Wright"]


def test_function_words_in_headings_are_not_names():
    lexicon = Lexicon(["They read The Wall Street Journal and The Times.", "The Long Run"])
    assert [m.text for m in find_mentions("The Long Run", lexicon)] == []


def test_the_real_corpus_with_such_an_article_added_lists_only_its_names(tmp_path, corpus_dir):
    """The five articles leave what they left before (README lists it); the new one adds only names."""
    corpus = tmp_path / "corpus"
    writable_copy(corpus_dir, corpus)
    (corpus / "005_fixture.txt").write_text(WSJ, encoding="utf-8")

    def run(folder):
        result = CliRunner().invoke(cli, ["gaps", "--data", str(DATA), "--corpus", str(folder), "--format", "json"])
        return _rows(result)

    before = run(corpus_dir)
    after = run(corpus)
    assert [row for row in after if row[0] != "005_fixture.txt"] == before
    added = [row for row in after if row[0] == "005_fixture.txt"]
    # The curated data may come to cover Zuckerberg or the Journal; Ada Park is made up.
    assert ("005_fixture.txt", 3, 136, "name", "Ada Park") in added
    assert {row[4] for row in added} <= {"Mark Zuckerberg", "The Wall Street Journal", "Ada Park"}
