"""SPARQL over the built graph: canned questions, syntax errors users can fix, remote endpoints.

A query is given inline, as a .rq file, or by the name of a canned query in
kg/queries/. It runs on pyoxigraph over the union of the default graph and
every source's named graph, with the project's prefixes declared, or on a
remote SPARQL 1.1 endpoint over the SPARQL 1.1 Protocol (kg.remote_query).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from kg.errors import KGError, did_you_mean
from kg.graph.store import prefixes

QUERIES_DIR = Path(__file__).resolve().parent / "queries"
_ERROR_AT = re.compile(r"^error at (\d+):(\d+): (.*)$", re.S)
_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.I)
_PROLOGUE = re.compile(r"^(?:\s+|#[^\n]*\n?|(?:PREFIX\s+[^\s:]*:\s*|BASE\s*)<[^>]*>)*", re.I)


@dataclass(frozen=True)
class CannedQuery:
    name: str
    path: Path
    description: str

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")


def canned_queries(folder: Path = QUERIES_DIR) -> dict[str, CannedQuery]:
    """The canned queries by name, each described by the first line of its header."""
    found = {}
    for path in sorted(folder.glob("*.rq")):
        description = ""
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("#") and line.lstrip("# ").strip():
                description = line.lstrip("# ").strip()
                break
        found[path.stem] = CannedQuery(path.stem, path, description)
    return found


def resolve_query(spec: str) -> tuple[str, str]:
    """(query text, where it came from) for a canned name, a file or inline SPARQL."""
    canned = canned_queries()
    if spec in canned:
        return canned[spec].text, f"canned query {spec!r}"
    path = Path(spec)
    if spec.endswith((".rq", ".sparql")) or ("\n" not in spec and "{" not in spec and path.is_file()):
        try:
            return path.read_text(encoding="utf-8"), str(path)
        except OSError as exc:
            raise KGError(f"cannot read query file {spec}: {exc.strerror}") from None
        except UnicodeDecodeError as exc:
            raise KGError(f"query file {spec} is not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    if re.fullmatch(r"[\w.-]+", spec) and not _FORM.search(spec):
        raise KGError(f"no canned query or file named {spec!r}{did_you_mean(spec, canned)}; 'kg query --list' shows the canned queries")
    return spec, "query"


def read_stdin() -> str:
    """The query text from standard input, which must be UTF-8."""
    import sys

    data = sys.stdin.buffer.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise KGError(f"the query on standard input is not UTF-8 text (byte {exc.start}); send it as UTF-8") from None


def query_form(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE, read after the prologue."""
    rest = text[_PROLOGUE.match(text).end():]
    match = _FORM.match(rest)
    if not match:
        raise KGError("the query must start with SELECT, ASK, CONSTRUCT or DESCRIBE (after PREFIX and BASE)")
    return match.group(1).upper()


class QuerySyntaxError(KGError):
    """A SPARQL syntax error, shown with the line and a caret under the column."""

    def __init__(self, text: str, line: int, col: int, message: str):
        self.line, self.col = line, col
        lines = text.splitlines() or [""]
        source = lines[line - 1] if 0 < line <= len(lines) else ""
        caret = " " * (max(col, 1) - 1) + "^"
        super().__init__(f"syntax error in the query at line {line}, column {col}: {message}\n  {source}\n  {caret}")


def _syntax_error(exc: SyntaxError, text: str, prefixes: dict[str, str]) -> KGError:
    match = _ERROR_AT.match(str(exc))
    if not match:
        return KGError(f"syntax error in the query: {exc}")
    line, col, message = int(match.group(1)), int(match.group(2)), match.group(3)
    if "Prefix not found" in message:
        lines = text.splitlines()
        before = lines[line - 1][: col - 1] if line <= len(lines) else ""
        name = re.search(r"([A-Za-z][\w.-]*)?:[\w.-]*$", before)
        prefix = (name.group(1) or "") if name else ""
        known = ", ".join(sorted(prefixes))
        message = f"unknown prefix {prefix + ':'!r}{did_you_mean(prefix, prefixes)}; declared: {known}"
        if name:
            col = col - len(name.group(0))
    else:
        message = message.splitlines()[0]
        if len(message) > 160:
            message = message[:157] + "..."
    return QuerySyntaxError(text, line, col, message)


def graph_base(store) -> str:
    """The base IRI a store's graph was built with (``kg build --base``), read off
    one of its sources; the default base if it has none."""
    import pyoxigraph

    from kg.graph.terms import DEFAULT_BASE, PATHS, PREFIXES

    articles = store.quads_for_pattern(None, pyoxigraph.NamedNode(PREFIXES["rdf"] + "type"),
                                       pyoxigraph.NamedNode(PREFIXES["kg"] + "Article"), None)
    first = next(articles, None)
    return first.subject.value.rpartition(PATHS["source"])[0] if first is not None else DEFAULT_BASE


MAX_DEPTH = 256  # pyoxigraph 0.5 overflows its stack (and the process dies) at a few thousand


def check_depth(text: str, limit: int = MAX_DEPTH) -> None:
    """Refuse a query nested deeper than ``limit`` brackets, or with a chain of
    operators longer than the guard's limit, before pyoxigraph crashes on it."""
    from kg.graph.guard import Refused, check_shape, tokens

    try:
        check_shape(tokens(text), limit)
    except Refused as exc:
        if exc.code == "bad_query":  # an unclosed string, after a safe start: pyoxigraph says where
            return
        raise KGError(f"{exc.message}; pyoxigraph cannot parse it safely") from None


def run_local(store, text: str, base: str | None = None):
    """Run ``text`` on a pyoxigraph store over the union graph."""
    check_depth(text)
    declared = prefixes(base)
    try:
        return store.query(text, prefixes=declared, use_default_graph_as_union=True)
    except SyntaxError as exc:
        raise _syntax_error(exc, text, declared) from None
    except OSError as exc:
        raise KGError(f"the query failed: {exc}") from None


def check_syntax(text: str, base: str | None = None) -> str:
    """Parse ``text`` without touching any data; return its query form."""
    import pyoxigraph

    form = query_form(text)
    if re.search(r"service|\\u", text, re.I):
        # pyoxigraph has no parse-only call, and evaluating even on an empty store
        # would make the SERVICE call from here: the endpoint reports the errors.
        check_depth(text)
        return form
    run_local(pyoxigraph.Store(), text, base)
    return form
