"""Where the sources disagree: every kind, each found by a rule you can read.

A :class:`Disagreement` joins two or more sides, each a group of claims that
tell one version. The kinds and their rules (also the comments of the kinds in
ontology.ttl):

value
    Claims about one subject and one single-valued property whose values
    differ; "less than $6M" is not "$6M", "around $6M" is. One side per value.
correction
    A deprecated claim against the claims of other sources on the same
    subject and property. The curator's reason goes with the deprecated side.
characterisation
    Claims linking the same two actors by different properties that
    ontology.ttl declares to be readings of one relation (``kg:readingOf``):
    "originated from" against "operated by". One side per property.
specificity
    Claims about one subject and property whose values are a vaguer actor and
    a more precise one (``broader`` in the data), stated by different
    sources: "GPT-4" against "GPT-4o". The vaguer side comes first.
declared
    Claims the curator groups under a topic (``disagreements`` in the data).

Nothing here assumes a source is an article: a side is backed by whatever
sources its claims' evidence cites.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from kg.curate.catalog import Catalog, Claim

KINDS = ("value", "correction", "characterisation", "specificity", "declared")
KIND_TERMS = {
    "value": "kg:ValueDisagreement",
    "correction": "kg:CorrectionDisagreement",
    "characterisation": "kg:CharacterisationDisagreement",
    "specificity": "kg:SpecificityDisagreement",
    "declared": "kg:DeclaredDisagreement",
}


@dataclass
class Side:
    label: str
    claims: list[Claim]

    @property
    def sources(self) -> list[str]:
        return sorted({ev.source for claim in self.claims for ev in claim.evidence})


@dataclass
class Disagreement:
    kind: str
    topic: str
    sides: list[Side]
    note: str = ""
    key: str = field(default="", init=False)

    def __post_init__(self):
        # The IRI follows the kind and the claims on each side, not the wording
        # of the topic, so that a reworded topic keeps its IRI.
        self.key = "\x1e".join([self.kind, *("\x1d".join(sorted(c.key for c in side.claims)) for side in self.sides)])

    @property
    def claims(self) -> list[Claim]:
        return [claim for side in self.sides for claim in side.claims]

    def involves(self) -> list[str]:
        """The actors the claims are about, point at, or are about by qualifier."""
        found = set()
        for claim in self.claims:
            found.add(claim.subject)
            if claim.value.kind == "entity":
                found.add(claim.value.lexical)
            about = claim.qualifiers.get("about")
            if about is not None:
                found.add(about.lexical)
        return sorted(found)

    def balance(self) -> str:
        """How many sources back each side: "4 sources against 1"."""
        counts = [len(side.sources) for side in self.sides]
        return f"{counts[0]} source{'' if counts[0] == 1 else 's'} against " + " against ".join(str(n) for n in counts[1:])


def disagreements(catalog: Catalog) -> list[Disagreement]:
    """Every disagreement of every kind, in a stable order.

    The claims are read in the order of their keys, not of the data files, so
    that a catalog rebuilt from the graph (kg.graph.read_back) gives the same sides.
    """
    from dataclasses import replace

    catalog = replace(catalog, claims=sorted(catalog.claims, key=lambda c: c.key))
    names = {eid: entity.record.name for eid, entity in catalog.entities.items()}
    found = (_values(catalog, names) + _corrections(catalog, names) + _characterisations(catalog, names)
             + _specificities(catalog, names) + _declared(catalog))
    order = {kind: i for i, kind in enumerate(KINDS)}
    unique = {d.key: d for d in found}
    return sorted(unique.values(), key=lambda d: (order[d.kind], d.topic.casefold(), d.key))


def claim_text(claim: Claim, names: dict[str, str]) -> str:
    """A claim's value as reports show it: an actor by its name."""
    if claim.value.kind == "entity":
        return names.get(claim.value.lexical, claim.value.lexical)
    return claim.value.display()


def _label(claim: Claim) -> str:
    return claim.property.label


def _values(catalog: Catalog, names) -> list[Disagreement]:
    found = []
    for conflict in conflicts(catalog):
        sides: dict[tuple, list[Claim]] = {}
        for claim in conflict.claims:
            bounds = [q for q in ("upperBound", "lowerBound") if q in claim.qualifiers]
            sides.setdefault((claim.value.key, tuple(bounds), tuple(_basis(claim))), []).append(claim)
        built = []
        for (_, bounds, _basis_words), claims in sides.items():
            words = {"upperBound": "at most", "lowerBound": "at least"}
            label = " ".join([*(words[b] for b in bounds), claim_text(claims[0], names), *_basis(claims[0])])
            built.append(Side(label, claims))
        subject = names.get(conflict.subject, conflict.subject)
        bases = sorted({" ".join(_basis(c)) or "nominal" for c in conflict.claims})
        note = (f"the amounts are on different bases ({', '.join(bases)}): shown side by side, not compared"
                if len(bases) > 1 else "")
        found.append(Disagreement("value", f"{subject}: {_label(conflict.claims[0])}", built, note))
    return found


def _basis(claim: Claim) -> list[str]:
    """["in 2023 money"] for an amount in a given year's money; [] for a nominal one."""
    year = claim.qualifiers.get("priceYear")
    return [f"in {year.display()} money"] if year is not None else []


def _corrections(catalog: Catalog, names) -> list[Disagreement]:
    by_key: dict[tuple[str, str], list[Claim]] = defaultdict(list)
    for claim in catalog.claims:
        by_key[(claim.subject, claim.property.name)].append(claim)
    found = []
    for claim in catalog.claims:
        if claim.rank != "deprecated":
            continue
        own = {ev.source for ev in claim.evidence}
        others = [c for c in by_key[(claim.subject, claim.property.name)]
                  if c is not claim and c.rank != "deprecated" and {ev.source for ev in c.evidence} - own]
        if not others:
            continue
        subject = names.get(claim.subject, claim.subject)
        others.sort(key=lambda c: (claim_text(c, names), c.key))
        found.append(Disagreement(
            "correction", f"{subject}: {_label(claim)}",
            [Side(f"{claim_text(claim, names)} (deprecated)", [claim]),
             Side(", ".join(dict.fromkeys(claim_text(c, names) for c in others)), others)]))
    return found


