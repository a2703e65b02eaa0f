"""kg draft proposes only what the words say and keeps a curator's edits; kg source add
refuses a copy that differs in line endings or trailing spaces, and binary data;
an empty actor name is an error; an empty filtered conflicts report names its filter."""
from __future__ import annotations

import hashlib
import shutil

import pytest
from click.testing import CliRunner

from kg.cli.main import cli
from kg.curate.model import suggest_id
from kg.curate.article_states import plain_text_states

from .conftest import DATA, write_articles

CAFE = "The Café Nova lab said DeepSeek trained its model cheaply.\n"
CAFE_SHA = hashlib.sha256(CAFE.encode()).hexdigest()


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture()
def place(tmp_path, monkeypatch, corpus_dir):
    """A copy of the real data and corpus, to add articles to."""
    shutil.copytree(DATA, tmp_path / "data")
    shutil.copytree(corpus_dir, tmp_path / "corpus")
    for path in (tmp_path / "corpus").iterdir():
        path.chmod(0o644)
    (tmp_path / "corpus").chmod(0o755)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def add(path, *extra):
    return run("source", "add", path, "--kind", "blog", "--data", "data", "--corpus", "corpus", *extra)


def draft(*extra):
    return run("draft", "a005", "--data", "data", "--corpus", "corpus", *extra)


CAFE_DRAFT = f"""\
# Draft of the entities and claims of a005 (005_{CAFE_SHA[:16]}.txt), written by kg draft.
# Every entry is a guess from the article's words: check each against the article,
# fix or delete it, then move what holds into data/. The build does not read drafts/.

entities:
  # line 1
  - id: cafe-nova
    type: "?"  # no guess: see kg types
    name: Café Nova

claims:
  # line 1
  - subject: cafe-nova
    property: "?"  # no property found: no property's label or registered phrase occurs here; choose one (kg properties)
    value: deepseek
    evidence:
      - source: a005
        quote: The Café Nova lab said DeepSeek trained its model cheaply
"""


def test_draft_invents_no_model_and_no_property_from_the_word_model(place):
    (place / "cafe.txt").write_text(CAFE, encoding="utf-8")
    assert add("cafe.txt").exit_code == 0
    result = draft("-o", "-")
    assert (result.exit_code, result.stdout) == (0, CAFE_DRAFT)
    assert result.stderr == "Drafted 1 candidate entities, 1 candidate claims (0 already in the data, 1 without a property)\n"


def test_suggested_ids_transliterate_accents():
    assert [suggest_id(n) for n in ("Café Nova", "Zürich AI", "Ångström Labs", "北京")] == \
        ["cafe-nova", "zurich-ai", "angstrom-labs", "my-id"]


def test_draft_keeps_an_existing_draft_unless_forced(place):
    (place / "cafe.txt").write_text(CAFE, encoding="utf-8")
    assert add("cafe.txt").exit_code == 0
    (place / "drafts").mkdir()
    edited = place / "drafts" / "a005.yaml"
    edited.write_text("# my edits\n", encoding="utf-8")
    result = draft()
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == ("Error: drafts/a005.yaml already exists and may hold edits; pass --force to overwrite it, "
                             "or -o to write the draft elsewhere\n")
    assert edited.read_text(encoding="utf-8") == "# my edits\n"
    forced = draft("--force")
    assert forced.exit_code == 0
    assert edited.read_text(encoding="utf-8") == CAFE_DRAFT


def test_draft_warns_when_the_article_no_longer_matches_its_record(place):
    (place / "cafe.txt").write_text(CAFE, encoding="utf-8")
    assert add("cafe.txt").exit_code == 0
    stored = place / "corpus" / f"005_{CAFE_SHA[:16]}.txt"
    stored.write_text(CAFE + "An added line.\n", encoding="utf-8")
    digest = hashlib.sha256(stored.read_bytes()).hexdigest()
    text = (place / "data" / "entities.yaml").read_text(encoding="utf-8").splitlines()
    line = next(i for i, t in enumerate(text, 1) if CAFE_SHA in t)
    col = text[line - 1].index(CAFE_SHA) + 1
    result = draft("-o", "-")
    assert result.exit_code == 0
    assert result.stderr.splitlines()[0] == (
        f"Warning: data/entities.yaml:{line}:{col}: sha256 does not match 005_{CAFE_SHA[:16]}.txt: the file has {digest}; "
        "if the article changed on purpose, update the record; the build refuses this article until then")


# -- kg source add ------------------------------------------------------------


@pytest.mark.parametrize("change", ["crlf", "trailing"])
def test_source_add_refuses_a_copy_differing_in_line_endings_or_trailing_spaces(place, change):
    text = (place / "corpus" / "002_6e2e3c64fefd2a3a.txt").read_text(encoding="utf-8")
    copy = text.replace("\n", "\r\n") if change == "crlf" else text.replace("\n", "  \n") + "\n \n"
    (place / "copy.txt").write_bytes(copy.encode("utf-8"))
    result = add("copy.txt")
    assert (result.exit_code, result.stdout) == (1, "")
    # with its line endings made LF, the CRLF copy is the stored text byte for byte
    how = "" if change == "crlf" else " (the same text but for line endings or trailing whitespace)"
    assert result.stderr == f"Error: this article is already in the corpus as 002_6e2e3c64fefd2a3a.txt, source id 'a002'{how}\n"
    assert sorted(p.name for p in (place / "corpus").iterdir())[-1].startswith("004_")


