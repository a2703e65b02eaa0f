"""``kg properties`` and ``kg types``: the ontology's claim properties and actor types."""
from __future__ import annotations

from pathlib import Path

import click

from kg.cli.options import _fail_cleanly, data_options, emit, output_options
from kg.errors import KGError


def _vocab_and_catalog(data: Path):
    from kg.curate.load import load

    catalog = load(data)
    return catalog.vocab, catalog


def _check_type(vocab, name: str | None, option: str) -> None:
    from kg.errors import did_you_mean

    if name and name not in vocab.classes:
        raise KGError(f"{option}: unknown type '{name}'{did_you_mean(name, vocab.actor_types)}; see kg types")


@click.command()
@click.argument("search", required=False)
@click.option("--kind", type=click.Choice(["entity", "text", "count", "date", "amount", "quantity", "duration", "boolean"]),
              default=None, help="Only properties whose value is of this kind.")
@click.option("--domain", "domain", default=None, metavar="TYPE", help="Only properties a TYPE can be the subject of.")
@click.option("--range", "range_", default=None, metavar="TYPE", help="Only entity properties whose value can be a TYPE.")
@data_options
@output_options()
@_fail_cleanly
def properties(search, kind, domain, range_, data, corpus, base, fmt, output):
    """List the claim properties a claim can use, with a real example.

    For each kg:ClaimProperty of ontology.ttl: its value kind (how `value` is
    written), domain (the subject's type) and range (the value's type, for
    entity values), whether it is single-valued (different values are a
    disagreement), the qualifiers a claim may carry, its description, and
    the first claim of the data that uses it. SEARCH keeps the properties
    whose name, label, description or registered phrases contain it.

    \b
    Examples:
      kg properties
      kg properties --domain Model --kind entity
      kg properties cost --format json
    """
    del corpus, base
    from kg.report.properties import property_rows
    from kg.report.results import render_rows

    vocab, catalog = _vocab_and_catalog(data)
    _check_type(vocab, domain, "--domain")
    _check_type(vocab, range_, "--range")
    rows = property_rows(vocab, catalog, kind, domain, range_, search)
    if fmt == "table":
        columns = ["property", "kind", "domain", "range", "single_valued", "description", "example"]
        from kg.report.results import Rows

        short = Rows(columns, [[r[rows.columns.index(c)] for c in columns] for r in rows.rows])
        qualifiers = ", ".join(sorted(vocab.qualifiers))
        emit(render_rows(short, "table") + f"\nQualifiers, on any claim: {qualifiers}\n", output)
        return
    emit(render_rows(rows, fmt), output)


@click.command()
@click.option("--parent", default=None, metavar="TYPE", help="Only TYPE and its subtypes.")
@data_options
@output_options()
@_fail_cleanly
def types(parent, data, corpus, base, fmt, output):
    """List the actor types an entity can have.

    For each subclass of kg:Actor in ontology.ttl: its label, its parent
    types (a property whose domain is a parent applies to it too), how many
    entities of the data have it, its description and one of them.

    \b
    Examples:
      kg types
      kg types --parent Organization --format csv
    """
    del corpus, base
    from kg.report.properties import type_rows
    from kg.report.results import render_rows

    vocab, catalog = _vocab_and_catalog(data)
    _check_type(vocab, parent, "--parent")
    emit(render_rows(type_rows(vocab, catalog, parent), fmt), output)
