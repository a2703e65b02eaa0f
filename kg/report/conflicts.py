"""Where the sources disagree, side by side with their words.

What counts as a disagreement, and of which kind, is defined once, in
:mod:`kg.curate.disagreements`; this module lays each one out: every side with the
number of sources behind it, and each claim on it with its value,
qualifiers, rank and reason, and every source that gives it with its quote.
"""
from __future__ import annotations

from kg.curate.catalog import Catalog
from kg.curate.disagreements import KINDS, Disagreement, claim_text, disagreements, reported
from kg.curate.names import actor_id
from kg.errors import KGError, did_you_mean
from kg.graph.terms import short_hash
from kg.report.results import Rows


def conflict_report(catalog: Catalog, kinds: tuple[str, ...] = (), subject: str | None = None,
                    source: str | None = None) -> list[dict]:
    """Each disagreement with its sides, each side with its claims and their evidence.

    ``kinds`` keeps only those kinds; ``subject`` (named as ``kg show``
    names actors) only the disagreements that involve that actor; ``source``
    only those in which that source backs a side.
    """
    wanted = actor_id(subject, catalog) if subject is not None else None
    if source is not None and source not in catalog.sources:
        raise KGError(f"unknown source {source!r}{did_you_mean(source, catalog.sources)}; known: {', '.join(sorted(catalog.sources))}")
    names = {eid: entity.record.name for eid, entity in catalog.entities.items()}
    report = []
    for d in disagreements(catalog):
        if kinds and d.kind not in kinds:
            continue
        if wanted and wanted not in d.involves():
            continue
        if source and not any(source in side.sources for side in d.sides):
            continue
        report.append(_layout(catalog, d, names))
    return report


def source_title(catalog: Catalog, source_id: str) -> str:
    """An article's title, or a dataset's, or "" when the article states none."""
    if source_id in catalog.datasets:
        return catalog.datasets[source_id].record.title
    return catalog.sources[source_id].record.title or ""


def _layout(catalog: Catalog, d: Disagreement, names: dict[str, str]) -> dict:
    sides = []
    for side in d.sides:
        claims = []
        for claim in side.claims:
            claims.append({
                "subject": names.get(claim.subject, claim.subject),
                "property": claim.property.name,
                **reported(claim),
                "value": claim_text(claim, names),
                "reason": claim.reason or "",
                "evidence": [
                    {"source": ev.source, "title": source_title(catalog, ev.source), "quote": ev.exact or ev.quote,
                     **({"cell": ev.fragment, "row": ev.row, "column": ev.column, "note": ev.note} if ev.row else {})}
                    for ev in sorted(claim.evidence, key=lambda e: (e.source, e.start))
                ],
            })
        sides.append({"label": side.label, "sources": side.sources, "claims": claims})
    return {
        "id": "disagreement:" + short_hash(d.key),
        "kind": d.kind,
        "topic": d.topic,
        "balance": d.balance(),
        "note": d.note,
        "sides": sides,
    }


def conflict_rows(report: list[dict]) -> Rows:
    """One row per claim on a side and piece of evidence."""
    rows = Rows(["id", "kind", "topic", "side", "subject", "property", "value", "qualifiers", "rank", "reason", "source", "quote"])
    for d in report:
        for i, side in enumerate(d["sides"], 1):
            for claim in side["claims"]:
                quals = "; ".join(f"{k}={v}" for k, v in claim["qualifiers"].items())
                for ev in claim["evidence"]:
                    rows.rows.append([d["id"], d["kind"], d["topic"], i, claim["subject"], claim["property"], claim["value"],
                                      quals, claim["rank"], claim["reason"], _cited(ev), ev["quote"]])
    return rows


def _cited(ev: dict) -> str:
    """The source, and for a dataset's cell its RFC 7111 fragment: epoch-notable-ai-models#cell=94,3."""
    return f"{ev['source']}#{ev['cell']}" if "cell" in ev else ev["source"]


def scope_text(catalog: Catalog, kinds: tuple[str, ...] = (), subject: str | None = None,
               source: str | None = None) -> str:
    """What the filters ask about, as an empty report says it: "No value disagreements about Nvidia."."""
    kind = " or ".join(k for k in KINDS if k in kinds)
    words = ["No", *([kind] if kind else []), "disagreements"]
    if subject is not None:
        words.append(f"about {catalog.entities[actor_id(subject, catalog)].record.name}")
    if source is not None:
        words.append(f"in which {source} backs a side")
    if subject is None and source is None:
        words.append("between sources")
    return " ".join(words) + "."


def conflict_text(report: list[dict], empty: str = "No disagreements between sources.") -> str:
    """The report as text; ``empty`` is what it says when there is nothing (see :func:`scope_text`)."""
    if not report:
        return empty + "\n"
    counts = {kind: sum(1 for d in report if d["kind"] == kind) for kind in KINDS}
    summary = ", ".join(f"{kind} {n}" for kind, n in counts.items() if n)
    lines = [f"{len(report)} disagreement{'' if len(report) == 1 else 's'} between sources ({summary})"]
    for d in report:
        lines += ["", f"[{d['kind']}] {d['topic']}: {d['balance']}"]
        if d["note"]:
            lines.append(f"  {d['note']}")
        for i, side in enumerate(d["sides"], 1):
            count = len(side["sources"])
            lines.append(f"  {i}. {side['label']}  ({count} source{'' if count == 1 else 's'}: {', '.join(side['sources'])})")
            for claim in side["claims"]:
                quals = "".join(f" [{k}={v}]" for k, v in claim["qualifiers"].items())
                rank = "" if claim["rank"] == "normal" else f" ({claim['rank']}{': ' + claim['reason'] if claim['reason'] else ''})"
                lines.append(f"     {claim['subject']} {claim['property']} {claim['value']}{quals}{rank}")
                for ev in claim["evidence"]:
                    if "cell" in ev:
                        lines.append(f"       {ev['source']} row {ev['row']}, column {ev['column']!r}: \u201c{ev['quote']}\u201d")
                        if ev["note"]:
                            lines.append(f"         {ev['column']} notes: {' '.join(ev['note'].split())}")
                    else:
                        lines.append(f"       {ev['source']}: \u201c{ev['quote']}\u201d")
    return "\n".join(lines) + "\n"

