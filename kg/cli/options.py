"""What the commands share: the data and output options, clean failure and writing output."""
from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from kg.errors import DataError, KGError
from kg.report.results import TABLE_FORMATS


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


def _datasets_folder(ctx, param, value):
    # Every command that reads the data reads the datasets too; the folder is
    # set for this invocation only (None resets it to $KG_DATASETS or the default).
    from kg.curate.datasets import DATASETS_FOLDER

    token = DATASETS_FOLDER.set(value)
    ctx.call_on_close(lambda: DATASETS_FOLDER.reset(token))
    return value


def data_options(func):
    """--data, --corpus, --datasets and --base, shared by every command that reads the data."""
    func = click.option(
        "--base", default=None, envvar="KG_BASE", show_envvar=True, metavar="IRI",
        help="Base IRI for minted IRIs. [default: https://w3id.org/ai-race-kg/]",
    )(func)
    func = click.option(
        "--datasets", type=click.Path(file_okay=False, path_type=Path), default=None, envvar="KG_DATASETS",
        show_envvar=True, expose_value=False, callback=_datasets_folder,
        help="Folder of the source datasets. [default: ../shared/datasets]",
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


def _base(base: str | None) -> str:
    from kg.graph.terms import DEFAULT_BASE, normalise_base

    return normalise_base(base or DEFAULT_BASE)
