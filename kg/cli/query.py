"""`kg query`, `kg conflicts` and `kg show`: asking the graph questions."""
from __future__ import annotations

import functools
import sys

import click

from kg.cli.options import (_base, _fail_cleanly, data_catalog, data_options, emit, endpoint_options, export_option,
                             graph_store, output_options)
from kg.errors import KGError
from kg.report.results import GRAPH_FORMATS, TABLE_FORMATS

ALL_FORMATS = TABLE_FORMATS + GRAPH_FORMATS


@click.command()
@click.argument("query_text", metavar="QUERY", required=False)
@click.option("--list", "list_", is_flag=True, help="List the canned queries with what each answers.")
@export_option
@endpoint_options(graph=False)
@click.option("--bind", "bindings", multiple=True, metavar="VAR=VALUE",
              help="Restrict ?VAR, a variable the query uses, to VALUE: an actor's name, or a SPARQL term "
                   "(as described above); repeatable.")
@click.option("--base", default=None, envvar="KG_BASE", metavar="IRI", help="Base IRI the export was built with.")
@output_options(*ALL_FORMATS, default=None)
@_fail_cleanly
def query(query_text, list_, export, bindings, endpoint, timeout, max_response_bytes, auth, base, fmt, output):
    """Run a SPARQL query: canned by name, from a .rq file (or - for stdin), or inline.

    The prefixes kg:, entity:, claim:, source:, rdfs:, schema:, prov:, oa:...
    are declared for you, and the query sees every source's named graph as
    part of the default graph. SELECT gives table (default), json, csv or tsv
    in the standard SPARQL results formats; ASK prints true or false and exits
    0 or 1; CONSTRUCT and DESCRIBE give ttl (default), nt or jsonld.

    --bind VAR=VALUE puts VALUES (?VAR) { (TERM) } at the start of the
    query's WHERE clause, so that every store reads it alike. A VALUE
    that starts with < or a quote (an IRI or a literal), a number, true,
    false or a prefixed name with a declared prefix (entity:deepseek,
    kg:Lab) is that SPARQL term, used as written. Any other VALUE names an
    actor as kg show reads it (an id, a label, an alias or a single word of
    one, in any case) and stands for entity:ID; a name that fits several
    actors or none lists the candidates. Names are looked up in the local
    export (--export), with --endpoint too. Binding a variable the query
    does not use is an error.

    The graph is read from an on-disk pyoxigraph store of export/kg.nq,
    loaded once by the first command after a build into .kg-cache/SHA256
    beside the export folder, SHA256 being kg.nq's hash, so it is never
    stale; KG_STORE_CACHE=DIR keeps the stores in DIR, and
    KG_STORE_CACHE=off (or a cache folder that cannot be written) parses
    kg.nq into memory instead.

    \b
    Examples:
      kg query --list
      kg query trained-on
      kg query mentions --bind actor=deepseek --format csv
      kg query mentions --bind actor=Nadella
      kg query 'SELECT ?model ?chip { ?model kg:trainedOn ?chip }'
      kg query my-question.rq --format json
      kg query - < my-question.rq
      kg query 'ASK { entity:deepseek-v3 kg:trainedOn entity:nvidia-h800 }'
      kg query trained-on --endpoint http://localhost:7878/query
      KG_PUSH_USER=dba KG_PUSH_PASSWORD=... kg query actors --endpoint http://localhost:8890/sparql-auth --auth digest

    With --endpoint, an answer the store cut at its row limit (a header such
    as X-SPARQL-MaxRows) is printed, then reported as an error (exit 1).
    """
    from kg import query as q
    from kg.report.results import Rows, render_rows, render_sparql

    if list_:
        if fmt not in (None, *TABLE_FORMATS):
            raise KGError(f"--list gives table, json, csv or tsv, not {fmt}")
        rows = Rows(["name", "description"], [[c.name, c.description] for c in q.canned_queries().values()])
        emit(render_rows(rows, fmt or "table"), output)
        return
    if not query_text:
        raise click.UsageError("give a QUERY (a canned name, a .rq file, SPARQL text or - for stdin), or --list")
    if auth != "none" and not endpoint:
        raise KGError("--auth logs in to an --endpoint; give the endpoint too")
    text = q.read_stdin() if query_text == "-" else q.resolve_query(query_text)[0]
    from kg.graph.store import open_store
    from kg.report.profile import entities, find_actor

    # The export is read once, and with --endpoint only to look up the actors --bind names.
    store = functools.cache(lambda: open_store(export))
    from kg.bind import bind

    text = bind(text, _parse_bindings(bindings), lambda: entities(store()), base, lambda name: find_actor(store(), name))
    truncated = None
    if endpoint:
        from kg.remote_query import Truncated, run_remote

        try:
            result = run_remote(endpoint, text, base, timeout, max_response_bytes, auth)
        except Truncated as exc:  # the rows that came are shown, and the command still fails
            result, truncated = exc.result, exc
    else:
        result = q.run_local(store(), text, base)
    try:
        rendered, answer = render_sparql(result, fmt, q.prefixes(base))
    except (OSError, RuntimeError, ValueError) as exc:  # raised lazily while the solutions are read
        raise KGError(f"the query failed: {exc}") from None
    emit(rendered, output)
    if truncated is not None:
        raise truncated
    if answer is False:
        sys.exit(1)


