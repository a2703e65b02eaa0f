"""Finding the exact words of an article from approximate ones.

A curator remembers a sentence roughly; the build wants it verbatim and
unique. :func:`find_passage` finds the closest passage (exactly, or with
rapidfuzz's best partial alignment, widened to whole words), says where it is
and whether it is unique, and when it is not, the shortest extension by whole
words that is. The build's "quote not found" error uses the same search to
show what to paste, and looks in the other articles when the quote is not in
the one cited.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from kg.curate.article import Article, fold, fold_quote
from kg.errors import KGError

CLOSE_ENOUGH = 75.0  # rapidfuzz score (0-100) under which nothing is "close"
_WORD = re.compile(r"\S+")


@dataclass
class Passage:
    article: Article
    start: int  # offsets in the article's text
    end: int
    score: float  # 100 when the words occur as given (typography forgiven)
    normalisation: str | None = None  # "the quote is NFC, the article NFD" when only that differs
    places: int = 1  # how often the exact passage occurs (counted up to 2)
    extension: tuple[int, int] | None = None  # shortest unique extension, when not unique

    @property
    def text(self) -> str:
        return self.article.text[self.start:self.end]

    @property
    def line(self) -> int:
        return self.article.text.count("\n", 0, self.start) + 1

    @property
    def column(self) -> int:
        return self.start - (self.article.text.rfind("\n", 0, self.start) + 1) + 1

    @property
    def unique(self) -> bool:
        return self.places == 1

    @property
    def extended_text(self) -> str | None:
        return None if self.extension is None else self.article.text[self.extension[0]:self.extension[1]]


def article_from_text(source_id: str, path: Path, text: str) -> Article:
    folded, origin = fold(text)
    return Article(source_id, path, text, folded, origin)


def read_article_file(source_id: str, path: Path) -> Article:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KGError(f"{path}: no such file in the corpus") from None
    except UnicodeDecodeError:
        raise KGError(f"{path}: not UTF-8 text") from None
    return article_from_text(source_id, path, text)


def _forms(quote: str, article: Article) -> str:
    def form(text: str) -> str:
        for name in ("NFC", "NFD"):
            if unicodedata.is_normalized(name, text):
                return name
        return "mixed"

    return f"the quote is {form(quote)}, the article {form(article.text)}"


def find_passage(article: Article, words: str) -> Passage | None:
    """The passage of ``article`` closest to ``words``, or None when nothing is close."""
    needle = fold_quote(words)
    if not needle:
        return None
    normalisation = None
    at = article.folded.find(needle)
    length = len(needle)
    score = 100.0
    if at < 0:
        for form in ("NFC", "NFD"):
            other = unicodedata.normalize(form, needle)
            if other != needle and (at := article.folded.find(other)) >= 0:
                normalisation, length = _forms(words, article), len(other)
                break
    if at < 0:
        found = _fuzzy(article.folded, needle)
        if found is None:
            return None
        at, end, score = found
        length = end - at
    start, end = article.span(at, length)
    passage = Passage(article, start, end, score, normalisation)
    _check_unique(passage)
    return passage


def _fuzzy(haystack: str, needle: str) -> tuple[int, int, float] | None:
    from rapidfuzz import fuzz

    low_needle, low_hay = needle.lower(), haystack.lower()
    found = fuzz.partial_ratio_alignment(low_needle, low_hay, score_cutoff=CLOSE_ENOUGH)
    if found is None:
        return None
    # The alignment is a window as long as the words; the passage to paste is
    # the run of whole words around it that is most like them.
    starts = [m.start() for m in _WORD.finditer(haystack, max(0, found.dest_start - 60), found.dest_end)]
    ends = [m.end() for m in _WORD.finditer(haystack, found.dest_start, min(len(haystack), found.dest_end + 60))]
    best = None
    for s in starts[:12]:
        for e in ends[-12:]:
            if e <= s:
                continue
            e = _without_extra_punctuation(haystack, s, e, needle)
            score = fuzz.ratio(low_needle, low_hay[s:e])
            if best is None or score > best[2] or (score == best[2] and e - s < best[1] - best[0]):
                best = (s, e, score)
    if best is None or best[2] < CLOSE_ENOUGH:
        return None
    return best


def _without_extra_punctuation(text: str, start: int, end: int, needle: str) -> int:
    """Trailing punctuation the words did not have stays out of the passage."""
    while end > start + 1 and text[end - 1] in ".,;:)\"'" and not needle.endswith(text[end - 1]):
        end -= 1
    return end


def occurrences(article: Article, passage_text: str) -> list[int]:
    """Start offsets (folded) of the passage, up to two."""
    return article.locate(fold_quote(passage_text))


def _check_unique(passage: Passage) -> None:
    hits = occurrences(passage.article, passage.text)
    passage.places = max(1, len(hits))
    if passage.places > 1:
        passage.extension = shortest_unique_extension(passage.article, passage.start, passage.end)


def shortest_unique_extension(article: Article, start: int, end: int, max_words: int = 40) -> tuple[int, int] | None:
    """The shortest span around [start, end), within its line, made of whole added words that occurs once."""
    text = article.text
    # Within the passage's paragraph: a quote does not run across a line break.
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    words = [(m.start(), m.end()) for m in _WORD.finditer(text, line_start, line_end)]
    before = [w for w in words if w[1] <= start][::-1]
    after = [w for w in words if w[0] >= end]
    for added in range(1, max_words + 1):
        best = None
        for left in range(0, added + 1):
            right = added - left
            if left > len(before) or right > len(after):
                continue
            s = before[left - 1][0] if left else start
            e = after[right - 1][1] if right else end
            if len(occurrences(article, text[s:e])) == 1 and (best is None or e - s < best[1] - best[0]):
                best = (s, e)
        if best:
            return best
    return None


def quote_help(quote: str, cited: Article, others: dict[str, Article]) -> str:
    """What to say after "quote not found in FILE": where the words are, and what to paste."""
    needle = fold_quote(quote)
    for source_id, article in sorted(others.items()):
        if article is cited or not needle:
            continue
        hits = article.locate(needle)
        if hits:
            start, end = article.span(hits[0], len(needle))
            passage = Passage(article, start, end, 100.0)
            return (f"; it is in {article.path.name} (source '{source_id}') at line {passage.line}, "
                    f"column {passage.column}: cite that source")
    passage = find_passage(cited, quote)
    if passage is None:
        return f"; nothing in {cited.path.name} is close to it"
    where = f"line {passage.line}, column {passage.column}"
    if passage.normalisation:
        return (f"; the words are at {where} but differ in Unicode normalisation ({passage.normalisation}): "
                f"paste the article's text: {passage.text!r}")
    return f"; the closest passage is at {where}; paste exactly: {passage.text!r}"
