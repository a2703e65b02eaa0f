"""Deterministic RDF serialisations: N-Quads, Turtle and JSON-LD.

Each writer takes the sorted, deduplicated quads of :mod:`kg.compile` and
returns text. Subjects, predicates and objects come out in sorted order, so the
same graph always gives the same bytes and diffs between builds stay small.

* ``kg.nq``: the dataset, with one named graph per source article;
* ``kg.ttl``: the union of all graphs as Turtle, for tools without datasets;
* ``kg.jsonld``: the dataset as JSON-LD with a prefix context.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence

from ..compile import Quad, to_nquads
from ..terms import RDF_TYPE, base_prefixes, split_literal

_LOCAL_NAME = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?$")
_XSD = "http://www.w3.org/2001/XMLSchema#"


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
        if term.startswith("<"):
            return self.name(term[1:-1]) or term
        if term.endswith(">") and "^^<" + _XSD in term:
            head, _, datatype = term.rpartition("^^<")
            return f"{head}^^xsd:{datatype[len(_XSD):-1]}"
        return term


def write_nquads(quads: Sequence[Quad], base: str) -> str:
    return to_nquads(quads)


def _triples_by_subject(quads: Sequence[Quad]) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """The union graph grouped by subject: (subject, [(predicate, object)])."""
    triples = sorted({(s, p, o) for s, p, o, _ in quads})
    current, group = None, []
    for s, p, o in triples:
        if s != current:
            if current is not None:
                yield current, group
            current, group = s, []
        group.append((p, o))
    if current is not None:
        yield current, group


def write_turtle(quads: Sequence[Quad], base: str) -> str:
    prefixes = base_prefixes(base)
    compact = Compactor(prefixes)
    out = [f"@prefix {name}: <{ns}> .\n" for name, ns in sorted(prefixes.items())]
    for subject, pairs in _triples_by_subject(quads):
        out.append("\n")
        out.append(compact.turtle(subject))
        # rdf:type first, as "a"; then the other predicates in sorted order.
        pairs.sort(key=lambda po: (po[0] != RDF_TYPE, po))
        previous = None
        for p, o in pairs:
            if p == previous:
                out.append(f" ,\n        {compact.turtle(o)}")
            else:
                if previous is not None:
                    out.append(" ;")
                pred = "a" if p == RDF_TYPE else compact.turtle(p)
                out.append(f"\n    {pred} {compact.turtle(o)}")
                previous = p
        out.append(" .\n")
    return "".join(out)


def write_jsonld(quads: Sequence[Quad], base: str) -> str:
    prefixes = base_prefixes(base)
    compact = Compactor(prefixes)

    def node_id(term: str) -> str:
        return compact.name(term[1:-1]) or term[1:-1]

    def value(term: str) -> dict:
        if term.startswith("<"):
            return {"@id": node_id(term)}
        lexical, datatype, lang = split_literal(term)
        if lang:
            return {"@language": lang, "@value": lexical}
        if datatype:
            return {"@type": compact.name(datatype) or datatype, "@value": lexical}
        return {"@value": lexical}

    def nodes(graph_quads: list[Quad]) -> list[str]:
        lines = []
        for subject, pairs in _triples_by_subject(graph_quads):
            node: dict = {"@id": node_id(subject)}
            for p, o in pairs:
                if p == RDF_TYPE:
                    node.setdefault("@type", []).append(node_id(o))
                else:
                    node.setdefault(node_id(p), []).append(value(o))
            lines.append(json.dumps(node, ensure_ascii=False, sort_keys=True))
        return lines

    by_graph: dict[str, list[Quad]] = {}
    for quad in quads:
        by_graph.setdefault(quad[3], []).append(quad)
    entries = nodes(by_graph.pop("", []))
    for graph in sorted(by_graph):
        inner = ",\n    ".join(nodes(by_graph[graph]))
        entries.append(f'{{"@id": {json.dumps(node_id(graph))}, "@graph": [\n    {inner}\n  ]}}')
    context = json.dumps({"@context": dict(sorted(prefixes.items()))}, indent=2)[:-2]
    return context + ',\n  "@graph": [\n  ' + ",\n  ".join(entries) + "\n  ]\n}\n"

