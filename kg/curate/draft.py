"""A first draft of one article's entities and claims, for a curator to review.

Nothing in a draft is invented: every candidate comes from words of the
article. Candidate entities are the names `kg gaps` would list for it, each
with a guessed type and every spelling found. Candidate claims come from each
sentence that mentions a known actor together with another actor or a
figure, and from two actors new with the article when one describes the
other ("X, a professor at Y"): the quote is the shortest run of the
sentence's clauses holding both (made unique in the article when it is not),
subject and value are resolved to ids, and a property is proposed where its
label (rdfs:label) or a phrase a curator registered for it (skos:altLabel in
ontology.ttl) occurs around the two mentions, outside the words naming an
actor, and their types fit its domain and range. When nothing fits, the
draft says so. Word order (kg.curate.draft_grammar) decides which way round
a claim runs and drops pairs the sentence does not relate: an actor in an
insert describing another, items of one list, two actors clauses apart with
no phrase between them. A figure keeps its hedge words ("less than", "around") as
a qualifier. A claim the data already holds gets the article as more
evidence, not a second claim: moved into data/ as it is, it merges with the
existing one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.curate.article import Article
from kg.curate.catalog import Catalog
from kg.curate.draft_entities import DEMONYMS, CandidateEntity, Mention, candidate_entities, known_mentions
from kg.curate.draft_grammar import (
    agent_last, clause_breaks, describes_another, inserts, is_place, passive_between, premodifies, same_clause, same_list)
from kg.curate.draft_sentences import sentences
from kg.curate.draft_text import (
    _hedge,
    _phrase_at,
    _property_phrases,
    _propose,
    _types,
    _window_words,
    figure_kinds,
    figure_value,
    shortest_clause,
    unique_span,
)
from kg.curate.mentions import FIGURE, is_heading
from kg.curate.values import BadValue, parse_value

_WEEKDAY = re.compile(r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday")
FIGURE_KINDS = ("amount", "count", "quantity", "duration", "date")


@dataclass
class CandidateClaim:
    subject: str
    property: str | None
    value: str
    qualifiers: dict[str, str]
    quote: str
    start: int  # the quote's offsets in the article's text
    end: int
    sentence: tuple[int, int]
    line: int
    why: str  # how the property was found, or why none was
    existing: str | None = None  # where the data states this claim already


@dataclass
class Draft:
    source: str
    file: str
    entities: list[CandidateEntity] = field(default_factory=list)
    claims: list[CandidateClaim] = field(default_factory=list)


def make_draft(article: Article, catalog: Catalog, corpus_texts: list[str]) -> Draft:
    vocab = catalog.vocab
    props = _property_phrases(vocab)
    entities, new_mentions = candidate_entities(article, catalog, corpus_texts)
    candidates = {e.id: e for e in entities}
    mentions = sorted(known_mentions(article, catalog) + new_mentions, key=lambda m: m.start)
    figures = [(m.start(), m.end(), m.group()) for m in FIGURE.finditer(article.text) if not _WEEKDAY.fullmatch(m.group())]
    existing = {c.key: c for c in catalog.claims}
    prior = type_prior(catalog)
    subjects = subject_types(catalog)
    draft = Draft(article.id, article.path.name, entities)
    seen: set[tuple] = set()
    text = article.text
    for sentence in sentences(text):
        if is_heading(_line(text, sentence[0])):
            continue  # a title or a section heading ("... Challenge to U.S. Dominance") states no claim of its own
        inside = [m for m in mentions if sentence[0] <= m.start and m.end <= sentence[1]]
        described = inserts(text, sentence, {m.end for m in inside})
        for i, a in enumerate(inside):
            for b in inside[i + 1:]:
                if a.entity == b.entity or describes_another(text, (a.start, a.end), (b.start, b.end), described):
                    continue
                others = [(m.start, m.end) for m in inside if a.end <= m.start and m.end <= b.start]
                if same_list(text, (a.start, a.end), (b.start, b.end), others) and not _address(text, vocab, catalog, candidates, a, b):
                    continue
                if not (a.known or b.known) and not _next_to(text, a, b, inside):
                    continue
                claim = _entity_claim(article, vocab, props, catalog, candidates, sentence, a, b, prior, inside, described)
                # Two actors clauses apart that no phrase links: the sentence does not say how they relate.
                if claim.property is not None or clause_breaks(text, a.end, b.start) < 2:
                    _add(draft, claim, seen, existing, catalog)
        if not any(m.known for m in inside):
            continue
        for start, end, figure in figures:
            if not (sentence[0] <= start and end <= sentence[1]):
                continue
            claim = _figure_claim(article, vocab, props, catalog, sentence, inside, (start, end, figure), subjects)
            # A figure no phrase ties to a property is a number, not yet a claim.
            if claim is not None and claim.property is not None:
                _add(draft, claim, seen, existing, catalog)
    return draft


def _line(text: str, at: int) -> str:
    end = text.find("\n", at)
    return text[text.rfind("\n", 0, at) + 1:end if end >= 0 else len(text)]


def _address(text: str, vocab, catalog, candidates, a: Mention, b: Mention) -> bool:
    """A place, a comma and a place ("Davos, Switzerland"): where the first is, not a list."""
    return text[a.end:b.start] == ", " and all(
        is_place(vocab, _types(catalog, candidates, m.entity)) for m in (a, b))


def _spans(mentions: list[Mention]) -> list[tuple[int, int]]:
    # The words naming an actor ("its model", "the lab") say what it is, not
    # what links it to another: a property's phrase must occur outside them.
    return [(m.start, m.end) for m in mentions]


def _nearest_known(mentions: list[Mention], at: int) -> Mention | None:
    known = [m for m in mentions if m.known]
    before = [m for m in known if m.end <= at]
    return before[-1] if before else (known[0] if known else None)


def _next_to(text: str, a: Mention, b: Mention, inside: list[Mention]) -> bool:
    """Two actors new with the article make a candidate only when nothing else stands
    between them and one describes the other: "Jeffrey Ding, a professor at X", "X, the
    parent company of Y", "the X firm Y"."""
    if any(a.end <= m.start and m.end <= b.start for m in inside):
        return False
    return bool(_DESCRIBED.fullmatch(text[a.end:b.start]))


