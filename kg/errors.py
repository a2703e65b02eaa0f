"""Errors that reach the user as clean messages, never as tracebacks."""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Callable, Iterable


class KGError(Exception):
    """Base class for every error caused by the user's input or environment.

    The CLI turns it into ``Error: <message>`` and exit status 1.
    """


@dataclass(frozen=True, order=True)
class Problem:
    """One defect in the input, located in a file."""

    path: str
    line: int  # 1-based
    col: int  # 1-based
    message: str

    def __str__(self) -> str:
        # One problem, one line: a message that echoes the input escapes its
        # line breaks and other control characters.
        return f"{self.path}:{self.line}:{self.col}: {self.message.translate(_ESCAPES)}"


# C0 and C1 controls, and the line and paragraph separators, as \n, \x1b, \u2028...
_ESCAPES = {c: repr(chr(c))[1:-1] for c in (*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029)}


class DataError(KGError):
    """The data has one or more problems; all of them are listed at once."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(set(problems))
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        super().__init__(f"{count} {noun} in the data")

    def report(self) -> str:
        lines = [str(p) for p in self.problems]
        lines.append(str(self))
        return "\n".join(lines)


def did_you_mean(word: str, choices: Iterable[str], same: Callable[[str], object] | None = None) -> str:
    """A ' (did you mean X?)' hint, or '' when nothing is close.

    ``same`` maps a choice to what it names: of several names of one thing (an
    actor's id and its label, "canada" and "Canada"), only the closest is offered."""
    choices = list(choices)
    by_lower = {c.lower(): c for c in choices}
    if word.lower() in by_lower:
        return f" (did you mean {by_lower[word.lower()]!r}?)"
    wanted = 3 if same is None else len(choices)
    close = difflib.get_close_matches(word, choices, n=wanted, cutoff=0.6)
    if not close:
        close = [by_lower[m] for m in difflib.get_close_matches(word.lower(), list(by_lower), n=wanted, cutoff=0.6)]
    if same is not None:
        named = set()
        close = [c for c in close if not (same(c) in named or named.add(same(c)))][:3]
    if not close:
        return ""
    if len(close) == 1:
        return f" (did you mean {close[0]!r}?)"
    return " (did you mean " + ", ".join(repr(c) for c in close[:-1]) + f" or {close[-1]!r}?)"
