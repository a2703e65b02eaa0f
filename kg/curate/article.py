"""An article's text, and the folding of typographic variants that lets a quote match it
(curly quotes, dashes, ellipses, runs of spaces)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_FOLD = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ",
}
_ELLIPSIS = "\u2026"
_ONE_TO_ONE = str.maketrans({
    **_FOLD,
    **{chr(c): " " for c in range(0x3001) if chr(c).isspace()},
})
_SPACE_RUN = re.compile(r" {2,}")


def fold(text: str) -> tuple[str, list[int] | None]:
    """Typography-folded text, and for each of its characters the offset it came from.

    The offsets are None when folding kept every character in place, which is
    the common case and spares a list as long as the text.
    """
    quick = text.translate(_ONE_TO_ONE)
    if "  " not in quick and _ELLIPSIS not in quick:
        return quick, None
    out: list[str] = []
    origin: list[int] = []
    in_space = False
    for i, ch in enumerate(quick):
        if ch == " ":
            if in_space:
                continue
            in_space = True
        else:
            in_space = False
        if ch == _ELLIPSIS:
            out.append("...")
            origin.extend((i, i, i))
        else:
            out.append(ch)
            origin.append(i)
    return "".join(out), origin


def fold_quote(quote: str) -> str:
    folded = quote.strip().translate(_ONE_TO_ONE).replace(_ELLIPSIS, "...")
    return _SPACE_RUN.sub(" ", folded) if "  " in folded else folded


@dataclass
class Article:
    id: str
    path: Path
    text: str
    folded: str
    origin: list[int] | None  # None: folded offsets are the text's offsets

    def locate(self, needle: str) -> list[int]:
        """Start offsets (in folded text) of a folded quote, up to two.

        A match never starts or ends inside a run of dots: an ellipsis (``…``,
        folded to ``...``) is matched whole or not at all, so a quote ending
        with a full stop does not match a sentence that ends with an ellipsis.
        """
        hits: list[int] = []
        at = self.folded.find(needle)
        while at >= 0 and len(hits) < 2:
            if not self._splits_dots(at, at + len(needle)):
                hits.append(at)
            at = self.folded.find(needle, at + 1)
        return hits

    def _splits_dots(self, start: int, end: int) -> bool:
        folded = self.folded
        return ((folded[start] == "." and start > 0 and folded[start - 1] == ".")
                or (folded[end - 1] == "." and folded[end:end + 1] == "."))

    def original(self, folded_offset: int) -> int:
        return folded_offset if self.origin is None else self.origin[folded_offset]

    def span(self, folded_start: int, folded_length: int) -> tuple[int, int]:
        if self.origin is None:
            return folded_start, folded_start + folded_length
        start = self.origin[folded_start]
        end = self.origin[folded_start + folded_length - 1] + 1
        return start, end

    def line_of(self, offset: int) -> int:
        return self.text.count("\n", 0, offset) + 1
