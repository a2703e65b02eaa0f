"""A first draft of one article's entities and claims, for a curator to review.

Nothing in a draft is invented: every candidate comes from words of the
article. Candidate entities are the names `kg gaps` would list for it, each
with a guessed type and every spelling found. Candidate claims come from each
sentence that mentions a known actor together with another actor or a
figure: the quote is the shortest run of the sentence's clauses holding both
(made unique in the article when it is not), subject and value are resolved
to ids, and a property is proposed where its label (rdfs:label) or a phrase a
curator registered for it (skos:altLabel in ontology.ttl) occurs around the
two mentions and their types fit its domain and range. When nothing fits,
the draft says so. A figure keeps its hedge words ("less than", "around") as
a qualifier. A claim the data already holds gets the article as more
evidence, not a second claim: moved into data/ as it is, it merges with the
existing one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .corpus import Article
from .gaps import FIGURE, Lexicon, find_mentions
from .load import Catalog
from .model import suggest_id
from .properties import phrases
from .quotes import occurrences, shortest_unique_extension
from .values import BadValue, parse_value
from .vocab import Vocabulary

_SENTENCE = re.compile(r"[^\n]+?(?:[.!?](?=[\s\u201d\"')]|$)[\u201d\"')]?|$)")
_CLAUSE_BREAK = re.compile(r",\s|;\s|:\s|\s[\u2014\u2013-]\s|\s?\(|\)")
_UPPER = re.compile(r"\b(?:less than|under|below|at most|up to|no more than|fewer than)\s+$", re.I)
_APPROX = re.compile(r"\b(?:around|about|roughly|approximately|nearly|almost|some|an estimated|estimated|close to)\s+$", re.I)
_LOWER = re.compile(r"\b(?:more than|over|at least|upwards of|above)\s+$", re.I)
_MONTHS = {m: i for i, m in enumerate(
    "january february march april may june july august september october november december".split(), 1)}
_MULT = {"thousand": "thousand", "million": "million", "billion": "billion", "trillion": "trillion"}
_WEEKDAY = re.compile(r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday")
FIGURE_KINDS = ("amount", "count", "quantity", "duration", "date")


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    text: str
    entity: str  # an entity id, or the suggested id of a candidate entity
    known: bool


@dataclass
class CandidateEntity:
    id: str
    name: str
    type: str | None
    spellings: list[str]
    line: int


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


# -- entities ---------------------------------------------------------------

_TYPE_HINTS = (
    (re.compile(r"\b(?:Labs?|AI|Intelligence)$"), "Lab"),
    (re.compile(r"\b(?:University|College|Institute)\b"), "University"),
    (re.compile(r"\b(?:Inc|Corp|Corporation|Technologies|Group|Holdings|Systems|Semiconductor|Energy|Company)\.?$"), "Company"),
    (re.compile(r"\b(?:Capital|Ventures|Partners|Fund)$"), "InvestmentFirm"),
    (re.compile(r"\b(?:Act|Order|Rule|Rules|Directive|Ban)$"), "Policy"),
    (re.compile(r"\b(?:Ministry|Department|Administration|Commission|Government)\b"), "Government"),
    (re.compile(r"^[A-Z]{1,4}\d{2,4}[A-Z]?$"), "Chip"),
    (re.compile(r"[A-Za-z]+-?\d+(?:\.\d+)?[a-z]?$|-[A-Z]\d"), "Model"),
    (re.compile(r"^[A-Z][a-z]+(?: [A-Z]\.)? [A-Z][a-z]+(?:-[A-Z][a-z]+)?$"), "Person"),
)


def guess_type(name: str) -> str | None:
    for pattern, kind in _TYPE_HINTS:
        if pattern.search(name):
            return kind
    return None


def _labels(catalog: Catalog) -> dict[str, str]:
    labels = {}
    for entity in catalog.entities.values():
        for label in (entity.record.name, *entity.record.aliases):
            labels.setdefault(label, entity.id)
    return labels


def _label_pattern(labels) -> re.Pattern | None:
    if not labels:
        return None
    alternatives = "|".join(re.escape(label) for label in sorted(labels, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w]|-\w)")


def candidate_entities(article: Article, catalog: Catalog, corpus_texts: list[str]) -> tuple[list[CandidateEntity], list[Mention]]:
    """Names no entity covers, grouped by spelling, and where each occurs."""
    labels = _labels(catalog)
    known = _label_pattern(labels)
    covered = [(m.start(), m.end()) for m in known.finditer(article.text)] if known else []
    lexicon = Lexicon(corpus_texts)
    stated = " \n ".join(v for v in stated_by_record(catalog, article.id) if v)
    found: dict[str, CandidateEntity] = {}
    spans: list[tuple[int, int, str]] = []
    for mention in find_mentions(article.text, lexicon):
        if mention.kind != "name" or any(s <= mention.start and mention.end <= e for s, e in covered):
            continue
        name = mention.text
        if name in stated:
            continue  # what the record states about the article (dateline, author...) is no actor
        key = _spelling_key(name, found)
        if key is None:
            key = suggest_id(name)
            found[key] = CandidateEntity(key, name, guess_type(name), [name], article.line_of(mention.start))
        elif name not in found[key].spellings:
            found[key].spellings.append(name)
            if len(name) > len(found[key].name):
                found[key].name = name
        spans.append((mention.start, mention.end, key))
    for entity in found.values():
        entity.type = entity.type or guess_type(entity.name)
    mentions = [Mention(s, e, article.text[s:e], key, False) for s, e, key in spans]
    return list(found.values()), mentions


def stated_by_record(catalog: Catalog, source_id: str) -> tuple:
    source = catalog.sources.get(source_id)
    if source is None:
        return ()
    record = source.record
    return (record.title, record.author, record.dateline, record.section)


def _spelling_key(name: str, found: dict[str, CandidateEntity]) -> str | None:
    """The candidate this name is another spelling of: same letters, or a last name of a person."""
    squashed = re.sub(r"[\W_]+", "", name).casefold()
    for key, entity in found.items():
        for spelling in entity.spellings:
            if re.sub(r"[\W_]+", "", spelling).casefold() == squashed:
                return key
            words = spelling.split()
            if len(words) > 1 and name in (words[-1], words[0]) and guess_type(spelling) in ("Person", "Lab", "Company"):
                return key
    return None


# Adjectives that name a country: an article's "Chinese startup" says where the startup is.
DEMONYMS = {
    "Chinese": "China", "American": "United States", "Emirati": "United Arab Emirates", "Japanese": "Japan",
    "Korean": "South Korea", "Taiwanese": "Taiwan", "British": "United Kingdom", "French": "France",
    "German": "Germany", "Indian": "India", "Russian": "Russia", "Israeli": "Israel", "Saudi": "Saudi Arabia",
}
_ORGANISATION_REFERENCE = re.compile(r"\b[Tt]he (?:[A-Z]\w+ )?(?:company|startup|lab|firm)\b")
_MODEL_REFERENCE = re.compile(r"\b(?:[Ii]ts|[Tt]he|[A-Z][\w.-]*(?:'s|\u2019s))(?: [a-z][\w-]*){0,2} model\b")


def known_mentions(article: Article, catalog: Catalog) -> list[Mention]:
    """Where the article names an entity of the data.

    Besides names and aliases (whole words, case-sensitive, longest first):
    a name inside a longer one ("Nvidia" in "Nvidia H800"), a country's
    adjective ("Chinese"), "its model", "the new model" or "DeepSeek's
    model" as the model last named before it, or else the one the data says
    that organisation developed, and "the company", "the startup", "the lab"
    or "the firm" as the lab or company last named before it ("the lab": the
    last lab).
    """
    labels = _labels(catalog)
    pattern = _label_pattern(labels)
    if pattern is None:
        return []
    text = article.text
    found = [Mention(m.start(), m.end(), m.group(), labels[m.group()], True) for m in pattern.finditer(text)]
    inner = _label_pattern([label for label in labels if " " not in label])
    for mention in list(found):
        if " " in mention.text and inner:
            for m in inner.finditer(mention.text):
                entity = labels[m.group()]
                if entity != mention.entity and m.group() != mention.text:
                    found.append(Mention(mention.start + m.start(), mention.start + m.end(), m.group(), entity, True))
    for adjective, country in DEMONYMS.items():
        if country in labels:
            for m in re.finditer(rf"(?<![\w-]){adjective}(?![\w])", text):
                found.append(Mention(m.start(), m.end(), m.group(), labels[country], True))
    models = sorted((m for m in found if catalog.entities[m.entity].type == "Model"), key=lambda m: m.start)
    developed = {}
    for claim in catalog.claims:
        if claim.property.name == "developedBy":
            developed.setdefault(claim.value.lexical, set()).add(claim.subject)
    claims_about: dict[str, int] = {}
    for claim in catalog.claims:
        claims_about[claim.subject] = claims_about.get(claim.subject, 0) + 1
    organisations = sorted((m for m in found if m.entity in developed), key=lambda m: m.start)
    for m in _MODEL_REFERENCE.finditer(text):
        first = m.group().split(" ")[0]
        owner = labels.get(re.sub(r"(?:'s|\u2019s)$", "", first))
        if owner is None and first.lower() == "its":  # "its model": the organisation named last before it
            before = [o for o in organisations if o.end <= m.start() and m.start() - o.end < 120]
            owner = before[-1].entity if before else None
        earlier = [x for x in models if x.end <= m.start()]
        if owner in developed:
            mine = [x for x in earlier if x.entity in developed[owner]]
            # the owner's model named last, or the one the data says most about
            model = mine[-1].entity if mine else max(sorted(developed[owner]), key=lambda e: claims_about.get(e, 0))
        elif earlier:
            model = earlier[-1].entity
        else:
            continue
        found.append(Mention(m.start(), m.end(), m.group(), model, True))
    for m in _ORGANISATION_REFERENCE.finditer(text):
        types = ("Lab",) if m.group().endswith("lab") else ("Lab", "Company")
        earlier = sorted((o for o in found if o.end <= m.start() and catalog.entities[o.entity].type in types),
                         key=lambda o: o.start)
        if earlier:
            found.append(Mention(m.start(), m.end(), m.group(), earlier[-1].entity, True))
    return sorted(found, key=lambda m: (m.start, m.end))


# -- claims -----------------------------------------------------------------

def sentences(text: str) -> list[tuple[int, int]]:
    out = []
    for match in _SENTENCE.finditer(text):
        start, end = match.start(), match.end()
        while start < end and text[start].isspace():
            start += 1
        if end > start:
            out.append((start, end))
    return out


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
    if len(occurrences(article, text[start:end])) > 1:
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


def _window_words(text: str, start: int, end: int) -> list[str]:
    return re.findall(r"[a-z0-9]+", text[start:end].lower())


@dataclass(frozen=True)
class _Property:
    name: str
    phrases: tuple[str, ...]


def _property_phrases(vocab: Vocabulary) -> list[_Property]:
    out = []
    for name, prop in sorted(vocab.properties.items()):
        found = {prop.label.lower(), *(p.lower() for p in phrases(name))}
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
        inside = [m for m in mentions if sentence[0] <= m.start and m.end <= sentence[1]]
        if not any(m.known for m in inside):
            continue
        for i, a in enumerate(inside):
            for b in inside[i + 1:]:
                if a.entity == b.entity or not (a.known or b.known):
                    continue
                claim = _entity_claim(article, vocab, props, catalog, candidates, sentence, a, b, prior)
                _add(draft, claim, seen, existing, catalog)
        for start, end, figure in figures:
            if not (sentence[0] <= start and end <= sentence[1]):
                continue
            claim = _figure_claim(article, vocab, props, catalog, sentence, inside, (start, end, figure), subjects)
            if claim is not None:
                _add(draft, claim, seen, existing, catalog)
    return draft


def _nearest_known(mentions: list[Mention], at: int) -> Mention | None:
    known = [m for m in mentions if m.known]
    before = [m for m in known if m.end <= at]
    return before[-1] if before else (known[0] if known else None)


def _entity_claim(article, vocab, props, catalog, candidates, sentence, a: Mention, b: Mention, prior) -> CandidateClaim:
    start, end = shortest_clause(article, sentence, (a.start, a.end), (b.start, b.end))
    words = _window_words(article.text, min(start, a.start), max(end, b.end))
    ta, tb = _types(catalog, candidates, a.entity), _types(catalog, candidates, b.entity)
    forward = _propose(vocab, props, words, ta, tb, ("entity",))
    backward = _propose(vocab, props, words, tb, ta, ("entity",))
    # Which way round: the way a property was found; when both or neither
    # were, the way the data's claims between these two types mostly run.
    reverse = (forward[0] is None and backward[0] is not None) or (
        (forward[0] is None) == (backward[0] is None) and prior.get((tb, ta, backward[0]), 0) > prior.get((ta, tb, forward[0]), 0))
    subject, value, (prop, why) = (b, a, backward) if reverse else (a, b, forward)
    between = article.text[a.end:b.start]
    if _POSSESSIVE.fullmatch(between) or (a.text in DEMONYMS and _ADJECTIVE.fullmatch(between)):
        # "Meta's Llama", "a Chinese startup called DeepSeek": the second belongs to the first.
        subject, value = b, a
        usual = _usual_property(prior, tb, ta)
        prop, why = (usual, f"{a.text!r} qualifies {b.text!r}; the data's usual property from a {tb} to a {ta}") \
            if usual else backward
    return CandidateClaim(subject.entity, prop, value.entity, {}, article.text[start:end], start, end, sentence,
                          article.line_of(start), why)


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
    words = _window_words(article.text, start, end)
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


# -- writing ----------------------------------------------------------------

def _scalar(value: str) -> str:
    from .sources import yaml_scalar

    return yaml_scalar(value)


def render(draft: Draft) -> str:
    """The draft as YAML in the data's own shape, with a comment on every guess."""
    out = [
        f"# Draft of the entities and claims of {draft.source} ({draft.file}), written by kg draft.",
        "# Every entry is a guess from the article's words: check each against the article,",
        "# fix or delete it, then move what holds into data/. The build does not read drafts/.",
        "",
    ]
    if draft.entities:
        out.append("entities:")
        for entity in draft.entities:
            others = [s for s in entity.spellings if s != entity.name]
            out.append(f"  # line {entity.line}" + (f"; also written {', '.join(repr(s) for s in others)}" if others else ""))
            out.append(f"  - id: {entity.id}")
            if entity.type:
                out.append(f"    type: {entity.type}  # guessed from the name")
            else:
                out.append('    type: "?"  # no guess: see kg types')
            out.append(f"    name: {_scalar(entity.name)}")
            if others:
                out.append(f"    aliases: [{', '.join(_scalar(s) for s in others)}]")
            out.append("")
    new = [c for c in draft.claims if c.existing is None]
    more = [c for c in draft.claims if c.existing is not None]
    if new or more:
        out.append("claims:")
    for claim in new:
        out += _claim_lines(claim, draft.source)
    if more:
        out.append("  # Claims the data already holds: this article is more evidence for them.")
        out.append("  # Moved into data/ as they are, each merges with the existing claim.")
        for claim in more:
            out += _claim_lines(claim, draft.source)
    return "\n".join(out).rstrip("\n") + "\n"


def _claim_lines(claim: CandidateClaim, source: str) -> list[str]:
    lines = []
    if claim.existing:
        lines.append(f"  # line {claim.line}; already stated at {claim.existing}")
    else:
        lines.append(f"  # line {claim.line}")
    lines.append(f"  - subject: {claim.subject}")
    if claim.property:
        lines.append(f"    property: {claim.property}  # {claim.why}")
    else:
        lines.append(f'    property: "?"  # no property found: {claim.why}; choose one (kg properties)')
    lines.append(f"    value: {_scalar(claim.value)}")
    if claim.qualifiers:
        lines.append("    qualifiers:")
        lines += [f"      {k}: {v}" for k, v in sorted(claim.qualifiers.items())]
    lines += ["    evidence:", f"      - source: {source}", f"        quote: {_scalar(claim.quote)}", ""]
    return lines
