"""Reading an article's sentences for a draft: clauses, figures and their
values, hedges, and the properties whose label or registered phrase occurs nearby."""
from __future__ import annotations

import re
from dataclasses import dataclass

from kg.curate.article import Article
from kg.curate.catalog import Catalog
from kg.curate.draft_entities import CandidateEntity
from kg.curate.quotes import occurrences, shortest_unique_extension
from kg.curate.vocab import Vocabulary, phrases

# Punctuation, and the words that open a clause of their own ("tests revealed that X beat Y").
_CLAUSE_BREAK = re.compile(r",\s|;\s|:\s|\s[\u2014\u2013-]\s|\s?\(|\)"
                           r"|\s(?:that|which|who|whose|while|whereas|because|although|but)\s")
_UPPER = re.compile(r"\b(?:less than|under|below|at most|up to|no more than|fewer than)\s+$", re.I)
_APPROX = re.compile(r"\b(?:around|about|roughly|approximately|nearly|almost|some|an estimated|estimated|close to)\s+$", re.I)
_LOWER = re.compile(r"\b(?:more than|over|at least|upwards of|above)\s+$", re.I)
_MONTHS = {m: i for i, m in enumerate(
    "january february march april may june july august september october november december".split(), 1)}
_MULT = {"thousand": "thousand", "million": "million", "billion": "billion", "trillion": "trillion"}


# -- claims -----------------------------------------------------------------

def _clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans, at = [], start
    for brk in _CLAUSE_BREAK.finditer(text, start, end):
        if brk.start() > at:
            spans.append((at, brk.start()))
        at = brk.end()
    if at < end:
        spans.append((at, end))
    return spans


def shortest_clause(article: Article, sentence: tuple[int, int], a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
    """The shortest run of the sentence's clauses holding both spans, made unique in the article."""
    clauses = _clauses(article.text, *sentence)
    lo, hi = min(a[0], b[0]), max(a[1], b[1])
    start = max((s for s, _ in clauses if s <= lo), default=sentence[0])
    end = min((e for _, e in clauses if e >= hi), default=sentence[1])
    text = article.text
    while end > start and text[end - 1] in " .,;:\u201d\"'":
        end -= 1
    while start < end and text[start] in " \u201c\"'":
        start += 1
    return unique_span(article, start, end)


def unique_span(article: Article, start: int, end: int) -> tuple[int, int]:
    """The span, widened to the shortest run of words around it that the article holds once."""
    if len(occurrences(article, article.text[start:end])) > 1:
        wider = shortest_unique_extension(article, start, end)
        if wider:
            start, end = wider
    return start, end


def _stem_match(word: str, token: str) -> bool:
    if len(token) <= 3:
        return word == token
    stem = token[:max(4, len(token) - 2)]
    return word.startswith(stem)


def _phrase_at(words: list[str], phrase: str) -> bool:
    """The phrase's words in order (word forms forgiven) within the given words."""
    tokens = phrase.lower().split()
    i = 0
    for word in words:
        if i < len(tokens) and _stem_match(word, tokens[i]):
            i += 1
    return i == len(tokens)


def _window_words(text: str, start: int, end: int, skip: list[tuple[int, int]] = ()) -> list[str]:
    """The words between start and end, leaving out those inside the ``skip`` spans."""
    return [w.group() for w in re.finditer(r"[a-z0-9]+", text[start:end].lower())
            if not any(s <= start + w.start() and start + w.end() <= e for s, e in skip)]


@dataclass(frozen=True)
class _Property:
    name: str
    phrases: tuple[str, ...]


def _property_phrases(vocab: Vocabulary) -> list[_Property]:
    # A word that names a kind of actor ("model", "chips") says what a thing
    # is, not how two things relate: "trained its model" is no "developed by".
    kinds = {name.lower() for name in vocab.classes}
    out = []
    for name, prop in sorted(vocab.properties.items()):
        found = {prop.label.lower(), *(p.lower() for p in phrases(name))}
        found = {p for p in found if p not in kinds and p.removesuffix("s") not in kinds}
        out.append(_Property(name, tuple(sorted(found, key=lambda p: (-len(p.split()), p)))))
    return out


def _types(catalog: Catalog, candidates: dict[str, CandidateEntity], entity: str) -> str | None:
    if entity in catalog.entities:
        return catalog.entities[entity].type
    candidate = candidates.get(entity)
    return candidate.type if candidate else None


def _propose(vocab: Vocabulary, props: list[_Property], words: list[str], subject_type: str | None,
             value_type: str | None, kinds: tuple[str, ...]) -> tuple[str | None, str]:
    best = None
    for prop in props:
        info = vocab.properties[prop.name]
        if info.kind not in kinds:
            continue
        if subject_type and not vocab.is_a(subject_type, info.domain):
            continue
        if info.kind == "entity" and value_type and not vocab.is_a(value_type, info.range):
            continue
        for phrase in prop.phrases:
            if _phrase_at(words, phrase):
                score = (len(phrase.split()), len(phrase))
                if best is None or score > best[0]:
                    best = (score, prop.name, phrase)
                break
    if best is None:
        return None, "no property's label or registered phrase occurs here"
    return best[1], f"the words match {best[2]!r}"


def figure_value(text: str, kind: str) -> str | None:
    """The figure in the form a claim's value takes, or None when it does not fit the kind."""
    money = re.fullmatch(r"(?:US)?\$\s?([\d,.]+)(?:\s(\w+))?", text)
    if kind == "amount" and money:
        mult = f" {money[2].lower()}" if money[2] and money[2].lower() in _MULT else ""
        return f"{money[1].replace(',', '')}{mult} USD"
    date = re.fullmatch(r"([A-Z][a-z]+)(?:\s(\d{1,2})(?:st|nd|rd|th)?)?,?\s(\d{4})", text)
    if kind == "date" and date and date[1].lower() in _MONTHS:
        month = _MONTHS[date[1].lower()]
        return f"{date[3]}-{month:02d}" + (f"-{int(date[2]):02d}" if date[2] else "")
    if kind == "date" and re.fullmatch(r"\d{4}", text):
        return text
    count = re.fullmatch(r"([\d,]+)(?:\s?(thousand|million|billion))?(?:\s\w+)?", text)
    if kind == "count" and count:
        return count[1].replace(",", "") + (f" {count[2]}" if count[2] else "")
    return None


def figure_kinds(text: str) -> tuple[str, ...]:
    """The value kinds a figure can be, from how it is written."""
    if re.match(r"(?:US)?\$", text):
        return ("amount",)
    if re.search(r"[A-Z][a-z]+|^\d{4}$|\d0s$", text):
        return ("date",)
    if re.search(r"(?i)\b(?:days?|weeks?|months?|years?)$", text):
        return ("duration",)
    if re.search(r"(?:GB|TB/s|TB|MB|TFLOPS|PFLOPS|W|kW|MW|GW|nm|%|percent)$", text):
        return ("quantity",)
    return ("count",)


def _hedge(text: str, start: int) -> dict[str, str]:
    before = text[max(0, start - 30):start]
    if _UPPER.search(before):
        return {"upperBound": "true"}
    if _APPROX.search(before):
        return {"approximate": "true"}
    if _LOWER.search(before):
        return {"lowerBound": "true"}
    return {}
