"""The curation conventions of README.md, checked on the real data.

Each test reads data/ with the library's loader and pins one rule: values
that are the article's words are quoted, not paraphrased; a reason that
counts or cites other articles agrees with their evidence; actors the
articles describe without a proper name are curated under a descriptive name;
and every article that states a fact is among its evidence.
"""
from __future__ import annotations

import re

import pytest

from kg.curate.article import fold_quote
from kg.curate.load import load

from .conftest import DATA

# Properties whose value is the article's own words (README, "Curation conventions").
VERBATIM = ("said", "describedAs", "missionStatement")


@pytest.fixture(scope="module")
def catalog():
    return load(DATA)


def _claims(catalog, subject, prop, value=None):
    return [c for c in catalog.claims if c.subject == subject and c.property.name == prop
            and (value is None or c.value.lexical == value)]


def _claim(catalog, subject, prop, value):
    found = _claims(catalog, subject, prop, value)
    assert len(found) == 1, f"{subject} {prop} {value}: {len(found)} claims"
    return found[0]


def _evidence(claim) -> list[tuple[str, str]]:
    return sorted((e.source, e.quote) for e in claim.evidence)


def _sources(claim) -> list[str]:
    return sorted({e.source for e in claim.evidence})


def test_verbatim_values_occur_in_their_evidence(catalog):
    paraphrased = [
        f"{c.subject} {c.property.name} {c.value.lexical!r}"
        for c in catalog.claims
        if c.property.name in VERBATIM
        and not any(fold_quote(c.value.lexical) in fold_quote(e.quote) for e in c.evidence)
    ]
    assert paraphrased == []


def test_quoted_words_of_reuven_cohen_and_zihan_wang(catalog):
    cohen = _claims(catalog, "reuven-cohen", "said")
    assert sorted(c.value.lexical for c in cohen) == [
        "DeepSeek is a way for me to save money",
        "This is the kind of technology that someone like me wants to use.",
        "the qualitative similarities between DeepSeek-V3 and the latest systems from major firms",
    ]
    [wang] = _claims(catalog, "zihan-wang", "said")
    assert wang.value.lexical == (
        "the company also recruits individuals without computer science backgrounds to assist in enabling "
        "the technology to understand and generate poetry and excel in the notoriously challenging "
        "Chinese college entrance examination")
    assert wang.qualifiers["context"].lexical == "reported speech"


def test_deprecated_reasons_cite_exactly_the_articles_that_give_the_other_value(catalog):
    for claim in catalog.claims:
        if claim.rank != "deprecated":
            continue
        others = {e.source for c in _claims(catalog, claim.subject, claim.property.name)
                  if c.rank != "deprecated" and c.value.key != claim.value.key for e in c.evidence}
        assert set(re.findall(r"\ba\d{3}\b", claim.reason)) == others, claim.reason
        assert "the other articles" not in claim.reason.lower()


def test_founder_reason_counts_the_one_article_that_names_him(catalog):
    right = _claim(catalog, "deepseek", "foundedBy", "liang-wenfeng")
    wrong = _claim(catalog, "deepseek", "foundedBy", "liang-wang")
    assert _sources(right) == ["a002"]
    assert _sources(wrong) == ["a000"]
    assert wrong.reason == ("The one other article that names DeepSeek's founder (a002) calls him Liang WenFeng, "
                            "which is his name; \"Liang Wang\" appears to be a misspelling.")
    assert catalog.entities["liang-wang"].record.description == (
        "A name one article (a000) gives for DeepSeek's founder; "
        "the one other article that names him (a002) calls him Liang WenFeng.")


def test_gpt_1_reason_and_description_name_the_two_articles_that_say_o1(catalog):
    assert _sources(_claim(catalog, "deepseek-r1", "outperformed", "openai-o1")) == ["a001", "a002"]
    wrong = _claim(catalog, "deepseek-r1", "outperformed", "gpt-1")
    assert wrong.reason == ("OpenAI's reasoning model is o1, as the two other articles that say what R1 "
                            "outperformed (a001, a002) name it; GPT-1 is OpenAI's 2018 model and is not cutting-edge.")
    assert catalog.entities["gpt-1"].record.description == (
        "The model one article (a000) says R1 outperformed; the two other articles that say "
        "what R1 outperformed (a001, a002) name OpenAI's o1 there.")


def test_descriptions_and_reasons_that_speak_of_articles_name_them(catalog):
    texts = [(e.id, e.record.description) for e in catalog.entities.values() if e.record.description]
    texts += [(f"{c.subject} {c.property.name} {c.value.lexical}", c.reason) for c in catalog.claims if c.reason]
    vague = [(who, text) for who, text in texts
             if re.search(r"\barticles?\b", text)
             and (not set(re.findall(r"\ba\d{3}\b", text)) <= set(catalog.sources)
                  or not re.search(r"\ba\d{3}\b", text)
                  or re.search(r"\bthe (other )?articles\b", text, re.IGNORECASE))]
    assert vague == []


def _entity(catalog, id):
    record = catalog.entities[id].record
    return record.type, record.name, list(record.aliases)


def test_revoked_executive_order_is_an_actor(catalog):
    assert _entity(catalog, "open-source-executive-order") == (
        "Policy", "executive order that restricted open-source technologies", [])
    assert _entity(catalog, "previous-administration") == ("Government", "previous administration", [])
    claim = _claim(catalog, "open-source-executive-order", "revokedBy", "previous-administration")
    assert claim.qualifiers["context"].lexical == "hours after his inauguration"
    assert _evidence(claim) == [("a003", "Hours after his inauguration, a previous administration revoked "
                                         "an executive order that restricted open-source technologies")]


