"""The ontology's claim properties and actor types, described for curators.

`kg properties` and `kg types` answer "which property do I write, what does
it take, and how has it been used?" from ontology.ttl and the data: each
property's value kind, domain and range, the qualifiers a claim may carry,
its description, and a real claim of the data as an example.
"""
from __future__ import annotations


from kg.curate.catalog import Catalog
from kg.curate.vocab import Vocabulary, description, phrases
from kg.report.results import Rows


def _example(catalog: Catalog, name: str) -> str:
    for claim in catalog.claims:
        if claim.property.name == name:
            evidence = claim.evidence[0]
            quals = "".join(f" [{k}={v.lexical}]" for k, v in sorted(claim.qualifiers.items()))
            return f"{claim.subject} {name} {claim.value.lexical}{quals} ({evidence.source}: \u201c{evidence.quote}\u201d)"
    return ""


def property_rows(vocab: Vocabulary, catalog: Catalog, kind: str | None = None, domain: str | None = None,
                  range_: str | None = None, search: str | None = None) -> Rows:
    """One row per claim property, filtered: by kind, by a subject type, by a value type, by words."""
    rows = Rows(["property", "label", "kind", "domain", "range", "single_valued", "qualifiers", "description", "example"])
    qualifiers = ", ".join(sorted(vocab.qualifiers))
    for name, prop in sorted(vocab.properties.items()):
        if kind and prop.kind != kind:
            continue
        if domain and not vocab.is_a(domain, prop.domain):
            continue
        if range_ and not (prop.kind == "entity" and vocab.is_a(range_, prop.range)):
            continue
        text = description(name)
        if search and not any(search.lower() in field.lower() for field in (name, prop.label, text, *phrases(name))):
            continue
        rows.rows.append([name, prop.label, prop.kind, prop.domain or "Actor", prop.range or ("Actor" if prop.kind == "entity" else ""),
                          prop.single_valued, qualifiers, text, _example(catalog, name)])
    return rows


def type_rows(vocab: Vocabulary, catalog: Catalog, parent: str | None = None) -> Rows:
    """One row per actor type: its parents, label, description, and how many entities have it."""
    rows = Rows(["type", "label", "parents", "entities", "description", "example"])
    counts: dict[str, list[str]] = {}
    for entity in catalog.entities.values():
        counts.setdefault(entity.type, []).append(entity.id)
    for name in vocab.actor_types:
        info = vocab.classes[name]
        if parent and parent not in info.ancestors:
            continue
        parents = sorted(a for a in info.ancestors - {name} if a in vocab.classes and "Actor" in vocab.classes[a].ancestors)
        ids = sorted(counts.get(name, []))
        rows.rows.append([name, info.label, ", ".join(parents), len(ids), description(name), ids[0] if ids else ""])
    return rows
