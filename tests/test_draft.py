"""kg draft on an invented article: candidates, quotes, properties, hedges, existing claims."""
from __future__ import annotations


from click.testing import CliRunner

from kg.cli.main import cli

from .conftest import write_articles

OLD = "Quillfeather Labs trained the Wren-2 model on Basalt X9 chips, the lab said.\n"
NEW = (
    "Wren-2 was trained on Basalt X9 chips over the winter.\n"
    "Quillfeather Labs spent less than $4 million on Wren-2, according to Mara Voss.\n"
    "Voss also praised Basalt X9 at the fair.\n"
)


def _place(tmp_path, monkeypatch):
    sources = write_articles(tmp_path / "corpus", {"a000": ("000_old.txt", OLD), "a001": ("001_new.txt", NEW)})
    (tmp_path / "data.yaml").write_text(
        sources +
        "entities:\n"
        "  - {id: quillfeather, type: Lab, name: Quillfeather Labs}\n"
        "  - {id: wren-2, type: Model, name: Wren-2}\n"
        "  - {id: basalt-x9, type: Chip, name: Basalt X9}\n"
        "claims:\n"
        "  - subject: wren-2\n"
        "    property: trainedOn\n"
        "    value: basalt-x9\n"
        "    evidence:\n"
        "      - {source: a000, quote: trained the Wren-2 model on Basalt X9 chips}\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)


EXPECTED = """\
# Draft of the entities and claims of a001 (001_new.txt), written by kg draft.
# Every entry is a guess from the article's words: check each against the article,
# fix or delete it, then move what holds into data/. The build does not read drafts/.

entities:
  # line 2; also written 'Voss'
  - id: mara-voss
    type: Person  # guessed from the name
    name: Mara Voss
    aliases: [Voss]

claims:
  # line 2
  - subject: quillfeather
    property: "?"  # no property found: no property's label or registered phrase occurs here; choose one (kg properties)
    value: wren-2
    evidence:
      - source: a001
        quote: "Quillfeather Labs spent less than $4 million on Wren-2"

  # line 2
  - subject: quillfeather
    property: "?"  # no property found: no property's label or registered phrase occurs here; choose one (kg properties)
    value: mara-voss
    evidence:
      - source: a001
        quote: "Quillfeather Labs spent less than $4 million on Wren-2, according to Mara Voss"

  # line 2
  - subject: wren-2
    property: "?"  # no property found: no property's label or registered phrase occurs here; choose one (kg properties)
    value: mara-voss
    evidence:
      - source: a001
        quote: "Quillfeather Labs spent less than $4 million on Wren-2, according to Mara Voss"

  # line 2
  - subject: quillfeather
    property: developmentCost  # the words match 'spent'
    value: 4 million USD
    qualifiers:
      upperBound: true
    evidence:
      - source: a001
        quote: "Quillfeather Labs spent less than $4 million on Wren-2"

  # line 3
  - subject: mara-voss
    property: "?"  # no property found: no property's label or registered phrase occurs here; choose one (kg properties)
    value: basalt-x9
    evidence:
      - source: a001
        quote: Voss also praised Basalt X9 at the fair

  # Claims the data already holds: this article is more evidence for them.
  # Moved into data/ as they are, each merges with the existing claim.
  # line 1; already stated at data.yaml:9:5
  - subject: wren-2
    property: trainedOn  # the words match 'trained on'
    value: basalt-x9
    evidence:
      - source: a001
        quote: Wren-2 was trained on Basalt X9 chips over the winter
"""


def test_draft_of_an_invented_article(tmp_path, monkeypatch):
    _place(tmp_path, monkeypatch)
    result = CliRunner().invoke(cli, ["draft", "a001", "--data", "data.yaml", "--corpus", "corpus"])
    assert (result.exit_code, result.output) == (0, (
        "Wrote drafts/a001.yaml: 1 candidate entities, 6 candidate claims (1 already in the data, 4 without a property)\n"))
    assert (tmp_path / "drafts" / "a001.yaml").read_text(encoding="utf-8") == EXPECTED


def test_draft_to_stdout_and_an_unknown_source(tmp_path, monkeypatch):
    _place(tmp_path, monkeypatch)
    result = CliRunner().invoke(cli, ["draft", "a001", "-o", "-", "--data", "data.yaml", "--corpus", "corpus"])
    assert result.exit_code == 0 and result.stdout == EXPECTED
    result = CliRunner().invoke(cli, ["draft", "a01", "--data", "data.yaml", "--corpus", "corpus"])
    assert (result.exit_code, result.output) == (1, (
        "Error: unknown source 'a01' (did you mean 'a001'?); register the article first: kg source add FILE\n"))
