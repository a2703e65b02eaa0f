"""The source articles: finding them, checking them, and locating quotes.

The articles stay outside the repository. A source record names the file and
its sha256; every evidence quote must occur exactly once in that file. Matching
forgives only what typography changes (curly and straight quotes, dashes,
ellipses, runs of whitespace); the graph records the article's exact text and
its character offsets. An ellipsis matches ``…`` or ``...`` whole, never a
full stop. Unicode normalisation is not forgiven (an NFC quote does not match
an NFD article), but a quote that fails only for that reason says so.
"""
from __future__ import annotations

import hashlib
import os
import unicodedata
from dataclasses import replace
from pathlib import Path

from kg.curate.article import Article, fold, fold_quote
from kg.curate.catalog import Catalog, Evidence
from kg.errors import DataError, KGError, Problem

CORPUS_ENV = "KG_CORPUS"
DEFAULT_CORPUS = Path("../shared/corpus")
CONTEXT = 32  # characters of prefix and suffix kept with each quote


def resolve_corpus(option: str | os.PathLike | None) -> Path:
    """The corpus folder: --corpus, else $KG_CORPUS, else ../shared/corpus."""
    if option:
        path, origin = Path(option), "--corpus"
    elif os.environ.get(CORPUS_ENV):
        path, origin = Path(os.environ[CORPUS_ENV]), f"${CORPUS_ENV}"
    else:
        path, origin = DEFAULT_CORPUS, "the default"
    if not path.is_dir():
        raise KGError(f"corpus folder {str(path)!r} (from {origin}) does not exist; pass --corpus DIR or set {CORPUS_ENV}")
    return path


def changed_article(source, corpus: Path) -> Problem | None:
    """The problem the build reports when a source's file no longer matches its record's sha256."""
    try:
        digest = hashlib.sha256((corpus / source.record.file).read_bytes()).hexdigest()
    except OSError:
        return None  # a missing or unreadable file is reported where it is read
    if source.record.sha256 is None or digest == source.record.sha256:
        return None
    return _sha_problem(source, digest)


def _sha_problem(source, digest: str) -> Problem:
    return source.where.problem(f"sha256 does not match {source.record.file}: the file has {digest}; "
                                "if the article changed on purpose, update the record", "sha256")


def read_articles(catalog: Catalog, corpus: Path) -> tuple[dict[str, Article], list[Problem]]:
    """Read every source's file, checking that it exists and its sha256 matches."""
    articles: dict[str, Article] = {}
    problems: list[Problem] = []
    for source in catalog.sources.values():
        path = corpus / source.record.file
        if Path(source.record.file).name != source.record.file:
            problems.append(source.where.problem("'file' is a file name inside the corpus folder, not a path", "file"))
            continue
        try:
            found = path.is_file()
        except OSError as exc:  # a name longer than the system allows
            problems.append(source.where.problem(f"cannot look for this file in the corpus folder: {exc.strerror}", "file"))
            continue
        if not found:
            problems.append(source.where.problem(f"{source.record.file} is not in the corpus folder {str(corpus)!r}", "file"))
            continue
        try:
            raw = path.read_bytes()
        except OSError as exc:
            problems.append(source.where.problem(f"cannot read {source.record.file}: {exc.strerror}", "file"))
            continue
        digest = hashlib.sha256(raw).hexdigest()
        if source.record.sha256 is not None and digest != source.record.sha256:  # None: reported by kg.curate.load
            problems.append(_sha_problem(source, digest))
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            problems.append(source.where.problem(f"{source.record.file} is not UTF-8 text", "file"))
            continue
        folded, origin = fold(text)
        articles[source.id] = Article(source.id, path, text, folded, origin)
    return articles, problems


def verify_quotes(catalog: Catalog, corpus: Path) -> dict[str, Article]:
    """Locate every evidence quote in its article and record where it is.

    Raises DataError listing every missing or ambiguous quote and every
    article that is missing or has changed.
    """
    articles, problems = locate_quotes(catalog, corpus)
    if problems:
        raise DataError(problems)
    return articles


