"""The readable text of a server's error answer, however it is dressed.

Stores explain a refusal in plain text, JSON or an HTML page (Virtuoso puts
the reason in an ``<xmp>`` after a title and headings). An HTML page is read
with the standard library's parser, so that the words come out and the markup,
scripts and styles do not; the result is then made safe for a terminal.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

_ESCAPE = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]")


def _escaped(match: re.Match) -> str:
    char = match.group()
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def safe_text(text: str, limit: int | None = 300) -> str:
    """``text`` from a server, fit to print on a terminal: control characters
    (escape sequences, carriage returns, bidi overrides) are shown as ``\\xNN``
    or ``\\uNNNN`` instead of being obeyed, runs of spaces and newlines become
    one space, and at most ``limit`` characters are kept."""
    text = re.sub(r"[ \t\r\n]+", " ", text).strip()
    if limit is not None and len(text) > limit:
        text = text[: limit - 3] + "..."
    return _ESCAPE.sub(_escaped, text)


_SKIPPED = {"script", "style", "head"}


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping: list[str] = []
        self.title: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in _SKIPPED:
            self.skipping.append(tag)

    def handle_endtag(self, tag):
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)
        elif self.skipping[-1] == "head":
            self.title.append(data)


def _looks_like_html(body: str, content_type: str) -> bool:
    start = body.lstrip()[:100].lower()
    return "html" in content_type.lower() or start.startswith(("<!doctype html", "<html"))


def error_text(body: bytes, content_type: str = "", limit: int | None = None) -> str:
    """The text of ``body`` on one terminal-safe line ('' if it has none); at
    most ``limit`` characters (all of it by default: the answer was already
    read under a size cap)."""
    text = body.decode("utf-8", "replace")
    if _looks_like_html(text, content_type):
        parser = _Text()
        parser.feed(text)
        parser.close()
        words = " ".join(parser.parts).strip() or " ".join(parser.title)
        text = words
    return safe_text(text, limit)
