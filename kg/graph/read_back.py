"""The catalog rebuilt from the compiled graph, for the commands that read the data.

`kg conflicts` and `kg viewer` lay out a :class:`~kg.curate.catalog.Catalog`.
Locally it comes from the YAML; for a graph held elsewhere (``--endpoint``)
:func:`read_catalog` rebuilds it from what kg.graph.compile wrote: the
entities with their names and ``broader`` links, the sources and datasets,
every claim with its value, qualifiers, rank and evidence, and the declared
disagreements (the other kinds follow from their rules).

A claim's IRI is the hash of its key fields, so every rebuilt claim is checked
against its IRI: a store that changed a value is an error, not a different
answer. What the graph does not keep is left out: where in the YAML a record
was written, the curator's claim ids, and the order of aliases and of the
claims on a side, which the reports do not depend on.
"""
from __future__ import annotations

import gc
from collections import defaultdict

from kg.curate.catalog import Catalog, Claim, Entity, Evidence, Source
from kg.curate.disagreement_data import Declared
from kg.curate.model import EntityRecord, SourceRecord
from kg.curate.values import Value
from kg.curate.vocab import load_vocabulary
from kg.errors import KGError
from kg.graph.terms import PATHS, PREFIXES, short_hash

KG, RDF, RDFS, XSD = PREFIXES["kg"], PREFIXES["rdf"], PREFIXES["rdfs"], PREFIXES["xsd"]
SCHEMA, DCT, OA, PROV, SKOS = PREFIXES["schema"], PREFIXES["dct"], PREFIXES["oa"], PREFIXES["prov"], PREFIXES["skos"]
TYPE = RDF + "type"
_RANKS = {KG + "PreferredRank": "preferred", KG + "NormalRank": "normal", KG + "DeprecatedRank": "deprecated"}
_KINDS = {KG + "NewsReport": "news", KG + "Opinion": "opinion", KG + "Blog": "blog"}


class _Graph:
    """Every triple of every graph, by subject: subject -> predicate -> objects."""

    def __init__(self, store):
        self.about: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        self._typed: dict[str, list[str]] = defaultdict(list)  # class IRI -> subjects
        about, typed = self.about, self._typed
        collecting = gc.isenabled()
        # A hundred thousand quads and more, and as many new objects, none in a cycle:
        # the collector would only walk them again and again while they pile up.
        gc.disable()
        try:
            for quad in store:
                subject, predicate, term = quad.subject.value, quad.predicate.value, quad.object
                about[subject][predicate].append(term)
                if predicate == TYPE:
                    typed[term.value].append(subject)
        finally:
            if collecting:
                gc.enable()

    def all(self, subject: str, predicate: str) -> list:
        return self.about.get(subject, {}).get(predicate, [])

    def one(self, subject: str, predicate: str):
        found = self.all(subject, predicate)
        if len(found) == 1:
            return found[0]
        return min(found, key=str) if found else None

    def text(self, subject: str, predicate: str) -> str | None:
        term = self.one(subject, predicate)
        return term.value if term is not None else None

    def typed(self, kind: str) -> list[str]:
        return sorted(set(self._typed.get(kind, ())))


def read_catalog(store) -> Catalog:
    """The catalog the graph in ``store`` (a pyoxigraph store) was compiled from, as far as it keeps it."""
    vocab = load_vocabulary()
    graph = _Graph(store)
    classes = {info.iri: name for name, info in vocab.classes.items()}
    properties = {info.iri: info for info in vocab.properties.values()}
    qualifiers = {info.iri: info for info in vocab.qualifiers.values()}
    catalog = Catalog(vocab)
    try:
        for iri in sorted(graph.about):
            type_names = sorted(classes[t.value] for t in graph.all(iri, TYPE) if t.value in classes)
            if graph.text(iri, DCT + "identifier") is None or not type_names:
                continue
            entity = _entity(graph, iri, type_names, vocab)
            if entity is not None:
                catalog.entities[entity.id] = entity
        for iri in graph.typed(KG + "Article"):
            source = _source(graph, iri)
            catalog.sources[source.id] = source
        for iri in graph.typed(KG + "Dataset"):
            dataset = _dataset(graph, iri)
            catalog.datasets[dataset.id] = dataset
        claims = {}
        for iri in graph.typed(KG + "Claim"):
            claims[iri] = _claim(graph, iri, properties, qualifiers)
        catalog.claims = sorted(claims.values(), key=lambda c: c.key)
        catalog.declared = _declared(graph, claims)
    except (AttributeError, KeyError, ValueError, TypeError) as exc:  # a pydantic ValidationError is a ValueError
        raise KGError(f"the graph is not one kg build wrote, or not all of it: {_first_line(exc)}") from None
    return catalog


def _first_line(exc: Exception) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0]


def _id(iri: str, path: str) -> str:
    base, found, local = iri.rpartition(PATHS[path])
    if not found or not local:
        raise KGError(f"the graph is not one kg build wrote: {iri} is not an IRI of its {path.rstrip('/')}s")
    return local


def _entity(graph: _Graph, iri: str, type_names: list[str], vocab) -> Entity | None:
    actors = [name for name in type_names if vocab.is_a(name, "Actor")]
    if not actors:
        return None  # an article, a dataset or a value node
    wikidata = graph.text(iri, PREFIXES["owl"] + "sameAs")
    record = EntityRecord(
        id=graph.text(iri, DCT + "identifier"), type=actors[0], name=graph.text(iri, RDFS + "label"),
        aliases=sorted(t.value for t in graph.all(iri, SKOS + "altLabel")),
        description=graph.text(iri, SCHEMA + "description"),
        wikidata=wikidata.removeprefix(PREFIXES["wd"]) if wikidata else None,
        broader=sorted(_id(t.value, "entity") for t in graph.all(iri, SKOS + "broader")))
    return Entity(record, None)


