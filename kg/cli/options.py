"""What the commands share: the data and output options, clean failure and writing output."""
from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from kg.errors import DataError, KGError
from kg.login import AUTH_CHOICES
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


ENDPOINT_HELP = "Read the graph from this remote SPARQL 1.1 endpoint (where kg push put it) instead of the local files."


def endpoint_options(func=None, *, graph: bool = True):
    """--endpoint URL and how to reach it: --auth, --timeout, --max-response-bytes and,
    for the commands that read the whole graph (``graph``), --default-graph IRI.

    Those commands get one ``remote`` argument, a kg.remote_graph.Remote or None
    without --endpoint; ``kg query`` (``graph=False``) gets the options one by one.
    """
    def decorator(func):
        if graph:
            func = _fail_cleanly(_as_remote(func))
            func = click.option(
                "--default-graph", metavar="IRI", default=None,
                help="The named graph that holds the graph's default graph on the store, as kg push "
                     "--default-graph put it there (Virtuoso); without it, the store's default graph.",
            )(func)
        func = click.option(
            "--auth", type=click.Choice(AUTH_CHOICES), default="none", show_default=True,
            help="Log in to the --endpoint as kg push does. Secrets come from the environment only: "
                 "KG_PUSH_TOKEN (bearer), KG_PUSH_USER and KG_PUSH_PASSWORD (basic, digest).",
        )(func)
        func = click.option(
            "--max-response-bytes", type=click.IntRange(1), default=256 * 1024 * 1024, show_default=True,
            help="Largest answer read from a remote endpoint; a larger one is an error.",
        )(func)
        func = click.option(
            "--timeout", type=click.FloatRange(min=0, min_open=True), default=30.0, show_default=True,
            help="Seconds a remote endpoint has for each answer, from connecting to its last byte.",
        )(func)
        func = click.option("--endpoint", metavar="URL", default=None, help=ENDPOINT_HELP if graph else
                            "Run on this remote SPARQL 1.1 endpoint instead of the local export.")(func)
        return func

    return decorator(func) if func is not None else decorator


def _as_remote(func):
    @functools.wraps(func)
    def wrapper(*args, endpoint, auth, timeout, max_response_bytes, default_graph, **kwargs):
        if endpoint is None:
            if auth != "none":
                raise KGError("--auth logs in to an --endpoint; give the endpoint too")
            if default_graph is not None:
                raise KGError("--default-graph names a graph on an --endpoint; give the endpoint too")
            return func(*args, remote=None, **kwargs)
        from kg.remote_graph import Remote

        return func(*args, remote=Remote(endpoint, auth, timeout, max_response_bytes, default_graph), **kwargs)

    return wrapper


def graph_store(export: Path, remote, whole_graph: bool = False):
    """The graph as a pyoxigraph store: the local export's, or the one ``remote`` serves
    (``whole_graph``: for commands that join across the whole graph, see :func:`kg.graph.store.open_store`)."""
    if remote is None:
        from kg.graph.store import open_store

        return open_store(export, whole_graph=whole_graph)
    from kg.remote_graph import fetch_graph

    return fetch_graph(remote)


def data_catalog(data: Path, corpus: Path | None, remote):
    """The checked catalog from the data, or rebuilt from the graph ``remote`` serves."""
    if remote is None:
        from kg.build import checked_catalog

        return checked_catalog(data, corpus)[0]
    from kg.graph.read_back import read_catalog

    return read_catalog(graph_store(None, remote))


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
    return f"{number:,} {singular if number == 1 else (plural or singular + 's')}"


def _base(base: str | None) -> str:
    from kg.graph.terms import DEFAULT_BASE, normalise_base

    return normalise_base(base or DEFAULT_BASE)
