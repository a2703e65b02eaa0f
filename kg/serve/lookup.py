"""Queries that are one triple pattern, answered by an index lookup in the HTTP process.

Most requests an endpoint gets are lookups: the resource with this label,
everything about this IRI, what links to it. Sent through pyoxigraph's
``Store.query`` in a query worker, each costs a query parse and plan (about
20 µs even for ``ASK {}``) and a hop to another process. A query that is a
single triple pattern needs neither: it is a walk along one of the store's
lists of quads, read with ``Store.quads_for_pattern``, which returns the same
rows in the same order as the query engine.

Such a lookup cannot run long or grow large, so it needs no time limit: it
reads at most :data:`MAX_ROWS` rows of at most :data:`MAX_BYTES` bytes, and
with two or three terms it walks at most :data:`MAX_SCAN` quads (and
:data:`MAX_BYTES`) of each of its terms' lists, three at most, before it
answers or gives up (see :func:`_matching`). Anything larger, and any query that is not plainly of this
one shape (the recogniser accepts a strict subset of the grammar and declines
everything else), goes to a query worker as before. The guard has already run
on every query that gets here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import islice

import pyoxigraph

from kg.graph.guard import Checked
from kg.graph.terms import PREFIXES
from kg.report.sparql_results import NATIVE, RDF_LANGSTRING, TooLarge, write_boolean, write_rows

# What one lookup may read in the HTTP process before it hands the query to a worker.
MAX_ROWS = 1000
MAX_BYTES = 1024 * 1024
# With two or three terms given, a lookup may read many quads to find few rows: it
# runs here only if one of its terms is in at most this many quads (see _matching).
MAX_SCAN = 2000

RDF_TYPE = PREFIXES["rdf"] + "type"
_LANG_STRINGS = (RDF_LANGSTRING, PREFIXES["rdf"] + "dirLangString")

# Deliberately narrower than the grammar: ASCII names, absolute IRIs without
# dot segments, strings with only the simple escapes. Whatever does not match
# goes to pyoxigraph's parser in a worker, which has the last word on it.
_VAR = re.compile(r"[?$]([A-Za-z0-9_]+)")
_PREFIX = re.compile(r"(?:[A-Za-z](?:[A-Za-z0-9_\-.]*[A-Za-z0-9_\-])?)?")
_LOCAL = re.compile(r"(?:(?:[A-Za-z0-9_:]|%[0-9A-Fa-f]{2})(?:[A-Za-z0-9_\-.:]|%[0-9A-Fa-f]{2})*)?")
_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_DOT_SEGMENT = re.compile(r"(?:^|/)\.\.?(?:[/?#]|$)")
_ECHAR = re.compile(r"\\(.)", re.DOTALL)
# Whitespace to Python's tokeniser but not to SPARQL's (space, tab, CR, LF): no-break space, U+3000...
_NOT_SPARQL_SPACE = re.compile(r"[^\S \t\r\n]")
_ECHARS = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


class _Decline(Exception):
    """Not a query this module answers; a worker will."""


@dataclass(frozen=True)
class Lookup:
    """A query that is one triple pattern: SELECT (with an optional LIMIT) or ASK."""

    form: str
    pattern: tuple  # subject, predicate, object: a pyoxigraph term, or a variable's name (str)
    names: tuple[str, ...]  # the projected variables, in order (SELECT)
    limit: int | None = None

    @property
    def picks(self) -> list[int]:
        """Where in (subject, predicate, object) each projected variable is."""
        return [self.pattern.index(name) for name in self.names]


def recognise(checked: Checked) -> Lookup | None:
    """The lookup ``checked`` is, or None when it is anything else."""
    if checked.form not in ("SELECT", "ASK") or checked.from_graphs or checked.from_named:
        return None
    if _NOT_SPARQL_SPACE.search(checked.text):
        return None
    try:
        return _Reader(checked.tokens).query()
    except (_Decline, ValueError):  # ValueError: pyoxigraph refused a term; the worker will say why
        return None


class _Reader:
    def __init__(self, tokens: list[tuple[str, str]]):
        self.tokens, self.at = tokens, 0
        self.prefixes: dict[str, str] = {}

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.at] if self.at < len(self.tokens) else ("end", "")

    def take(self) -> tuple[str, str]:
        token = self.peek()
        self.at += 1
        return token

    def keyword(self, word: str) -> bool:
        kind, value = self.peek()
        if kind == "word" and value.isascii() and value.upper() == word:  # not "ſelect": Python upper-cases ſ to S
            self.at += 1
            return True
        return False

    def expect(self, kind: str, value: str | None = None) -> str:
        got_kind, got = self.take()
        if got_kind != kind or (value is not None and got != value):
            raise _Decline()
        return got

    def query(self) -> Lookup:
        while self.keyword("PREFIX"):
            name = self.expect("pname")
            if not name.endswith(":") or not _PREFIX.fullmatch(name[:-1]):
                raise _Decline()
            self.prefixes[name[:-1]] = self.iri(self.expect("iri")).value  # declared again: the last one counts, as in pyoxigraph
        if self.keyword("ASK"):
            form, projection = "ASK", ()
        elif self.keyword("SELECT"):
            form, projection = "SELECT", self.projection()
        else:
            raise _Decline()  # BASE, DISTINCT and the like
        self.keyword("WHERE")
        self.expect("open", "{")
        groups = 1
        while self.peek() == ("open", "{"):  # { { P } } is P: a group of one group is that group
            self.at += 1
            groups += 1
        pattern = (self.term(), self.predicate(), self.term(literal=True))
        if self.peek() == ("other", "."):
            self.at += 1
        for _ in range(groups):
            self.expect("close", "}")
        limit = None
        if form == "SELECT" and self.keyword("LIMIT"):
            digits = self.expect("number")
            if not (digits.isascii() and digits.isdigit()) or len(digits) > 9:
                raise _Decline()
            limit = int(digits)
        if self.peek()[0] != "end":
            raise _Decline()
        variables = [term for term in pattern if isinstance(term, str)]
        if len(set(variables)) != len(variables):
            raise _Decline()  # ?x ?p ?x: the engine filters, a lookup would not
        if projection == ("*",):
            projection = tuple(sorted(variables))  # the order pyoxigraph gives SELECT *
        elif not set(projection) <= set(variables) or len(set(projection)) != len(projection):
            raise _Decline()
        return Lookup(form, pattern, projection, limit)

    def projection(self) -> tuple[str, ...]:
        if self.peek() == ("other", "*"):
            self.at += 1
            return ("*",)
        names = []
        while self.peek()[0] == "var":
            names.append(self.variable(self.take()[1]))
        if not names:
            raise _Decline()
        return tuple(names)

    @staticmethod
    def variable(token: str) -> str:
        match = _VAR.fullmatch(token)
        if match is None:
            raise _Decline()
        return match.group(1)

    @staticmethod
    def iri(token: str) -> pyoxigraph.NamedNode:
        value = token[1:-1]
        if not _ABSOLUTE.match(value) or _DOT_SEGMENT.search(value.partition(":")[2]):
            raise _Decline()  # relative IRIs and dot segments: the parser resolves those
        return pyoxigraph.NamedNode(value)  # a ValueError for what the parser would refuse, e.g. a prefix IRI ending in "%"

    def named(self, kind: str, value: str):
        if kind == "iri":
            return self.iri(value)
        if kind == "pname":
            prefix, _, local = value.partition(":")
            if prefix not in self.prefixes or not _LOCAL.fullmatch(local) or local.endswith("."):
                raise _Decline()
            return pyoxigraph.NamedNode(self.prefixes[prefix] + local)
        raise _Decline()

    def predicate(self):
        kind, value = self.take()
        if kind == "word" and value == "a":
            return pyoxigraph.NamedNode(RDF_TYPE)
        return self.variable(value) if kind == "var" else self.named(kind, value)

    def term(self, literal: bool = False):
        kind, value = self.take()
        if kind == "var":
            return self.variable(value)
        if kind == "string" and literal:
            return self.literal(value)
        return self.named(kind, value)

    def literal(self, token: str):
        quotes = 3 if token[:3] in ('"""', "'''") else 1
        text = token[quotes:-quotes]
        if "\\" in text:
            text = _ECHAR.sub(lambda m: _ECHARS.get(m.group(1)) or _decline(), text)
        kind, value = self.peek()
        if kind == "lang":
            self.at += 1
            return pyoxigraph.Literal(text, language=value[1:])
        if (kind, value) == ("other", "^^"):
            self.at += 1
            datatype = self.named(*self.take())
            if datatype.value in _LANG_STRINGS:
                raise _Decline()
            return pyoxigraph.Literal(text, datatype=datatype)
        return pyoxigraph.Literal(text)


