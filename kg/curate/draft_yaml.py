"""A draft written out as YAML the curator edits, with a comment on every guess."""
from __future__ import annotations

from kg.curate.draft import CandidateClaim, Draft
from kg.curate.sources import yaml_scalar


# -- writing ----------------------------------------------------------------

def render(draft: Draft) -> str:
    """The draft as YAML in the data's own shape, with a comment on every guess."""
    out = [
        f"# Draft of the entities and claims of {draft.source} ({draft.file}), written by kg draft.",
        "# Every entry is a guess from the article's words: check each against the article,",
        "# fix or delete it, then move what holds into data/. The build does not read drafts/.",
        "",
    ]
    if draft.entities:
        out.append("entities:")
        for entity in draft.entities:
            others = [s for s in entity.spellings if s != entity.name]
            out.append(f"  # line {entity.line}" + (f"; also written {', '.join(repr(s) for s in others)}" if others else ""))
            out.append(f"  - id: {entity.id}")
            if entity.type:
                out.append(f"    type: {entity.type}  # guessed from the name")
            else:
                out.append('    type: "?"  # no guess: see kg types')
            out.append(f"    name: {yaml_scalar(entity.name)}")
            if others:
                out.append(f"    aliases: [{', '.join(yaml_scalar(s) for s in others)}]")
            out.append("")
    new = [c for c in draft.claims if c.existing is None]
    more = [c for c in draft.claims if c.existing is not None]
    if new or more:
        out.append("claims:")
    for claim in new:
        out += _claim_lines(claim, draft.source)
    if more:
        out.append("  # Claims the data already holds: this article is more evidence for them.")
        out.append("  # Moved into data/ as they are, each merges with the existing claim.")
        for claim in more:
            out += _claim_lines(claim, draft.source)
    return "\n".join(out).rstrip("\n") + "\n"


def _claim_lines(claim: CandidateClaim, source: str) -> list[str]:
    lines = []
    if claim.existing:
        lines.append(f"  # line {claim.line}; already stated at {claim.existing}")
    else:
        lines.append(f"  # line {claim.line}")
    lines.append(f"  - subject: {claim.subject}")
    if claim.property:
        lines.append(f"    property: {claim.property}  # {claim.why}")
    else:
        lines.append(f'    property: "?"  # no property found: {claim.why}; choose one (kg properties)')
    lines.append(f"    value: {yaml_scalar(claim.value)}")
    if claim.qualifiers:
        lines.append("    qualifiers:")
        lines += [f"      {k}: {v}" for k, v in sorted(claim.qualifiers.items())]
    lines += ["    evidence:", f"      - source: {source}", f"        quote: {yaml_scalar(claim.quote)}", ""]
    return lines
