"""`kg path`, `kg rank`, `kg export` and `kg diff`: the graph as a network, and how it changed."""
from __future__ import annotations

from pathlib import Path

import click

from kg.cli.options import _fail_cleanly, emit, endpoint_options, export_option, graph_store, output_options


@click.command()
@click.argument("a")
@click.argument("b")
@export_option
@click.option("--max", "limit", type=click.IntRange(1), default=5, show_default=True, help="Most paths to show.")
@click.option("--deprecated", is_flag=True, help="Also follow deprecated claims.")
@endpoint_options
@output_options()
@_fail_cleanly
def path(a, b, export, limit, deprecated, remote, fmt, output):
    """The shortest connections between two actors, with the claim behind each edge.

    A and B name actors as kg show reads them: an id, a label or an alias,
    in any case, or a single word of one ("Nadella"). Claims are followed in
    either direction; each step shows the claim's property, its sources and
    a quote.

    \b
    Examples:
      kg path "Liang Wenfeng" "Nvidia H800"
      kg path deepseek openai --format json
      kg path deepseek nvidia --endpoint http://localhost:7878/query

    With --endpoint, the graph is read from that SPARQL endpoint (as kg push
    put it there) instead of the local export, and the answer is the same.
    """
    from kg.report.network import path_rows, path_text, shortest_paths
    from kg.report.results import render_records

    paths = shortest_paths(graph_store(export, remote, whole_graph=True), a, b, limit, deprecated)
    emit(render_records(paths, fmt, lambda found: path_text(found, a, b), path_rows), output)


@click.command()
@export_option
@click.option("--by", type=click.Choice(["pagerank", "betweenness", "degree"]), default="pagerank", show_default=True, help="Order by this measure.")
@click.option("--type", "types", multiple=True, metavar="TYPE", help="Only actors of this type (Lab, Model, Person...); repeatable.")
@click.option("--top", type=click.IntRange(1), default=20, show_default=True, help="How many actors to list.")
@click.option("--deprecated", is_flag=True, help="Also count deprecated claims as edges.")
@endpoint_options
@output_options()
@_fail_cleanly
def rank(export, by, types, top, deprecated, remote, fmt, output):
    """The central actors by degree, betweenness and PageRank.

    Measures are computed over the whole entity graph (an edge per claim
    between two actors), then filtered by type.

    \b
    Examples:
      kg rank
      kg rank --type Lab --type Company --by betweenness
      kg rank --top 5 --format csv
      kg rank --endpoint http://localhost:7878/query

    With --endpoint, the graph is read from that SPARQL endpoint (as kg push
    put it there) instead of the local export, and the answer is the same.
    """
    from kg.report.network import centrality, entity_graph, rank_rows
    from kg.report.results import render_rows

    graph = entity_graph(graph_store(export, remote, whole_graph=True), deprecated)
    emit(render_rows(rank_rows(centrality(graph, types), by, top), fmt), output)


@click.command("export")
@click.argument("fmt", metavar="FORMAT", type=click.Choice(["graphml", "gexf", "csv"]))
@export_option
@click.option("--nodes", is_flag=True, help="With csv: the node list (Id, Label, Type) instead of the edges.")
@click.option("--deprecated", is_flag=True, help="Also export deprecated claims as edges.")
@endpoint_options
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              default="-", show_default=True, help="Write to this file instead of stdout.")
@_fail_cleanly
def export_graph(fmt, export, nodes, deprecated, remote, output):
    """The entity graph for Gephi, Cytoscape and spreadsheets.

    graphml and gexf hold nodes (label, type) and one edge per claim
    (property, rank, claim id, sources, quote, dataset cells). csv is an edge list with
    Gephi's Source/Target/Label/Id columns; --nodes gives the node list.

    \b
    Examples:
      kg export graphml -o ai-race.graphml
      kg export gexf -o ai-race.gexf
      kg export csv -o edges.csv && kg export csv --nodes -o nodes.csv
      kg export graphml --endpoint http://localhost:7878/query -o ai-race.graphml

    With --endpoint, the graph is read from that SPARQL endpoint (as kg push
    put it there) instead of the local export, and the file is the same.
    """
    from kg.report.network import entity_graph, export_graph as render

    emit(render(entity_graph(graph_store(export, remote, whole_graph=True), deprecated), fmt, nodes), output)


@click.command()
@click.argument("old")
@click.argument("new", required=False)
@export_option
@output_options()
@_fail_cleanly
def diff(old, new, export, fmt, output):
    """How the graph changed between two builds, claim by claim.

    OLD and NEW are export folders or git revisions (their export/kg.nq is
    read with git show); NEW defaults to the --export folder. Changes are
    added, removed, value changed, evidence added or removed, and rank
    changed, each with the sources and quotes behind it.

    \b
    Examples:
      kg diff HEAD~1                      # last commit's export vs export/
      kg diff v0.1 main --format csv
      kg diff /tmp/old-export export
    """
    from kg.report.diff import claim_states, diff_builds, diff_rows, diff_text, load_build, summary
    from kg.report.results import render_records

    changes = diff_builds(claim_states(load_build(old, export)), claim_states(load_build(new or str(export), export)))
    emit(render_records(changes, fmt, diff_text, diff_rows), output)
    if fmt != "table":  # the table ends with the summary already
        click.echo(summary(changes), err=True)