def _decline():
    raise _Decline()


def answer(store, lookup: Lookup, fmt: str, cap: int, max_bytes: int | None = None) -> tuple[bytes, bool] | None:
    """The lookup's result in ``fmt`` and whether it was cut at ``cap`` rows;
    None when it is too large to answer here (a worker answers it).
    TooLarge when the result is over ``max_bytes``, as the worker would say."""
    quads = _matching(store, [None if isinstance(term, str) else term for term in lookup.pattern])
    if quads is None:
        return None
    quads = iter(quads)
    if lookup.form == "ASK":
        body = write_boolean(next(quads, None) is not None, fmt)
        if max_bytes is not None and len(body) > max_bytes:
            raise TooLarge()
        return body, False
    wanted = cap if lookup.limit is None else min(lookup.limit, cap)
    picks = lookup.picks
    rows, read, size = [], 0, 0
    for quad in quads:
        if len(rows) == wanted:  # one more row than asked for: the result was cut here
            truncated = lookup.limit is None or lookup.limit > cap
            break
        if len(rows) == MAX_ROWS:
            return None
        terms = (quad.subject, quad.predicate, quad.object)
        read += sum(len(_text(term)) for term in terms)
        if read > MAX_BYTES:
            return None
        row = [terms[index] for index in picks]
        size += sum(len(str(term)) for term in row)
        rows.append(row)
    else:
        truncated = False
    body = write_rows(list(lookup.names), rows, fmt)
    if max_bytes is not None and (len(body) > max_bytes or (size > max_bytes and not _written_whole(body, fmt, cap, truncated))):
        raise TooLarge()
    return body, truncated