def _parse_bindings(bindings: tuple[str, ...]) -> dict[str, str]:
    parsed = {}
    for item in bindings:
        name, sep, value = item.partition("=")
        if not sep or not name or not value:
            raise KGError(f"--bind {item!r}: write VAR=VALUE, e.g. --bind actor=deepseek")
        parsed[name.lstrip("?")] = value
    return parsed


@click.command()
@data_options
@click.option("--kind", "kinds", multiple=True, type=click.Choice(("value", "correction", "characterisation", "specificity", "declared")),
              help="Only disagreements of this kind; repeatable.")
@click.option("--subject", metavar="NAME", default=None,
              help="Only disagreements that involve this actor, named as kg show reads names.")
@click.option("--source", metavar="ID", default=None, help="Only disagreements in which this source backs a side.")
@endpoint_options
@output_options()
@_fail_cleanly
def conflicts(data, corpus, base, kinds, subject, source, remote, fmt, output):
    """Every point on which the sources disagree, side by side with their words.

    Each disagreement has a kind, found by its rule:

    \b
      value             a single-valued property (cost, date...) given different
                        values; a bound such as "less than" is part of the value,
                        "around" is not
      correction        a deprecated claim against the other sources' claims on
                        the same subject and property, with the curator's reason
      characterisation  the same two actors linked by properties that
                        ontology.ttl declares readings of one relation (kg:readingOf)
      specificity       a vaguer actor against a more precise one (the data's
                        broader field): GPT-4 against GPT-4o
      declared          claims the curator groups under a topic (disagreements:
                        in the data)

    Each side shows how many sources back it, and each claim on it its value,
    qualifiers, rank and reason, and every source with its quote.

    \b
    Examples:
      kg conflicts
      kg conflicts --kind correction --kind declared
      kg conflicts --subject deepseek --source a003
      kg conflicts --format csv -o conflicts.csv
      kg conflicts --format json | jq '.[].topic'
      kg conflicts --endpoint http://localhost:7878/query

    With --endpoint, the entities, claims, evidence and disagreements are read
    from the graph on that SPARQL endpoint (as kg push put it there) instead
    of the data, and the report is the same.
    """
    from kg.report.conflicts import conflict_report, conflict_rows, conflict_text, scope_text
    from kg.report.results import render_records

    _base(base)  # a bad --base is an error here too, though the report needs no IRIs
    catalog = data_catalog(data, corpus, remote)
    report = conflict_report(catalog, kinds, subject, source)
    empty = scope_text(catalog, kinds, subject, source)
    emit(render_records(report, fmt, lambda r: conflict_text(r, empty), conflict_rows), output)


@click.command()
@click.argument("entity")
@export_option
@endpoint_options
@output_options()
@_fail_cleanly
def show(entity, export, remote, fmt, output):
    """An actor's profile: names, type, and every claim with its quotes.

    ENTITY is an id, a label or an alias, in any case, or a single word of
    one: "Nadella" finds Satya Nadella. A name that fits several actors, or
    none, is an error that lists the candidates. Claims are grouped by
    property, followed by the claims of other actors that point at it and
    the statements made about it; each comes with its rank and the source
    and quote behind it.

    \b
    Examples:
      kg show deepseek
      kg show "Liang WenFeng"
      kg show nadella
      kg show H800 --format json
      kg show deepseek --endpoint http://localhost:7878/query
      KG_PUSH_USER=dba KG_PUSH_PASSWORD=... kg show nadella --endpoint http://localhost:8890/sparql-auth --auth digest --default-graph urn:kg:default

    With --endpoint, the graph is read from that SPARQL endpoint (as kg push
    put it there) instead of the local export, and the answer is the same.
    """
    from kg.report.profile import profile, profile_rows, profile_text
    from kg.report.results import render_records

    emit(render_records(profile(graph_store(export, remote), entity), fmt, profile_text, profile_rows), output)
