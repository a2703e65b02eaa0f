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

KG, RDFS, PROV, OA = PREFIXES["kg"], PREFIXES["rdfs"], PREFIXES["prov"], PREFIXES["oa"]


def involving_query(iri: str) -> str:
    """One row per disagreement involving ``iri``, side, claim and quote (full IRIs, no prefixes needed)."""
    return f"""SELECT DISTINCT ?d ?kind ?topic ?note ?side ?sideLabel ?claim ?rank ?reason ?source ?quote WHERE {{
  ?d <{KG}involves> <{iri}> ; <{KG}disagreementKind> ?kind ; <{RDFS}label> ?topic ; <{KG}hasSide> ?side .
  ?side <{RDFS}label> ?sideLabel ; <{KG}sideClaim> ?claim .
  ?claim <{KG}rank> ?rank ; <{PROV}wasDerivedFrom> ?e .
  ?e <{OA}hasSource> ?source ; <{OA}hasSelector> ?sel .
  ?sel a <{KG}QuoteSelector> ; <{OA}exact> ?quote .
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
        side["quotes"].add((source, row["quote"]))
        if row["rank"].endswith("DeprecatedRank"):
            side["deprecated"].add(row.get("reason") or "")
    order = {kind: i for i, kind in enumerate(KINDS)}
    result = []
    for d in sorted(found.values(), key=lambda d: (order.get(d["kind"], len(order)), d["topic"].casefold(), d["iri"])):
        sides = []
        # Sides are numbered in their IRI: -side-1, -side-2...
        for iri, side in sorted(d["sides"].items(), key=lambda item: int(item[0].rsplit("-", 1)[-1])):
            quotes = sorted(side["quotes"])
            sides.append({"label": side["label"], "sources": sorted({s for s, _ in quotes}),
                          "reasons": sorted(side["deprecated"] - {""}),
                          "evidence": [{"source": s, "quote": q} for s, q in quotes]})
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
                                                               "rank", "reason", "source", "quote")
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
            for ev in side["evidence"]:
                lines.append(f"       {ev['source']}: \u201c{ev['quote']}\u201d")
    return lines


def html(found: list[dict], link) -> str:
    """The section of an entity page; ``link(iri, label)`` gives an escaped link."""
    if not found:
        return ""
    items = []
    for d in found:
        sides = []
        for side in d["sides"]:
            reasons = "".join(f"<p class=reason>Deprecated: {escape(r)}</p>" for r in side["reasons"])
            quotes = "".join(f"<blockquote>\u201c{escape(ev['quote'])}\u201d<footer>{escape(ev['source'])}</footer></blockquote>"
                             for ev in side["evidence"])
            sides.append(f"<li><strong>{escape(side['label'])}</strong> <small>({len(side['sources'])} "
                         f"source{'' if len(side['sources']) == 1 else 's'})</small>{reasons}{quotes}</li>")
        note = f"<p>{escape(d['note'])}</p>" if d["note"] else ""
        items.append(f'<li class="disagreement kind-{escape(d["kind"])}"><p><span class=kind>{escape(d["kind"])}</span> '
                     f"{link(d['iri'], d['topic'])}: {escape(d['balance'])}</p>{note}<ol>{''.join(sides)}</ol></li>")
    return f'<h2 id="disagreements">Where the sources disagree ({len(found)})</h2><ul>{"".join(items)}</ul>'


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1]
