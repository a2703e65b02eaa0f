"""What changed between two builds, claim by claim.

A claim's IRI is a hash of its subject, property, value and qualifiers, so the
same claim has the same IRI in both builds. Comparing them gives:

* **added** / **removed**: a claim only in the new / old build;
* **value changed**: for one subject and property, old claims went and new
  ones came (an article revised a figure, or a curator corrected one);
* **evidence added** / **evidence removed**: the same claim, with quotes from
  more or fewer articles, or cells from more or fewer rows of a dataset;
* **rank changed**: the same claim, now preferred, normal or deprecated.

Either build is an export folder or a git revision whose export/ is read
with ``git show``.
"""
from __future__ import annotations

import subprocess
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import KGError
from kg.graph.local_store import load_nquads
from kg.graph.store import NQUADS, open_store, prefixes
from kg.query import graph_base, run_local
from kg.report import evidence as cited
from kg.report.profile import qualifier_terms
from kg.report.results import Rows, Shortener, local_name, rank_name


@dataclass
class ClaimState:
    subject: str
    property: str
    value: str
    rank: str
    qualifiers: dict[str, str] = field(default_factory=dict)
    evidence: set[cited.Cited] = field(default_factory=set)  # quotes, and a dataset's cells

    def reading(self) -> str:
        return self.value + "".join(f" [{k}={v}]" for k, v in sorted(self.qualifiers.items()))


