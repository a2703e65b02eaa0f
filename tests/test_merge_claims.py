"""One claim stated in several files: evidence merged, real conflicts refused."""
from __future__ import annotations

import os
import textwrap
from pathlib import Path

from click.testing import CliRunner

from kg.cli.main import cli
from kg.curate.load import load

ARTICLE_A = "Quillfeather Labs trained the Wren-2 model on Basalt X9 chips, the lab said.\n"
ARTICLE_B = "According to analysts, Wren-2 was trained on Basalt X9 chips in a short run.\n"

HEAD = """\
sources:
  - id: n001
    file: n001.txt
    sha256: {a}
    kind: news
  - id: n002
    file: n002.txt
    sha256: {b}
    kind: news
entities:
  - id: quillfeather
    type: Lab
    name: Quillfeather Labs
  - id: wren-2
    type: Model
    name: Wren-2
  - id: basalt-x9
    type: Chip
    name: Basalt X9
"""


def _setup(tmp_path: Path, first: str, second: str) -> tuple[Path, Path]:
    import hashlib

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    digests = {}
    for key, name, text in (("a", "n001.txt", ARTICLE_A), ("b", "n002.txt", ARTICLE_B)):
        (corpus / name).write_text(text, encoding="utf-8")
        digests[key] = hashlib.sha256(text.encode()).hexdigest()
    data = tmp_path / "data"
    data.mkdir()
    (data / "entities.yaml").write_text(HEAD.format(**digests), encoding="utf-8")
    (data / "claims-n001.yaml").write_text(textwrap.dedent(first), encoding="utf-8")
    (data / "claims-n002.yaml").write_text(textwrap.dedent(second), encoding="utf-8")
    # claims-n002.yaml is the newer file, whatever order the files were written in
    os.utime(data / "claims-n001.yaml", ns=(1_000_000_000, 1_000_000_000))
    os.utime(data / "claims-n002.yaml", ns=(2_000_000_000, 2_000_000_000))
    return data, corpus


FIRST = """\
claims:
  - subject: wren-2
    property: trainedOn
    value: basalt-x9
    evidence:
      - source: n001
        quote: trained the Wren-2 model on Basalt X9 chips
"""

SECOND = """\
claims:
  - subject: wren-2
    property: trainedOn
    value: basalt-x9
    evidence:
      - source: n002
        quote: Wren-2 was trained on Basalt X9 chips
"""


def _build(data: Path, corpus: Path, tmp_path: Path):
    return CliRunner().invoke(cli, ["build", "--data", str(data), "--corpus", str(corpus), "--out", str(tmp_path / "out")])


def test_the_same_claim_in_two_files_is_one_claim_with_both_evidence(tmp_path):
    data, corpus = _setup(tmp_path, FIRST, SECOND)
    catalog = load(data)
    assert [(c.subject, c.property.name, c.value.lexical) for c in catalog.claims] == [("wren-2", "trainedOn", "basalt-x9")]
    assert [(e.source, e.quote) for e in catalog.claims[0].evidence] == [
        ("n001", "trained the Wren-2 model on Basalt X9 chips"),
        ("n002", "Wren-2 was trained on Basalt X9 chips"),
    ]
    result = _build(data, corpus, tmp_path)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Built 3 entities, 1 claim and ")


def test_a_different_rank_is_an_error_on_the_newer_file(tmp_path):
    second = SECOND.replace("    value: basalt-x9\n", "    value: basalt-x9\n    rank: deprecated\n    reason: the article names another chip\n")
    data, corpus = _setup(tmp_path, FIRST, second)
    result = _build(data, corpus, tmp_path)
    assert result.exit_code == 1
    assert result.output == (
        f"{data}/claims-n002.yaml:5:11: the same claim is stated at {data}/claims-n001.yaml:2:5 with rank 'normal', "
        "here 'deprecated'; a claim has one rank: make them agree (its evidence is merged)\n"
        "1 problem in the data\n"
    )


def test_the_newer_file_gets_the_error_even_when_it_sorts_first(tmp_path):
    second = SECOND.replace("    value: basalt-x9\n", "    value: basalt-x9\n    rank: deprecated\n    reason: the article names another chip\n")
    data, corpus = _setup(tmp_path, FIRST, second)
    os.utime(data / "claims-n001.yaml", ns=(3_000_000_000, 3_000_000_000))
    result = _build(data, corpus, tmp_path)
    assert result.exit_code == 1
    assert result.output == (
        f"{data}/claims-n001.yaml:2:5: the same claim is stated at {data}/claims-n002.yaml:2:5 with rank 'deprecated', "
        "here 'normal'; a claim has one rank: make them agree (its evidence is merged)\n"
        "1 problem in the data\n"
    )


def test_a_different_reason_is_an_error_on_the_newer_file(tmp_path):
    def ranked(text, reason):
        return text.replace("    value: basalt-x9\n", f"    value: basalt-x9\n    rank: preferred\n    reason: {reason}\n")

    data, corpus = _setup(tmp_path, ranked(FIRST, "the lab says so"), ranked(SECOND, "analysts say so"))
    result = _build(data, corpus, tmp_path)
    assert result.exit_code == 1
    assert result.output == (
        f"{data}/claims-n002.yaml:6:13: the same claim is stated at {data}/claims-n001.yaml:2:5 with another reason "
        "('the lab says so'); a claim has one reason: give both statements the same one (its evidence is merged)\n"
        "1 problem in the data\n"
    )


def test_the_same_quote_twice_is_an_error_on_the_newer_file(tmp_path):
    data, corpus = _setup(tmp_path, FIRST, FIRST)
    result = _build(data, corpus, tmp_path)
    assert result.exit_code == 1
    assert result.output == (
        f"{data}/claims-n002.yaml:7:16: this quote from n001 is already evidence for the same claim at "
        f"{data}/claims-n001.yaml:7:16; remove one of them\n"
        "1 problem in the data\n"
    )
