"""Pre-flight checks on query text, before pyoxigraph ever sees it.

pyoxigraph 0.5 performs SERVICE calls itself, has no cancellation and
overflows its stack on deeply nested queries. So every query is tokenised
here first (strings, IRIs and comments are skipped, ``\\uXXXX`` escapes are
decoded as the SPARQL grammar says) and refused when it

* holds the word ``service`` anywhere, in any case, even in a string or a
  comment (so that no slip of the tokeniser can let a SERVICE call through),
  or is an update (LOAD, INSERT, ...);
* names a FROM / FROM NAMED graph that the store does not hold;
* nests brackets, braces or parentheses deeper than a limit, chains more
  operators in one group than a limit, or nests both together deeper than a
  third limit (pyoxigraph would crash on any of them).

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
_SERVICE = re.compile("service", re.IGNORECASE)
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")

# The tokens follow the SPARQL 1.1 grammar (section 19.8) closely enough that a
# comment, string or IRI starts exactly where the parser would start one: a
# prefixed name's local part may hold the escapes \# \' \" and %hh, and a number
# may have an exponent (1e5). Every quantifier is possessive or unambiguous, so a
# query is tokenised in time linear in its length.
# Strings use plain repetition: the branches inside them cannot match the same
# character, so nothing backtracks far, and Python 3.11.2 (Debian's) mismatches
# a possessive repetition of alternatives.
_NAME_CHAR = r"[\w\-\u00b7\u0300-\u036f\u203f-\u2040]"
_PLX = r"""%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?\#@%]"""
_LOCAL = rf"(?:[\w:]|{_PLX})(?:{_NAME_CHAR}|[.:]|{_PLX})*+"
_EXP = r"[eE][+-]?\d++"
_TOKEN = re.compile(
    r"""
    \s*+(?:
    (?P<comment>\#[^\n\r]*+)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*+>)
  | (?P<var>[?$]NAMECHAR*+)
  | (?P<lang>@[A-Za-z]++(?:-[A-Za-z0-9]++)*+)
  | (?P<name>[^\W\d](?:NAMECHAR|\.)*+(?::(?:LOCAL)?)?)
  | (?P<pname>:(?:LOCAL)?)
  | (?P<number>\d++(?:\.\d*+EXP|\.\d++(?:EXP)?|EXP)?|\.\d++(?:EXP)?)
  | (?P<open>[{(\[])
  | (?P<close>[})\]])
  | (?P<quote>['"])
  | (?P<other>\|\||&&|!=|<=|>=|\^\^|.)
    )""".replace("NAMECHAR", _NAME_CHAR).replace("LOCAL", _LOCAL).replace("EXP", _EXP),
    re.VERBOSE | re.DOTALL,
)
# The pieces of a run of name characters and dots that is not a prefixed name.
_PIECE = re.compile(rf"(?P<word>[^\W\d]{_NAME_CHAR}*+)|(?P<number>\d++)|(?P<other>.)", re.DOTALL)

# Operators that pyoxigraph parses recursively when chained: it crashes past a few thousand.
# So do long runs of triples (. , ;) and of OPTIONAL, MINUS, FILTER or BIND in one group.
OPERATORS = frozenset({"||", "&&", "=", "!=", "<", ">", "<=", ">=", "+", "-", "*", "/", "|", "^", "!", "UNION",
                       ".", ",", ";", "OPTIONAL", "MINUS", "FILTER", "BIND"})
MAX_CHAIN = 1000
# pyoxigraph's parser recurses once per bracket and once per chained operator, and
# the two add up: 60 levels of brackets each holding 200 '!' is 12,000 levels deep,
# although each limit alone is kept. So a query is also refused when, at any token,
# the brackets around it plus every operator before it in each of those brackets
# exceed this. Measured (tests/test_cli_hardening.py): a level costs pyoxigraph at
# most about 4 KB of stack, so this many fit a default 8 MB thread with room to spare.
MAX_NESTING = 1500

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
    tokens: list[tuple[str, str]] = field(default_factory=list, repr=False)  # (kind, value), as tokens() gives them


