"""Candidate mentions in an article's text, names and figures, found by the plain heuristics
that :mod:`kg.curate.gaps` describes; gaps then drops those the data covers."""
from __future__ import annotations

import re
from dataclasses import dataclass

from kg.curate.article_states import DATELINE

STOP_TOKENS = frozenset("AI AGI CEO CEOs GPU GPUs CPU LLM LLMs HPC I".split())
DEMONYMS = frozenset(
    "American Americans Chinese Japanese Emirati Western European Asian British German French "
    "Indian Korean Russian Soviet Taiwanese Israeli Saudi Swiss "
    "African Arab Australian Austrian Belgian Brazilian Canadian Danish Dutch Egyptian Finnish Greek "
    "Indonesian Iranian Irish Italian Kenyan Malaysian Mexican Nigerian Norwegian Pakistani Polish "
    "Portuguese Qatari Singaporean Spanish Swedish Thai Turkish Ukrainian Vietnamese".split()
)
FUNCTION_WORDS = frozenset(
    "A An The This That These Those It Its In On At By For From To With Without Of As If "
    "And But Or Nor So Yet While When Where Which Who What Why How After Before Since Despite "
    "Although Though Because Just Now Then There Here Many Much Some Such Other Others Each "
    "Every All Both Few Most More Less Not No Yes Instead However Indeed Also Still Even "
    "First Second Third Finally Meanwhile Moreover Furthermore Additionally Similarly Recently "
    "Earlier Later Today Yesterday Hours Days Weeks Months Years They We You He She Our Their "
    "His Her My Your Let Be Is Are Was Were Has Have Had Do Does Did Can Could Will Would May "
    "Might Must Should Shall According Published Such Little Analysts Experts Critics Officials "
    "Researchers Investors Last Next One Another Any Several Over Under During Until Between Among "
    "Amid Against Through Throughout Within Around About Above Below Behind Beyond Once Only Perhaps "
    "Nearly Almost Again Already Soon Tomorrow Tonight Whether Unlike Like Given Following".split()
)

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
# "Feb 3", "Sept. 12": a date written short is a figure, not a name.
_MONTHS_SHORT = r"(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?(?=\s\d)"
_WEEKDAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_MULT = r"(?:thousand|million|billion|trillion|Thousand|Million|Billion|Trillion)"
_UNIT = r"(?:%|percent|GB|TB/s|TB|MB|TFLOPS|PFLOPS|W|kW|MW|GW|nm|GPUs?|chips?|jobs?|days?|weeks?|months?|years?|times)"
_SPELLED = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|a hundred)"
_TIME_WORD = r"(?:days?|weeks?|months?|years?|decades?|times)"
_EDGE = r"(?<![\w.\-/])"
FIGURE = re.compile(
    "|".join([
        rf"(?:US)?\$\s?(?:{_NUM})(?:\s{_MULT})?",
        rf"\b(?:{_MONTHS})(?:\s\d{{1,2}}(?:st|nd|rd|th)?)?(?:,?\s\d{{4}})?\b",
        rf"\b{_MONTHS_SHORT}\s\d{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s\d{{4}}\b)?",
        rf"\b(?:{_WEEKDAYS})\b",
        rf"{_EDGE}(?:1[89]|20)\d0s\b",
        rf"{_EDGE}\d+(?:st|nd|rd|th)\b(?:\sGen\b)?",
        rf"{_EDGE}~?(?:{_NUM})(?:\s?{_MULT})?(?:\s?{_UNIT}(?![\w]))?(?![\w]|\.\w)",
        rf"\b(?i:{_SPELLED}(?:\s(?:to|or)\s{_SPELLED})?\s{_TIME_WORD})\b",
    ])
)
_TOKEN = re.compile(r"@\w+|(?:[A-Z]\.){2,}|[A-Z]\.(?=\s[A-Z])|[\w]+(?:[.\-&/][\w]+)*")
_VERSION = re.compile(r"\d+(?:\.\d+)?$")
_LOWER_WORD = re.compile(r"\b[a-z][a-z]+\b")
_ARTICLES = frozenset(("A", "An"))
_OPENING = re.compile(r"(?:^|\s)[\"\u201c\u2018(\[]$|\u201c$")
_SENTENCE_END = (".", "!", "?", ":", ";", "|", "\u201c", '"', "(", "[", "\u2014")


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    kind: str
    text: str


def _is_nameish(token: str) -> bool:
    if token.startswith("@"):
        return True
    if token[0].isupper():
        return True
    has_digit = any(c.isdigit() for c in token)
    has_alpha = any(c.isalpha() for c in token)
    return (has_digit and has_alpha) or any(c.isupper() for c in token[1:])


def _strong(token: str) -> bool:
    """Looks like a name wherever it stands: inner capitals or digits, or a handle."""
    if token.startswith("@") or any(c.isdigit() for c in token):
        return True
    return any(c.isupper() for part in re.split(r"[.\-&/]", token) for c in part[1:])


