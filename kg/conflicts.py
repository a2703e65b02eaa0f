"""Where the sources disagree, side by side with their words.

What counts as a disagreement is defined once, in :func:`kg.stats.conflicts`;
this module only lays each one out: every value with its qualifiers, rank and
reason, and every source that gives it with its quote.
"""
from __future__ import annotations

from .load import Catalog
from .results import Rows
from .stats import conflicts, reported


def conflict_report(catalog: Catalog) -> list[dict]:
    """Each conflict with its values, and each value with its evidence."""
    report = []
    for conflict in conflicts(catalog):
        values = []
        for claim in conflict.claims:
            values.append({
                **reported(claim),
                "reason": claim.reason or "",
                "evidence": [
                    {"source": ev.source, "title": catalog.sources[ev.source].record.title or "", "quote": ev.exact or ev.quote}
                    for ev in sorted(claim.evidence, key=lambda e: (e.source, e.start))
                ],
            })
        report.append({"subject": conflict.subject, "property": conflict.property, "values": values})
    return report


def conflict_rows(report: list[dict]) -> Rows:
    rows = Rows(["subject", "property", "value", "qualifiers", "rank", "reason", "source", "quote"])
    for conflict in report:
        for value in conflict["values"]:
            quals = "; ".join(f"{k}={v}" for k, v in value["qualifiers"].items())
            for ev in value["evidence"]:
                rows.rows.append([conflict["subject"], conflict["property"], value["value"], quals,
                                  value["rank"], value["reason"], ev["source"], ev["quote"]])
    return rows


def conflict_text(report: list[dict]) -> str:
    if not report:
        return "The sources agree: no single-valued property has two values.\n"
    lines = [f"{len(report)} disagreements between sources"]
    for conflict in report:
        lines += ["", f"{conflict['subject']} {conflict['property']}:"]
        for value in conflict["values"]:
            quals = "".join(f" [{k}={v}]" for k, v in value["qualifiers"].items())
            rank = "" if value["rank"] == "normal" else f" ({value['rank']}{': ' + value['reason'] if value['reason'] else ''})"
            lines.append(f"  {value['value']}{quals}{rank}")
            for ev in value["evidence"]:
                lines.append(f"    {ev['source']}: \u201c{ev['quote']}\u201d")
    return "\n".join(lines) + "\n"
