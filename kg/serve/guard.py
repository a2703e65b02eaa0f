"""Pre-flight checks on query text, before pyoxigraph ever sees it.

pyoxigraph 0.5 performs SERVICE calls itself, has no cancellation and
overflows its stack on deeply nested queries. So every query is tokenised
here first (strings, IRIs and comments are skipped, ``\\uXXXX`` escapes are
decoded as the SPARQL grammar says) and refused when it

* calls SERVICE (any spelling), or is an update (LOAD, INSERT, ...);
* names a FROM / FROM NAMED graph that the store does not hold;
* nests brackets, braces or parentheses deeper than a limit.

The checks work on tokens, not on a full parse, so they are fast enough to
run on every request; pyoxigraph still parses the query afterwards.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

MAX_DEPTH = 64
# A path segment that may be pasted into an IRI of a query (the build mints only these).
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]*$")

# SPARQL 1.1 section 19.2: \uXXXX and \UXXXXXXXX may appear anywhere in the
# query text and are replaced before parsing.
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")

_TOKEN = re.compile(
    r"""
    \s*(?:
    (?P<comment>\#[^\n\r]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]*)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<pname>[^\W\d][\w.\-]*:[\w.\-:%\\]*|:[\w.\-:%\\]*)
  | (?P<word>[^\W\d][\w\-]*)
  | (?P<open>[{(\[])
  | (?P<close>[})\]])
  | (?P<other>\d+|[^\s\w{}()\[\]<'"\#?$@:]+|.)
    )""",
    re.VERBOSE | re.DOTALL,
)

UPDATE_KEYWORDS = frozenset(
    {"LOAD", "INSERT", "DELETE", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH", "USING"}
)
QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


class Refused(Exception):
    """A query that must not run; ``status`` and ``code`` go into the error."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass
class Checked:
    """What the checks learned about a query that may run."""

    text: str  # the query with escapes decoded
    form: str  # SELECT, ASK, CONSTRUCT or DESCRIBE
    from_graphs: list[str] = field(default_factory=list)
    from_named: list[str] = field(default_factory=list)


def decode_escapes(text: str) -> str:
    def replace(match: re.Match) -> str:
        code = int(match.group(1) or match.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise Refused(400, "bad_query", "the query contains an invalid \\u escape")
        return chr(code)

    return _ESCAPE.sub(replace, text)


def tokens(text: str):
    """(kind, value) pairs of the query text, whitespace and comments dropped."""
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind != "comment":
            yield kind, match.group(kind)


def check(query: str, graphs: frozenset[str] | set[str], max_depth: int = MAX_DEPTH, base: str = "") -> Checked:
    """Refuse what must not run; otherwise say what the query is."""
    if "\x00" in query:
        raise Refused(400, "bad_query", "the query contains a NUL character")
    text = decode_escapes(query) if "\\" in query else query
    depth = 0
    form = None
    prefixes: dict[str, str] = {}
    from_graphs: list[str] = []
    from_named: list[str] = []
    toks = list(tokens(text))
    for index, (kind, value) in enumerate(toks):
        if kind == "open":
            depth += 1
            if depth > max_depth:
                raise Refused(400, "too_deep", f"the query nests brackets more than {max_depth} levels deep")
        elif kind == "close":
            depth = max(depth - 1, 0)
        elif kind == "word":
            word = value.upper()
            if word == "SERVICE":
                raise Refused(400, "service_refused", "SERVICE is not allowed: this endpoint never makes outbound requests")
            if word == "LOAD":
                raise Refused(400, "load_refused", "LOAD is not allowed: this endpoint is read-only and never makes outbound requests")
            if word in UPDATE_KEYWORDS:
                raise Refused(403, "read_only", f"this endpoint is read-only; {word} is an update operation")
            if word in QUERY_FORMS and form is None:
                form = word
            elif word == "PREFIX" and index + 2 < len(toks) and toks[index + 2][0] == "iri":
                name = toks[index + 1][1]
                prefixes[name[:-1] if name.endswith(":") else name] = toks[index + 2][1][1:-1]
            elif word == "BASE" and index + 1 < len(toks) and toks[index + 1][0] == "iri":
                base = urljoin(base, toks[index + 1][1][1:-1])
            elif word == "FROM":
                named = index + 1 < len(toks) and toks[index + 1][1].upper() == "NAMED"
                at = index + 2 if named else index + 1
                target = toks[at] if at < len(toks) else None
                if target is None or (target := _resolve(target, prefixes, base)) is None:
                    raise Refused(400, "bad_query", "FROM must be followed by an IRI")
                if target not in graphs:
                    raise Refused(400, "graph_refused", f"FROM{' NAMED' if named else ''} <{target}> is not a graph in this store; "
                                  "only graphs it holds can be queried (the service description lists them)")
                (from_named if named else from_graphs).append(target)
    if form is None:
        raise Refused(400, "bad_query", "not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE")
    return Checked(text, form, from_graphs, from_named)


def _resolve(token: tuple[str, str], prefixes: dict[str, str], base: str) -> str | None:
    kind, value = token
    if kind == "iri":
        return urljoin(base, value[1:-1]) if base else value[1:-1]
    if kind == "pname":
        prefix, _, local = value.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + local
    return None


def check_dataset_iris(iris: list[str], graphs: frozenset[str] | set[str], parameter: str) -> None:
    """default-graph-uri / named-graph-uri must name graphs the store holds."""
    for iri in iris:
        if iri not in graphs:
            raise Refused(400, "graph_refused", f"{parameter} <{iri}> is not a graph in this store; "
                          "only graphs it holds can be queried (the service description lists them)")
