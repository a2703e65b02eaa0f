"""`kg gaps`: the names and figures in the articles that the data does not cover."""
from __future__ import annotations

import json
import sys

import click

from kg.cli.options import _count, _fail_cleanly, data_options


@click.command()
@data_options
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True, help="Output format.")
@click.option("--check", is_flag=True, help="Exit with status 1 when anything is left uncovered (for CI).")
@_fail_cleanly
def gaps(data, corpus, base, fmt, check):
    """Names and figures in the articles that no entity or claim covers.

    Reads every *.txt in the corpus folder, finds proper names and figures,
    and lists each one that the data does not account for, as
    file:line:col, kind and text. A figure is covered when it lies inside a
    claim's evidence quote; a name also when it lies inside an occurrence of
    an entity's name or alias (case-sensitive, whole words) or is part of
    what its source record states (title, author, dateline, section).
    Articles without a source record are checked against names only.

    \b
    Heuristics:
      names    runs of capitalised words, words with inner capitals or digits
               (DeepSeek, o1, 01.AI, U.S.) and @handles, joined by spaces or
               'of', with a version number kept (Llama 3.1); a possessive
               ends a name; generic acronyms (AI, CEO, GPU) and nationality
               adjectives (Chinese, American) alone are not names
      starts   the first word of a sentence, quotation or table cell is
               kept when it has inner capitals or digits; dropped when it
               is a function word (The, Last, One...); kept when it is
               capitalised mid-sentence somewhere in the corpus and is
               never in lower case there or a name follows it; else
               dropped when the corpus uses it in lower case, it ends in
               -ly/-ing/-ed or a comma follows it
      headings short lines without closing punctuation keep only words with
               inner capitals or digits, or capitalised mid-sentence
               somewhere and never in lower case; a table row's first cell
               is its label
      figures  money ($5.6 million, US$6 million), numbers with multiplier
               or unit (2,000, ~80 Billion, 3.2 TB/s, 700W, 4th Gen),
               percentages, dates (January 24, 2025, Monday, 2021, 1950s)
               and spelled-out spans (two months, ten times); vague
               quantities such as 'billions' are not figures

    Exit status is 0 (1 with --check when something is listed); the count
    goes to stderr.

    \b
    Examples:
      kg gaps
      kg gaps --corpus ~/articles --format json
      kg gaps --check
    """
    del base  # shared option; IRIs play no part in coverage
    from kg.curate.corpus import resolve_corpus, verify_quotes
    from kg.curate.gaps import find_gaps
    from kg.curate.load import load

    folder = resolve_corpus(corpus)
    catalog = load(data, corpus=folder)
    verify_quotes(catalog, folder)  # every quote located: its span covers what it says
    found = find_gaps(catalog, folder)
    if fmt == "json":
        click.echo(json.dumps([g.to_dict() for g in found], indent=2, ensure_ascii=False))
    else:
        width = max((len(g.location()) for g in found), default=0)
        for g in found:
            click.echo(f"{g.location():<{width}}  {g.kind:<6}  {g.text}")
    names = sum(1 for g in found if g.kind == "name")
    click.echo(f"{len(found)} uncovered: {_count(names, 'name')}, {_count(len(found) - names, 'figure')}", err=True)
    if check and found:
        sys.exit(1)
