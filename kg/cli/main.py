"""The ``kg`` command line: a thin layer over the library.

Every command is a few lines that call the library. Errors caused by the
input become ``Error: ...`` on stderr and exit status 1, never a traceback.
Data goes to stdout; progress and summaries go to stderr.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from kg.cli.options import _base, _count, _fail_cleanly, data_options, emit, output_options
from kg.errors import KGError

UNDECIDED_SHOWN = 10  # undecided dataset names listed after a build


def _stage_reporter():
    """Stage names on a terminal's stderr; silence in pipes and logs."""
    if not sys.stderr.isatty():
        return None
    from kg.build import STAGES

    return lambda stage: click.echo(f"  {STAGES.get(stage, stage)}...", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ai-race-kg", prog_name="kg")
def cli():
    """A provenance-first knowledge graph of the AI race.

    \b
    Quick start:
      kg build                 # check data/ and write export/
      kg stats                 # what the graph holds, and where sources disagree
      kg validate              # everything but writing, plus SHACL
    """


@cli.command()
@data_options
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("export"), show_default=True, help="Folder for the exports.")
@_fail_cleanly
def build(data, corpus, base, out):
    """Check the data and write the graph to export/.

    Loads the YAML, verifies every quote against the corpus, compiles the
    graph and replaces kg.nq, kg.ttl, kg.jsonld and the viewer graph.html in
    OUT together. On any error nothing is written and every problem is
    listed as file:line:col. A second build into the same OUT waits for the
    first to finish (and says so).

    \b
    Examples:
      kg build
      kg build --corpus ~/articles --out /tmp/export
      kg build --data data/ --base https://example.org/kg/
    """
    from kg.build import build as run_build

    result = run_build(data, corpus, out, _base(base), progress=_stage_reporter(),
                       notice=lambda message: click.echo(message, err=True))
    catalog = result.catalog
    total = sum(result.timings.values())
    click.echo(
        f"Built {_count(len(catalog.entities), 'entity', 'entities')}, {_count(len(catalog.claims), 'claim')} and "
        f"{_count(len(result.quads), 'quad')} from {_count(len(catalog.sources), 'source')}"
        f"{' and ' + _count(len(catalog.datasets), 'dataset') if catalog.datasets else ''} into {out}/ in {total:.2f}s",
        err=True,
    )
    if catalog.undecided:
        names = sorted(set(catalog.undecided))
        # A whole dataset leaves hundreds of names: the first few, and kg match for the rest.
        shown = ", ".join(names[:UNDECIDED_SHOWN]) + (f" and {len(names) - UNDECIDED_SHOWN:,} more" if len(names) > UNDECIDED_SHOWN else "")
        click.echo(f"{_count(len(names), 'dataset name')} with no crosswalk decision, each its own entity: "
                   f"{shown} (decide in data/crosswalk.yaml; kg match proposes pairs)", err=True)


@cli.command()
@data_options
@click.option("--shacl/--no-shacl", default=True, show_default=True, help="Also check the graph against kg/graph/shapes.ttl.")
@_fail_cleanly
def validate(data, corpus, base, shacl):
    """Check the data without writing anything.

    Runs every check of `kg build` (YAML, references, quotes, sha256), then
    validates the compiled graph against the SHACL shapes with pyshacl.
    Exit status is 0 when everything conforms.

    \b
    Examples:
      kg validate
      kg validate --data data/entities.yaml --no-shacl
    """
    from kg.build import check

    result = check(data, corpus, _base(base), progress=_stage_reporter())
    if shacl:
        from kg.graph.validate import shacl_violations, union_graph

        violations = shacl_violations(union_graph(result.quads))
        if violations:
            for violation in violations:
                click.echo(f"SHACL {violation.severity}: {violation}", err=True)
            raise KGError(f"the graph does not conform to the SHACL shapes ({len(violations)} results)")
    click.echo(f"OK: {len(result.catalog.claims)} claims, {len(result.quads)} quads" + (", SHACL conforms" if shacl else ""), err=True)