def test_new_regulations_on_chips_through_other_countries_build_on_the_export_controls(catalog):
    assert _entity(catalog, "biden-chip-regulations") == (
        "Policy", "Biden administration's new AI chip regulations", [])
    issued = _claim(catalog, "biden-chip-regulations", "issuedBy", "biden-administration")
    assert _evidence(issued) == [("a003", "Recently, the Biden administration issued new regulations aimed at "
                                          "curbing China’s access to advanced AI chips through other countries")]
    builds = _claim(catalog, "biden-chip-regulations", "buildsOn", "us-chip-export-controls")
    assert _evidence(builds) == [("a003", "building on previous restrictions that prevent Chinese firms from "
                                          "purchasing or manufacturing cutting-edge computer chips")]
    assert builds.qualifiers["context"].lexical.startswith("curator's reading")


def test_china_rules_on_ai_are_an_actor(catalog):
    assert _entity(catalog, "china-ai-regulations") == (
        "Policy", "China's regulations on AI",
        ["China's strict regulations on AI", "strict guidelines set by the state"])
    assert _evidence(_claim(catalog, "china-ai-regulations", "issuedBy", "china")) == [
        ("a000", "Chinese AI models are often required to adhere to strict guidelines set by the state"),
        ("a003", "China’s strict regulations on AI"),
    ]
    described = {c.value.lexical: _evidence(c) for c in _claims(catalog, "china-ai-regulations", "describedAs")}
    assert described == {
        "impose compliance with government controls on information for consumer-oriented technology": [
            ("a003", "China’s strict regulations on AI, which impose compliance with government controls "
                     "on information for consumer-oriented technology")],
        "potentially leading to biased or censored outputs": [
            ("a000", "strict guidelines set by the state, potentially leading to biased or censored outputs")],
    }
    unconstrained = _claim(catalog, "deepseek", "describedAs",
                           "its technology isn’t constrained by China’s strict regulations on AI")
    assert unconstrained.qualifiers["about"].lexical == "china-ai-regulations"
    assert _sources(unconstrained) == ["a003"]


def test_nvidia_makes_the_h800_and_h100_according_to_every_article_that_names_them(catalog):
    h800 = _claim(catalog, "nvidia-h800", "manufacturedBy", "nvidia")
    assert _sources(h800) == ["a000", "a001", "a002", "a004"]
    assert ("a001", "efficient training on Nvidia H800 GPUs") in _evidence(h800)
    h100 = _claim(catalog, "nvidia-h100", "manufacturedBy", "nvidia")
    assert _evidence(h100) == [
        ("a000", "Nvidia H100"),
        ("a002", "advanced chips like Nvidia's H100s"),
        ("a004", "advanced chips like Nvidia’s H100"),
    ]


def test_deepseek_models_cite_every_article_that_says_deepseek_made_them(catalog):
    assert _sources(_claim(catalog, "deepseek-v3", "developedBy", "deepseek")) == [
        "a000", "a001", "a002", "a003", "a004", "epoch-notable-ai-models"]
    assert _sources(_claim(catalog, "deepseek-r1", "developedBy", "deepseek")) == [
        "a000", "a001", "a002", "a003", "epoch-notable-ai-models"]
    reasoning = _claim(catalog, "deepseek-r1", "modelType", "reasoning model")
    assert ("a003", "Recently, the company launched a new reasoning model") in _evidence(reasoning)


def test_deepseek_competitors_cite_the_rivalling_and_competitor_wording(catalog):
    assert _sources(_claim(catalog, "deepseek", "competesWith", "openai")) == ["a000", "a001", "a002", "a003", "a004"]
    assert _sources(_claim(catalog, "deepseek", "competesWith", "meta")) == ["a001", "a002", "a004"]
    assert _evidence(_claim(catalog, "deepseek", "competesWith", "anthropic")) == [
        ("a002", "DeepSeek's model has outperformed notable competitors such as Meta's Llama 3.1, "
                 "OpenAI's GPT-4o, and Anthropic's Claude Sonnet 3.5")]


def test_v3_cost_less_than_meta_spent_in_a003_and_a004(catalog):
    versions = {c.qualifiers["context"].lexical: _sources(c) for c in _claims(catalog, "deepseek-v3", "cheaperThan", "meta")}
    assert versions == {
        "about ten times less than Meta's recent investment in developing its AI technology": ["a003"],
        "Meta's Llama 3.1, which invested significantly more resources": ["a004"],
    }


def test_h800_in_each_article_own_words(catalog):
    words = {c.value.lexical: _sources(c) for c in _claims(catalog, "nvidia-h800", "describedAs")}
    assert words == {"less performant": ["a000"], "lower-tier": ["a001"], "reduced-capability": ["a002"],
                     "older": ["a004"]}


def test_huawei_models_are_an_actor_and_the_competitor(catalog):
    assert _entity(catalog, "huawei-ai-models") == ("Model", "Huawei's AI models", [])
    assert _evidence(_claim(catalog, "huawei-ai-models", "developedBy", "huawei")) == [("a004", "Huawei’s AI models")]
    competes = _claim(catalog, "huawei-ai-models", "competesWith", "united-states")
    assert competes.qualifiers["context"].lexical == "US AI developments"
    assert _sources(competes) == ["a004"]
    assert _claims(catalog, "huawei", "competesWith") == []
