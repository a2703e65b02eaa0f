"""SPARQL results and RDF graphs as bytes, with a row cap.

pyoxigraph serialises whole result sets; the endpoint must stop at a row cap
and say so. A small SELECT result in JSON is serialised by pyoxigraph
(:func:`serialize_small`: its bytes are the same as this module's writer
gives; its CSV is not, as it leaves IRIs with commas unquoted); any other is
written here row by row (SPARQL 1.1 Query Results JSON,
XML, CSV and TSV). Graphs are capped here and serialised by pyoxigraph.
"""
from __future__ import annotations

import functools
import json
import re
from json.encoder import encode_basestring as _json_string  # a JSON string, as json.dumps(ensure_ascii=False) writes it

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

# Media types the endpoint offers, in its order of preference, and the writer of each.
SELECT_TYPES = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/json": "json",
    "application/xml": "xml",
}
GRAPH_TYPES = {
    "text/turtle": "TURTLE",
    "application/n-triples": "N_TRIPLES",
    "application/ld+json": "JSON_LD",
    "application/rdf+xml": "RDF_XML",
    "application/x-turtle": "TURTLE",
}
_KINDS = {"NamedNode": "uri", "BlankNode": "bnode", "Literal": "literal"}


def _kind(term) -> str:
    return _KINDS.get(type(term).__name__, "triple")


def _json_term(term) -> str:
    """A term as SPARQL JSON, in the bytes json.dumps(..., ensure_ascii=False, separators=(",", ":")) gives."""
    kind = _kind(term)
    if kind == "literal":
        if term.language:
            direction = f',"its:dir":"{term.direction.value}"' if term.direction else ""  # "a"@en--ltr (RDF 1.2)
            return f'{{"type":"literal","value":{_json_string(term.value)},"xml:lang":{_json_string(term.language)}{direction}}}'
        if term.datatype.value != XSD_STRING:
            return f'{{"type":"literal","value":{_json_string(term.value)},"datatype":{_json_string(term.datatype.value)}}}'
        return f'{{"type":"literal","value":{_json_string(term.value)}}}'
    if kind == "triple":
        return (f'{{"type":"triple","value":{{"subject":{_json_term(term.subject)},"predicate":'
                f'{_json_term(term.predicate)},"object":{_json_term(term.object)}}}}}')
    return f'{{"type":"{kind}","value":{_json_string(term.value)}}}'


# Characters XML 1.0 cannot hold at all, not even as character references: each is
# written as U+FFFD so that the answer stays well-formed. In UTF-8 the control
# characters are single bytes that no other character's encoding contains.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_NOT_XML_BYTES = re.compile(b"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")


@functools.cache
def _saxutils():
    """xml.sax.saxutils, imported on first use: it imports urllib and http, 20 ms that only XML answers need."""
    from xml.sax import saxutils

    return saxutils


def escape(text: str) -> str:
    return _saxutils().escape(_NOT_XML.sub("\ufffd", text), {"\r": "&#13;"})


def quoteattr(text: str) -> str:
    return _saxutils().quoteattr(_NOT_XML.sub("\ufffd", text))


def _xml_term(term) -> str:
    kind = _kind(term)
    if kind == "uri":
        return f"<uri>{escape(term.value)}</uri>"
    if kind == "bnode":
        return f"<bnode>{escape(term.value)}</bnode>"
    if kind == "literal":
        if term.language:
            direction = (f' its:dir="{term.direction.value}" xmlns:its="http://www.w3.org/2005/11/its" its:version="2.0"'
                         if term.direction else "")
            return f"<literal xml:lang={quoteattr(term.language)}{direction}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    return f"<literal>{escape(str(term))}</literal>"


def _csv_field(term) -> str:
    if term is None:
        return ""
    kind = _kind(term)
    value = "_:" + term.value if kind == "bnode" else (term.value if kind != "triple" else str(term))
    if any(c in value for c in ',"\r\n'):
        value = '"' + value.replace('"', '""') + '"'
    return value


class TooLarge(Exception):
    """The result is over the byte limit."""

    @staticmethod
    def error(max_bytes: int | None) -> dict:
        """The endpoint's 507 for a result over ``max_bytes``."""
        return {"status": 507, "code": "result_too_large", "message": f"the result is over the limit of {max_bytes} bytes; "
                "ask for fewer rows (LIMIT) or shorter values"}


def _take(items, cap: int, max_bytes: int | None = None, size=None) -> tuple[list, bool]:
    """The first ``cap`` items, and whether there were more; TooLarge once
    the items' ``size`` adds up to more than ``max_bytes``."""
    kept, total = [], 0
    for item in items:
        if len(kept) >= cap:
            return kept, True
        if max_bytes is not None:
            total += size(item)
            if total > max_bytes:
                raise TooLarge()
        kept.append(item)
    return kept, False


