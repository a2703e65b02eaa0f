"""``kg serve`` and ``kg push``: the graph over HTTP."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from kg.cli.options import _base, _fail_cleanly, export_option
from kg.login import AUTH_CHOICES
from kg.push_split import BATCH, RETRIES


def usable_cores() -> int:
    """The CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@click.command()
@export_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind; 0.0.0.0 exposes the server to the network.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="TCP port (0 picks a free one).")
@click.option("--timeout", type=click.FloatRange(0.1, 3600), default=10.0, show_default=True, help="Time limit per query, in seconds.")
@click.option("--processes", type=click.IntRange(1, 64), default=None,
              help="HTTP server processes sharing the port; each answers direct lookups itself and queues for its own "
                   "share of the workers.  [default: one per CPU core, at most 4 (and at most --workers)]")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Query worker processes in all, each reading the one on-disk store of the graph, shared out "
                   "among the processes.  [default: 2 per HTTP process]")
@click.option("--queue", type=click.IntRange(0, 10_000), default=32, show_default=True, help="Queries that may wait for a worker before 429.")
@click.option("--row-limit", type=click.IntRange(1), default=10_000, show_default=True, help="Rows (or triples) per result; more are cut and flagged.")
@click.option("--max-query-bytes", type=click.IntRange(1), default=64 * 1024, show_default=True, help="Largest query or request body (413 above).")
@click.option("--max-result-bytes", type=click.IntRange(1), default=64 * 1024 * 1024, show_default=True,
              help="Largest answer to a query (507 above).")
@click.option("--worker-memory", type=click.IntRange(0), default=1024, show_default=True, metavar="MB",
              help="Memory a query may use beyond the opened graph; a query that needs more fails alone (0: no cap).")
@click.option("--direct-lookups/--no-direct-lookups", default=True, show_default=True,
              help="Answer queries that are one triple pattern (a label, an IRI's triples) by an index lookup in the "
                   "HTTP processes, each of which then opens the graph's store too; all other queries run in the workers.")
@click.option("--base", default=None, envvar="KG_BASE", show_envvar=True, metavar="IRI",
              help="Base IRI of the graph; IRIs under it resolve to pages here. [default: https://w3id.org/ai-race-kg/]")
@click.option("--max-header-bytes", type=click.IntRange(1024), default=64 * 1024, show_default=True,
              help="Largest request line plus headers, a GET query's URL included (431 above).")
@click.option("--header-timeout", type=click.FloatRange(0.1, 3600), default=10.0, show_default=True,
              help="Seconds a client has to send a request's line and headers, from connecting or from the previous "
                   "response (408, or closed if nothing came).")
@click.option("--keep-alive", type=click.FloatRange(0.1, 3600), default=5.0, show_default=True,
              help="Seconds an idle connection stays open after a response.")
@click.option("--max-connections", type=click.IntRange(1), default=1000, show_default=True,
              help="Open connections per HTTP process; more are answered 503 (lowered to fit the open-files limit).")
