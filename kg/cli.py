"""The ``kg`` command line: a thin layer over the library.

Every command is a few lines that call the library. Errors caused by the
input become ``Error: ...`` on stderr and exit status 1, never a traceback.
Data goes to stdout; progress and summaries go to stderr.
"""
from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

import click

from .errors import DataError, KGError
from .results import TABLE_FORMATS


def _fail_cleanly(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except DataError as exc:
            click.echo(exc.report(), err=True)
            sys.exit(1)
        except KGError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(1)
        except BrokenPipeError:
            sys.stderr.close()  # the reader went away (| head); end quietly
            sys.exit(0)

    return wrapper


def data_options(func):
    """--data, --corpus and --base, shared by every command that reads the data."""
    func = click.option(
        "--base", default=None, envvar="KG_BASE", show_envvar=True, metavar="IRI",
        help="Base IRI for minted IRIs. [default: https://w3id.org/ai-race-kg/]",
    )(func)
    func = click.option(
        "--corpus", type=click.Path(file_okay=False, path_type=Path), default=None, envvar="KG_CORPUS",
        show_envvar=True, help="Folder of the source articles. [default: ../shared/corpus]",
    )(func)
    func = click.option(
        "--data", type=click.Path(path_type=Path), default=Path("data"), show_default=True,
        help="A YAML data file, or a folder of them.",
    )(func)
    return func


def export_option(func):
    """--export DIR: the built export folder that commands read the graph from."""
    return click.option(
        "--export", "export", type=click.Path(file_okay=False, path_type=Path), default=Path("export"),
        show_default=True, help="The folder 'kg build' wrote (holds kg.nq).",
    )(func)


def output_options(*formats: str, default: str | None = "table"):
    """--format and -o/--output, shared by every command that prints results.

    ``formats`` defaults to TABLE_FORMATS (table|json|csv|tsv); the
    command gets ``fmt`` and ``output`` and writes with :func:`emit`.
    """
    choices = formats or TABLE_FORMATS

    def decorator(func):
        func = click.option(
            "-o", "--output", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path), default=Path("-"),
            show_default=True, help="Write the results to this file instead of stdout.",
        )(func)
        func = click.option(
            "-f", "--format", "fmt", type=click.Choice(choices), default=default, show_default=default is not None,
            help="Output format.",
        )(func)
        return func

    return decorator


def emit(text: str, output: Path) -> None:
    """Write ``text`` to stdout (output '-') or to the file ``output``."""
    if str(output) == "-":
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise KGError(f"cannot write {output}: {exc.strerror}") from None


def _count(number: int, singular: str, plural: str | None = None) -> str:
    return f"{number} {singular if number == 1 else (plural or singular + 's')}"


def _stage_reporter():
    """Stage names on a terminal's stderr; silence in pipes and logs."""
    if not sys.stderr.isatty():
        return None
    from .build import STAGES

    return lambda stage: click.echo(f"  {STAGES.get(stage, stage)}...", err=True)


def _base(base: str | None) -> str:
    from .terms import DEFAULT_BASE, normalise_base

    return normalise_base(base or DEFAULT_BASE)


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
    listed as file:line:col.

    \b
    Examples:
      kg build
      kg build --corpus ~/articles --out /tmp/export
      kg build --data data/ --base https://example.org/kg/
    """
    from .build import build as run_build

    result = run_build(data, corpus, out, _base(base), progress=_stage_reporter())
    catalog = result.catalog
    total = sum(result.timings.values())
    click.echo(
        f"Built {_count(len(catalog.entities), 'entity', 'entities')}, {_count(len(catalog.claims), 'claim')} and "
        f"{_count(len(result.quads), 'quad')} from {_count(len(catalog.sources), 'source')} into {out}/ in {total:.2f}s",
        err=True,
    )


@cli.command()
@data_options
@click.option("--shacl/--no-shacl", default=True, show_default=True, help="Also check the graph against kg/shapes.ttl.")
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
    from .build import check

    result = check(data, corpus, _base(base), progress=_stage_reporter())
    if shacl:
        from .validate import shacl_violations, union_graph

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
    from .build import checked_catalog
    from .stats import stats as compute

    _base(base)  # a bad --base is an error here too, though the figures need no IRIs
    figures = compute(checked_catalog(data, corpus)[0])
    if fmt == "json":
        emit(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", output)
        return
    emit(_stats_table(figures) + "\n", output)


def _stats_table(figures: dict) -> str:
    lines = [
        f"{_count(figures['entities'], 'entity', 'entities')}, {_count(figures['claims'], 'claim')}, "
        f"{_count(figures['evidence'], 'piece', 'pieces')} of evidence, {_count(figures['sources'], 'source')}",
    ]
    for title, key in (("Entities by type", "entities_by_type"), ("Claims by property", "claims_by_property"),
                       ("Claims by rank", "claims_by_rank"), ("Claims per source", "claims_per_source"),
                       ("Disagreements by kind (kg conflicts)", "disagreements_by_kind")):
        table = figures[key]
        width = max((len(k) for k in table), default=0)
        lines += ["", title]
        lines += [f"  {name:<{width}}  {count:>5}" for name, count in table.items()]
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
    from .synthetic import generate

    data_dir, corpus_dir = generate(out, entities, seed)
    click.echo(f"Wrote {data_dir} and {corpus_dir}", err=True)


# Commands of other stages live in their own modules; register them here,
# one line each. Their modules import heavy libraries inside the commands.
from .cli_query import conflicts, query, show  # noqa: E402

cli.add_command(query)
cli.add_command(conflicts)
cli.add_command(show)
from .cli_network import diff, export_graph, path, rank  # noqa: E402

cli.add_command(path)
cli.add_command(rank)
cli.add_command(export_graph)
cli.add_command(diff)
from .cli_serve import push, serve  # noqa: E402

cli.add_command(serve)
cli.add_command(push)
from .cli_gaps import gaps  # noqa: E402
from .cli_viewer import viewer  # noqa: E402

cli.add_command(gaps)
cli.add_command(viewer)
from .cli_curate import draft, properties, quote, source, types  # noqa: E402

cli.add_command(source)
cli.add_command(quote)
cli.add_command(properties)
cli.add_command(types)
cli.add_command(draft)


def main():  # pragma: no cover - console script entry point
    cli()