def load_build(spec: str, export: Path = Path("export")):
    """A pyoxigraph store of the build ``spec``: an export folder, a kg.nq file or a git revision."""
    path = Path(spec)
    if path.is_dir() or path.is_file():
        return open_store(path)
    if spec.startswith("-"):
        # git would read it as one of its options (--output=FILE writes a file)
        raise KGError(f"{spec!r} is neither an export folder nor a git revision: a revision cannot start with '-' "
                      f"(to name a folder of that name, write ./{spec})")
    target = f"{spec}:./{(export / NQUADS).as_posix()}"
    try:
        shown = subprocess.run(["git", "show", "--end-of-options", target], capture_output=True, check=False, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise KGError(f"{spec!r} is not an export folder, and git could not be run to read it as a revision: {exc}") from None
    if shown.returncode != 0:
        detail = shown.stderr.decode("utf-8", "replace").strip().splitlines()
        raise KGError(f"{spec!r} is neither an export folder nor a git revision with {export / NQUADS}"
                      + (f" (git: {detail[0]})" if detail else ""))
    return load_nquads(shown.stdout, f"{spec}:{export / NQUADS}")


def claim_states(store) -> dict[str, ClaimState]:
    """Every claim of a build by its IRI."""
    short = Shortener(prefixes(graph_base(store)))
    rows = run_local(store, f"""
        SELECT DISTINCT ?claim ?subjectId ?p ?v ?valueId ?valueLabel ?r ?source ?quote ?cell ?column ?q ?qv WHERE {{
          ?claim a kg:Claim ; kg:subject ?s ; kg:property ?p ; kg:value ?v ; kg:rank ?r ;
                 prov:wasDerivedFrom ?evidence .
          ?s dct:identifier ?subjectId .
          {cited.pattern()}
          # after the required patterns: pyoxigraph does not reorder across OPTIONAL
          OPTIONAL {{ ?v dct:identifier ?valueId }}
          OPTIONAL {{ ?v rdfs:label ?valueLabel }}
          OPTIONAL {{ ?claim ?q ?qv . FILTER(?q IN ({qualifier_terms()})) }}
        }}""")
    states: dict[str, ClaimState] = {}
    for row in rows:
        claim = short.term(row["claim"])
        state = states.get(claim)
        if state is None:
            value = next(t for t in (row["valueId"], row["valueLabel"], row["v"]) if t is not None)
            state = states[claim] = ClaimState(
                row["subjectId"].value, local_name(row["p"]), value.value, rank_name(row["r"]))
        if row["q"] is not None:
            state.qualifiers[local_name(row["q"])] = short.term(row["qv"]).removeprefix("entity:")
        state.evidence.add(cited.Cited.of(short.source_id(row["source"]), row["quote"], row["cell"], row["column"]))
    return states


def diff_builds(old: dict[str, ClaimState], new: dict[str, ClaimState]) -> list[dict]:
    """The changes from ``old`` to ``new``, sorted by subject and property."""
    changes = []
    gone: dict[tuple[str, str], list[ClaimState]] = defaultdict(list)
    came: dict[tuple[str, str], list[ClaimState]] = defaultdict(list)
    for claim in old.keys() - new.keys():
        gone[(old[claim].subject, old[claim].property)].append(old[claim])
    for claim in new.keys() - old.keys():
        came[(new[claim].subject, new[claim].property)].append(new[claim])
    for key in sorted(gone.keys() | came.keys()):
        before, after = sorted(gone.get(key, []), key=ClaimState.reading), sorted(came.get(key, []), key=ClaimState.reading)
        if before and after:
            changes.append(_change("value changed", key, before, after, set().union(*(c.evidence for c in after))))
        elif after:
            changes += [_change("added", key, [], [c], c.evidence) for c in after]
        else:
            changes += [_change("removed", key, [c], [], c.evidence) for c in before]
    for claim in sorted(old.keys() & new.keys(), key=lambda c: (new[c].subject, new[c].property, new[c].reading())):
        a, b = old[claim], new[claim]
        key = (b.subject, b.property)
        if b.evidence - a.evidence:
            changes.append(_change("evidence added", key, [a], [b], b.evidence - a.evidence))
        if a.evidence - b.evidence:
            changes.append(_change("evidence removed", key, [a], [b], a.evidence - b.evidence))
        if a.rank != b.rank:
            changes.append(_change("rank changed", key, [a], [b], set(), f"{a.rank} -> {b.rank}"))
    order = {"value changed": 0, "added": 1, "removed": 2, "evidence added": 3, "evidence removed": 4, "rank changed": 5}
    changes.sort(key=lambda c: (c["subject"], c["property"], order[c["change"]], c["old"], c["new"]))
    return changes


def _change(kind: str, key: tuple[str, str], before: list[ClaimState], after: list[ClaimState],
            evidence: set[cited.Cited], note: str = "") -> dict:
    return {
        "change": kind,
        "subject": key[0],
        "property": key[1],
        "old": " | ".join(c.reading() for c in before),
        "new": " | ".join(c.reading() for c in after),
        "note": note,
        "evidence": [ev.as_dict() for ev in sorted(evidence)],
    }


def summary(changes: list[dict]) -> str:
    counts: dict[str, int] = defaultdict(int)
    for change in changes:
        counts[change["change"]] += 1
    if not counts:
        return "No claim changed."
    return ", ".join(f"{n:,} {kind}" for kind, n in sorted(counts.items(), key=lambda item: -item[1]))


def diff_text(changes: list[dict]) -> str:
    marks = {"added": "+", "removed": "-", "value changed": "~", "evidence added": "+", "evidence removed": "-", "rank changed": "~"}
    lines = []
    for c in changes:
        what = {"added": c["new"], "removed": c["old"], "value changed": f"{c['old']} -> {c['new']}"}.get(c["change"], c["new"])
        note = f" ({c['note']})" if c["note"] else ""
        lines.append(f"{marks[c['change']]} {c['change']:<16} {c['subject']} {c['property']}: {what}{note}")
        lines += [f"      {cited.line(ev)}" for ev in c["evidence"]]
    lines.append(summary(changes))
    return "\n".join(lines) + "\n"


def diff_rows(changes: list[dict]) -> Rows:
    rows = Rows(["change", "subject", "property", "old", "new", "note", "source", "quote"])
    for c in changes:
        for ev in c["evidence"] or [{"source": "", "quote": ""}]:
            source = cited.from_dict(ev).cited() if ev["source"] else ""
            rows.rows.append([c["change"], c["subject"], c["property"], c["old"], c["new"], c["note"], source, ev["quote"]])
    return rows