def write_solutions(solutions, fmt: str, cap: int, max_bytes: int | None = None) -> tuple[bytes, bool]:
    """A SELECT result as bytes in ``fmt``; stops after ``cap`` rows, and
    raises TooLarge as soon as the values read are over ``max_bytes``."""
    names = [v.value for v in solutions.variables]

    def size(solution) -> int:
        return sum(len(str(solution[name])) for name in names)

    kept, truncated = _take(solutions, cap, max_bytes, size)
    return write_rows(names, [[solution[name] for name in names] for solution in kept], fmt), truncated


def write_rows(names: list[str], rows: list[list], fmt: str) -> bytes:
    """Rows of terms (None where unbound) for the variables ``names``, as a SELECT result in ``fmt``."""
    if fmt == "json":
        # written out rather than json.dumps'd: building an encoder per call costs more than a small answer
        keys = [_json_string(n) + ":" for n in names]
        bindings = ",".join("{" + ",".join(key + _json_term(t) for key, t in zip(keys, row) if t is not None) + "}"
                            for row in rows)
        body = f'{{"head":{{"vars":[{",".join(_json_string(n) for n in names)}]}},"results":{{"bindings":[{bindings}]}}}}'
    elif fmt == "xml":
        parts = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">',
                 "<head>", *(f"<variable name={quoteattr(n)}/>" for n in names), "</head>", "<results>"]
        for row in rows:
            parts.append("<result>")
            parts += [f"<binding name={quoteattr(n)}>{_xml_term(t)}</binding>" for n, t in zip(names, row) if t is not None]
            parts.append("</result>")
        parts += ["</results>", "</sparql>\n"]
        body = "\n".join(parts)
    elif fmt == "csv":
        lines = [",".join(names)] + [",".join(_csv_field(t) for t in row) for row in rows]
        body = "\r\n".join(lines) + "\r\n"
    else:  # tsv: terms in their Turtle / N-Triples form
        lines = ["\t".join("?" + n for n in names)] + ["\t".join("" if t is None else str(t) for t in row) for row in rows]
        body = "\n".join(lines) + "\n"
    return body.encode("utf-8")


# Formats pyoxigraph writes byte for byte as write_solutions does, and the fewest
# bytes one row takes in each ("{}," in JSON).
NATIVE = {"json": ("JSON", 3)}


class _Overflow(Exception):
    pass


class _Bounded:
    """A binary writer that refuses to hold more than ``limit`` bytes."""

    def __init__(self, limit: int):
        self.limit, self.size, self.parts = limit, 0, []

    def write(self, data) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise _Overflow()
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


def serialize_small(solutions, fmt: str, cap: int) -> bytes | None:
    """All rows, serialised by pyoxigraph, if that is provably at most ``cap``
    rows: the output is stopped once it is longer than ``cap`` rows of the
    smallest size could be. None means: more may follow (the caller runs the
    query again through :func:`write_solutions`, which stops at the cap)."""
    import pyoxigraph

    name, row_bytes = NATIVE[fmt]
    writer = _Bounded(row_bytes * cap)
    try:
        solutions.serialize(writer, getattr(pyoxigraph.QueryResultsFormat, name))
    except Exception:
        if writer.size > writer.limit:
            return None
        raise
    return b"".join(writer.parts)


def write_boolean(value: bool, fmt: str) -> bytes:
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": value}).encode()
    if fmt == "xml":
        return ('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                f"<head/><boolean>{'true' if value else 'false'}</boolean></sparql>\n").encode()
    return (("_askResult\r\n" if fmt == "csv" else "?_askResult\n") + ("true" if value else "false") + "\n").encode()


def write_triples(triples, fmt: str, cap: int, prefixes: dict | None = None,
                  max_bytes: int | None = None) -> tuple[bytes, bool]:
    """A CONSTRUCT / DESCRIBE result as bytes; stops after ``cap`` triples (TooLarge over ``max_bytes``)."""
    import pyoxigraph

    kept, truncated = _take(triples, cap, max_bytes, lambda triple: len(str(triple)))
    options = {"prefixes": prefixes} if prefixes and fmt == "TURTLE" else {}
    body = pyoxigraph.serialize(kept, format=getattr(pyoxigraph.RdfFormat, fmt), **options) or b""
    if fmt == "RDF_XML":
        body = _NOT_XML_BYTES.sub("\ufffd".encode(), body)
    return body, truncated