def _matching(store, terms: list):
    """The quads that match ``terms`` (None: any term), in the order the query
    engine gives them; None when finding them could mean reading more than
    MAX_SCAN quads or MAX_BYTES here.

    pyoxigraph's in-memory store keeps every quad in one list per subject, one
    per predicate and one per object, all newest first. With one term given or
    none, each quad of the walk is a row, and the row cap bounds the work. With
    more, the store walks the shortest of their lists and skips the quads that
    do not match, which may be many. So the lookup walks one list itself, that
    of the object, else the subject, else the predicate, only if it holds at
    most MAX_SCAN quads, and filters it: since the lists share one order, the
    rows come in the store's order. The other terms are compared here only if
    they are IRIs; a literal is compared by the store alone, which may
    normalise it (``"01"^^xsd:integer``)."""
    given = [index for index, term in enumerate(terms) if term is not None]
    if len(given) < 2:
        return store.quads_for_pattern(*terms, None)  # None: every graph, as the union default graph
    object_is_literal = terms[2] is not None and not isinstance(terms[2], pyoxigraph.NamedNode)
    for index in (2, 0, 1):
        if terms[index] is None or (index != 2 and object_is_literal):
            continue
        alone = [None, None, None]
        alone[index] = terms[index]
        walked, read = [], 0
        for quad in store.quads_for_pattern(*alone, None):
            read += len(str(quad))
            if len(walked) == MAX_SCAN or read > MAX_BYTES:
                break
            walked.append(quad)
        else:
            for position in given:
                if position != index:
                    walked = [quad for quad in walked if _term_at(quad, position) == terms[position]]
            return walked
    return None


def _term_at(quad, position: int):
    return quad.subject if position == 0 else quad.predicate if position == 1 else quad.object


def _text(term) -> str:
    """The text a term holds, to count what a lookup reads (a quoted triple by its N-Triples form)."""
    return getattr(term, "value", None) or str(term)


def _written_whole(body: bytes, fmt: str, cap: int, truncated: bool) -> bool:
    """Whether a worker would have written this result in one piece with pyoxigraph
    (kg.report.sparql_results.serialize_small), where only the answer's length counts against
    the byte limit; row by row, the rows' N-Triples lengths count too. A result cut
    at the cap is always written row by row: its rows are more than that piece may hold."""
    return not truncated and fmt in NATIVE and len(body) <= NATIVE[fmt][1] * cap
