"""Finding an actor by the name a user types.

Every command that takes an actor (``kg show``, ``kg path``, ``kg viewer
--around``, ``kg query --bind``) reads it with :func:`resolve`: an id, a label
or an alias, in any case, or a single word of one ("Nadella", "Liang"). A name
that fits several actors, or none, is an error that lists the candidates; an
empty or blank name is an error asking for one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kg.errors import KGError, did_you_mean


@dataclass(frozen=True)
class Entity:
    iri: str
    id: str
    label: str
    type: str
    aliases: tuple[str, ...] = ()
    description: str = ""


def resolve(name: str, known: dict[str, Entity]) -> Entity:
    """The one actor whose id, label or alias is ``name``, ignoring case;
    failing that, the one with ``name`` as a whole word of one of those."""
    wanted = name.strip().casefold()
    if not wanted:  # an empty name is in every name: it would list them all as ambiguous
        raise KGError(f"{name!r} is an empty name; give a name: an actor's id, label or alias, "
                      "e.g. deepseek ('kg query actors' lists them all)")
    by_id = [e for e in known.values() if e.id.casefold() == wanted]
    if by_id:
        return by_id[0]
    matches = sorted((e for e in known.values() if wanted in {n.casefold() for n in (e.label, *e.aliases)}),
                     key=lambda e: e.id)
    if not matches:  # then a part of a name: "Nadella", "Liang"
        part = re.compile(rf"(?<!\w){re.escape(wanted)}(?!\w)")
        matches = sorted((e for e in known.values() if any(part.search(n.casefold()) for n in (e.id, e.label, *e.aliases))),
                         key=lambda e: e.id)
    if len(matches) == 1:
        return matches[0]
    if matches:
        listed = ", ".join(f"{e.id} ({e.label}, {e.type})" for e in matches)
        raise KGError(f"{name!r} is ambiguous: it names {listed}; give one of these ids")
    owner = {}
    for e in sorted(known.values(), key=lambda e: e.id):
        for n in (e.id, e.label, *e.aliases):
            owner.setdefault(n, e.id)
    hint = did_you_mean(name, sorted(owner), same=owner.get)
    raise KGError(f"no actor is called {name!r}{hint}; 'kg query actors' lists them all")


def actor_id(name: str, catalog) -> str:
    """The id of the actor of ``catalog`` (kg.curate.catalog.Catalog) that ``name`` names, as :func:`resolve` reads it."""
    known = {eid: Entity(eid, eid, e.record.name, e.type, tuple(e.record.aliases)) for eid, e in catalog.entities.items()}
    return resolve(name, known).id
