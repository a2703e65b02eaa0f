"""What curators write about disagreements, checked like the rest of the data.

Two things in the YAML feed the rules of :mod:`kg.curate.disagreements`:

* ``broader`` on an entity names vaguer actors a source may name instead of
  it ("GPT-4" where another source says "GPT-4o"), so that the vaguer mention
  stays its own actor and the difference is found rather than merged away;
* ``disagreements`` lists what no rule sees, each with a topic and its sides,
  every side a list of claim ids (the optional ``id`` of a claim)::

      disagreements:
        - topic: Nadella's remark at Davos, quoted differently
          sides: [[nadella-davos-a001], [nadella-davos-a002]]

Unknown ids are errors at the file, line and column, with a did-you-mean.
"""
from __future__ import annotations

from dataclasses import dataclass

from kg.errors import Problem, did_you_mean


@dataclass
class Declared:
    """A disagreement the curator declares: a topic and the claims on each side."""

    topic: str
    sides: list[list]  # lists of kg.curate.catalog.Claim
    note: str
    where: object  # kg.curate.catalog.Where


def resolve_disagreement_data(catalog, parsed, problems: list[Problem]) -> None:
    """Check ``broader`` and claim ids, and resolve the declared disagreements."""
    from kg.curate.catalog import Where

    for entity in catalog.entities.values():
        for j, other in enumerate(entity.record.broader):
            if other == entity.id:
                problems.append(entity.where.problem(f"'{other}' cannot be broader than itself", "broader", j))
            elif other not in catalog.entities:
                problems.append(entity.where.problem(
                    f"unknown entity '{other}'{did_you_mean(other, catalog.entities)}", "broader", j))

    by_id = {claim.id: claim for claim in catalog.claims if claim.id}
    # Ids of claims that failed their own checks are known too: their problem
    # is reported there, not again at every disagreement that names them.
    written: dict[str, Where] = {}
    for doc, data in parsed:
        for i, record in enumerate(data.claims):
            if record is None or record.id is None:
                continue
            where = Where(doc, ("claims", i))
            if record.id in written:
                first = written[record.id]
                line, col = first.doc.locate(first.loc + ("id",))
                problems.append(where.problem(f"duplicate claim id '{record.id}' (first used at {first.doc.path}:{line}:{col})", "id"))
            else:
                written[record.id] = where

    for doc, data in parsed:
        for i, record in enumerate(data.disagreements or []):
            if record is None:
                continue
            where = Where(doc, ("disagreements", i))
            sides, ok, seen = [], True, set()
            for s, side in enumerate(record.sides):
                claims = []
                for c, claim_id in enumerate(side):
                    claim = by_id.get(claim_id)
                    if claim_id in seen:
                        problems.append(where.problem(f"claim '{claim_id}' is already on a side of this disagreement", "sides", s, c))
                        ok = False
                    elif claim is None and claim_id not in written:
                        problems.append(where.problem(
                            f"unknown claim '{claim_id}'{did_you_mean(claim_id, written)}; "
                            "give the claim an 'id' and name it here", "sides", s, c))
                        ok = False
                    elif claim is None:
                        ok = False
                    else:
                        claims.append(claim)
                    seen.add(claim_id)
                sides.append(claims)
            if ok:
                catalog.declared.append(Declared(record.topic, sides, record.note or "", where))


def keep_declared(declared: list[Declared], claims: list) -> list[Declared]:
    """The declared disagreements that still have two sides among ``claims`` (a selection).

    Claims are matched by key, since a selection may hold trimmed copies.
    """
    by_key = {claim.key: claim for claim in claims}
    kept = []
    for d in declared:
        sides = [[by_key[c.key] for c in side if c.key in by_key] for side in d.sides]
        sides = [side for side in sides if side]
        if len(sides) >= 2:
            kept.append(Declared(d.topic, sides, d.note, d.where))
    return kept
