"""Adding an article: kg source add, and what an article states about itself."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli.main import cli
from kg.curate.load import load
from kg.curate.article_states import plain_text_states

from .conftest import DATA, FIXTURES, writable_copy

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


def test_an_id_that_is_not_safe_in_an_iri_is_refused(place):
    result = _add(str(ARTICLE / "ledger.txt"), "--kind", "news", "--id", "Ledger Feb")
    assert (result.exit_code, result.output) == (1, (
        "Error: --id 'Ledger Feb' is not safe in an IRI; use lowercase letters, digits, '-', '.' and '_', e.g. 'ledger-feb'\n"))
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


# The README's walkthrough, "Adding an article", end to end.

README_SECTION = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8").split(
    "## Adding an article", 1)[1].split("\n## ", 1)[0]


def _readme_kg_lines() -> list[str]:
    import re

    lines = []
    for block in re.findall(r"```console\n(.*?)```", README_SECTION, re.S):
        for line in block.splitlines():
            if line.startswith("$ kg "):
                lines.append(line[2:].split("  #")[0].strip())
    return lines


def _edit_draft(draft: Path, target: Path) -> None:
    """What the README tells the curator to do: drop the "?" claims, keep the candidate
    entities a kept claim needs, move the file."""
    import re

    head, claims = draft.read_text(encoding="utf-8").split("claims:\n", 1)
    blocks = [b for b in re.split(r"\n(?=  # line )", claims) if 'property: "?"' not in b]
    needed = {m for b in blocks for m in re.findall(r"(?:subject|value): (\S+)", b)}
    entities = [e for e in re.split(r"\n(?=  # line )", head.split("entities:\n", 1)[1]) if re.search(r"- id: (\S+)", e)[1] in needed]
    target.write_text("entities:\n" + "\n".join(entities) + "claims:\n" + "\n".join(blocks), encoding="utf-8")
    draft.unlink()


def test_the_walkthrough_end_to_end(tmp_path, corpus_dir, monkeypatch):
    shutil.copytree(DATA, tmp_path / "data")
    writable_copy(corpus_dir, tmp_path / "corpus")
    (tmp_path / "tests" / "fixtures" / "article").mkdir(parents=True)
    shutil.copy(ARTICLE / "ledger.txt", tmp_path / "tests" / "fixtures" / "article" / "ledger.txt")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KG_CORPUS", "corpus")
    before = tmp_path / "before"
    ran = []

    def kg(line: str):
        import shlex

        ran.append(line)
        args = shlex.split(line)[1:]
        return CliRunner().invoke(cli, [str(before) if a == "/tmp/before" else a for a in args])

    result = kg("kg build --out /tmp/before")
    assert result.exit_code == 0, result.output

    result = kg("kg source add tests/fixtures/article/ledger.txt --kind news")
    assert result.exit_code == 0, result.output
    sha = hashlib.sha256((ARTICLE / "ledger.txt").read_bytes()).hexdigest()
    assert sha == LEDGER_SHA == "dcba2468dd742a2a716c812c99a2b59dff1af299e685670e8322a1df5abea4ac"
    assert result.stdout == (
        f"id: a005\nfile: 005_{sha[:16]}.txt\nsha256: {sha}\nkind: news\n"
        "title: DeepSeek's bargain model meets a sceptical audit\ndate: 2026-02-03\nauthor: Ada Quill\n"
        "dateline: KESTREL CITY\nsection: Chips\n")
    record = load(tmp_path / "data").sources["a005"].record
    assert (record.file, record.sha256, record.kind, record.title, record.date, record.author, record.dateline, record.section) == (
        f"005_{sha[:16]}.txt", sha, "news", "DeepSeek's bargain model meets a sceptical audit", "2026-02-03",
        "Ada Quill", "KESTREL CITY", "Chips")
    assert hashlib.sha256((tmp_path / "corpus" / record.file).read_bytes()).hexdigest() == sha

    result = kg("kg draft a005")
    assert (result.exit_code, result.stderr) == (0, (
        "Wrote drafts/a005.yaml: 2 candidate entities, 11 candidate claims (3 already in the data, 6 without a property)\n"))
    draft = (tmp_path / "drafts" / "a005.yaml").read_text(encoding="utf-8")
    assert (
        "  - subject: deepseek-v3\n"
        "    property: developmentCost  # the words match 'cost'\n"
        "    value: 9 million USD\n"
        "    qualifiers:\n"
        "      approximate: true\n"
        "    evidence:\n"
        "      - source: a005\n"
        '        quote: "But they put the cost of DeepSeek-V3 at around $9 million"\n') in draft
    # The build ignores drafts: nothing in drafts/ is data.
    assert kg("kg build").exit_code == 0
    ran.pop()

    result = kg('kg quote a005 "cost of DeepSeek-V3 around 9 million"')
    assert (result.exit_code, result.output) == (0, (
        "005_dcba2468dd742a2a.txt:10:14: characters 323-367, close (90%), unique\n"
        "the cost of DeepSeek-V3 at around $9 million\n"))

    _edit_draft(tmp_path / "drafts" / "a005.yaml", tmp_path / "data" / "claims-a005.yaml")
    result = kg("kg build")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Built 1,526 entities, 5,934 claims and 117,811 quads from 6 sources and 1 dataset into export/ in ")
    assert "ADAM (CIFAR-10) and 1,433 more (decide in data/crosswalk.yaml" in result.output

    # The trainedOn claim of claims-a005.yaml is merged into the one of claims-models.yaml.
    catalog = load(tmp_path / "data")
    trained = [c for c in catalog.claims if (c.subject, c.property.name, c.value.lexical) == ("deepseek-v3", "trainedOn", "nvidia-h800")]
    assert len(trained) == 1
    assert sorted(e.source for e in trained[0].evidence) == ["a000", "a001", "a002", "a004", "a005", "epoch-notable-ai-models"]

    result = kg("kg conflicts --kind value --subject DeepSeek-V3")
    assert result.exit_code == 0
    assert (
        "[value] DeepSeek-V3: development cost: 1 source against 1 against 2 against 2 against 1\n") in result.output
    assert (
        "  2. 5,600,000 USD  (1 source: a000)\n"
        "     DeepSeek-V3 developmentCost 5,600,000 USD\n"
        "       a000: \u201cDeepSeek reportedly developed its model for a mere $5.6 million\u201d\n") in result.output
    assert (
        "  5. 9,000,000 USD  (1 source: a005)\n"
        "     DeepSeek-V3 developmentCost 9,000,000 USD [approximate=true]\n"
        "       a005: \u201cBut they put the cost of DeepSeek-V3 at around $9 million\u201d\n") in result.output

    result = kg("kg diff /tmp/before")
    assert (result.exit_code, result.output) == (0, (
        "+ evidence added   deepseek-v3 developedBy: deepseek\n"
        "      a005: \u201cAn independent audit released on Monday questions how cheaply DeepSeek built its flagship model\u201d\n"
        "+ added            deepseek-v3 developmentCost: 9,000,000 USD [approximate=true]\n"
        "      a005: \u201cBut they put the cost of DeepSeek-V3 at around $9 million\u201d\n"
        "+ evidence added   deepseek-v3 trainedOn: nvidia-h800\n"
        "      a005: \u201cDeepSeek trained DeepSeek-V3 on Nvidia H800 chips\u201d\n"
        "+ added            mara-voss engineerAt: quillfeather-labs\n"
        "      a005: \u201cMara Voss, a former engineer at Quillfeather Labs\u201d\n"
        "+ evidence added   nvidia-h800 manufacturedBy: nvidia\n"
        "      a005: \u201cDeepSeek trained DeepSeek-V3 on Nvidia H800 chips\u201d\n"
        "3 evidence added, 2 added\n"))

    assert ran == _readme_kg_lines()


def test_a_publisher_the_page_names_is_recorded_when_it_is_an_entity(place):
    page = (ARTICLE / "ledger.html").read_text(encoding="utf-8").replace("The Kestrel Ledger", "Quillfeather Labs")
    (place / "page.html").write_text(page, encoding="utf-8")
    result = _add("page.html", "--kind", "blog")
    assert result.exit_code == 0, result.output
    assert "publisher: quillfeather\n" in result.stdout
    assert result.stderr.startswith("Wrote corpus/001_")
