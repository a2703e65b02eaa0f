"""Adding an article: kg source add, and what an article states about itself."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.load import load
from kg.sources import plain_text_states

from .conftest import DATA, FIXTURES

ARTICLE = FIXTURES / "article"
FIRST = "Quillfeather Labs trained the Wren-2 model on Basalt X9 chips, the lab said.\n"
FIRST_SHA = hashlib.sha256(FIRST.encode()).hexdigest()
FIRST_FILE = f"000_{FIRST_SHA[:16]}.txt"
LEDGER_SHA = hashlib.sha256((ARTICLE / "ledger.txt").read_bytes()).hexdigest()

DATA_FILE = f"""\
# The sources and actors of a small test graph.
sources:
  - id: a000
    file: {FIRST_FILE}  # the first article
    sha256: {FIRST_SHA}
    kind: news

# Actors.
entities:
  - id: quillfeather
    type: Lab
    name: Quillfeather Labs
"""


@pytest.fixture()
def place(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / FIRST_FILE).write_text(FIRST, encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    (data / "entities.yaml").write_text(DATA_FILE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _add(*args):
    return CliRunner().invoke(cli, ["source", "add", *args, "--corpus", "corpus", "--data", "data"])


def test_plain_text_is_copied_hashed_and_recorded_with_what_it_states(place):
    result = _add(str(ARTICLE / "ledger.txt"), "--kind", "news")
    assert result.exit_code == 0, result.output
    name = f"001_{LEDGER_SHA[:16]}.txt"
    assert result.stdout == (
        f"id: a001\nfile: {name}\nsha256: {LEDGER_SHA}\nkind: news\n"
        "title: DeepSeek's bargain model meets a sceptical audit\ndate: 2026-02-03\n"
        "author: Ada Quill\ndateline: KESTREL CITY\nsection: Chips\n"
    )
    assert result.stderr == f"Wrote corpus/{name} and added source 'a001' to data/entities.yaml\n"
    assert (place / "corpus" / name).read_bytes() == (ARTICLE / "ledger.txt").read_bytes()
    # The record is inserted after the last source; every other line, comments included, stays.
    assert (place / "data" / "entities.yaml").read_text(encoding="utf-8") == DATA_FILE.replace(
        "    kind: news\n\n",
        "    kind: news\n\n"
        f"  - id: a001\n    file: {name}\n    sha256: {LEDGER_SHA}\n    kind: news\n"
        "    title: DeepSeek's bargain model meets a sceptical audit\n    date: \"2026-02-03\"\n"
        "    author: Ada Quill\n    dateline: KESTREL CITY\n    section: Chips\n\n",
    )
    assert load(place / "data").sources["a001"].record.sha256 == LEDGER_SHA


def test_html_gives_the_article_text_and_the_page_metadata(place):
    result = _add(str(ARTICLE / "ledger.html"), "--kind", "news", "--section", "Chips")
    assert result.exit_code == 0, result.output
    text = (
        "A sceptical audit of a bargain model\n"
        "KESTREL CITY: An independent audit released on Monday questions how cheaply DeepSeek built its flagship model.\n"
        "The auditors accept that DeepSeek trained DeepSeek-V3 on Nvidia H800 chips, as the company has said.\n"
        "But they put the cost of DeepSeek-V3 at around $9 million, well above the figure the lab gave.\n"
    )
    sha = hashlib.sha256(text.encode()).hexdigest()
    name = f"001_{sha[:16]}.txt"
    assert (place / "corpus" / name).read_text(encoding="utf-8") == text
    assert result.stdout == (
        f"id: a001\nfile: {name}\nsha256: {sha}\nkind: news\ntitle: A sceptical audit of a bargain model\n"
        "date: 2026-02-03\nauthor: Ada Quill\ndateline: KESTREL CITY\nsection: Chips\n"
    )
    assert result.stderr == (
        "Note: the page names its publisher 'The Kestrel Ledger', which is no entity of the data; "
        "add it as an entity and pass --publisher ID to record it\n"
        f"Wrote corpus/{name} and added source 'a001' to data/entities.yaml\n"
    )


def test_what_the_article_does_not_state_is_left_out_and_options_supply_it(place):
    bare = place / "bare.txt"
    bare.write_text("Quillfeather Labs said on Tuesday that Wren-3 is coming.\n", encoding="utf-8")
    result = _add(str(bare), "--kind", "blog", "--title", "Wren-3: coming soon", "--id", "wren-blog")
    assert result.exit_code == 0, result.output
    sha = hashlib.sha256(bare.read_bytes()).hexdigest()
    assert result.stdout == f"id: wren-blog\nfile: 001_{sha[:16]}.txt\nsha256: {sha}\nkind: blog\ntitle: Wren-3: coming soon\n"
    assert '    title: "Wren-3: coming soon"\n' in (place / "data" / "entities.yaml").read_text(encoding="utf-8")


def test_an_article_already_in_the_corpus_is_refused_with_its_id(place):
    shutil.copy(place / "corpus" / FIRST_FILE, place / "again.txt")
    result = _add("again.txt", "--kind", "news")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"Error: this article is already in the corpus as {FIRST_FILE}, source id 'a000'\n"
    assert sorted(p.name for p in (place / "corpus").iterdir()) == [FIRST_FILE]
    assert (place / "data" / "entities.yaml").read_text(encoding="utf-8") == DATA_FILE


def test_a_missing_file_is_a_clean_error(place):
    result = _add("nowhere.txt", "--kind", "news")
    assert (result.exit_code, result.output) == (1, "Error: nowhere.txt: no such file\n")


def test_text_that_is_not_utf8_is_refused_with_the_fix(place):
    (place / "latin.txt").write_bytes("Quillfeather Labs' caf\u00e9 opened.\n".encode("latin-1"))
    result = _add("latin.txt", "--kind", "news")
    assert (result.exit_code, result.output) == (1, (
        "Error: latin.txt: not UTF-8 text (byte 0xe9 at offset 22); convert it first, "
        "e.g. iconv -f WINDOWS-1252 -t UTF-8 latin.txt > article.txt\n"))
    assert sorted(p.name for p in (place / "corpus").iterdir()) == [FIRST_FILE]


def test_a_publisher_must_be_an_entity(place):
    result = _add(str(ARTICLE / "ledger.txt"), "--kind", "news", "--publisher", "kestrel-ledger")
    assert (result.exit_code, result.output) == (1, "Error: --publisher 'kestrel-ledger' is not an entity id of the data; add the entity first\n")
    assert sorted(p.name for p in (place / "corpus").iterdir()) == [FIRST_FILE]


@pytest.mark.parametrize("source_id", ["a000", "a001", "a002", "a003", "a004"])
def test_what_the_corpus_articles_state_about_themselves_is_what_the_data_records(source_id, corpus_dir):
    """The opening-line rules find exactly the fields curated from the same lines."""
    record = load(DATA).sources[source_id].record
    states = plain_text_states((corpus_dir / record.file).read_text(encoding="utf-8"))
    assert states == {k: str(getattr(record, k)) for k in states}
    curated_from_opening = {k for k in ("title", "date", "dateline", "section") if getattr(record, k)}
    assert set(states) == curated_from_opening