@click.option("--access-log/--no-access-log", default=True, show_default=True, help="Log every request on stderr.")
@_fail_cleanly
def serve(export, host, port, timeout, workers, processes, queue, row_limit, max_query_bytes, max_result_bytes,
          worker_memory, direct_lookups, base, max_header_bytes, header_timeout, keep_alive, max_connections, access_log):
    """Serve the graph: a read-only SPARQL endpoint and linked-data pages.

    SPARQL 1.1 Protocol at /sparql (GET, POST form, POST
    application/sparql-query), a service description on GET /sparql, a page
    per entity (/entity/ID: HTML, Turtle or JSON-LD by Accept), the viewer
    (export/graph.html) and a query page at /, and /health. Updates, SERVICE,
    LOAD and FROM outside the store are refused. A query that is one triple
    pattern is answered by a direct index lookup (at most 1,000 rows, else a
    worker runs it); every other query runs in a worker under the time limit.
    Every process opens the graph's on-disk store read-only (see kg query
    --help), so they share one copy of it through the page cache.

    \b
    Examples:
      kg serve
      kg serve --port 8080 --timeout 5 --workers 4
      kg serve --processes 1 --workers 1 --no-direct-lookups   # the fewest processes
      KG_STORE_CACHE=off kg serve                               # each process keeps the graph in memory
      kg serve --host 0.0.0.0 --max-connections 500 --header-timeout 5
      curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT * {?s ?p ?o} LIMIT 3' localhost:8000/sparql
    """
    from kg.errors import KGError
    from kg.graph.local_store import cache_root, open_local
    from kg.graph.store import check_nquads, nquads_path
    from kg.serve.app import create_app
    from kg.serve.http import Limits
    from kg.serve.multi import serve_processes

    if processes is None:
        processes = min(usable_cores(), 4, workers or 4)
    workers = workers or 2 * processes
    if workers < processes:
        raise KGError(f"--workers {workers} is fewer than --processes {processes}: each process needs a worker")
    # Opened here, so that a missing or corrupt kg.nq is a clean error before anything starts, and
    # the on-disk store is loaded once. Every process then opens that store read-only itself and
    # shares its files through the page cache; a graph kept in memory (KG_STORE_CACHE=off, or
    # a cache folder that cannot be written) is handed to the forked HTTP processes as before.
    click.echo(f"Loading {export}/kg.nq", err=True)
    from kg.graph.switch import reading

    if direct_lookups or cache_root(nquads_path(export)) is not None:
        with reading(export):  # never a kg.nq from the middle of a build's switch
            store, folder = open_local(nquads_path(export))
        store = store if direct_lookups and folder is None else None
    else:  # no process here needs the graph: only check it, without keeping it
        check_nquads(export)
        store = None
    app = create_app(export, store=store, base=_base(base), timeout=timeout, workers=workers, queue=queue,
                     row_limit=row_limit, max_query_bytes=max_query_bytes,
                     max_result_bytes=max_result_bytes, worker_memory_mb=worker_memory,
                     direct_lookups=direct_lookups)

    limits = Limits(max_head_bytes=max_header_bytes, head_timeout=header_timeout, max_connections=max_connections)

    def started(bound_port: int, fitted: Limits) -> None:
        click.echo(f"Serving {export}/ on http://{host}:{bound_port}/ (SPARQL at /sparql) from {processes} "
                   f"process{'es' if processes > 1 else ''} and {workers} query workers; Ctrl-C stops", err=True)
        if fitted.max_connections < max_connections:
            click.echo(f"At most {fitted.max_connections} connections per process, not {max_connections}: the "
                       "open-files limit is lower (raise it with ulimit -n)", err=True)

    serve_processes(app, host, port, processes, workers, access_log, started, limits, keep_alive)


@click.command()
@export_option
@click.option("--endpoint", required=True, metavar="URL",
              help="The store's Graph Store Protocol URL, e.g. http://localhost:7878/store (Oxigraph), "
                   "http://localhost:3030/ds/data (Fuseki).")
@click.option("--graph", default=None, metavar="IRI", help="Put everything into this one named graph instead of "
              "the default graph plus one graph per source.")
@click.option("--default-graph", default=None, metavar="IRI",
              help="Store the default graph in this named graph, for stores that refuse the default graph "
                   "(Virtuoso); the canned queries then need a store whose default graph is the union of its graphs.")
@click.option("--replace", is_flag=True,
              help="Replace each graph all or nothing: load it into a temporary graph, then move it over the old one "
                   "with SPARQL Update; then drop the project's graphs the export no longer has. A re-push is "
                   "idempotent. Without it, triples are added.")
@click.option("--incremental", is_flag=True,
              help="Send only what changed since the last --incremental push to this store: the quads each graph "
                   "lost and gained, as SPARQL Update DELETE DATA and INSERT DATA, compared with a copy of the kg.nq "
                   "pushed then (kept next to the manifest). Without that copy, as --replace for the graphs whose "
                   "content changed. A stopped push can be run again: it converges.")
@click.option("--manifest", type=click.Path(dir_okay=False, path_type=Path), default=None, metavar="FILE",
              help="The push manifest to read and write.  [default: .kg-cache/push-HASH.json next to the export "
                   "folder, one per store]")
@click.option("--update-endpoint", default=None, metavar="URL",
              help="The store's SPARQL Update URL, for --replace.  [default: from --endpoint for Oxigraph "
                   "(/store: /update), Virtuoso (/sparql-graph-crud-auth: /sparql-auth) and Fuseki (/data: /update)]")
@click.option("--query-endpoint", default=None, metavar="URL",
              help="The store's SPARQL query URL, for --replace, to list the project's graphs.  [default: from "
                   "--endpoint, as for --update-endpoint]")
@click.option("--batch", type=click.IntRange(1), default=BATCH, show_default=True, metavar="TRIPLES",
              help="Triples per request.")