def _characterisations(catalog: Catalog, names) -> list[Disagreement]:
    relations = catalog.vocab.relations
    groups: dict[tuple[str, str, str], dict[str, list[Claim]]] = defaultdict(lambda: defaultdict(list))
    for claim in catalog.claims:
        relation = claim.property.reading_of
        if relation and claim.value.kind == "entity" and claim.rank != "deprecated":
            groups[(relation, claim.subject, claim.value.lexical)][claim.property.name].append(claim)
    found = []
    for (relation, subject, value), by_property in sorted(groups.items()):
        if len(by_property) < 2:
            continue
        sides = [Side(claims[0].property.label, sorted(claims, key=lambda c: c.key))
                 for _, claims in sorted(by_property.items(), key=lambda item: item[1][0].property.label)]
        labels = " and ".join(f"'{side.label}'" for side in sides)
        found.append(Disagreement(
            "characterisation", f"{names.get(subject, subject)} and {names.get(value, value)}: {relations.get(relation, relation)}",
            sides, f"{labels} are readings of one relation in ontology.ttl"))
    return found


def _broader(catalog: Catalog) -> dict[str, set[str]]:
    """Each actor's broader actors, transitively."""
    direct = {eid: set(entity.record.broader) for eid, entity in catalog.entities.items()}
    closed: dict[str, set[str]] = {}
    for eid in direct:
        seen, todo = set(), list(direct[eid])
        while todo:
            other = todo.pop()
            if other not in seen and other != eid:
                seen.add(other)
                todo.extend(direct.get(other, ()))
        closed[eid] = seen
    return closed


def _specificities(catalog: Catalog, names) -> list[Disagreement]:
    broader = _broader(catalog)
    by_value: dict[tuple[str, str], dict[str, list[Claim]]] = defaultdict(lambda: defaultdict(list))
    for claim in catalog.claims:
        if claim.value.kind == "entity" and claim.rank != "deprecated":
            by_value[(claim.subject, claim.property.name)][claim.value.lexical].append(claim)
    found = []
    for (subject, _prop), values in sorted(by_value.items()):
        for precise, precise_claims in sorted(values.items()):
            for vague in sorted(broader.get(precise, ())):
                vague_claims = values.get(vague)
                if not vague_claims:
                    continue
                vague_side = Side(names.get(vague, vague), vague_claims)
                precise_side = Side(names.get(precise, precise), precise_claims)
                # One source naming both is not a contradiction; two naming one each is.
                if not (set(vague_side.sources) - set(precise_side.sources)
                        and set(precise_side.sources) - set(vague_side.sources)):
                    continue
                found.append(Disagreement(
                    "specificity",
                    f"{names.get(subject, subject)}: {_label(precise_claims[0])} {vague_side.label} or {precise_side.label}",
                    [vague_side, precise_side],
                    f"{vague_side.label} is broader or vaguer than {precise_side.label}"))
    return found


def _declared(catalog: Catalog) -> list[Disagreement]:
    names = {eid: entity.record.name for eid, entity in catalog.entities.items()}
    found = []
    for declared in catalog.declared:
        sides = []
        for claims in declared.sides:
            # By actor, property and value, not as listed in the data: the graph keeps no order.
            claims = sorted(claims, key=lambda c: (names.get(c.subject, c.subject).casefold(), c.property.label,
                                                   claim_text(c, names).casefold(), c.key))
            by_property: dict[str, list[str]] = {}
            for c in claims:
                by_property.setdefault(c.property.label, []).append(claim_text(c, names))
            label = "; ".join(f"{prop} {', '.join(dict.fromkeys(values))}" for prop, values in by_property.items())
            sides.append(Side(label, list(claims)))
        found.append(Disagreement("declared", declared.topic, sides, declared.note))
    return found


@dataclass
class Conflict:
    """Claims about one subject and one single-valued property whose values differ."""

    subject: str
    property: str
    claims: list[Claim]

    @property
    def values(self) -> list[str]:
        return sorted({claim.value.display() for claim in self.claims})


def conflicts(catalog: Catalog) -> list[Conflict]:
    """Single-valued properties stated with different values.

    "less than $6 million" and "$6 million" disagree as much as "$5.6 million"
    and "$6 million" do, so a bound counts as part of the value; "around"
    does not, since "around 2,000" and "2,000" tell the same story.
    """
    groups: dict[tuple[str, str], list[Claim]] = defaultdict(list)
    for claim in catalog.claims:
        if claim.property.single_valued:
            groups[(claim.subject, claim.property.name)].append(claim)
    found = []
    for (subject, prop), claims in sorted(groups.items()):
        if len({_reading(claim) for claim in claims}) > 1:
            found.append(Conflict(subject, prop, sorted(claims, key=lambda c: (c.value.key, sorted(c.qualifiers)))))
    return found


def reported(claim: Claim) -> dict:
    """What a claim says, as reports show it: its value, qualifiers and rank."""
    return {
        "value": claim.value.display(),
        "qualifiers": {k: v.display() for k, v in sorted(claim.qualifiers.items())},
        "rank": claim.rank,
    }


def _reading(claim: Claim) -> tuple:
    bounds = tuple(sorted(k for k in claim.qualifiers if k in ("upperBound", "lowerBound", "priceYear")))
    return (claim.value.key, bounds)
