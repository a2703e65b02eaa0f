"""The actors a draft proposes: names in the article the data does not hold yet, and
mentions of the actors it does, by label, demonym or a reference like 'the company'."""
from __future__ import annotations

import re
from dataclasses import dataclass

from kg.curate.article import Article
from kg.curate.catalog import Catalog
from kg.curate.draft_sentences import sentences
from kg.curate.mentions import Lexicon, find_mentions
from kg.curate.model import suggest_id


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


def guess_type(name: str, common: set[str] | frozenset[str] = frozenset()) -> str | None:
    """The type a name's form suggests; ``common`` holds the words the corpus writes in
    lower case, which make two capitalised words a thing ("Soviet Union", "China Daily"), not a person."""
    for pattern, kind in _TYPE_HINTS:
        if pattern.search(name):
            if kind == "Person" and any(word.lower() in common for word in name.split()):
                return None
            return kind
    return None


def candidate_id(name: str) -> str:
    """The id proposed for a name: its words, without the full stop of an initial ("Chris V. Nicholson": chris-v-nicholson)."""
    return suggest_id(re.sub(r"(?<=\b[A-Z])\.", "", name))


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
    # The author, dateline and section the record states are no actors; the
    # title is not among them, for a title names the article's actors.
    stated = {v for v in stated_by_record(catalog, article.id)[1:] if v}
    stated |= {part for v in stated for part in re.findall(r"[@\w][\w.'\-]*", v)}
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
            key = candidate_id(name)
            found[key] = CandidateEntity(key, name, guess_type(name, lexicon.lower), [name], article.line_of(mention.start))
        elif name not in found[key].spellings:
            found[key].spellings.append(name)
            if len(name) > len(found[key].name):
                found[key].name = name
        spans.append((mention.start, mention.end, key))
    for entity in found.values():
        entity.type = entity.type or guess_type(entity.name, lexicon.lower)
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
    model" as the model last named before it, or else one the article names
    that the data says that organisation developed (none when it names
    none), and "the company", "the startup", "the lab"
    or "the firm" as the one lab or company named before it in its sentence,
    or else in the sentence before ("the lab": a lab), and as none when
    there are two.
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
            # the owner's model named last before, or the one of its models the
            # article names that the data says most about; never a model the
            # article does not name, which would be a claim made up
            named = sorted({x.entity for x in models if x.entity in developed[owner]})
            if not (mine or named):
                continue
            model = mine[-1].entity if mine else max(named, key=lambda e: claims_about.get(e, 0))
        elif earlier:
            model = earlier[-1].entity
        else:
            continue
        found.append(Mention(m.start(), m.end(), m.group(), model, True))
    spans = sentences(text)
    for m in _ORGANISATION_REFERENCE.finditer(text):
        types = ("Lab",) if m.group().endswith("lab") else ("Lab", "Company")
        organisations = [o for o in found if catalog.entities[o.entity].type in types]
        referent = _only_referent(organisations, spans, m.start())
        if referent is not None:
            found.append(Mention(m.start(), m.end(), m.group(), referent, True))
    return sorted(found, key=lambda m: (m.start, m.end))


def _only_referent(organisations: list[Mention], spans: list[tuple[int, int]], at: int) -> str | None:
    """What "the company" at ``at`` stands for: the one organisation its sentence names
    before it or, when it names none, the one the sentence before names; None when
    there are two to choose from, for a guess between them would be a claim made up."""
    index = next((i for i, (s, e) in enumerate(spans) if s <= at < e), None)
    if index is None:
        return None
    start = spans[index][0]
    here = {o.entity for o in organisations if start <= o.start and o.end <= at}
    if not here and index > 0:
        s, e = spans[index - 1]
        here = {o.entity for o in organisations if s <= o.start and o.end <= e}
    return here.pop() if len(here) == 1 else None