def locate_quotes(catalog: Catalog, corpus: Path) -> tuple[dict[str, Article], list[Problem]]:
    """Like :func:`verify_quotes`, returning the problems instead of raising."""
    articles, problems = read_articles(catalog, corpus)
    # Refused claims' quotes too: every problem in one pass.
    for claim_evidence in [claim.evidence for claim in catalog.claims] + catalog.refused_evidence:
        placed = []
        for evidence in claim_evidence:
            article = articles.get(evidence.source)
            if article is None:
                continue  # already reported against the source record
            problem = _place(evidence, article)
            if problem and evidence.start < 0 and problem.message.startswith("quote not found") and not _names_a_cause(problem):
                from kg.curate.quotes import quote_help  # where the words are, and what to paste

                problem = replace(problem, message=problem.message + quote_help(evidence.quote, article, articles))
            if problem:
                problems.append(problem)
            else:
                placed.append(evidence)
        problems.extend(_overlaps(placed))
    return articles, problems


_CAUSES = ("part of an ellipsis",)


def _names_a_cause(problem: Problem) -> bool:
    """Whether a quote-not-found message already says why, so that no closest passage is needed."""
    return any(cause in problem.message for cause in _CAUSES)


def _overlaps(placed: list[Evidence]) -> list[Problem]:
    """Two quotes of one claim covering the same words of one article count once in the graph."""
    from kg.curate.merge import older_and_newer  # a claim stated in two files has the evidence of both

    problems = []
    for i, later in enumerate(placed):
        for j, earlier in enumerate(placed[:i]):
            if earlier.source == later.source and later.start < earlier.end and earlier.start < later.end:
                older, newer = older_and_newer(earlier, j, later, i)
                line, col = older.where.doc.locate(older.where.loc + ("quote",))
                problems.append(newer.where.problem(
                    f"this quote overlaps the one at {older.where.doc.path}:{line}:{col} from the same article; "
                    "keep one of them", "quote"))
                break
    return problems


def _place(evidence: Evidence, article: Article) -> Problem | None:
    needle = fold_quote(evidence.quote)
    hits = article.locate(needle)
    file = article.path.name
    if not hits:
        return evidence.where.problem(f"quote not found in {file}{_near_miss(evidence.quote, article)}", "quote")
    if len(hits) > 1:
        lines = ", ".join(str(article.line_of(article.original(h))) for h in hits)
        return evidence.where.problem(f"quote occurs more than once in {file} (lines {lines}); lengthen it so that it is unique", "quote")
    start, end = article.span(hits[0], len(needle))
    evidence.start, evidence.end = start, end
    evidence.exact = article.text[start:end]
    evidence.prefix = article.text[max(0, start - CONTEXT):start]
    evidence.suffix = article.text[end:end + CONTEXT]
    return None


def _near_miss(quote: str, article: Article) -> str:
    """Say how much of the quote does match, to show where it goes wrong."""
    needle = fold_quote(quote)
    if needle and article.folded.find(needle) >= 0:  # found, but only where it would split an ellipsis
        return ("; the article has an ellipsis where the quote has a full stop ('.'), and a full stop never matches "
                "part of an ellipsis ('…' or '...'): end the quote before it, or copy the ellipsis")
    if _normalisation_mismatch(needle, article):
        return ""  # kg.curate.quotes names the cause, with where the words are and the text to paste
    low, high = 0, len(needle)
    while low < high:  # longest prefix of the quote found in the article
        mid = (low + high + 1) // 2
        if article.folded.find(needle[:mid]) >= 0:
            low = mid
        else:
            high = mid - 1
    if low < 12:
        return "; check the source id and the wording"
    at = article.folded.find(needle[:low])
    article_next = article.folded[at + low:at + low + 20]
    return f"; it matches up to {needle[max(0, low - 30):low]!r}, then the article has {article_next!r} where the quote has {needle[low:low + 20]!r}"


def _normalisation_mismatch(needle: str, article: Article) -> bool:
    """Whether the quote is in the article once both are normalised alike (kg.curate.quotes names the forms)."""
    if unicodedata.is_normalized("NFC", needle) and unicodedata.is_normalized("NFD", needle):
        return False  # no letter that has two forms: normalisation cannot be the cause
    return unicodedata.normalize("NFC", needle) in unicodedata.normalize("NFC", article.folded)