def _source(graph: _Graph, iri: str) -> Source:
    publisher = graph.text(iri, DCT + "publisher")
    date = graph.one(iri, SCHEMA + "datePublished")
    record = SourceRecord(
        id=_id(iri, "source"), file=graph.text(iri, DCT + "identifier"), sha256=graph.text(iri, KG + "sha256"),
        kind=_KINDS[graph.text(iri, KG + "articleKind")], title=graph.text(iri, DCT + "title"),
        publisher=_id(publisher, "entity") if publisher else None, date=date.value if date is not None else None,
        author=graph.text(iri, KG + "authorDescription"), dateline=graph.text(iri, KG + "dateline"),
        section=graph.text(iri, KG + "section"))
    value = Value("date", date.value, _local(date.datatype.value)) if date is not None else None
    return Source(record, None, value)


def _dataset(graph: _Graph, iri: str):
    from kg.curate.datasets import Dataset
    from kg.curate.model import DatasetRecord

    # The graph keeps what a dataset's record says about the file, not how its columns are read.
    record = DatasetRecord.model_construct(
        id=_id(iri, "source"), file=graph.text(iri, DCT + "identifier"), sha256=graph.text(iri, KG + "sha256"),
        kind="dataset", title=graph.text(iri, DCT + "title"), publisher=_id(graph.text(iri, DCT + "publisher"), "entity"),
        licence=graph.text(iri, DCT + "license"), attribution=graph.text(iri, SCHEMA + "creditText"),
        retrieved=graph.text(iri, KG + "retrievedOn"), url=graph.text(iri, DCT + "source"), key="", columns=[], rows=[])
    return Dataset(record, None)


def _value(graph: _Graph, term, kind: str) -> Value:
    """The :class:`Value` that kg.graph.compile wrote as ``term`` for a property of ``kind``."""
    if kind == "entity":
        return Value("entity", _id(term.value, "entity"))
    if kind in ("amount", "quantity"):
        unit = graph.text(term.value, SCHEMA + ("currency" if kind == "amount" else "unitText"))
        return Value(kind, graph.text(term.value, SCHEMA + "value"), "decimal", unit)
    return Value(kind, term.value, _local(term.datatype.value))


def _local(iri: str) -> str:
    return iri.rpartition("#")[2]


def _claim(graph: _Graph, iri: str, properties: dict, qualifiers: dict) -> Claim:
    prop = properties[graph.text(iri, KG + "property")]
    value = _value(graph, graph.one(iri, KG + "value"), prop.kind)
    quals = {}
    for predicate, terms in graph.about[iri].items():
        if predicate in qualifiers:
            info = qualifiers[predicate]
            quals[info.name] = _value(graph, min(terms, key=str), info.kind)
    evidence = sorted((_evidence(graph, e.value) for e in graph.all(iri, PROV + "wasDerivedFrom")),
                      key=lambda ev: (ev.source, ev.start, ev.exact))
    claim = Claim(_id(graph.text(iri, KG + "subject"), "entity"), prop, value, quals,
                  _RANKS[graph.text(iri, KG + "rank")], graph.text(iri, KG + "rankReason"), evidence, None)
    if short_hash(claim.key) != _id(iri, "claim"):
        shown = value.display() + "".join(f" [{k}={v.display()}]" for k, v in sorted(quals.items()))
        raise KGError(f"the graph holds claim {iri} with a value or qualifiers other than those its IRI was minted "
                      f"from ({prop.name} {shown}): the store changed a literal, or the graph is not one kg build wrote")
    return claim


def _evidence(graph: _Graph, iri: str) -> Evidence:
    source = _id(graph.text(iri, OA + "hasSource"), "source")
    quote = position = cell = None
    for selector in sorted(t.value for t in graph.all(iri, OA + "hasSelector")):
        kinds = {t.value for t in graph.all(selector, TYPE)}
        if KG + "QuoteSelector" in kinds:
            quote = selector
        elif KG + "PositionSelector" in kinds:
            position = selector
        elif KG + "CellSelector" in kinds:
            cell = selector
    if cell is not None:
        fragment = graph.text(cell, RDF + "value")
        exact = graph.text(graph.text(cell, OA + "refinedBy"), OA + "exact")
        return Evidence(source, exact, None, exact=exact, row=int(fragment.removeprefix("cell=").split(",")[0]),
                        column=graph.text(cell, KG + "column"), note=graph.text(iri, KG + "publisherNote") or "",
                        fragment=fragment)
    exact = graph.text(quote, OA + "exact")
    return Evidence(source, exact, None, start=int(graph.text(position, OA + "start")),
                    end=int(graph.text(position, OA + "end")), exact=exact, prefix=graph.text(quote, OA + "prefix"),
                    suffix=graph.text(quote, OA + "suffix"))


def _declared(graph: _Graph, claims: dict[str, Claim]) -> list[Declared]:
    """The disagreements the curator declared, each side's claims in the order of their keys."""
    found = []
    for node in graph.typed(KG + "Disagreement"):
        if graph.text(node, KG + "disagreementKind") != KG + "DeclaredDisagreement":
            continue
        sides = sorted((t.value for t in graph.all(node, KG + "hasSide")), key=lambda s: int(s.rpartition("-")[2]))
        found.append(Declared(graph.text(node, RDFS + "label"),
                              [sorted((claims[c.value] for c in graph.all(side, KG + "sideClaim")), key=lambda c: c.key)
                               for side in sides],
                              graph.text(node, KG + "disagreementNote") or "", None))
    # The data's order: the rules sort the disagreements of every kind by topic afterwards.
    return sorted(found, key=lambda d: (d.topic.casefold(), [[c.key for c in side] for side in d.sides]))
