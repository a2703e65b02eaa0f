"""Deterministic RDF serialisations: N-Quads, Turtle and JSON-LD.

Each writer takes the sorted, deduplicated quads of :mod:`kg.graph.compile` and
returns text. Subjects, predicates and objects come out in sorted order, so the
same graph always gives the same bytes and diffs between builds stay small.

* ``kg.nq``: the dataset, with one named graph per source article;
* ``kg.ttl``: the union of all graphs as Turtle, for tools without datasets;
* ``kg.jsonld``: the dataset as JSON-LD with a prefix context.
"""
from __future__ import annotations

import json
import re
from json.encoder import encode_basestring as encode_string
from collections.abc import Iterator, Sequence

from kg.graph.compile import Quad, to_nquads
from kg.graph.terms import RDF_TYPE, base_prefixes, unescape

_LOCAL_NAME = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?$")
_XSD = "http://www.w3.org/2001/XMLSchema#"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\t]")


class Compactor:
    """Shortens IRIs to prefixed names where the result is valid Turtle."""

    def __init__(self, prefixes: dict[str, str]):
        self.prefixes = prefixes
        self._by_length = sorted(prefixes.items(), key=lambda item: -len(item[1]))
        self._cache: dict[str, str] = {}

    def name(self, iri: str) -> str | None:
        """``prefix:local`` for a bare IRI, or None."""
        cached = self._cache.get(iri)
        if cached is None:
            cached = ""
            for prefix, namespace in self._by_length:
                if iri.startswith(namespace):
                    local = iri[len(namespace):]
                    if _LOCAL_NAME.match(local):
                        cached = f"{prefix}:{local}"
                        break
            self._cache[iri] = cached
        return cached or None

    def turtle(self, term: str) -> str:
        if term[0] == "<":
            return self.name(term[1:-1]) or term
        if term[-1] == ">" and "^^<" + _XSD in term:
            head, _, datatype = term.rpartition("^^<")
            return f"{head}^^xsd:{datatype[len(_XSD):-1]}"
        return term


def write_nquads(quads: Sequence[Quad], base: str) -> str:
    return to_nquads(quads)


def _triples_by_subject(quads: Sequence[Quad]) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """Sorted quads as triples grouped by subject: (subject, [(predicate, object)]).

    A triple found in several graphs comes out once; the quads are sorted by
    subject, predicate, object, so duplicates are neighbours.
    """
    current, group, last = None, [], None
    for s, p, o, _ in quads:
        if s != current:
            if current is not None:
                yield current, group
            current, group, last = s, [], None
        if (p, o) != last:
            group.append((p, o))
            last = (p, o)
    if current is not None:
        yield current, group


def write_turtle(quads: Sequence[Quad], base: str) -> str:
    prefixes = base_prefixes(base)
    compact = Compactor(prefixes)
    short: dict[str, str] = {RDF_TYPE: "a"}  # IRI term -> its Turtle spelling

    def spell(term: str) -> str:
        if term[0] != "<":
            return compact.turtle(term)
        text = short[term] = compact.turtle(term)
        return text

    out = [f"@prefix {name}: <{ns}> .\n" for name, ns in sorted(prefixes.items())]
    append = out.append
    for subject, pairs in _triples_by_subject(quads):
        append("\n")
        append(short.get(subject) or spell(subject))
        if pairs[0][0] != RDF_TYPE and any(p == RDF_TYPE for p, _ in pairs):
            # "a" first, then the other predicates in sorted order
            pairs.sort(key=lambda po: (po[0] != RDF_TYPE, po))
        previous = None
        for p, o in pairs:
            obj = short.get(o) or spell(o)
            if p == previous:
                append(" ,\n        " + obj)
            else:
                if previous is not None:
                    append(" ;")
                append("\n    " + (short.get(p) or spell(p)) + " " + obj)
                previous = p
        append(" .\n")
    return "".join(out)


def write_jsonld(quads: Sequence[Quad], base: str) -> str:
    """JSON-LD, one node object per line, assembled directly for speed.

    Keys and values come out in the order of the sorted quads, so the text is
    deterministic; the structure is plain expanded values under a prefix
    context, which any JSON-LD 1.1 processor reads.
    """
    prefixes = base_prefixes(base)
    compact = Compactor(prefixes)
    quoted: dict[str, str] = {}

    def iri(term: str) -> str:  # a JSON string for an IRI term, compacted
        text = quoted.get(term)
        if text is None:
            bare = term[1:-1]
            text = quoted[term] = encode_string(compact.name(bare) or bare)
        return text

    def value(term: str) -> str:
        if term[0] == "<":
            return '{"@id": ' + iri(term) + "}"
        close = term.rfind('"')
        body, rest = term[1:close], term[close + 1:]
        # N-Triples escapes \\ " \n \r exactly as JSON does; other control
        # characters need JSON's own escaping.
        text = '"' + body + '"' if not _CONTROL.search(body) else encode_string(unescape(body))
        if not rest:
            return '{"@value": ' + text + "}"
        if rest[0] == "@":
            return '{"@language": "' + rest[1:] + '", "@value": ' + text + "}"
        return '{"@type": ' + iri(rest[2:]) + ', "@value": ' + text + "}"

    def nodes(graph_quads: list[Quad]) -> list[str]:
        lines = []
        for subject, pairs in _triples_by_subject(graph_quads):
            types = [iri(o) for p, o in pairs if p == RDF_TYPE]
            parts = ['{"@id": ' + iri(subject)]
            if types:
                parts.append('"@type": [' + ", ".join(types) + "]")
            current, values = None, []
            for p, o in pairs:
                if p == RDF_TYPE:
                    continue
                if p != current:
                    if values:
                        parts.append(iri(current) + ": [" + ", ".join(values) + "]")
                    current, values = p, []
                values.append(value(o))
            if values:
                parts.append(iri(current) + ": [" + ", ".join(values) + "]")
            lines.append(", ".join(parts) + "}")
        return lines

    by_graph: dict[str, list[Quad]] = {}
    for quad in quads:
        by_graph.setdefault(quad[3], []).append(quad)
    entries = nodes(by_graph.pop("", []))
    for graph in sorted(by_graph):
        inner = ",\n    ".join(nodes(by_graph[graph]))
        entries.append('{"@id": ' + iri(graph) + ', "@graph": [\n    ' + inner + "\n  ]}")
    context = json.dumps({"@context": dict(sorted(prefixes.items()))}, indent=2)[:-2]
    return context + ',\n  "@graph": [\n  ' + ",\n  ".join(entries) + "\n  ]\n}\n"
