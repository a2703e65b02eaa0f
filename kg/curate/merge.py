"""One claim stated in several places: its evidence merged into one claim.

A curator may keep each article's claims in a file of its own, so two files
can state the same claim (same subject, property, value and qualifiers). That
is one claim with the evidence of both. It is a problem only where the two
statements really disagree: a different rank, a different reason, or the same
quote from the same article given twice.

The merged claim keeps the first statement in read order (files sorted by
name, records in file order), so that the build does not depend on when a
file was saved. A problem goes on the newer of the two statements, the one the
curator is writing: the one in the file modified last, or, for files of the
same age, the one read later.
"""
from __future__ import annotations

import os

from kg.curate.catalog import Claim, Evidence
from kg.errors import Problem


def merge_claims(claims: list[Claim]) -> tuple[list[Claim], list[Problem]]:
    """The claims in read order, each key once with every statement's evidence."""
    kept: dict[str, Claim] = {}
    statements: dict[str, list[tuple[int, Claim]]] = {}
    for index, claim in enumerate(claims):
        statements.setdefault(claim.key, []).append((index, claim))
        if claim.key not in kept:
            kept[claim.key] = claim
    problems: list[Problem] = []
    for key, stated in statements.items():
        if len(stated) == 1:
            continue
        first_index, first = stated[0]
        evidence = list(first.evidence)
        for index, claim in stated[1:]:
            problems.extend(_disagreements(first, first_index, claim, index))
            evidence.extend(claim.evidence)
            first.id = first.id or claim.id  # an id given in either file names the merged claim
        first.evidence = _without_repeated_quotes(evidence, problems)
    return list(kept.values()), problems


def _age(where_path: str, index: int) -> tuple[int, int]:
    try:
        return os.stat(where_path).st_mtime_ns, index
    except (OSError, ValueError):
        return 0, index


def older_and_newer(a, a_index: int, b, b_index: int) -> tuple:
    """(older, newer) of two statements, claims or evidence, each with its index in read order."""
    if _age(a.where.doc.path, a_index) <= _age(b.where.doc.path, b_index):
        return a, b
    return b, a


def _at(claim: Claim, *field: str) -> str:
    line, col = claim.where.doc.locate(claim.where.loc + field)
    return f"{claim.where.doc.path}:{line}:{col}"


def _disagreements(first: Claim, first_index: int, other: Claim, other_index: int) -> list[Problem]:
    older, newer = older_and_newer(first, first_index, other, other_index)
    problems = []
    if older.rank != newer.rank:
        problems.append(newer.where.problem(
            f"the same claim is stated at {_at(older)} with rank '{older.rank}', here '{newer.rank}'; "
            f"a claim has one rank: make them agree (its evidence is merged)",
            *(("rank",) if newer.rank != "normal" else ())))
    elif older.id and newer.id and older.id != newer.id:
        problems.append(newer.where.problem(
            f"the same claim is stated at {_at(older)} with the id '{older.id}', here '{newer.id}'; "
            f"a claim has one id: keep one of them (its evidence is merged)", "id"))
    elif older.reason != newer.reason:
        problems.append(newer.where.problem(
            f"the same claim is stated at {_at(older)} with another reason ({older.reason!r}); "
            f"a claim has one reason: give both statements the same one (its evidence is merged)", "reason"))
    return problems


def _without_repeated_quotes(evidence: list[Evidence], problems: list[Problem]) -> list[Evidence]:
    """The evidence with each quote from each article once; a repeat is a problem on the newer."""
    from kg.curate.article import fold_quote  # kg.curate.corpus imports kg.curate.load, as this module does

    kept: dict[tuple[str, str], tuple[int, Evidence]] = {}
    for index, item in enumerate(evidence):
        key = (item.source, fold_quote(item.quote))
        if key not in kept:
            kept[key] = (index, item)
            continue
        earlier_index, earlier = kept[key]
        older, newer = earlier, item
        if _age(item.where.doc.path, index) < _age(earlier.where.doc.path, earlier_index):
            older, newer = item, earlier
        line, col = older.where.doc.locate(older.where.loc + ("quote",))
        problems.append(newer.where.problem(
            f"this quote from {item.source} is already evidence for the same claim at "
            f"{older.where.doc.path}:{line}:{col}; remove one of them", "quote"))
    return [item for _, item in sorted(kept.values(), key=lambda pair: pair[0])]
