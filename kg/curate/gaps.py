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

from kg.curate.article import fold
from kg.curate.catalog import Catalog
from kg.curate.mentions import Lexicon, find_mentions


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

    ``catalog`` must have been through quote verification (kg.curate.corpus.verify_quotes)
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
            if evidence.row:  # a dataset's cell: gaps are what the articles leave uncovered
                continue
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
