"""``kg query --bind VAR=VALUE``: a value placed into a query as a SPARQL term.

A value written as a SPARQL term is used as written; any other value names an
actor, read as ``kg show`` reads it. The VALUES clause goes at the start of the
query's WHERE clause, where every store reads it the same way.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable

from kg.errors import KGError
from kg.graph.store import prefixes
from kg.query import _ERROR_AT, _PROLOGUE, check_depth


# What a --bind value is written as: SPARQL terms are used as written, anything
# else names an actor. A prefixed name counts only with a declared prefix, so a
# name with a colon in it ("Note: 9") is still a name.
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_PNAME = re.compile(r"([A-Za-z][\w.-]*|):\S*")
_DECLARED = re.compile(r"PREFIX\s+([^\s:]*):", re.I)


def bound_term(value: str, declared: Iterable[str], actors: Callable[[], dict],
               find: Callable[[str], object] | None = None) -> str:
    """The SPARQL term that ``--bind VAR=value`` stands for.

    An IRI in <>, a quoted literal (with @lang or ^^type), a number, true or
    false, or a prefixed name with a declared prefix (entity:deepseek,
    kg:Lab) is used as written. Anything else is an actor's name, read as
    :func:`kg.curate.names.resolve` reads it, and stands for entity:ID. ``actors``
    gives the known actors; it is called only when a name needs them. ``find``, if given,
    finds the actor a name names instead, as resolve would among ``actors()``.
    """
    from kg.curate.names import resolve

    written = value.strip()
    pname = _PNAME.fullmatch(written)
    if (written[:1] in ("<", '"', "'") or _NUMBER.fullmatch(written)
            or written in ("true", "false") or (pname and pname.group(1) in declared)):
        return written
    return f"entity:{(find(value) if find else resolve(value, actors())).id}"


def query_variables(text: str) -> list[str]:
    """The names of the variables the query text mentions (comments and strings
    skipped), in order of first use; empty if the text cannot be tokenised."""
    from kg.graph.guard import Refused, tokens

    found: dict[str, None] = {}
    try:
        for kind, token in tokens(text):
            if kind == "var" and len(token) > 1:
                found.setdefault(token[1:], None)
    except Refused:
        return []
    return list(found)


def bind(text: str, bindings: dict[str, str], actors: Callable[[], dict] | None = None,
         base: str | None = None, find: Callable[[str], object] | None = None) -> str:
    """Restrict variables to given values with a VALUES clause at the start of
    the query's WHERE clause.

    Inside the group, the values are joined with the patterns before any
    grouping, DISTINCT or ORDER BY, and every store reads them so; a VALUES
    after the query is read differently by some stores (Virtuoso gave rows
    for other actors).

    Each value is read by :func:`bound_term`; ``actors`` returns the known
    actors by IRI (:func:`kg.report.profile.entities`) for the values that are
    names; ``find``, if given, finds the one actor a name names instead. A
    variable the query does not use, a name that fits no actor or several,
    and a value that is not a SPARQL term are errors, each naming the --bind
    it comes from.
    """
    if not bindings:
        return text
    used = query_variables(text)
    computed = _computed_variables(text)
    declared = set(prefixes(base)) | {m.group(1) for m in _DECLARED.finditer(text[:_PROLOGUE.match(text).end()])}
    known = functools.cache(actors or _no_actors)  # read the actors once, and only for a name
    names, terms = [], []
    for name, value in bindings.items():
        where = f"--bind {name}={value}"
        if not re.fullmatch(r"\w+", name):
            raise KGError(f"{where}: a variable name is letters, digits and _")
        if used and name not in used:
            listed = ", ".join(f"?{v}" for v in used)
            raise KGError(f"{where}: the query does not use ?{name}; its variables are {listed}")
        if name in computed:  # VALUES in the group would clash with the BIND or AS that sets it
            listed = ", ".join(f"?{v}" for v in used if v not in computed)
            raise KGError(f"{where}: the query computes ?{name} with AS, so it cannot be bound; bind one of the "
                          f"variables its patterns match: {listed}")
        try:
            term = bound_term(value, declared, known, find)
        except KGError as exc:
            raise KGError(f"{where}: {exc}") from None
        _check_term(where, term, text, base)
        names.append(f"?{name}")
        terms.append(term)
    start = where_group_start(text)
    # on the line of the brace, so that the query's own lines keep their numbers in errors
    return f"{text[:start]} VALUES ({' '.join(names)}) {{ ({' '.join(terms)}) }}{text[start:]}"


def where_group_start(text: str) -> int:
    """The offset just after the ``{`` that opens the query's WHERE clause (the
    outermost group pattern; for CONSTRUCT, the group after the template)."""
    from kg.graph.guard import _TOKEN

    depth, form, where, template = 0, None, False, False
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "quote":
            break  # an unclosed string: the parser reports it
        value = match.group(kind)
        if kind == "name" and depth == 0:
            word = value.upper()
            if form is None and word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
                form = word
            elif word == "WHERE":
                where = True
        if kind == "open":
            if value == "{" and depth == 0:
                if form == "CONSTRUCT" and not where:
                    template = True  # the template: VALUES has no place there
                else:
                    if form == "CONSTRUCT" and not template:
                        raise KGError("--bind cannot go into the short form CONSTRUCT WHERE { ... }; "
                                      "write CONSTRUCT { ... } WHERE { ... }")
                    return match.end()
            depth += 1
        elif kind == "close":
            depth -= 1
    raise KGError("--bind needs a query with a WHERE clause { ... } to put its VALUES in")


def _computed_variables(text: str) -> set[str]:
    """The variables the query sets with ``AS ?x`` (BIND, or an expression it selects)."""
    from kg.graph.guard import Refused, tokens

    found, previous = set(), ""
    try:
        for kind, token in tokens(text):
            if kind == "var" and previous.upper() == "AS":
                found.add(token[1:])
            previous = token
    except Refused:
        return set()
    return found


def _no_actors() -> dict:
    raise KGError("names are looked up in the built graph, and none was given")


def _check_term(where: str, term: str, text: str, base: str | None) -> None:
    """A SyntaxError in the term is reported on the term, not inside the query."""
    import pyoxigraph

    check = f"{text[:_PROLOGUE.match(text).end()]}\nSELECT * {{ VALUES (?x) {{ ({term}) }} }}"
    try:
        check_depth(check)
        pyoxigraph.Store().query(check, prefixes=prefixes(base))
    except KGError as exc:
        raise KGError(f"{where}: {exc}") from None
    except SyntaxError as exc:
        message = _ERROR_AT.sub(r"\3", str(exc)).splitlines()[0]
        raise KGError(f"{where}: {term} is not a SPARQL term ({message})") from None
