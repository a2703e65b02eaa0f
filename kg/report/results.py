"""Results in the shapes users work with.

* SPARQL answers (:func:`render_sparql`): SELECT as a table for the terminal or
  in the standard SPARQL 1.1 JSON, CSV and TSV results formats; ASK as
  ``true``/``false``; CONSTRUCT and DESCRIBE as Turtle, N-Triples or JSON-LD.
* Records of the other commands (:class:`Rows`): a table, a JSON list of
  objects, CSV or TSV with a header line.

Every command that prints results takes the same ``--format`` option
(:func:`kg.cli.options.output_options`), with the choices listed here.
"""
from __future__ import annotations

import csv
import sys
import io
import json
from dataclasses import dataclass, field

TABLE_FORMATS = ("table", "json", "csv", "tsv")
GRAPH_FORMATS = ("ttl", "nt", "jsonld")


@dataclass
class Rows:
    """Records with named columns; cells are str, int, float, bool or None."""

    columns: list[str]
    rows: list[list] = field(default_factory=list)

    def records(self) -> list[dict]:
        return [dict(zip(self.columns, row)) for row in self.rows]


def render_rows(rows: Rows, fmt: str) -> str:
    """``rows`` as table, json (a list of objects), csv or tsv."""
    if fmt == "json":
        return json.dumps(rows.records(), indent=2, ensure_ascii=False) + "\n"
    if fmt in ("csv", "tsv"):
        return _delimited(rows.columns, [[_plain(c) for c in row] for row in rows.rows], fmt)
    return table(rows.columns, [[_plain(c) for c in row] for row in rows.rows])


def render_records(data, fmt: str, text, rows) -> str:
    """Structured results in ``fmt``: ``text(data)`` for table, the data as JSON,
    or ``rows(data)`` (a :class:`Rows`) as csv or tsv."""
    if fmt == "table":
        return text(data)
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return render_rows(rows(data), fmt)


def _plain(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, float):
        return f"{cell:.6g}"
    return str(cell)


def _delimited(columns: list[str], rows: list[list[str]], fmt: str) -> str:
    out = io.StringIO()
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180
        writer.writerow(columns)
        writer.writerows(rows)
    else:
        clean = str.maketrans({"\t": " ", "\n": " ", "\r": " "})
        for row in [columns, *rows]:
            out.write("\t".join(cell.translate(clean) for cell in row) + "\n")
    return out.getvalue()


def table(columns: list[str], rows: list[list[str]]) -> str:
    """An aligned plain-text table with a header rule."""
    rows = [[cell.replace("\n", " ") for cell in row] for row in rows]
    widths = [max([len(col), *(len(row[i]) for row in rows)]) for i, col in enumerate(columns)]

    def line(cells):
        return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths)).rstrip()

    out = [line(columns), line(["-" * width for width in widths])]
    out += [line(row) for row in rows]
    return "\n".join(out) + "\n"


def local_name(term) -> str:
    """The name after the '#' of a vocabulary IRI: kg:trainedOn -> 'trainedOn'."""
    return term.value.rpartition("#")[2]


def rank_name(term) -> str:
    """kg:NormalRank -> 'normal'."""
    return local_name(term).removesuffix("Rank").lower()


class Shortener:
    """Writes IRIs as prefixed names (entity:deepseek) for reading on a terminal."""

    def __init__(self, prefixes: dict[str, str]):
        self._by_length = sorted(prefixes.items(), key=lambda item: -len(item[1]))

    def iri(self, value: str) -> str:
        for prefix, namespace in self._by_length:
            if value.startswith(namespace) and len(value) > len(namespace):
                return f"{prefix}:{value[len(namespace):]}"
        return f"<{value}>"

    def term(self, term) -> str:
        """A pyoxigraph term as a short string; '' for an unbound variable."""
        import pyoxigraph

        if term is None:
            return ""
        if isinstance(term, pyoxigraph.NamedNode):
            return self.iri(term.value)
        if isinstance(term, pyoxigraph.Literal):
            return term.value
        if isinstance(term, pyoxigraph.BlankNode):
            return f"_:{term.value}"
        return str(term)

    def source_id(self, term) -> str:
        """A source's IRI as its id: source:a000 -> 'a000'."""
        return self.term(term).removeprefix("source:")


def render_sparql(result, fmt: str | None, prefixes: dict[str, str]) -> tuple[str, bool | None]:
    """A pyoxigraph query result in ``fmt``: (text, the ASK answer or None).

    ``fmt`` None picks table for SELECT and ASK and ttl for graphs. A format
    that does not fit the query form raises KGError.
    """
    import pyoxigraph

    from kg.errors import KGError

    if isinstance(result, pyoxigraph.QueryBoolean):
        answer = bool(result)
        if fmt == "json":
            from kg.report.sparql_results import write_boolean

            return write_boolean(answer, "json").decode("utf-8") + "\n", answer
        if fmt in GRAPH_FORMATS:
            raise KGError(f"--format {fmt} is for CONSTRUCT and DESCRIBE; an ASK query answers true or false")
        return ("true" if answer else "false") + "\n", answer
    if isinstance(result, pyoxigraph.QuerySolutions):
        fmt = fmt or "table"
        if fmt in GRAPH_FORMATS:
            raise KGError(f"--format {fmt} is for CONSTRUCT and DESCRIBE; a SELECT query gives table, json, csv or tsv")
        if fmt == "table":
            short = Shortener(prefixes)
            names = [v.value for v in result.variables]
            rows = [[short.term(solution[name]) for name in names] for solution in result]
            return table(names, rows), None
        if fmt in ("csv", "tsv"):  # pyoxigraph's CSV leaves an IRI with a comma unquoted
            from kg.report.sparql_results import write_solutions

            return write_solutions(result, fmt, sys.maxsize)[0].decode("utf-8"), None
        return result.serialize(format=pyoxigraph.QueryResultsFormat.JSON).decode("utf-8"), None
    fmt = fmt or "ttl"
    if fmt not in GRAPH_FORMATS:
        raise KGError(f"--format {fmt} is for SELECT; a CONSTRUCT or DESCRIBE query gives ttl, nt or jsonld")
    return serialize_triples(result, fmt, prefixes), None


def serialize_triples(triples, fmt: str, prefixes: dict[str, str]) -> str:
    """Triples as Turtle, N-Triples or JSON-LD, sorted so the output is stable."""
    import pyoxigraph

    ordered = sorted(set(triples), key=str)
    formats = {"ttl": pyoxigraph.RdfFormat.TURTLE, "nt": pyoxigraph.RdfFormat.N_TRIPLES,
               "jsonld": pyoxigraph.RdfFormat.JSON_LD}
    kwargs = {} if fmt == "nt" else {"prefixes": dict(sorted(prefixes.items()))}
    return pyoxigraph.serialize(ordered, format=formats[fmt], **kwargs).decode("utf-8")

