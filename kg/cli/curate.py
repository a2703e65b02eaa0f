"""Commands for adding an article: kg source add, kg quote, kg properties, kg types, kg draft."""
from __future__ import annotations

import json
from pathlib import Path

import click

from kg.cli.options import _fail_cleanly, data_options, emit, output_options
from kg.errors import KGError


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
    what was found. An article already in the corpus is refused with its id,
    also a copy that differs only in line endings or trailing whitespace; the
    text is stored with LF line endings. Text that is not UTF-8 (UTF-16 is
    named) or holds control characters other than tab and line breaks is
    refused.

    \b
    Examples:
      kg source add article.txt --kind news
      kg source add saved-page.html --kind opinion --publisher china-daily
      kg source add notes.txt --kind blog --title "My title" --date 2025-01-30
    """
    del base
    from kg.curate.corpus import resolve_corpus
    from kg.curate.load import load
    from kg.curate.sources import add_source
    from kg.curate.values import BadValue, parse_value

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


def _article_for(source_ref: str, data: Path, corpus) -> tuple[object, dict]:
    """The article a SOURCE argument names (a source id, or a file of the corpus), and every other one."""
    from kg.curate.corpus import resolve_corpus
    from kg.curate.load import load
    from kg.curate.quotes import read_article_file
    from kg.errors import did_you_mean

    folder = resolve_corpus(corpus)
    catalog = load(data)
    others = {s.id: folder / s.record.file for s in catalog.sources.values()}
    if source_ref in others:
        path = others.pop(source_ref)
    elif (folder / source_ref).is_file() and Path(source_ref).name == source_ref:
        path = folder / source_ref
        others = {k: v for k, v in others.items() if v.name != source_ref}
    else:
        raise KGError(f"unknown source '{source_ref}'{did_you_mean(source_ref, others)}; "
                      f"give a source id of the data or a file name in {folder}")
    rest = {}
    for source_id, other in others.items():
        try:
            rest[source_id] = read_article_file(source_id, other)
        except KGError:
            continue  # a missing article is the build's to report
    return read_article_file(source_ref, path), rest


@click.command()
@click.argument("source_ref", metavar="SOURCE")
@click.argument("words")
@data_options
@output_options("text", "json", default="text")
@_fail_cleanly
def quote(source_ref, words, data, corpus, base, fmt, output):
    """Find the exact words of an article from approximate ones.

    Prints the passage of SOURCE (a source id, or a file name in the corpus)
    closest to WORDS, verbatim, with its line, column and character offsets,
    and whether it occurs once. Typography (quotes, dashes, spaces) and case
    are forgiven, then close wording: the passage is the run of whole words
    most like WORDS. When the passage occurs more than once, the shortest
    unique extension by whole words follows it. A difference only in Unicode
    normalisation (NFC against NFD) is named. Exit status 1 when nothing in
    the article is close; the other articles are searched then.

    \b
    Examples:
      kg quote a001 "managed to build V3 for just 6 million"
      kg quote a003 "DeepSeek" --format json
    """
    del base
    from kg.curate.quotes import find_passage, quote_help

    article, others = _article_for(source_ref, data, corpus)
    passage = find_passage(article, words)
    if passage is None:
        hint = quote_help(words, article, others)
        if hint.startswith("; nothing"):
            raise KGError(f"nothing in {article.path.name} is close to {words!r}")
        raise KGError(f"{words!r} is not in {article.path.name}{hint}")
    record = {
        "source": source_ref, "file": article.path.name, "line": passage.line, "column": passage.column,
        "start": passage.start, "end": passage.end, "exact": passage.text, "match": _match(passage),
        "unique": passage.unique, "extension": None,
    }
    if passage.extension:
        start, end = passage.extension
        record["extension"] = {"start": start, "end": end, "exact": passage.extended_text}
    if fmt == "json":
        emit(json.dumps(record, indent=2, ensure_ascii=False) + "\n", output)
        return
    lines = [f"{article.path.name}:{passage.line}:{passage.column}: characters {passage.start}-{passage.end}, "
             f"{record['match']}, {'unique' if passage.unique else 'not unique'}",
             passage.text]
    if not passage.unique:
        if passage.extension:
            lines += [f"shortest unique extension, characters {passage.extension[0]}-{passage.extension[1]}:",
                      passage.extended_text]
        else:
            lines.append("no unique extension within 40 words")
    emit("\n".join(lines) + "\n", output)


def _match(passage) -> str:
    if passage.normalisation:
        return f"the same words in another Unicode normalisation ({passage.normalisation})"
    if passage.score >= 100:
        return "exact"
    return f"close ({passage.score:.0f}%)"


@click.command()
@click.argument("source_ref", metavar="SOURCE")
@data_options
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path), default=None,
              help="Where to write the draft ('-' for stdout). [default: drafts/SOURCE.yaml]")
@click.option("--force", is_flag=True, help="Overwrite a draft file that already exists (a curator's edits to it are lost).")
@_fail_cleanly
def draft(source_ref, data, corpus, base, output, force):
    """Write a draft of an article's entities and claims, to review.

    SOURCE is a source id of the data. The draft is YAML in the data's own
    shape, every entry commented with where it comes from: candidate entities
    (the names no entity covers, with a guessed type and every spelling) and
    candidate claims, one for each sentence that names a known actor with
    another actor or a figure (or two new actors, one describing the other), quoted by the shortest unique run of clauses
    holding both. A property is proposed where its label, or a phrase
    registered for it as skos:altLabel in ontology.ttl, occurs there and the
    types fit; otherwise the draft says that none was found. A figure keeps
    "less than", "around"... as a qualifier. Claims the data already holds
    are listed apart: moved into data/, they merge with them as more evidence.
    The draft goes to drafts/, which the build does not read; review it, then
    move what holds into data/. An existing draft file is never overwritten
    (it may hold a curator's edits) unless --force is given. When the article
    no longer matches the sha256 of its record, a warning says so: the build
    refuses the article until the record is updated.

    \b
    Examples:
      kg draft a005
      kg draft a005 -o - | less
      kg draft a005 --force
    """
    del base
    from kg.curate.corpus import changed_article, resolve_corpus
    from kg.curate.draft import make_draft
    from kg.curate.draft_yaml import render
    from kg.curate.load import load
    from kg.curate.quotes import read_article_file
    from kg.errors import did_you_mean

    folder = resolve_corpus(corpus)
    catalog = load(data)
    source = catalog.sources.get(source_ref)
    if source is None:
        raise KGError(f"unknown source '{source_ref}'{did_you_mean(source_ref, catalog.sources)}; register the article first: kg source add FILE")
    output = output or Path("drafts") / f"{source.id}.yaml"
    if str(output) != "-" and output.exists() and not force:
        raise KGError(f"{output} already exists and may hold edits; pass --force to overwrite it, "
                      f"or -o to write the draft elsewhere")
    article = read_article_file(source.id, folder / source.record.file)
    changed = changed_article(source, folder)
    if changed is not None:
        click.echo(f"Warning: {changed}; the build refuses this article until then", err=True)
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(folder.glob("*.txt"))]
    result = make_draft(article, catalog, texts)
    if str(output) != "-":
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise KGError(f"cannot create {output.parent}: {exc.strerror}") from None
    emit(render(result), output)
    more = sum(1 for c in result.claims if c.existing)
    unnamed = sum(1 for c in result.claims if c.property is None)
    click.echo(f"{'Drafted' if str(output) == '-' else f'Wrote {output}:'} {len(result.entities)} candidate entities, "
               f"{len(result.claims)} candidate claims ({more} already in the data, {unnamed} without a property)", err=True)
