"""``kg serve`` and ``kg push``: the graph over HTTP."""
from __future__ import annotations

from pathlib import Path

import click

from .cli import _base, _fail_cleanly

EXPORT = click.option("--export", "export", type=click.Path(file_okay=False, path_type=Path), default=Path("export"),
                      show_default=True, help="Folder holding the built graph (kg.nq).")


@click.command()
@EXPORT
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind; 0.0.0.0 exposes the server to the network.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="TCP port (0 picks a free one).")
@click.option("--timeout", type=click.FloatRange(0.1, 3600), default=10.0, show_default=True, help="Time limit per query, in seconds.")
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True, help="Query worker processes, each holding the graph.")
@click.option("--queue", type=click.IntRange(0, 10_000), default=32, show_default=True, help="Queries that may wait for a worker before 429.")
@click.option("--row-limit", type=click.IntRange(1), default=10_000, show_default=True, help="Rows (or triples) per result; more are cut and flagged.")
@click.option("--max-query-bytes", type=click.IntRange(1), default=64 * 1024, show_default=True, help="Largest query or request body (413 above).")
@click.option("--base", default=None, envvar="KG_BASE", show_envvar=True, metavar="IRI",
              help="Base IRI of the graph; IRIs under it resolve to pages here. [default: https://w3id.org/ai-race-kg/]")
@click.option("--access-log/--no-access-log", default=True, show_default=True, help="Log every request on stderr.")
@_fail_cleanly
def serve(export, host, port, timeout, workers, queue, row_limit, max_query_bytes, base, access_log):
    """Serve the graph: a read-only SPARQL endpoint and linked-data pages.

    SPARQL 1.1 Protocol at /sparql (GET, POST form, POST
    application/sparql-query), a service description on GET /sparql, a page
    per entity (/entity/ID: HTML, Turtle or JSON-LD by Accept), the viewer
    (export/graph.html) and a query page at /, and /health. Updates, SERVICE,
    LOAD and FROM outside the store are refused; every query has a time limit.

    \b
    Examples:
      kg serve
      kg serve --port 8080 --timeout 5 --workers 4
      curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT * {?s ?p ?o} LIMIT 3' localhost:8000/sparql
    """
    import uvicorn

    from .serve.app import create_app

    app = create_app(export, base=_base(base), timeout=timeout, workers=workers, queue=queue,
                     row_limit=row_limit, max_query_bytes=max_query_bytes)
    click.echo(f"Serving {export}/ on http://{host}:{port}/ (SPARQL at /sparql); Ctrl-C stops", err=True)
    uvicorn.run(app, host=host, port=port, access_log=access_log, log_level="info" if access_log else "warning")
