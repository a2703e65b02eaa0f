"""Draft recall: how much of an article's curated claims `kg draft` finds.

Each of the corpus's articles is held out in turn, as if it were new: its
evidence is removed from the data (claims with no other evidence go), and
`kg.curate.draft.make_draft` drafts it with what the other articles give. The
draft is then compared with the claims the real data holds for it:

* found: a claim whose quote starts inside the sentence of a candidate with
  the same subject and value (for figures: the same value once parsed);
* in quote: the same, with the claim's quote overlapping the candidate's quote;
* right property: of the found claims, those whose candidate proposes the
  curated property;
* noise: candidates that match no claim of the article in subject, value
  and sentence (in either direction for two actors).

Two settings: "known actors" keeps every entity of the data (the curator has
already added the article's actors, as `kg draft` expects after reviewing
the candidate entities); "strict" keeps only the entities some other article
names, so that actors new with this article must come from the candidates.

    pytest -m benchmark tests/benchmarks/test_draft_recall.py -s
"""
from __future__ import annotations

import re

import pytest

from kg.curate.catalog import Catalog, Claim
from kg.curate.corpus import verify_quotes
from kg.curate.draft import make_draft
from kg.curate.load import load
from kg.curate.quotes import read_article_file
from kg.curate.values import BadValue, parse_value

from ..conftest import DATA

pytestmark = pytest.mark.benchmark


def _held_out(catalog: Catalog, source: str, texts: dict[str, str], strict: bool) -> Catalog:
    claims = []
    for claim in catalog.claims:
        evidence = [e for e in claim.evidence if e.source != source]
        if evidence:
            kept = Claim(claim.subject, claim.property, claim.value, claim.qualifiers, claim.rank, claim.reason, evidence, claim.where)
            claims.append(kept)
    entities = dict(catalog.entities)
    if strict:
        others = "\n".join(t for s, t in texts.items() if s != source)
        entities = {i: e for i, e in entities.items()
                    if any(re.search(rf"(?<![\w-]){re.escape(n)}(?![\w])", others) for n in (e.record.name, *e.record.aliases))}
        claims = [c for c in claims if c.subject in entities and (c.property.kind != "entity" or c.value.lexical in entities)]
    sources = {i: s for i, s in catalog.sources.items()}
    return Catalog(catalog.vocab, sources, entities, claims)


def _value_key(claim_kind: str, value: str, units) -> str | None:
    try:
        return parse_value(claim_kind, value, units).key
    except BadValue:
        return None


def measure(corpus_dir, strict: bool) -> list[dict]:
    catalog = load(DATA)
    articles = verify_quotes(catalog, corpus_dir)
    texts = {s: a.text for s, a in articles.items()}
    corpus_texts = [p.read_text(encoding="utf-8") for p in sorted(corpus_dir.glob("*.txt"))]
    rows = []
    for source in sorted(catalog.sources):
        truth = [(c, e) for c in catalog.claims for e in c.evidence if e.source == source]
        held = _held_out(catalog, source, texts, strict)
        record = catalog.sources[source].record
        article = read_article_file(source, corpus_dir / record.file)
        draft = make_draft(article, held, corpus_texts)
        units = catalog.vocab.units

        def matches(cand, claim: Claim, evidence, exact_quote: bool) -> bool:
            s0, s1 = cand.sentence
            if exact_quote:
                if not (evidence.start < cand.end and cand.start < evidence.end):
                    return False
            elif not (s0 <= evidence.start < s1):
                return False
            if claim.property.kind == "entity":
                return cand.subject == claim.subject and cand.value == claim.value.lexical
            if cand.subject != claim.subject or cand.property is None:
                return False
            return _value_key(claim.property.kind, cand.value, units) == claim.value.key

        actor = [(c, e) for c, e in truth if c.property.kind == "entity"]
        figure = [(c, e) for c, e in truth if c.property.kind in ("amount", "count", "quantity", "duration", "date")]
        found = [(c, e, next(k for k in draft.claims if matches(k, c, e, False)))
                 for c, e in actor if any(matches(k, c, e, False) for k in draft.claims)]
        in_quote = [1 for c, e in actor if any(matches(k, c, e, True) for k in draft.claims)]
        right_prop = [1 for c, e, k in found if k.property == c.property.name]
        figures_found = [1 for c, e in figure if any(matches(k, c, e, False) for k in draft.claims)]

        def useful(cand) -> bool:
            for c, e in truth:
                s0, s1 = cand.sentence
                if not (s0 <= e.start < s1):
                    continue
                if c.property.kind == "entity" and {cand.subject, cand.value} == {c.subject, c.value.lexical}:
                    return True
                if c.property.kind != "entity" and cand.subject == c.subject and cand.property is not None:
                    return True
            return False

        noise = sum(1 for k in draft.claims if not useful(k))
        rows.append({
            "source": source, "claims": len(truth), "actor_claims": len(actor), "found": len(found),
            "in_quote": len(in_quote), "right_property": len(right_prop), "figure_claims": len(figure),
            "figures_found": len(figures_found), "candidates": len(draft.claims), "noise": noise,
            "candidate_entities": len(draft.entities),
        })
    return rows


def _pct(a: int, b: int) -> str:
    return f"{100 * a / b:.0f}%" if b else "–"


@pytest.mark.parametrize("strict", [False, True], ids=["known-actors", "strict"])
def test_draft_recall(corpus_dir, strict):
    rows = measure(corpus_dir, strict)
    print(f"\n{'strict' if strict else 'known actors'}")
    print("| article | claims | actor-valued | found (subject+value) | quote overlaps | right property | figures found | candidates | noise | candidate entities |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    total = {k: 0 for k in rows[0] if k != "source"}
    for row in rows + [dict(total, source="all")]:
        if row["source"] != "all":
            for k in total:
                total[k] += row[k]
        else:
            row = dict(total, source="all")
        print(f"| {row['source']} | {row['claims']} | {row['actor_claims']} | {row['found']} ({_pct(row['found'], row['actor_claims'])}) "
              f"| {row['in_quote']} ({_pct(row['in_quote'], row['actor_claims'])}) "
              f"| {row['right_property']} ({_pct(row['right_property'], row['found'])}) "
              f"| {row['figures_found']}/{row['figure_claims']} | {row['candidates']} | {row['noise']} ({_pct(row['noise'], row['candidates'])}) "
              f"| {row['candidate_entities']} |")
    assert all(row["claims"] > 0 for row in rows)