_APPOSITIVE = re.compile(r", (?:an?|the|who|which) ")
_DESCRIBED = re.compile(r",? (?:an? |the )?(?:[A-Za-z][\w-]* ){0,5}(?:at|of|from|for|with|by|to|in|called|named) (?:[a-z][\w-]* ){0,4}")


def _entity_claim(article, vocab, props, catalog, candidates, sentence, a: Mention, b: Mention, prior,
                  inside: list[Mention], described: list[tuple[int, int]] = ()) -> CandidateClaim:
    start, end = shortest_clause(article, sentence, (a.start, a.end), (b.start, b.end))
    # An insert between the two describes the first ("X, a startup founded by Y, bought Z"):
    # its words say nothing of how the first relates to the second, unless the second
    # stands right after it, naming what the insert ends on ("..., better than A's latest, B").
    skip = _spans(inside) + [(s, e) for s, e in described
                             if a.end <= s and e <= b.start and re.search(r"[a-z]{2}", article.text[e:b.start])]
    words = _window_words(article.text, min(start, a.start), max(end, b.end), skip)
    if _next_to(article.text, a, b, inside) and _APPOSITIVE.match(article.text, a.end):
        start, end = unique_span(article, a.start, b.end)  # "Mara Voss, a former engineer at Quillfeather Labs"
        words = _window_words(article.text, start, end, skip)
    ta, tb = _types(catalog, candidates, a.entity), _types(catalog, candidates, b.entity)
    forward = _propose(vocab, props, words, ta, tb, ("entity",))
    backward = _propose(vocab, props, words, tb, ta, ("entity",))
    # Which way round: the way a property was found; when both were, the way
    # the words run ("X launched Y": Y launched by X; "Y, launched by X"), else
    # the way the data's claims between these two types mostly run.
    reverse = (forward[0] is None and backward[0] is not None) or (
        (forward[0] is None) == (backward[0] is None) and prior.get((tb, ta, backward[0]), 0) > prior.get((ta, tb, forward[0]), 0))
    if forward[0] is not None and forward[0] == backward[0]:
        by_words = _word_order(article.text, vocab, props, a, b, inside, forward[0])
        reverse = reverse if by_words is None else by_words
    subject, value, (prop, why) = (b, a, backward) if reverse else (a, b, forward)
    if a.start <= b.start and b.end <= a.end or b.start <= a.start and a.end <= b.end:
        # "Nvidia H800": the name of one actor inside another's is its maker or owner.
        outer, inner = (a, b) if a.end - a.start > b.end - b.start else (b, a)
        to, ti = _types(catalog, candidates, outer.entity), _types(catalog, candidates, inner.entity)
        usual = _usual_property(prior, to, ti)
        why = f"{inner.text!r} is part of the name {outer.text!r}; the data's usual property from a {to} to a {ti}"
        return CandidateClaim(outer.entity, usual, inner.entity, {}, article.text[start:end], start, end, sentence,
                              article.line_of(start), why if usual else "no property's label or registered phrase occurs here")
    between = article.text[a.end:b.start]
    others = [(m.start, m.end) for m in inside if a.end <= m.start and m.end <= b.start]
    if _POSSESSIVE.fullmatch(between) or (a.text in DEMONYMS and _ADJECTIVE.fullmatch(between)) or (
            is_place(vocab, ta) and not is_place(vocab, tb) and premodifies(article.text, (a.start, a.end), (b.start, b.end), others)):
        # "Meta's Llama", "a Chinese startup called DeepSeek", "Silicon Valley
        # firm Nvidia": the second belongs to the first.
        subject, value = b, a
        usual = _usual_property(prior, tb, ta)
        prop, why = (usual, f"{a.text!r} qualifies {b.text!r}; the data's usual property from a {tb} to a {ta}") \
            if usual else backward
        if usual:
            start, end = unique_span(article, a.start, b.end)  # the words that say it: "Meta's Llama"
    return CandidateClaim(subject.entity, prop, value.entity, {}, article.text[start:end], start, end, sentence,
                          article.line_of(start), why)


