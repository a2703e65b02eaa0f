"""HTTP content negotiation on the Accept header (RFC 9110 section 12.5.1)."""
from __future__ import annotations

import re

_MEDIA = re.compile(r"^([!#$%&'*+.^_`|~0-9A-Za-z-]+)/([!#$%&'*+.^_`|~0-9A-Za-z-]+)$")


class BadAccept(ValueError):
    pass


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """(media range, q) pairs; an absent or empty header accepts anything.

    Entries that do not parse are skipped; a header with no usable entry at
    all is an error (the caller answers 406).
    """
    if header is None or not header.strip():
        return [("*/*", 1.0)]
    ranges = []
    for part in header.split(","):
        if not part.strip():
            continue
        media, *params = [p.strip() for p in part.split(";")]
        if not _MEDIA.match(media):
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = -1.0
        if 0.0 <= q <= 1.0:
            ranges.append((media.lower(), q))
    if not ranges:
        raise BadAccept(header)
    return ranges


def choose(header: str | None, offered: list[str]) -> str | None:
    """The offered media type the client prefers, or None (406).

    ``offered`` is in the server's order of preference, which breaks ties.
    """
    ranges = parse_accept(header)
    best, best_key = None, None
    for rank, media in enumerate(offered):
        kind = media.split("/")[0]
        quality, specificity = 0.0, -1
        for pattern, q in ranges:
            if pattern == media:
                level = 2
            elif pattern == f"{kind}/*":
                level = 1
            elif pattern == "*/*":
                level = 0
            else:
                continue
            if level > specificity:
                quality, specificity = q, level
        if specificity >= 0 and quality > 0:
            key = (quality, -rank)
            if best_key is None or key > best_key:
                best, best_key = media, key
    return best