@cli.command()
@data_options
@output_options("table", "json")
@_fail_cleanly
def stats(data, corpus, base, fmt, output):
    """Entities by type, claims by property and source, disagreements and conflicts.

    Disagreements are counted by kind, as `kg conflicts` lists them. A
    conflict is a single-valued property (cost, date, count...) that the
    sources give different values for; each value is listed with its sources.

    \b
    Examples:
      kg stats
      kg stats --format json | jq .conflicts
    """
    from kg.build import checked_catalog
    from kg.report.stats import stats as compute

    _base(base)  # a bad --base is an error here too, though the figures need no IRIs
    figures = compute(checked_catalog(data, corpus)[0])
    if fmt == "json":
        emit(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", output)
        return
    emit(_stats_table(figures) + "\n", output)


def _stats_table(figures: dict) -> str:
    lines = [
        f"{_count(figures['entities'], 'entity', 'entities')}, {_count(figures['claims'], 'claim')}, "
        f"{_count(figures['evidence'], 'piece', 'pieces')} of evidence, {_count(figures['sources'], 'source')}"
        + (f" and {_count(figures['datasets'], 'dataset')}" if figures["datasets"] else ""),
    ]
    if figures["undecided_names"]:
        lines.append(f"{_count(figures['undecided_names'], 'dataset name')} with no crosswalk decision (kg match)")
    for title, key in (("Entities by type", "entities_by_type"), ("Claims by property", "claims_by_property"),
                       ("Claims by rank", "claims_by_rank"), ("Claims per source", "claims_per_source"),
                       ("Disagreements by kind (kg conflicts)", "disagreements_by_kind")):
        table = figures[key]
        width = max((len(k) for k in table), default=0)
        lines += ["", title]
        lines += [f"  {name:<{width}}  {count:>5,}" for name, count in table.items()]
    lines += ["", f"Conflicts ({len(figures['conflicts'])})"]
    for conflict in figures["conflicts"]:
        lines.append(f"  {conflict['subject']} {conflict['property']}:")
        for value in conflict["values"]:
            quals = "".join(f" [{k}={v}]" for k, v in value["qualifiers"].items())
            rank = "" if value["rank"] == "normal" else f" ({value['rank']})"
            lines.append(f"    {value['value']}{quals}{rank}  per {', '.join(value['sources'])}")
    return "\n".join(lines)


@cli.command()
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.option("--entities", type=click.IntRange(min=10), default=100_000, show_default=True, help="How many entities to generate.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed; the same seed gives the same files.")
@_fail_cleanly
def synth(out, entities, seed):
    """Write synthetic data and corpus for benchmarks.

    Writes OUT/data/entities.yaml and OUT/corpus/ in the shape of the real
    data, about ten triples per entity.

    \b
    Examples:
      kg synth /tmp/synth --entities 100000
      kg build --data /tmp/synth/data --corpus /tmp/synth/corpus --out /tmp/synth/export
    """
    from kg.synthetic import generate

    data_dir, corpus_dir = generate(out, entities, seed)
    click.echo(f"Wrote {data_dir} and {corpus_dir}", err=True)


# Commands of other stages live in their own modules; register them here,
# one line each. Their modules import heavy libraries inside the commands.
from kg.cli.query import conflicts, query, show  # noqa: E402

cli.add_command(query)
cli.add_command(conflicts)
cli.add_command(show)
from kg.cli.network import diff, export_graph, path, rank  # noqa: E402

cli.add_command(path)
cli.add_command(rank)
cli.add_command(export_graph)
cli.add_command(diff)
from kg.cli.serve import push, serve  # noqa: E402

cli.add_command(serve)
cli.add_command(push)
from kg.cli.gaps import gaps  # noqa: E402
from kg.cli.match import match  # noqa: E402

cli.add_command(match)
from kg.cli.viewer import viewer  # noqa: E402

cli.add_command(gaps)
cli.add_command(viewer)
from kg.cli.curate import draft, quote, source  # noqa: E402
from kg.cli.ontology import properties, types  # noqa: E402

cli.add_command(source)
cli.add_command(quote)
cli.add_command(properties)
cli.add_command(types)
cli.add_command(draft)


def main():  # pragma: no cover - console script entry point
    cli()