@click.option("--retries", type=click.IntRange(0, 20), default=RETRIES, show_default=True,
              help="Times a request is sent again after a failure that may pass (the connection broke, no answer "
                   "in time, 502, 503, 504), waiting 0.5 s, then twice as long each time. A 4xx is never retried.")
@click.option("--auth", type=click.Choice(AUTH_CHOICES), default="none", show_default=True,
              help="Authentication. Secrets come from the environment only: KG_PUSH_TOKEN (bearer), "
                   "KG_PUSH_USER and KG_PUSH_PASSWORD (basic, digest).")
@click.option("--timeout", type=click.FloatRange(1), default=300.0, show_default=True,
              help="Seconds each request has in all, from connecting to the last byte of the answer.")
@click.option("--max-response-bytes", type=click.IntRange(1), default=1024 * 1024, show_default=True,
              help="Largest answer read from the store; a larger one is an error.")
@_fail_cleanly
def push(export, endpoint, graph, default_graph, replace, incremental, manifest, update_endpoint, query_endpoint,
         batch, retries, auth, timeout, max_response_bytes):
    """Send the built graph to a SPARQL 1.1 Graph Store Protocol store.

    Works with Apache Jena Fuseki, GraphDB, Virtuoso, Amazon Neptune and
    Oxigraph server. The default graph and each source's named graph are
    sent as they are in export/kg.nq, each in requests of --batch triples
    (POST). kg.nq is read as a stream, so memory stays flat however large
    it is. A progress bar shows on a terminal.

    \b
    Examples:
      kg push --endpoint http://localhost:7878/store --replace
      kg push --endpoint http://localhost:7878/store --incremental
      KG_PUSH_USER=admin KG_PUSH_PASSWORD=... kg push --endpoint http://localhost:3030/kg/data --auth basic
      kg push --endpoint http://localhost:7878/store --graph https://example.org/ai-race --replace
      KG_PUSH_USER=dba KG_PUSH_PASSWORD=... kg push --auth digest --default-graph urn:kg:default --endpoint http://localhost:8890/sparql-graph-crud-auth --replace
      kg push --endpoint http://localhost:7878/store --batch 5000 --retries 8
    """
    from kg.push import push as run_push

    with _Progress() as progress:
        result = run_push(export, endpoint, graph=graph, replace=replace, auth=auth, timeout=timeout,
                          max_response_bytes=max_response_bytes, default_graph=default_graph, batch=batch,
                          retries=retries, update_endpoint=update_endpoint, query_endpoint=query_endpoint,
                          incremental=incremental, manifest=manifest, progress=progress)
    for name in result.cleaned:
        click.echo(f"Dropped {name}: a temporary graph an earlier push left", err=True)
    for sent in result.graphs:
        if sent.action == "unchanged":
            click.echo(f"Unchanged {sent.name}: {sent.triples} triples, not sent", err=True)
        elif sent.action == "updated":
            requests = f"{sent.requests} request{'s' if sent.requests != 1 else ''}"
            click.echo(f"Updated {sent.name}: {sent.removed} removed and {sent.triples} added in {requests}", err=True)
        else:
            requests = f"{sent.requests} request{'s' if sent.requests != 1 else ''}"
            click.echo(f"{sent.action.capitalize()} {sent.name}: {sent.triples} triples in {requests}", err=True)
    for name in result.removed:
        click.echo(f"Dropped {name}: no longer in the export", err=True)
    graphs = len(result.sent)
    if result.diffed:
        removed = sum(g.removed for g in result.sent)
        unchanged = len(result.graphs) - graphs
        click.echo(f"Sent {removed} quad{'s' if removed != 1 else ''} removed and {result.triples} added in {graphs} "
                   f"graph{'s' if graphs != 1 else ''}; {unchanged} graph{'s' if unchanged != 1 else ''} unchanged; "
                   f"to {endpoint}", err=True)
        return
    click.echo(f"Pushed {result.triples} triples in {graphs} graph{'s' if graphs != 1 else ''} to {endpoint}", err=True)


class _Progress:
    """A progress bar on stderr while triples go out, only when stderr is a terminal."""

    def __init__(self):
        self.bar = None

    def __call__(self, done: int, total: int) -> None:
        if not sys.stderr.isatty():
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="Pushing triples", file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.bar.pos)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        if self.bar is not None:
            self.bar.__exit__(*exc_info)
