"""What the curated data does not yet cover: names and figures left in the articles.

A curator adding an article wants to see at once which proper names and which
figures no entity and no claim accounts for. This module finds candidate
*mentions* in the text with a few plain heuristics, then drops every mention
that the data covers:

- a **figure** is covered when it lies inside the quote of a claim's evidence;
- a **name** is covered when it lies inside such a quote, inside an occurrence
  of an entity's name or alias (word-bounded, case-sensitive), or when it is
  part of what the article's source record states (title, author, dateline,
  section).

Mention heuristics (documented in ``kg gaps --help`` too):

- Names are runs of capitalised tokens, tokens with inner capitals or digits
  (``DeepSeek``, ``o1``, ``01.AI``, ``U.S.``) and ``@handles``, joined by
  single spaces or by ``of`` (``University of California``), with a bare
  version number after a name kept in it (``Llama 3.1``). A possessive ends a
  name. Generic acronyms (AI, CEO, GPU...) and nationality adjectives
  (Chinese, American...) on their own are not names.
- The first word of a sentence, of a quotation or of a table cell is dropped
  when it is an ordinary word: a function word (The, Last, One...), or a
  word the corpus uses in lower case, that ends in -ly/-ing/-ed or that a
  comma follows. A word with inner capitals or digits is always kept; so is
  one capitalised mid-sentence somewhere in the corpus, unless the corpus
  also writes it in lower case and no name follows it: "The Wall Street
  Journal" in one article does not make every "The" of every article a name.
- Headings (short lines with no closing punctuation) keep only words that are
  names elsewhere: inner capitals, digits, or capitalised mid-sentence in some
  article and never written in lower case. The first cell of a table row is a
  row label and is skipped.
- Figures are amounts of money (``$5.6 million``, ``US$6 million``), numbers
  with an optional multiplier and unit (``2,000``, ``~80 Billion``, ``3.2
  TB/s``, ``700W``, ``16,000 GPUs``, ``4th Gen``), percentages, dates (month
  names with day and year, weekdays, years, decades) and spelled-out
  durations and ratios (``two months``, ``two to three years``, ``ten
  times``). Vague quantities (``billions``) are not figures.
"""
from __future__ import annotations

import os
import re
from bisect import bisect_right
from collections import defaultdict
from dataclasses import asdict, dataclass
from itertools import accumulate
from pathlib import Path

from .corpus import fold
from .load import Catalog

STOP_TOKENS = frozenset("AI AGI CEO CEOs GPU GPUs CPU LLM LLMs HPC I".split())
DEMONYMS = frozenset(
    "American Americans Chinese Japanese Emirati Western European Asian British German French "
    "Indian Korean Russian Soviet Taiwanese Israeli Saudi Swiss".split()
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
_OPENING = re.compile(r"(?:^|\s)[\"\u201c\u2018(\[]$|\u201c$")
_SENTENCE_END = (".", "!", "?", ":", ";", "|", "\u201c", '"', "(", "[", "\u2014")


@dataclass(frozen=True, order=True)
class Gap:
    """A name or a figure in an article that the data does not cover."""

    path: str
    line: int  # 1-based
    column: int  # 1-based, in characters
    kind: str  # "name" or "figure"
    text: str
    file: str = ""

    def location(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"

    def to_dict(self) -> dict:
        return asdict(self)


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
        if run and any(m.group() not in DEMONYMS for m in run):
            start, end = run[0].start(), run[-1].end()
            names.append(Mention(offset + start, offset + end, "name", line[start:end]))
        run.clear()

    tokens = list(_tokens(line))
    for index, (match, initial) in enumerate(tokens):
        token = match.group()
        if match.start() < first_cell_end:
            continue  # the label of a table row
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


class Spans:
    """Character spans, answering "is [start, end) inside one of them?" in log time."""

    def __init__(self, spans: list[tuple[int, int]]):
        spans = sorted(spans)
        self.starts = [start for start, _ in spans]
        self.reach = list(accumulate((end for _, end in spans), max))

    def cover(self, start: int, end: int) -> bool:
        i = bisect_right(self.starts, start)
        return i > 0 and self.reach[i - 1] >= end


class Labels:
    """Entity names and aliases, found around a mention: word-bounded, case-sensitive, typography folded."""

    def __init__(self, names: set[str]):
        self.by_word: dict[str, set[str]] = defaultdict(set)
        for name in names:
            folded = fold(name.strip())[0]
            for word in re.findall(r"\w+", folded):
                self.by_word[word].add(folded)
        self._patterns: dict[str, re.Pattern] = {}

    def cover(self, text: str, start: int, end: int) -> bool:
        words = re.findall(r"\w+", fold(text[start:end])[0])
        if not words:
            return False
        for label in sorted(self.by_word.get(words[0], ())):
            slack = len(label) + 2
            low, high = max(0, start - slack), min(len(text), end + slack)
            window, origin = fold(text[low:high])
            pattern = self._patterns.get(label)
            if pattern is None:
                pattern = self._patterns[label] = re.compile(rf"(?<!\w){re.escape(label)}(?!\w)")
            for match in pattern.finditer(window):
                a = match.start() if origin is None else origin[match.start()]
                b = (match.end() - 1 if origin is None else origin[match.end() - 1]) + 1
                if low + a <= start and end <= low + b:
                    return True
        return False


def _display(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # pragma: no cover - another drive on Windows
        return str(path)


def find_gaps(catalog: Catalog, corpus: Path) -> list[Gap]:
    """Every name and figure in the corpus's articles that the catalog does not cover.

    ``catalog`` must have been through quote verification (kg.corpus.verify_quotes)
    so that each piece of evidence knows its offsets.
    """
    files = sorted(p for p in Path(corpus).glob("*.txt") if p.is_file())
    texts = {p.name: p.read_text(encoding="utf-8") for p in files}
    lexicon = Lexicon(list(texts.values()))
    names = {e.record.name for e in catalog.entities.values()}
    names |= {alias for e in catalog.entities.values() for alias in e.record.aliases}
    by_file = {s.record.file: s for s in catalog.sources.values()}
    quotes: dict[str, list[tuple[int, int]]] = {}
    for claim in catalog.claims:
        for evidence in claim.evidence:
            source = catalog.sources[evidence.source]
            quotes.setdefault(source.record.file, []).append((evidence.start, evidence.end))

    labels = Labels(names)
    gaps: list[Gap] = []
    for path in files:
        text = texts[path.name]
        quoted = Spans(quotes.get(path.name, []))
        source = by_file.get(path.name)
        stated = " \n ".join(
            fold(v)[0] for v in (
                (source.record.title, source.record.author, source.record.dateline, source.record.section)
                if source else ()
            ) if v
        )
        line_starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
        for mention in find_mentions(text, lexicon):
            if quoted.cover(mention.start, mention.end):
                continue
            if mention.kind == "name" and (
                (stated and fold(mention.text)[0] in stated) or labels.cover(text, mention.start, mention.end)
            ):
                continue
            line = bisect_right(line_starts, mention.start)
            column = mention.start - line_starts[line - 1] + 1
            gaps.append(Gap(_display(path), line, column, mention.kind, mention.text, path.name))
    return gaps