def test_source_add_stores_lf_line_endings(place):
    (place / "crlf.txt").write_bytes(CAFE.replace("\n", "\r\n").encode("utf-8"))
    result = add("crlf.txt")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1:3] == [f"file: 005_{CAFE_SHA[:16]}.txt", f"sha256: {CAFE_SHA}"]
    assert (place / "corpus" / f"005_{CAFE_SHA[:16]}.txt").read_bytes() == CAFE.encode("utf-8")


def test_source_add_refuses_binary_that_is_valid_utf8(place):
    (place / "zeros.txt").write_bytes(b"Heading\n" + b"\0" * 300)
    result = add("zeros.txt")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == ("Error: zeros.txt:2:1: control character U+0000 (300 in all): this is not plain text; "
                             "give the article's text as a UTF-8 .txt file or its saved HTML page\n")


@pytest.mark.parametrize("bom, order", [(b"\xff\xfe", "little"), (b"\xfe\xff", "big")])
def test_source_add_names_utf16(place, bom, order):
    (place / "wide.txt").write_bytes(bom + CAFE.encode("utf-16-le" if order == "little" else "utf-16-be"))
    result = add("wide.txt")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (f"Error: wide.txt: UTF-16 text ({order}-endian byte-order mark {bom.hex(' ').upper()}), "
                             "not UTF-8; convert it first, e.g. iconv -f UTF-16 -t UTF-8 wide.txt > article.txt\n")


# -- names ------------------------------------------------------------------

EMPTY = "'' is an empty name; give a name: an actor's id, label or alias, e.g. deepseek ('kg query actors' lists them all)"


@pytest.mark.parametrize("name", ["", "  "])
@pytest.mark.parametrize("command", [["show", "{}"], ["path", "{}", "DeepSeek"], ["path", "DeepSeek", "{}"]])
def test_an_empty_name_is_an_error(built, command, name):
    result = run(*[part.format(name) for part in command], "--export", built.out)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"Error: {EMPTY.replace(repr(''), repr(name))}\n")


def test_viewer_around_an_empty_name_is_an_error(built, corpus_dir, tmp_path):
    result = run("viewer", "--data", DATA, "--corpus", corpus_dir, "--out", tmp_path / "v.html", "--around", "")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"Error: --around: {EMPTY}\n")


def test_conflicts_with_an_empty_subject_is_an_error(corpus_dir):
    result = run("conflicts", "--data", DATA, "--corpus", corpus_dir, "--subject", "")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"Error: {EMPTY}\n")


@pytest.mark.parametrize("args, said", [
    (["--subject", "nvidia"], "No disagreements about Nvidia.\n"),
    (["--subject", "nvidia", "--kind", "value"], "No value disagreements about Nvidia.\n"),
    (["--kind", "specificity", "--kind", "correction", "--source", "a004"],
     "No correction or specificity disagreements in which a004 backs a side.\n"),
])
def test_an_empty_filtered_report_names_its_filter(corpus_dir, args, said):
    result = run("conflicts", "--data", DATA, "--corpus", corpus_dir, *args)
    assert (result.exit_code, result.stdout, result.stderr) == (0, said, "")


def test_a_property_phrase_inside_an_actors_name_proposes_nothing(tmp_path, monkeypatch):
    # "Rival" is a phrase registered for competesWith; here it is part of a name
    article = "Rival Labs praised Quillfeather Labs at the fair.\n"
    (tmp_path / "data.yaml").write_text(
        write_articles(tmp_path / "corpus", {"a000": ("000_a.txt", article)}) +
        "entities:\n"
        "  - {id: quillfeather, type: Lab, name: Quillfeather Labs}\n"
        "  - {id: rival-labs, type: Lab, name: Rival Labs}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run("draft", "a000", "--data", "data.yaml", "--corpus", "corpus", "-o", "-")
    assert result.exit_code == 0
    assert result.stdout.split("claims:\n")[1] == (
        "  # line 1\n"
        "  - subject: rival-labs\n"
        "    property: \"?\"  # no property found: no property's label or registered phrase occurs here; "
        "choose one (kg properties)\n"
        "    value: quillfeather\n"
        "    evidence:\n"
        "      - source: a000\n"
        "        quote: Rival Labs praised Quillfeather Labs at the fair\n")


@pytest.mark.parametrize("line, date", [
    ("Published January 24, 2025", "2025-01-24"),
    ("Published 2025-02-03", "2025-02-03"),
    ("Published: 3 February 2025", "2025-02-03"),
    ("Posted on 2025-02-30", None),  # not a real day: left out, never guessed
])
def test_the_published_line_gives_the_date_in_each_common_form(line, date):
    states = plain_text_states(f"Ospreys over the bay\n\n{line}\n\nThe first paragraph starts here.\n")
    assert states.get("date") == date
    assert "section" not in states
