"""Evidence as the reading commands show it: an article's quote, or a dataset's cell.

A quote is shown as the article's words; a cell by its source, row and column
and its exact text, so that a figure read from a table is never taken for
something an article said:

    a001: “efficient training on Nvidia H800 GPUs”
    epoch-notable-ai-models row 94, column 'Hardware quantity': “2048.0”

A dataset's facts also carry its credit and licence (``schema:creditText``,
``dct:license``, ``dct:source`` of the dataset's node), which :func:`credits`
reads from the graph.
"""
from __future__ import annotations

from typing import NamedTuple

from kg.graph.terms import PREFIXES

KG, OA, RDF, DCT, SCHEMA = PREFIXES["kg"], PREFIXES["oa"], PREFIXES["rdf"], PREFIXES["dct"], PREFIXES["schema"]


def pattern(evidence: str = "?evidence", source: str = "?source", quote: str = "?quote",
            cell: str = "?cell", column: str = "?column") -> str:
    """A SPARQL group binding an evidence node's source and exact text, and for a
    dataset's cell also its RFC 7111 fragment and column (full IRIs, no prefixes needed)."""
    sel, text = f"{evidence}Selector", f"{evidence}Text"
    return f"""{evidence} <{OA}hasSource> {source} ; <{OA}hasSelector> {sel} .
          {{ {sel} a <{KG}QuoteSelector> ; <{OA}exact> {quote} }}
          UNION {{ {sel} a <{KG}CellSelector> ; <{RDF}value> {cell} ; <{KG}column> {column} ; <{OA}refinedBy> {text} .
                   {text} <{OA}exact> {quote} }}"""


class Cited(NamedTuple):
    """One piece of evidence: a quote (``cell`` empty) or a cell of a dataset."""

    source: str
    quote: str  # the article's words, or the cell's exact text
    cell: str = ""  # RFC 7111 fragment, cell=ROW,COL
    column: str = ""  # the column's header

    @classmethod
    def of(cls, source: str, quote, cell=None, column=None) -> Cited:
        """From a query's terms (``cell`` and ``column`` unbound for a quote)."""
        text = quote.value if hasattr(quote, "value") else quote
        return cls(source, text, cell.value if cell is not None else "", column.value if column is not None else "")

    @property
    def row(self) -> int:
        return int(self.cell.removeprefix("cell=").split(",")[0]) if self.cell else 0

    def cited(self) -> str:
        """The source, and for a cell its fragment: epoch-notable-ai-models#cell=94,27."""
        return f"{self.source}#{self.cell}" if self.cell else self.source

    def where(self) -> str:
        """Where in its source: "row 94, column 'Hardware quantity'" for a cell, "" for a quote."""
        return f"row {self.row}, column {self.column!r}" if self.cell else ""

    def line(self) -> str:
        """a001: “…” for a quote, epoch-notable-ai-models row 94, column 'Hardware quantity': “2048.0” for a cell."""
        if self.cell:
            return f"{self.source} {self.where()}: \u201c{self.quote}\u201d"
        return f"{self.source}: \u201c{self.quote}\u201d"

    def as_dict(self) -> dict:
        found = {"source": self.source, "quote": self.quote}
        if self.cell:
            found.update(cell=self.cell, row=self.row, column=self.column)
        return found


def from_dict(ev: dict) -> Cited:
    return Cited(ev["source"], ev["quote"], ev.get("cell", ""), ev.get("column", ""))


def line(ev: dict) -> str:
    return from_dict(ev).line()


def credits_query(sources: list[str]) -> str:
    """The credit, licence and page of each of ``sources`` (IRIs) that has a credit."""
    values = " ".join(f"<{s}>" for s in sources)
    return f"""SELECT DISTINCT ?source ?credit ?licence ?page WHERE {{
  VALUES ?source {{ {values} }}
  ?source <{SCHEMA}creditText> ?credit .
  OPTIONAL {{ ?source <{DCT}license> ?licence }}
  OPTIONAL {{ ?source <{DCT}source> ?page }}
}} ORDER BY ?source ?credit ?licence ?page"""


def credits(store, sources) -> list[dict]:
    """For each source IRI that the graph credits (a dataset), its id, credit text,
    licence and page, as the graph states them."""
    from kg.query import run_local

    sources = sorted(set(sources))
    if not sources:
        return []
    found = []
    for row in run_local(store, credits_query(sources)):
        found.append({"source": row["source"].value.rsplit("/", 1)[-1], "credit": row["credit"].value,
                      "licence": row["licence"].value if row["licence"] is not None else "",
                      "page": row["page"].value if row["page"] is not None else ""})
    return found


def credit_line(credit: dict) -> str:
    """Data: Epoch AI (epochai.org), licence https://creativecommons.org/licenses/by/4.0/ (epoch-notable-ai-models)"""
    licence = f", licence {credit['licence']}" if credit["licence"] else ""
    return f"{credit['credit']}{licence} ({credit['source']})"
