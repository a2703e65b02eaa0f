"""Proposals for the crosswalk: which curated entity a dataset's undecided name may be.

Each proposal pairs a name with an entity of a compatible type and gives a
score from 0 to 100 with the evidence for it: which of the entity's labels
matched and how (rapidfuzz's token-set ratio on lower-cased words, which
scores "NVIDIA H800 SXM5" against "Nvidia H800" by the words they share).
The curator accepts or rejects each pair; the answer goes into the crosswalk
file as a new line, so that the file's layout and comments stay.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz

from kg.curate.catalog import Catalog
from kg.errors import KGError

THRESHOLD = 60


@dataclass(frozen=True)
class Proposal:
    name: str
    entity: str
    score: int
    evidence: str


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9.]+", text.lower()))


def proposals(catalog: Catalog, threshold: int = THRESHOLD, rejected: dict[str, set[str]] | None = None) -> list[Proposal]:
    """The best pairs for every undecided name, best first; rejected pairs are left out."""
    rejected = rejected or {}
    found = []
    for name in sorted(set(catalog.undecided)):
        own = catalog.entities.get(_own_id(catalog, name))
        kind = own.type if own is not None else None
        for entity in catalog.entities.values():
            if entity.id in catalog.dataset_entities or entity.id in rejected.get(name, set()):
                continue
            if kind is not None and not (catalog.vocab.is_a(entity.type, kind) or catalog.vocab.is_a(kind, entity.type)):
                continue
            best = max((round(fuzz.token_set_ratio(name.lower(), label.lower())), label)
                       for label in [entity.record.name, *entity.record.aliases])
            if best[0] < threshold:
                continue
            shared = sorted(_words(name) & _words(best[1]))
            evidence = (f"{best[1]!r} ({'name' if best[1] == entity.record.name else 'alias'} of {entity.id}, a {entity.type}); "
                        f"shared words: {', '.join(shared) if shared else 'none'}")
            found.append(Proposal(name, entity.id, best[0], evidence))
    return sorted(found, key=lambda p: (-p.score, p.name, p.entity))


def _own_id(catalog: Catalog, name: str) -> str:
    from kg.curate.model import suggest_id

    return suggest_id(name)


def record_answer(crosswalk: Path, name: str, entity: str, accept: bool) -> str:
    """Append the curator's answer for one pair to the crosswalk file; return the line written."""
    import json

    field = f"entity: {entity}" if accept else f"rejected: [{entity}]"
    line = f"  - {{name: {json.dumps(name, ensure_ascii=False)}, {field}}}\n"
    try:
        text = crosswalk.read_text(encoding="utf-8") if crosswalk.exists() else "crosswalk:\n"
    except OSError as exc:
        raise KGError(f"{crosswalk}: cannot read it: {exc.strerror}") from None
    if not re.search(r"^crosswalk:", text, re.M):
        raise KGError(f"{crosswalk}: has no 'crosswalk:' list to add to")
    if text and not text.endswith("\n"):
        text += "\n"
    try:
        crosswalk.write_text(text + line, encoding="utf-8")
    except OSError as exc:
        raise KGError(f"{crosswalk}: cannot write it: {exc.strerror}") from None
    return line.strip()