def decode_escapes(text: str) -> str:
    def replace(match: re.Match) -> str:
        code = int(match.group(1) or match.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise Refused(400, "bad_query", "the query contains an invalid \\u escape")
        return chr(code)

    return _ESCAPE.sub(replace, text)


def tokens(text: str):
    """(kind, value) pairs of the query text, whitespace and comments dropped;
    Refused (bad_query) at a quote that starts no string."""
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "name":
            yield from _name_tokens(match.group(kind))
        elif kind == "pname":
            yield from _pname_tokens(match.group(kind))
        elif kind == "quote":  # stop here: each later quote would scan the rest of the line again
            raise Refused(400, "bad_query", "the query has a string that is not closed")
        elif kind != "comment":
            yield kind, match.group(kind)


def _name_tokens(value: str):
    """A run of name characters: a prefixed name, or words, numbers and dots."""
    prefix, colon, _ = value.partition(":")
    if colon and not prefix.endswith("."):
        yield from _pname_tokens(value)
        return
    for piece in _PIECE.finditer(prefix):
        yield piece.lastgroup, piece.group()
    if colon:
        yield from _pname_tokens(value[len(prefix):])


def _pname_tokens(value: str):
    """A prefixed name, less the dots after it (a local name cannot end with an unescaped dot)."""
    end = len(value)
    while value[end - 1] == "." and value[end - 2] != "\\":
        end -= 1
    yield "pname", value[:end]
    for _ in range(len(value) - end):
        yield "other", "."


def refuse_service(text: str) -> None:
    """Refuse any text holding the word SERVICE, wherever it is (strings and comments too)."""
    if _SERVICE.search(text):
        raise Refused(400, "service_refused", "federated queries (SERVICE) are not allowed: this endpoint never makes "
                      "outbound requests, so no query may contain the word 'service' anywhere, even in a string, IRI "
                      "or comment; to match a literal that contains it, use e.g. FILTER(REGEX(?text, 'servic[e]', 'i'))")


def check_shape(toks, max_depth: int = MAX_DEPTH, max_chain: int = MAX_CHAIN, max_nesting: int = MAX_NESTING) -> None:
    """Refuse nesting deeper than ``max_depth``, operator chains longer than
    ``max_chain``, and both together deeper than ``max_nesting``.

    pyoxigraph parses brackets and operator chains recursively and overflows
    its stack (the process dies) on a few thousand levels of either or of both
    combined. Operators are counted per bracket group: a chain is what
    pyoxigraph would nest; ``nesting`` is the sum over the open groups, plus
    one per bracket, an upper bound of how deep the parser is at each token.
    """
    chains = [0]
    nesting = 0
    for kind, value in toks:
        if kind == "open":
            chains.append(0)
            nesting += 1
            if len(chains) > max_depth + 1:
                raise Refused(400, "too_deep", f"the query nests brackets more than {max_depth} levels deep")
        elif kind == "close":
            if len(chains) > 1:
                nesting -= chains.pop() + 1
            continue
        elif (value if kind == "other" else value.upper() if kind == "word" else None) in OPERATORS:
            chains[-1] += 1
            nesting += 1
            if chains[-1] > max_chain:
                raise Refused(400, "too_complex", f"the query chains more than {max_chain} operators (UNION, "
                              "+, &&, / or | in paths, triples, OPTIONAL...) in one group; split it or nest it in brackets")
        else:
            continue
        if nesting > max_nesting:
            raise Refused(400, "too_complex", f"the query nests operators inside brackets too deeply: more than "
                          f"{max_nesting} brackets and operators (!, -, +, &&, UNION, triples...) around one term, "
                          "counting every open bracket and the operators before it in each; flatten it")


def check(query: str, graphs: frozenset[str] | set[str], max_depth: int = MAX_DEPTH, base: str = "") -> Checked:
    """Refuse what must not run; otherwise say what the query is."""
    if "\x00" in query:
        raise Refused(400, "bad_query", "the query contains a NUL character")
    text = decode_escapes(query) if "\\" in query else query
    refuse_service(text)
    form = None
    prefixes: dict[str, str] = {}
    from_graphs: list[str] = []
    from_named: list[str] = []
    toks = list(tokens(text))
    check_shape(toks, max_depth)
    for index, (kind, value) in enumerate(toks):
        if kind == "word":
            word = value.upper()
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
                base = _join(base, toks[index + 1][1][1:-1])
            elif word == "FROM":
                named = index + 1 < len(toks) and toks[index + 1][1].upper() == "NAMED"
                at = index + 2 if named else index + 1
                target = toks[at] if at < len(toks) else None
                if target is None or (target := _resolve(target, prefixes, base)) is None:
                    raise Refused(400, "bad_query", "FROM must be followed by an IRI")
                check_dataset_iris([target], graphs, "FROM NAMED" if named else "FROM")
                (from_named if named else from_graphs).append(target)
    if form is None:
        raise Refused(400, "bad_query", "not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE")
    return Checked(text, form, from_graphs, from_named, toks)


def _join(base: str, iri: str) -> str:
    """``iri`` resolved against ``base``; a malformed IRI is the client's mistake."""
    try:
        return urljoin(base, iri) if base else iri
    except ValueError:
        raise Refused(400, "bad_query", f"<{iri}> is not a valid IRI") from None


def _resolve(token: tuple[str, str], prefixes: dict[str, str], base: str) -> str | None:
    kind, value = token
    if kind == "iri":
        return _join(base, value[1:-1])
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
