"""The entity each name in a dataset stands for: a curated row's entity, the crosswalk's
decision, else an entity of its own whose id is made from the name.

The same name means the same entity wherever the dataset uses it (a model in
the key column and as another model's base model meet), and an id is never
shared silently: a name whose id is taken by a curated entity, or by another of
the dataset's names, is a problem whose message gives the crosswalk line that
settles it.
"""
from __future__ import annotations

import re

from kg.curate.catalog import Catalog, Entity, Where
from kg.curate.model import EntityRecord, suggest_id
from kg.errors import Problem


class Names:
    """Resolves a dataset's names to entity ids, making the entities the crosswalk leaves undecided."""

    def __init__(self, catalog: Catalog, crosswalk: dict, problems: list[Problem]):
        self.catalog, self.crosswalk, self.problems = catalog, crosswalk, problems
        self.rows: dict[str, str] = {}  # a curated row's key name -> the entity the row describes
        self.owners: dict[str, str] = {}  # id of an entity a name made -> that name
        self.reported: set[str] = set()  # names whose problem is reported

    def curated_row(self, name: str, entity: str, where: Where, row: int) -> None:
        """A curated row decides what its key names: the entity the curator gave the row."""
        decision = self.crosswalk.get(name)
        if decision is not None and decision.entity is not None and decision.entity != entity:
            self.problems.append(where.problem(
                f"row {row} names '{name}', which the crosswalk decides is '{decision.entity}', not '{entity}'; "
                "make the row's entity and the crosswalk agree", "entity"))
            return
        self.rows.setdefault(name, entity)

    def entity(self, name: str, type_: str, where: Where, at: str = "") -> str | None:
        """The id ``name`` stands for, or None when that is a problem (reported, once per name)."""
        if name in self.rows:
            return self.rows[name]
        decision = self.crosswalk.get(name)
        if decision is not None and decision.entity is not None:
            return decision.entity if decision.entity in self.catalog.entities else None  # else reported against the crosswalk
        new = decision.new if decision is not None else None
        new_id = (decision.id if decision is not None else None) or suggest_id(name)
        owner = self.owners.get(new_id)
        if owner == name:
            return new_id
        if owner is not None:
            self._once(name, where.problem(
                f"{at}'{name}' and '{owner}' both make the id '{new_id}'; give '{name}' an id of its own: "
                f"add to the crosswalk {_line(name, f'new: {new or type_}, id: {new_id}-2')}"))
            return None
        if new_id in self.catalog.entities:
            if new is not None:
                self._once(name, where.problem(
                    f"{at}'{name}' is a new {new} in the crosswalk, but its id '{new_id}' is taken by a curated entity; "
                    f"give it an id of its own: {_line(name, f'new: {new}, id: {new_id}-2')}"))
            else:
                self._once(name, where.problem(
                    f"{at}'{name}' has no crosswalk decision and its id '{new_id}' is taken by a curated entity; "
                    f"add to the crosswalk 'name: {name}' with 'entity: {new_id}' if it is that entity, or 'new: TYPE'"))
            return None
        if new is None:
            self.catalog.undecided.append(name)
        self.owners[new_id] = name
        made_at = decision.where if new is not None else where
        self.catalog.entities[new_id] = Entity(EntityRecord(id=new_id, type=new or type_, name=name), made_at)
        self.catalog.dataset_entities.add(new_id)
        return new_id

    def _once(self, name: str, problem: Problem) -> None:
        # A name the dataset uses in many cells is one problem, not one per cell.
        if name not in self.reported:
            self.reported.add(name)
            self.problems.append(problem)


def _line(name: str, decision: str) -> str:
    return f"- {{name: {flow_scalar(name)}, {decision}}}"


def flow_scalar(value: str) -> str:
    """``value`` as a scalar of a YAML flow mapping: plain when it reads back as itself, else double-quoted."""
    import json

    import yaml

    if re.fullmatch(r"[A-Za-z0-9(][\w .()/+\-]*", value) and not value.endswith(" "):
        try:
            if yaml.safe_load(value) == value:
                return value
        except yaml.YAMLError:
            pass
    return json.dumps(value, ensure_ascii=False)