class Lexicon:
    """What the whole corpus says about words: which are ordinary, which are names."""

    def __init__(self, texts: list[str]):
        self.lower: set[str] = set()
        self.capitalised_inside: set[str] = set()
        for text in texts:
            self.lower.update(_LOWER_WORD.findall(text))
            for line in text.splitlines():
                if is_heading(line) or "|" in line:
                    continue
                for match, initial in _tokens(line):
                    if not initial and match.group()[0].isupper():
                        self.capitalised_inside.add(match.group())

    def _common(self, token: str) -> bool:
        return all(part in self.lower for part in re.split(r"[.\-&/]", token.lower()))

    def ordinary(self, token: str, next_char: str, name_follows: bool = False) -> bool:
        """Whether a sentence-initial capitalised token is an ordinary word.

        What other articles capitalise must not decide it for words they
        capitalise only as part of a longer name: 'The' of 'The Wall Street
        Journal' or 'One' of 'HTC One'. So a function word is always
        ordinary here, and a word capitalised mid-sentence somewhere but also
        written in lower case starts a name only when a name follows it.
        """
        if _strong(token):
            return False
        if token in FUNCTION_WORDS:
            return True
        if token in self.capitalised_inside:
            return self._common(token) and not name_follows
        if self._common(token):
            return True
        return token.endswith(("ly", "ing", "ed")) or next_char == ","

    def name_in_heading(self, token: str) -> bool:
        if _strong(token):
            return True
        return token in self.capitalised_inside and token not in FUNCTION_WORDS and not self._common(token)


def _tokens(line: str):
    """Each token of a line, with whether it starts a sentence, quotation or cell."""
    previous_end = 0
    previous_token = ""
    for match in _TOKEN.finditer(line):
        gap = line[previous_end:match.start()].strip()
        if previous_end == 0 and not previous_token:
            initial = True
        elif gap:
            closed = gap.rstrip("\u201d\u2019\"')]")
            if _OPENING.search(line[previous_end:match.start()]):
                initial = True  # the first word of a quotation
            else:
                initial = (closed != gap and not closed) or (
                    closed.endswith(_SENTENCE_END) and not re.fullmatch(r"(?:[A-Z]\.)+", previous_token))
        else:
            initial = False
        yield match, initial
        previous_end, previous_token = match.end(), match.group()


def is_heading(line: str) -> bool:
    text = line.strip()
    if not text or "|" in text:
        return False
    return not text.endswith((".", "!", "?", "\u201d", '"', ",")) and len(text.split()) <= 12


def find_mentions(text: str, lexicon: Lexicon) -> list[Mention]:
    """Candidate names and figures in an article, with character offsets."""
    mentions: list[Mention] = []
    offset = 0
    for line in text.split("\n"):
        mentions.extend(_line_mentions(line, offset, lexicon))
        offset += len(line) + 1
    return mentions


def _line_mentions(line: str, offset: int, lexicon: Lexicon) -> list[Mention]:
    figures = {(m.start(), m.end()): m.group() for m in FIGURE.finditer(line)}
    heading = is_heading(line)
    first_cell_end = line.find("|")
    names: list[Mention] = []
    run: list[re.Match] = []

    def flush():
        while run and run[-1].group() == "of":
            run.pop()
        while run and run[0].group() in _ARTICLES:
            run.pop(0)  # "A Norwegian chip designer": the article starts no name
        if len(run) == 1 and len(run[0].group()) == 1:
            run.clear()  # a lone capital letter ("A", "I") names nothing
        if run and any(m.group() not in DEMONYMS for m in run):
            start, end = run[0].start(), run[-1].end()
            names.append(Mention(offset + start, offset + end, "name", line[start:end]))
        run.clear()

    tokens = list(_tokens(line))
    dateline = DATELINE.match(line)
    for index, (match, initial) in enumerate(tokens):
        token = match.group()
        if match.start() < first_cell_end:
            continue  # the label of a table row
        if dateline and match.start() < dateline.end():
            continue  # "HALDEN — ...": where the story was filed, not an actor
        joined = bool(run) and line[run[-1].end():match.start()] == " "
        in_figure = [span for span in figures if span[0] < match.end() and match.start() < span[1]]
        if in_figure:
            if joined and in_figure == [match.span()] and _VERSION.fullmatch(token) and run[-1].group() != "of":
                del figures[match.span()]  # a version number: part of the name before it
                run.append(match)
            flush()
            continue
        if joined and token == "of" and _is_nameish(run[-1].group()):
            run.append(match)
            continue
        nameish = _is_nameish(token) and token not in STOP_TOKENS
        if nameish and heading:
            nameish = lexicon.name_in_heading(token)
        elif nameish and initial:
            following = tokens[index + 1][0] if index + 1 < len(tokens) else None
            name_follows = following is not None and line[match.end():following.start()] == " " and (
                _is_nameish(following.group()) and following.group() not in STOP_TOKENS)
            nameish = not lexicon.ordinary(token, line[match.end():match.end() + 1], name_follows)
        if not nameish or not joined:
            flush()
        if nameish:
            run.append(match)
    flush()
    found = [Mention(offset + s, offset + e, "figure", text) for (s, e), text in figures.items()]
    return sorted(names + found, key=lambda m: (m.start, m.end))
