"""An article's sentences, as offsets, for a draft: a sentence ends at . ! or ? before a
space, a closing quote or the end of the line, but not at an abbreviation followed by a name
or a lower-case word ("the U.S. tech giants", "Chris V. Nicholson")."""
from __future__ import annotations

import re

from kg.curate.mentions import FUNCTION_WORDS

_SENTENCE = re.compile(r"[^\n]+?(?:[.!?](?=[\s\u201d\"')]|$)[\u201d\"')]?|$)")
# A sentence that ends on one of these may go on: "U.S.", "V.", "Inc.", "Dr.".
_ABBREVIATION = re.compile(r"(?:\b(?:[A-Z]\.)+|\b(?:Mr|Mrs|Ms|Dr|Prof|Inc|Corp|Ltd|Co|Jr|Sr|St|vs|No)\.)$")


def sentences(text: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for match in _SENTENCE.finditer(text):
        start, end = match.start(), match.end()
        while start < end and text[start].isspace():
            start += 1
        if end <= start:
            continue
        if out and _ABBREVIATION.search(text, out[-1][0], out[-1][1]) and "\n" not in text[out[-1][1]:start] \
                and not _opens_sentence(text, start):
            out[-1] = (out[-1][0], end)  # "the U.S. tech giants", "Chris V. Nicholson": one sentence
        else:
            out.append((start, end))
    return out


def _opens_sentence(text: str, at: int) -> bool:
    """Whether the word at ``at`` starts a sentence after an abbreviation: a function word
    ("The", "It", "But") does; a name or a lower-case word goes on with the sentence."""
    word = re.match(r"[\w']+", text[at:])
    return bool(word) and word.group() in FUNCTION_WORDS
