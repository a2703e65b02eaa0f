"""`kg viewer`: write the interactive graph viewer, optionally narrowed."""
from __future__ import annotations

from pathlib import Path

import click

from kg.cli.options import _base, _fail_cleanly, data_catalog, data_options, endpoint_options


@click.command()
@data_options
@click.option("--out", "-o", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The HTML file to write.")
@click.option("--type", "types", multiple=True, metavar="TYPE", help="Only actors of this type (or its subtypes); repeatable.")
@click.option("--source", "sources", multiple=True, metavar="ID", help="Only claims this source states; repeatable.")
@click.option("--around", metavar="ENTITY",
              help="Only the neighbourhood of this actor: an id, a label or an alias, in any case, or a single word of one.")
@click.option("--depth", type=click.IntRange(min=0), default=1, show_default=True, help="How many relations away from --around to go.")
@endpoint_options
@_fail_cleanly
def viewer(data, corpus, base, out, types, sources, around, depth, remote):
    """Write the interactive graph viewer as one offline HTML file.

    The file is what `kg build` writes as export/graph.html: actors coloured
    by type, sized by PageRank, with search, filters and every claim's quotes
    a click away. It loads nothing from the network. Filters apply in the
    order --source, --type, --around.

    \b
    Examples:
      kg viewer --out graph.html
      kg viewer --out chips.html --type Chip --type Company
      kg viewer --out a002.html --source a002
      kg viewer --out deepseek.html --around deepseek --depth 2
      kg viewer --out nadella.html --around Nadella
      kg viewer --out graph.html --endpoint http://localhost:7878/query

    With --endpoint, the entities, claims, evidence and disagreements are read
    from the graph on that SPARQL endpoint (as kg push put it there) instead
    of the data, and the page is the same.
    """
    from kg.export.files import replace_files
    from kg.export.html import viewer_html

    _base(base)  # a bad --base is an error here too, though the page needs no IRIs
    catalog = data_catalog(data, corpus, remote)
    page = viewer_html(catalog, types=types, sources=sources, around=around, depth=depth)
    out = out.resolve()
    replace_files(out.parent, {out.name: page})
    click.echo(f"Wrote {out} ({len(page.encode('utf-8')):,} bytes)", err=True)
