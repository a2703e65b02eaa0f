"""A small corpus and data set with one disagreement of each kind."""
from __future__ import annotations

import hashlib
from pathlib import Path

ARTICLES = {
    "one.txt": ("Acme Labs was founded by Jon Smyth. Its model Zeta cost $5 million to build. "
                "Zeta beat Omega in coding tests. Acme grew out of Big Fund. "
                "Jo said: \"We are fast.\"\n"),
    "two.txt": ("Acme Labs, founded by John Smith, built Zeta for less than $5 million. "
                "Zeta beat Omega 2 on maths. Acme is run by Big Fund. "
                "Jo said: \"We move quickly.\"\n"),
}

DATA = """\
sources:
  - {{id: s1, file: one.txt, sha256: {one}, kind: news, title: One}}
  - {{id: s2, file: two.txt, sha256: {two}, kind: blog}}

entities:
  - {{id: acme, type: Lab, name: Acme Labs}}
  - {{id: jon-smyth, type: Person, name: Jon Smyth}}
  - {{id: john-smith, type: Person, name: John Smith}}
  - {{id: zeta, type: Model, name: Zeta}}
  - {{id: omega, type: Model, name: Omega}}
  - {{id: omega-2, type: Model, name: Omega 2, broader: [omega]}}
  - {{id: big-fund, type: HedgeFund, name: Big Fund}}
  - {{id: jo, type: Person, name: Jo}}

claims:
  - subject: acme
    property: foundedBy
    value: jon-smyth
    rank: deprecated
    reason: s2 spells the founder John Smith.
    evidence: [{{source: s1, quote: founded by Jon Smyth}}]
  - subject: acme
    property: foundedBy
    value: john-smith
    evidence: [{{source: s2, quote: "founded by John Smith"}}]
  - subject: zeta
    property: developmentCost
    value: 5 million USD
    evidence: [{{source: s1, quote: cost $5 million}}]
  - subject: zeta
    property: developmentCost
    value: 5 million USD
    qualifiers: {{upperBound: true}}
    evidence: [{{source: s2, quote: less than $5 million}}]
  - subject: zeta
    property: outperformed
    value: omega
    evidence: [{{source: s1, quote: Zeta beat Omega in coding tests}}]
  - subject: zeta
    property: outperformed
    value: omega-2
    evidence: [{{source: s2, quote: Zeta beat Omega 2}}]
  - subject: acme
    property: originatedFrom
    value: big-fund
    evidence: [{{source: s1, quote: Acme grew out of Big Fund}}]
  - subject: acme
    property: operatedBy
    value: big-fund
    evidence: [{{source: s2, quote: Acme is run by Big Fund}}]
  - id: jo-s1
    subject: jo
    property: said
    value: We are fast.
    evidence: [{{source: s1, quote: "\\"We are fast.\\""}}]
  - id: jo-s2
    subject: jo
    property: said
    value: We move quickly.
    evidence: [{{source: s2, quote: "\\"We move quickly.\\""}}]

disagreements:
  - topic: Jo's remark, quoted differently
    sides: [[jo-s1], [{claim}]]
"""


def write(folder: Path, claim: str = "jo-s2") -> tuple[Path, Path]:
    """The corpus and the data file in ``folder``; ``claim`` is the second side's id."""
    corpus = folder / "corpus"
    corpus.mkdir()
    sums = {}
    for name, text in ARTICLES.items():
        (corpus / name).write_text(text, encoding="utf-8")
        sums[name.split(".")[0]] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    data = folder / "data.yaml"
    data.write_text(DATA.format(claim=claim, **sums), encoding="utf-8")
    return data, corpus
