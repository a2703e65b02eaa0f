"""The disagreements an actor is in, read back from the built graph.

`kg show`, the entity pages of `kg serve` and anything else that holds the
graph rather than the data read them with one query, :func:`involving_query`,
and lay the rows out with :func:`group`: each disagreement with its kind,
topic and sides, each side with the sources behind it and their quotes.
"""
from __future__ import annotations

from html import escape

from kg.curate.disagreements import KINDS
from kg.graph.terms import PREFIXES
from kg.report import evidence as cited

KG, RDFS, PROV, OA = PREFIXES["kg"], PREFIXES["rdfs"], PREFIXES["prov"], PREFIXES["oa"]


def involving_query(iri: str) -> str:
    """One row per disagreement involving ``iri``, side, claim and quote or cell (full IRIs, no prefixes needed)."""
    return f"""SELECT DISTINCT ?d ?kind ?topic ?note ?side ?sideLabel ?claim ?rank ?reason ?source ?quote ?cell ?column WHERE {{
  ?d <{KG}involves> <{iri}> ; <{KG}disagreementKind> ?kind ; <{RDFS}label> ?topic ; <{KG}hasSide> ?side .
  ?side <{RDFS}label> ?sideLabel ; <{KG}sideClaim> ?claim .
  ?claim <{KG}rank> ?rank ; <{PROV}wasDerivedFrom> ?e .
  {cited.pattern("?e")}
  OPTIONAL {{ ?d <{KG}disagreementNote> ?note }}
  OPTIONAL {{ ?claim <{KG}rankReason> ?reason }}
}}"""


def group(rows: list[dict[str, str]]) -> list[dict]:
    """Rows of :func:`involving_query` (variable -> lexical value) as disagreements with sides."""
    found: dict[str, dict] = {}
    for row in rows:
        d = found.setdefault(row["d"], {
            "iri": row["d"],
            "kind": _local(row["kind"]).removesuffix("Disagreement").lower(),
            "topic": row["topic"],
            "note": row.get("note") or "",
            "sides": {},
        })
        side = d["sides"].setdefault(row["side"], {"label": row["sideLabel"], "quotes": set(), "deprecated": set()})
        source = row["source"].rsplit("/", 1)[-1]
        side["quotes"].add(cited.Cited(source, row["quote"], row.get("cell", ""), row.get("column", "")))
        if row["rank"].endswith("DeprecatedRank"):
            side["deprecated"].add(row.get("reason") or "")
    order = {kind: i for i, kind in enumerate(KINDS)}
    result = []
    for d in sorted(found.values(), key=lambda d: (order.get(d["kind"], len(order)), d["topic"].casefold(), d["iri"])):
        sides = []
        # Sides are numbered in their IRI: -side-1, -side-2...
        for iri, side in sorted(d["sides"].items(), key=lambda item: int(item[0].rsplit("-", 1)[-1])):
            quotes = sorted(side["quotes"])
            sides.append({"label": side["label"], "sources": sorted({ev.source for ev in quotes}),
                          "reasons": sorted(side["deprecated"] - {""}),
                          "evidence": [ev.as_dict() for ev in quotes]})
        counts = [len(side["sources"]) for side in sides]
        balance = f"{counts[0]} source{'' if counts[0] == 1 else 's'} against " + " against ".join(map(str, counts[1:]))
        result.append({"iri": d["iri"], "kind": d["kind"], "topic": d["topic"], "note": d["note"],
                       "balance": balance, "sides": sides})
    return result


def read(store, iri: str) -> list[dict]:
    """The disagreements ``iri`` is in, from a pyoxigraph store."""
    from kg.query import run_local

    rows = []
    for solution in run_local(store, involving_query(iri)):
        rows.append({name: solution[name].value for name in ("d", "kind", "topic", "note", "side", "sideLabel", "claim",
                                                               "rank", "reason", "source", "quote", "cell", "column")
                     if solution[name] is not None})
    return group(rows)


def text(found: list[dict]) -> list[str]:
    """The section of `kg show`, as lines."""
    if not found:
        return []
    lines = ["", "Where the sources disagree"]
    for d in found:
        lines.append(f"  [{d['kind']}] {d['topic']}: {d['balance']}")
        if d["note"]:
            lines.append(f"    {d['note']}")
        for i, side in enumerate(d["sides"], 1):
            lines.append(f"    {i}. {side['label']}")
            for reason in side["reasons"]:
                lines.append(f"       deprecated: {reason}")
            lines += [f"       {cited.line(ev)}" for ev in side["evidence"]]
    return lines


def html(found: list[dict], link, credits: dict[str, str] | None = None) -> str:
    """The section of an entity page; ``link(iri, label)`` gives an escaped link, and
    ``credits`` the escaped credit and licence to show beside a dataset's cell, by source id."""
    if not found:
        return ""
    credits = credits or {}
    items = []
    for d in found:
        sides = []
        for side in d["sides"]:
            reasons = "".join(f"<p class=reason>Deprecated: {escape(r)}</p>" for r in side["reasons"])
            quotes = "".join(cell_html(ev, escape(ev["source"]), credits.get(ev["source"], "")) if "cell" in ev else
                             f"<blockquote>\u201c{escape(ev['quote'])}\u201d<footer>{escape(ev['source'])}</footer></blockquote>"
                             for ev in side["evidence"])
            sides.append(f"<li><strong>{escape(side['label'])}</strong> <small>({len(side['sources'])} "
                         f"source{'' if len(side['sources']) == 1 else 's'})</small>{reasons}{quotes}</li>")
        note = f"<p>{escape(d['note'])}</p>" if d["note"] else ""
        items.append(f'<li class="disagreement kind-{escape(d["kind"])}"><p><span class=kind>{escape(d["kind"])}</span> '
                     f"{link(d['iri'], d['topic'])}: {escape(d['balance'])}</p>{note}<ol>{''.join(sides)}</ol></li>")
    return f'<h2 id="disagreements">Where the sources disagree ({len(found)})</h2><ul>{"".join(items)}</ul>'


def cell_html(ev: dict, source: str, credit: str) -> str:
    """A dataset's cell on a page: its exact text, then the source (``source``, escaped
    HTML), row and column, and the dataset's credit and licence (``credit``, escaped HTML)."""
    where = escape(f"row {ev['row']}, column {ev['column']!r}")
    return (f'<blockquote class="cell"><code>{escape(ev["quote"])}</code><footer>{source} {where}'
            f"{' · ' + credit if credit else ''}</footer></blockquote>")


def credit_html(credit: str, licence: str) -> str:
    """A dataset's credit and a link to its licence, as escaped HTML."""
    if licence.startswith(("http://", "https://")):
        return f'{escape(credit)} · <a href="{escape(licence)}" rel="license nofollow">licence</a>'
    return escape(credit) + (f" · licence: {escape(licence)}" if licence else "")


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1]
