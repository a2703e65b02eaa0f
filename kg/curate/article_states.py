"""What an article states about itself in its opening lines: title, section,
date, author and dateline, in the forms articles use. Nothing is guessed: a
field the lines do not state is left out."""
from __future__ import annotations

import datetime as dt
import re


_MONTHS = {m: i for i, m in enumerate(
    "january february march april may june july august september october november december".split(), 1)}
_PUBLISHED = re.compile(r"^(?:Published|Posted)(?: on)?:? +([A-Z][a-z]+) (\d{1,2}), (\d{4})\b")
_PUBLISHED_ISO = re.compile(r"^(?:Published|Posted)(?: on)?:? +(\d{4})-(\d{2})-(\d{2})\b")
_PUBLISHED_DAY_FIRST = re.compile(r"^(?:Published|Posted)(?: on)?:? +(\d{1,2}) ([A-Z][a-z]+),? (\d{4})\b")
DATELINE = re.compile(r"^([A-Z][A-Z.'\- ]{2,}[A-Z.])(?: \([A-Za-z]+\))?(?::| [-\u2013\u2014]) ")
_BYLINE = re.compile(r"^By ([A-Z][\w.'\-]+(?: [A-Z][\w.'\-]+){1,3})$")


def plain_text_states(text: str) -> dict[str, str]:
    """What a plain-text article states about itself in its opening lines.

    Only the forms the corpus uses: heading lines before the first paragraph
    (a one- or two-word heading is the section, the longest other one the
    title), a "Published" line with its date (Month D, YYYY; D Month YYYY; YYYY-MM-DD), a "By Name" line, and a
    dateline in capitals opening the first paragraph ("SAN FRANCISCO: ...").
    """
    states: dict[str, str] = {}
    headings: list[str] = []
    for line in (line.strip() for line in text.splitlines()):
        if not line:
            continue
        date = _published(line)
        if date is not None:
            if date:
                states["date"] = date
            continue
        byline = _BYLINE.match(line)
        if byline:
            states["author"] = byline[1]
            continue
        if _is_heading(line):
            headings.append(line)
            continue
        dateline = DATELINE.match(line)
        if dateline:
            states["dateline"] = dateline[1]
        break  # the first paragraph: the article's own words start here
    titles = [h for h in headings if len(h.split()) >= 3]
    sections = [h for h in headings if len(h.split()) < 3]
    if titles:
        states["title"] = max(titles, key=len)
    if sections and titles:
        states["section"] = sections[0]
    return states


def _published(line: str) -> str | None:
    """The ISO date a "Published ..." line states ('' for a date it does not spell out
    as a real one), or None when the line is not one."""
    if iso := _PUBLISHED_ISO.match(line):
        year, month, day = (int(part) for part in iso.groups())
    elif named := _PUBLISHED.match(line) or _PUBLISHED_DAY_FIRST.match(line):
        month_name, day, year = (named[1], named[2], named[3]) if named.re is _PUBLISHED else (named[2], named[1], named[3])
        month, day, year = _MONTHS.get(month_name.lower(), 0), int(day), int(year)
    else:
        return None
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return ""


def _is_heading(line: str) -> bool:
    return len(line) <= 150 and len(line.split()) <= 20 and not line.endswith((".", "!", "?", ":", ";", ",", "\u201d", '"'))
