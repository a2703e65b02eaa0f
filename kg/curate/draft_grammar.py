"""What a sentence's word order says about two actors it names: which one a
phrase is about, and whether one only describes the other.

Plain rules of English word order, no parser: a clause set off by commas
that describes the actor before it ("Osprey Compute, a supplier to Nvidia,
was founded by ...") says nothing about what follows it; "X launched Y"
makes Y the thing launched and "Y, launched by X" too; a place written
before an organisation ("Silicon Valley firm Nvidia", "U.S. tech giants
OpenAI and Meta") says where the organisation is.
"""
from __future__ import annotations

import re

# The words that open a clause describing the actor named just before it.
_INSERT_OPENING = re.compile(r"(?:a|an|the|which|who|whose|whom|one|its|his|her|their|now|then|once|formerly)\b")
_INSERT_BREAK = re.compile(r",\s|\s[\u2014\u2013]\s|\s-\s")
_PASSIVE = re.compile(r"\bby\b")
_FUNCTION = frozenset("and or nor but the a an to of in on at by for from with as than that which who".split())
_PLACE_TYPES = ("Place",)


def inserts(text: str, sentence: tuple[int, int], heads: set[int]) -> list[tuple[int, int]]:
    """The spans of the sentence's descriptive inserts: between two commas (or dashes),
    right after an actor's name (``heads``: where names end), opening with an article or a
    relative pronoun, closed before the sentence ends."""
    breaks = list(_INSERT_BREAK.finditer(text, *sentence))
    out = []
    for opening, closing in zip(breaks, breaks[1:]):
        start, end = opening.end(), closing.start()
        if opening.start() in heads and _INSERT_OPENING.match(text, start) \
                and text[closing.end():sentence[1]].strip(" .!?\"\u201d"):
            out.append((start, end))
    return out


def describes_another(text: str, a_span: tuple[int, int], b_span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    """Whether the first actor stands in an insert that the sentence goes on from before
    the second: the insert is about the actor before it, and so is what follows it
    ("X, a supplier to A, was founded by B"), unless the second stands right after the
    insert, naming what the insert ends on ("a rival to A's latest model, B,")."""
    return any(s <= a_span[0] and a_span[1] <= e <= b_span[0] and re.search(r"[a-z]{2}", text[e:b_span[0]])
               for s, e in spans)


def same_clause(text: str, a_end: int, b_start: int) -> bool:
    """Whether nothing breaks the clause between two actors: no comma, semicolon, colon,
    dash or bracket, and no word that opens another clause ("a system that could match Y")."""
    return not re.search(r"[,;:()\u2014\u2013]|\s-\s|\b(?:that|which|who|whose|while|but|because|although|whereas)\b",
                         text[a_end:b_start])


def passive_between(text: str, a_end: int, b_start: int) -> bool:
    """Whether the words between two actors are in the passive ("..., founded by ...")."""
    return bool(_PASSIVE.search(text, a_end, b_start))


def agent_last(label: str) -> bool:
    """Whether a property's label reads "<subject> <verb>ed by <value>": its value is the doer."""
    return label.endswith(" by")


def premodifies(text: str, place: tuple[int, int], actor: tuple[int, int], between: list[tuple[int, int]]) -> bool:
    """Whether a place is written before an actor as a modifier of it: "Silicon Valley firm
    Nvidia", "U.S. tech giants OpenAI and Meta" (``between``: the actors named in between,
    each one of a list ending in the actor)."""
    gap = text[place[1]:actor[0]]
    for start, end in sorted(between, reverse=True):
        gap = gap[:start - place[1]] + "\0" + gap[end - place[1]:]
    match = re.fullmatch(r" ((?:[a-z][\w-]* ){1,4})((?:\0(?:,? and |, ))*)", gap)
    if match is None:
        return False
    words = match[1].split()
    return not any(w in _FUNCTION for w in words)


def is_place(vocab, kind: str | None) -> bool:
    return kind is not None and any(vocab.is_a(kind, t) for t in _PLACE_TYPES)


_LIST_GLUE = re.compile(r"(?:\0(?:'s|\u2019s)?|,|\band\b|\bor\b|\bas well as\b|\s)*")


def same_list(text: str, a_span: tuple[int, int], b_span: tuple[int, int], between: list[tuple[int, int]]) -> bool:
    """Whether two actors are items of one list ("Meta's Llama, OpenAI's GPT-4o and
    Anthropic's Claude"): named side by side, they share a role in the sentence, not a link."""
    gap = text[a_span[1]:b_span[0]]
    if not gap.strip() or re.fullmatch(r"(?:'s|\u2019s) ?", gap):
        return False
    if re.match(r"(?:'s|\u2019s)\s", gap):
        gap = "\0" + gap  # the first actor owns the next item: "Meta's Llama, OpenAI's GPT-4o"
    for start, end in sorted(between, reverse=True):
        gap = gap[:start - a_span[1]] + "\0" + gap[end - a_span[1]:]
    return bool(_LIST_GLUE.fullmatch(gap)) and re.search(r",|\band\b|\bor\b", gap) is not None


def clause_breaks(text: str, start: int, end: int) -> int:
    """How many clause breaks (comma, semicolon, colon, dash, bracket) stand between two offsets."""
    return len(re.findall(r",\s|;\s|:\s|\s[\u2014\u2013-]\s|\(", text[start:end]))
