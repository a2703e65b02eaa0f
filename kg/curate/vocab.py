"""The vocabulary the build checks the data against, read from ontology.ttl.

ontology.ttl is the single place where entity types, claim properties,
qualifiers and units are declared, so the code and the ontology cannot drift:
adding a property to the ontology makes it usable in the data.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kg.errors import KGError

KG = "https://w3id.org/ai-race-kg/ontology#"
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
    reading_of: str | None = None  # the kg:Relation this property is a reading of


@dataclass(frozen=True)
class Vocabulary:
    classes: dict[str, ClassInfo]
    properties: dict[str, PropertyInfo]
    qualifiers: dict[str, PropertyInfo]
    units: dict[str, str]  # notation -> unit IRI
    relations: dict[str, str] = field(default_factory=dict)  # kg:Relation name -> label

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
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "ontology.ttl", here.parent / "ontology.ttl"):
        if candidate.is_file():
            return candidate
    raise KGError("ontology.ttl not found next to the kg package; reinstall the project")


@lru_cache(maxsize=4)
def load_vocabulary(path: Path | None = None) -> Vocabulary:
    """Read ontology.ttl (with pyoxigraph: a fraction of rdflib's start-up)."""
    import pyoxigraph

    path = path or ontology_path()
    triples: dict[str, dict[str, list]] = {}
    try:
        with open(path, "rb") as handle:
            for quad in pyoxigraph.parse(handle, pyoxigraph.RdfFormat.TURTLE):
                if isinstance(quad.subject, pyoxigraph.NamedNode):
                    triples.setdefault(quad.subject.value, {}).setdefault(quad.predicate.value, []).append(quad.object)
    except SyntaxError as exc:
        raise KGError(f"{path}: cannot read the ontology: {exc}") from None

    def values(subject: str, predicate: str) -> list[str]:
        return [term.value for term in triples.get(subject, {}).get(predicate, [])]

    def one(subject: str, predicate: str) -> str | None:
        found = values(subject, predicate)
        return found[0] if found else None

    def local(iri: str | None) -> str | None:
        return iri[len(KG):] if iri and iri.startswith(KG) else None

    def typed(cls: str) -> list[str]:
        return sorted(s for s in triples if cls in values(s, RDF_TYPE))

    def ancestors(cls: str) -> set[str]:
        seen, todo = {cls}, [cls]
        while todo:
            for parent in values(todo.pop(), SUBCLASS_OF):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return seen

    classes = {}
    for cls in typed(OWL_CLASS):
        name = local(cls)
        if name:
            names = frozenset(filter(None, (local(a) for a in ancestors(cls))))
            classes[name] = ClassInfo(name, cls, one(cls, LABEL) or name, names)

    def prop_info(prop: str) -> PropertyInfo:
        name = local(prop)
        kind = one(prop, KG + "valueKind") or ""
        if kind not in VALUE_KINDS:
            raise KGError(f"{path}: kg:{name} has kg:valueKind {kind!r}; expected one of {', '.join(VALUE_KINDS)}")
        return PropertyInfo(
            name=name,
            iri=prop,
            label=one(prop, LABEL) or name,
            kind=kind,
            domain=local(one(prop, DOMAIN)),
            range=local(one(prop, RANGE)) if kind == "entity" else None,
            single_valued=one(prop, KG + "singleValued") == "true",
            reading_of=local(one(prop, KG + "readingOf")),
        )

    properties = {local(p): prop_info(p) for p in typed(KG + "ClaimProperty")}
    qualifiers = {local(p): prop_info(p) for p in typed(KG + "QualifierProperty")}
    units = {one(u, SKOS_NOTATION): u for u in typed(KG + "Unit")}
    relations = {local(r): one(r, LABEL) or local(r) for r in typed(KG + "Relation")}
    return Vocabulary(classes, properties, qualifiers, units, relations)


RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
OWL_CLASS = "http://www.w3.org/2002/07/owl#Class"
SUBCLASS_OF = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
DOMAIN = "http://www.w3.org/2000/01/rdf-schema#domain"
RANGE = "http://www.w3.org/2000/01/rdf-schema#range"
SKOS_NOTATION = "http://www.w3.org/2004/02/skos/core#notation"


COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"
ALT_LABEL = "http://www.w3.org/2004/02/skos/core#altLabel"


@lru_cache(maxsize=4)
def annotations(path: Path | None = None) -> dict[str, dict[str, list[str]]]:
    """rdfs:comment and skos:altLabel of every kg term, by local name."""
    import pyoxigraph

    found: dict[str, dict[str, list[str]]] = {}
    with open(path or ontology_path(), "rb") as handle:
        for quad in pyoxigraph.parse(handle, pyoxigraph.RdfFormat.TURTLE):
            subject = quad.subject.value if isinstance(quad.subject, pyoxigraph.NamedNode) else ""
            if subject.startswith(KG) and quad.predicate.value in (COMMENT, ALT_LABEL):
                found.setdefault(subject[len(KG):], {}).setdefault(quad.predicate.value, []).append(quad.object.value)
    return found


def description(name: str) -> str:
    return " ".join(annotations().get(name, {}).get(COMMENT, []))


def phrases(name: str) -> list[str]:
    """The phrases a curator registered for a property (skos:altLabel in ontology.ttl)."""
    return sorted(annotations().get(name, {}).get(ALT_LABEL, []))
