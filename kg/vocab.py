"""The vocabulary the build checks the data against, read from ontology.ttl.

ontology.ttl is the single place where entity types, claim properties,
qualifiers and units are declared, so the code and the ontology cannot drift:
adding a property to the ontology makes it usable in the data.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .errors import KGError

KG = "https://w3id.org/ai-race-kg/ontology#"
ONTOLOGY_IRI = "https://w3id.org/ai-race-kg/ontology"
VALUE_KINDS = ("entity", "text", "count", "date", "amount", "quantity", "duration", "boolean")


@dataclass(frozen=True)
class ClassInfo:
    name: str
    iri: str
    label: str
    ancestors: frozenset[str]  # names of kg classes, itself included


@dataclass(frozen=True)
class PropertyInfo:
    name: str
    iri: str
    label: str
    kind: str
    domain: str | None  # a kg class name, or None for any actor
    range: str | None  # for entity-valued properties: a kg class name, or None
    single_valued: bool


@dataclass(frozen=True)
class Vocabulary:
    classes: dict[str, ClassInfo]
    properties: dict[str, PropertyInfo]
    qualifiers: dict[str, PropertyInfo]
    units: dict[str, str]  # notation -> unit IRI

    @property
    def actor_types(self) -> list[str]:
        return sorted(name for name, c in self.classes.items() if "Actor" in c.ancestors and name != "Actor")

    def is_a(self, type_name: str, class_name: str | None) -> bool:
        if class_name is None:
            return True
        info = self.classes.get(type_name)
        return info is not None and class_name in info.ancestors


def ontology_path() -> Path:
    """ontology.ttl beside the package in a checkout, or inside it in a wheel."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "ontology.ttl", here.parent / "ontology.ttl"):
        if candidate.is_file():
            return candidate
    raise KGError("ontology.ttl not found next to the kg package; reinstall the project")


@lru_cache(maxsize=4)
def load_vocabulary(path: Path | None = None) -> Vocabulary:
    import rdflib
    from rdflib.namespace import OWL, RDF, RDFS, SKOS

    path = path or ontology_path()
    graph = rdflib.Graph()
    try:
        graph.parse(path, format="turtle")
    except Exception as exc:  # rdflib raises many types for bad Turtle
        raise KGError(f"{path}: cannot read the ontology: {exc}") from None
    kg = rdflib.Namespace(KG)

    def local(term) -> str | None:
        text = str(term)
        return text[len(KG):] if text.startswith(KG) else None

    def label(term) -> str:
        return str(graph.value(term, RDFS.label) or local(term) or term)

    classes: dict[str, ClassInfo] = {}
    for cls in set(graph.subjects(RDF.type, OWL.Class)):
        name = local(cls)
        if not name:
            continue
        ancestors = {local(c) for c in graph.transitive_objects(cls, RDFS.subClassOf)}
        classes[name] = ClassInfo(name, str(cls), label(cls), frozenset(a for a in ancestors if a))

    def prop_info(prop) -> PropertyInfo:
        name = local(prop)
        kind = str(graph.value(prop, kg.valueKind) or "")
        if kind not in VALUE_KINDS:
            raise KGError(f"{path}: kg:{name} has kg:valueKind {kind!r}; expected one of {', '.join(VALUE_KINDS)}")
        domain = graph.value(prop, RDFS.domain)
        rng = graph.value(prop, RDFS.range)
        return PropertyInfo(
            name=name,
            iri=str(prop),
            label=label(prop),
            kind=kind,
            domain=local(domain) if domain is not None else None,
            range=local(rng) if (rng is not None and kind == "entity") else None,
            single_valued=bool(graph.value(prop, kg.singleValued)),
        )

    properties = {local(p): prop_info(p) for p in graph.subjects(RDF.type, kg.ClaimProperty)}
    qualifiers = {local(p): prop_info(p) for p in graph.subjects(RDF.type, kg.QualifierProperty)}
    units = {str(graph.value(u, SKOS.notation)): str(u) for u in graph.subjects(RDF.type, kg.Unit)}
    return Vocabulary(classes, dict(sorted(properties.items())), dict(sorted(qualifiers.items())), units)
