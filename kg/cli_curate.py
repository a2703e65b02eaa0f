"""Commands for adding an article: kg source add, kg quote, kg properties, kg types, kg draft."""
from __future__ import annotations

import json
from pathlib import Path

import click

from .cli import _fail_cleanly, data_options, emit, output_options


@click.group()
def source():
    """Register articles in the corpus and the data.

    \b
    Examples:
      kg source add ~/Downloads/article.html --kind news
    """


_KINDS = click.Choice(["news", "opinion", "blog"])


@source.command("add")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@data_options
@click.option("--kind", type=_KINDS, required=True, help="What the article is: news, opinion or blog.")
@click.option("--id", "source_id", default=None, help="The source id. [default: aNNN, from the corpus file name]")
@click.option("--title", default=None, help="The title, when the article does not state it in a form found here.")
@click.option("--date", default=None, help="The date the article states (YYYY-MM-DD).")
@click.option("--author", default=None, help="The author the article states.")
@click.option("--publisher", default=None, help="The publisher, as an entity id of the data.")
@click.option("--dateline", default=None, help="The place the article is datelined from.")
@click.option("--section", default=None, help="The section the article states it belongs to.")
@_fail_cleanly
def add(file, data, corpus, base, kind, source_id, title, date, author, publisher, dateline, section):
    """Copy an article into the corpus and add its source record to the data.

    FILE is plain UTF-8 text or a saved HTML page, whose main text is
    extracted with trafilatura. The text is written to the corpus folder as
    NNN_<first 16 hex digits of its sha256>.txt, and a record with its id,
    file, sha256 and kind is inserted after the last source of the data file
    that holds the sources (the file is edited as text: its layout and
    comments stay). The record adds what the article states about itself:
    a heading line as title, a "Published Month D, YYYY" line as date, a
    "By Name" line as author, a dateline in capitals ("SAN FRANCISCO: ...");
    from HTML also the page's title, author, date and publisher metadata.
    Nothing else is guessed: give the rest with the options, which win over
    what was found. An article already in the corpus is refused with its id.

    \b
    Examples:
      kg source add article.txt --kind news
      kg source add saved-page.html --kind opinion --publisher china-daily
      kg source add notes.txt --kind blog --title "My title" --date 2025-01-30
    """
    del base
    from .corpus import resolve_corpus
    from .load import load
    from .sources import add_source
    from .values import BadValue, parse_value

    folder = resolve_corpus(corpus)
    catalog = load(data)
    if date:
        try:
            parse_value("date", date)
        except BadValue as exc:
            raise click.BadParameter(str(exc), param_hint="--date") from None
    given = {"title": title, "date": date, "author": author, "publisher": publisher,
             "dateline": dateline, "section": section}
    added = add_source(file, catalog, data, folder, kind, given, source_id)
    for note in added.notes:
        click.echo(f"Note: {note}", err=True)
    for key, value in added.record.items():
        click.echo(f"{key}: {value}")
    click.echo(f"Wrote {added.corpus_file} and added source '{added.record['id']}' to {added.data_file}", err=True)