def _word_order(text, vocab, props, a: Mention, b: Mention, inside, prop: str) -> bool | None:
    """Which way round the words between two actors put a property that fits both ways:
    True for the second as subject; None when the words do not tell, for another actor
    or a clause break stands between the two, or the property's phrase does not."""
    if any(a.end <= m.start and m.end <= b.start for m in inside) or not same_clause(text, a.end, b.start):
        return None
    between = _window_words(text, a.end, b.start, _spans(inside))
    phrases = next(p.phrases for p in props if p.name == prop)
    if not any(_phrase_at(between, phrase) for phrase in phrases):
        return None
    # "X launched Y", "X sparked a boom with the launch of Y": Y is launched
    # by X; "Y was launched by X": Y is. Other properties run from the first.
    return agent_last(vocab.properties[prop].label) and not passive_between(text, a.end, b.start)


_POSSESSIVE = re.compile(r"(?:'s|\u2019s) (?:[\w-]+ ){0,3}")
_ADJECTIVE = re.compile(r" (?:[\w-]+ ){0,4}(?:called |named |like )?")


def _usual_property(prior: dict, subject_type: str | None, value_type: str | None) -> str | None:
    counts = [(n, key[2]) for key, n in prior.items() if key[:2] == (subject_type, value_type) and key[2]]
    return max(counts)[1] if counts else None


def type_prior(catalog: Catalog) -> dict[tuple, int]:
    """How many claims of the data run from one type to another, by property and in all."""
    prior: dict[tuple, int] = {}
    for claim in catalog.claims:
        if claim.property.kind != "entity" or claim.value.lexical not in catalog.entities:
            continue
        pair = (catalog.entities[claim.subject].type, catalog.entities[claim.value.lexical].type)
        for key in (pair + (claim.property.name,), pair + (None,)):
            prior[key] = prior.get(key, 0) + 1
    return prior


def _figure_claim(article, vocab, props, catalog, sentence, inside: list[Mention], figure, subjects) -> CandidateClaim | None:
    """A claim of a figure: the property its words suggest, the actor it is most likely about."""
    fstart, fend, ftext = figure
    nearest = _nearest_known(inside, fstart)
    if nearest is None:
        return None
    start, end = shortest_clause(article, sentence, (nearest.start, nearest.end), (fstart, fend))
    words = _window_words(article.text, start, end, _spans(inside))
    prop, why = _propose(vocab, props, words, None, None, figure_kinds(ftext))
    actor = nearest
    if prop is not None:
        # The actor of the type this property's claims are mostly about in the data.
        usual = subjects.get(prop, {})
        known = [m for m in inside if m.known and vocab.is_a(catalog.entities[m.entity].type, vocab.properties[prop].domain)]
        if known:
            actor = max(known, key=lambda m: (usual.get(catalog.entities[m.entity].type, 0), m.end <= fstart, m.start))
        start, end = shortest_clause(article, sentence, (actor.start, actor.end), (fstart, fend))
    value = ftext
    if prop is not None:
        kind = vocab.properties[prop].kind
        parsed = figure_value(ftext, kind)
        try:
            if parsed is None:
                raise BadValue(ftext)
            parse_value(kind, parsed, vocab.units)
            value = parsed
        except BadValue:
            why = f"{why}, but {ftext!r} is not written as a {kind} here: write the value by hand"
    return CandidateClaim(actor.entity, prop, value, _hedge(article.text, fstart), article.text[start:end], start, end,
                          sentence, article.line_of(start), why)


def subject_types(catalog: Catalog) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for claim in catalog.claims:
        kind = catalog.entities[claim.subject].type
        counts.setdefault(claim.property.name, {}).setdefault(kind, 0)
        counts[claim.property.name][kind] += 1
    return counts


def _add(draft: Draft, claim: CandidateClaim, seen: set, existing: dict, catalog: Catalog) -> None:
    key = (claim.sentence, claim.subject, claim.property, claim.value, tuple(sorted(claim.qualifiers.items())))
    if key in seen:
        return
    seen.add(key)
    pair = (claim.sentence, frozenset((claim.subject, claim.value)))
    if claim.property is None and pair in seen:
        return  # the sentence links the two already, with a property
    if claim.property is not None:
        seen.add(pair)
    if claim.property is not None:
        match = _existing(claim, existing, catalog)
        if match is not None:
            line, col = match.where.doc.locate(match.where.loc)
            claim.existing = f"{match.where.doc.path}:{line}:{col}"
    draft.claims.append(claim)


def _existing(claim: CandidateClaim, existing: dict, catalog: Catalog):
    prop = catalog.vocab.properties[claim.property]
    try:
        value = parse_value(prop.kind, claim.value, catalog.vocab.units)
    except BadValue:
        return None
    quals = ";".join(f"{k}={parse_value('boolean', v).key}" for k, v in sorted(claim.qualifiers.items()))
    return existing.get(f"{claim.subject}\x1f{prop.name}\x1f{value.key}\x1f{quals}")
