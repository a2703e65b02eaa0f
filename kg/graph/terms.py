"""RDF terms as N-Triples strings, and the namespaces the graph uses.

The compiler builds quads of ready-to-write N-Triples terms rather than rdflib
objects: at a million triples that is several times faster, and sorting the
strings gives deterministic output for free. :func:`kg.graph.compile.to_dataset`
turns the same quads into an rdflib Dataset when one is wanted.
"""
from __future__ import annotations

import re

from kg.errors import KGError
import hashlib

DEFAULT_BASE = "https://w3id.org/ai-race-kg/"

PREFIXES = {
    "kg": "https://w3id.org/ai-race-kg/ontology#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "schema": "https://schema.org/",
    "prov": "http://www.w3.org/ns/prov#",
    "dct": "http://purl.org/dc/terms/",
    "oa": "http://www.w3.org/ns/oa#",
    "wd": "http://www.wikidata.org/entity/",
}

# Where the build mints IRIs, relative to the base IRI.
PATHS = {
    "entity": "entity/",
    "source": "source/",
    "graph": "graph/",
    "claim": "claim/",
    "evidence": "evidence/",
    "value": "value/",
    "disagreement": "disagreement/",
}


_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")


def is_absolute_iri(text: str) -> bool:
    """Whether ``text`` is an absolute IRI that can be written between <...> in
    N-Triples and SPARQL (no white space, no characters IRIs exclude), as pyoxigraph reads IRIs."""
    import pyoxigraph

    if not _ABSOLUTE_IRI.match(text):
        return False
    try:
        pyoxigraph.NamedNode(text)
    except ValueError:
        return False
    return True


def normalise_base(base: str) -> str:
    """The base IRI, checked, ending in '/' or '#' so that minted IRIs join cleanly."""
    if not _ABSOLUTE_IRI.match(base):
        raise KGError(f"base IRI {base!r} is not an absolute IRI; write e.g. https://example.org/kg/")
    return base if base.endswith(("/", "#")) else base + "/"


def base_prefixes(base: str) -> dict[str, str]:
    """Prefixes for the IRIs minted under ``base``, then the vocabularies."""
    base = normalise_base(base)
    minted = {name: base + path for name, path in PATHS.items()}
    return {**minted, **PREFIXES}


def curie(name: str) -> str:
    prefix, _, local = name.partition(":")
    return f"<{PREFIXES[prefix]}{local}>"


_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def literal(lexical: str, datatype: str | None = None, lang: str | None = None) -> str:
    body = '"' + lexical.translate(_ESCAPES) + '"'
    if lang:
        return f"{body}@{lang}"
    if datatype and datatype != "string":
        return f"{body}^^<{PREFIXES['xsd']}{datatype}>"
    return body


def unescape(body: str) -> str:
    """The lexical form of an N-Triples string body (without its quotes)."""
    if "\\" not in body:
        return body
    out, i = [], 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            out.append({"n": "\n", "r": "\r", '"': '"', "\\": "\\", "t": "\t"}.get(nxt, nxt))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


RDF_TYPE = curie("rdf:type")


def short_hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()
