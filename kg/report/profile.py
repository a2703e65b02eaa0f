"""Actors in the built graph: finding one by name, and its profile with provenance.

An actor is named as :func:`kg.curate.names.resolve` reads names: its id, its label
or any alias, in any case, or a single word of one. A name that fits several
actors, or none, is an error that lists the candidates.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from kg.curate.names import Entity, resolve
from kg.graph.store import prefixes
from kg.query import graph_base, run_local
from kg.report import disagreement_views, evidence as cited
from kg.report.results import Rows, Shortener, local_name, rank_name

def qualifier_terms() -> str:
    """The qualifier properties of ontology.ttl, as a SPARQL list of IRIs."""
    from kg.curate.vocab import load_vocabulary

    return ", ".join(f"<{q.iri}>" for q in load_vocabulary().qualifiers.values())


def entities(store, iris: list[str] | None = None) -> dict[str, Entity]:
    """Every actor of the graph by IRI (articles, datasets and value nodes excluded), or those among ``iris``."""
    only = "VALUES ?e { " + " ".join(f"<{iri}>" for iri in iris) + " }" if iris is not None else ""
    rows = run_local(store, """
        SELECT DISTINCT ?e ?id ?label ?type ?alias ?description WHERE {
          """ + only + """
          ?e dct:identifier ?id ; rdfs:label ?label ; a ?type .
          FILTER(?type NOT IN (kg:Article, kg:Dataset))
          OPTIONAL { ?e skos:altLabel ?alias }
          OPTIONAL { ?e schema:description ?description }
        } ORDER BY ?e ?alias""")
    found: dict[str, Entity] = {}
    for row in rows:
        iri = row["e"].value
        alias = row["alias"].value if row["alias"] is not None else None
        old = found.get(iri)
        aliases = (old.aliases if old else ()) + ((alias,) if alias and (not old or alias not in old.aliases) else ())
        found[iri] = Entity(iri, row["id"].value, row["label"].value, local_name(row["type"]),
                            aliases, row["description"].value if row["description"] is not None else "")
    return found


def find_actor(store, name: str) -> Entity:
    """The actor called ``name``, exactly as :func:`kg.curate.names.resolve` reads it among
    :func:`entities`, errors included.

    On an on-disk store the name index (kg.graph.local_store) gives every actor whose id, label or
    alias is ``name`` in any case: resolve reads only those, because the actors it would pick or
    list are all among them. Only a name that is none of these (a single word of one, or a
    misspelling) reads every actor.
    """
    from kg.graph.local_store import names_matching

    wanted = name.strip().casefold()
    if not wanted:
        return resolve(name, {})  # the error asking for a name
    iris = names_matching(store, wanted)
    if iris:
        found = entities(store, iris)
        if any(wanted in {n.casefold() for n in (e.id, e.label, *e.aliases)} for e in found.values()):
            return resolve(name, found)
    return resolve(name, entities(store))


@dataclass
class ClaimView:
    """One claim touching an actor, as a profile shows it."""

    claim: str
    direction: str  # out: the actor is the subject; in: the value; about: what it is about
    property: str
    subject: str
    value: str
    rank: str
    reason: str = ""
    qualifiers: dict[str, str] = field(default_factory=dict)
    evidence: list[cited.Cited] = field(default_factory=list)


def claims_about(store, entity: Entity) -> list[ClaimView]:
    """Claims whose subject, value or 'about' qualifier is ``entity``, with evidence."""
    short = Shortener(prefixes(graph_base(store)))
    text = f"""
        SELECT DISTINCT ?claim ?direction ?p ?s ?v ?r ?reason ?source ?quote ?cell ?column ?q ?qv WHERE {{
          VALUES ?e {{ <{entity.iri}> }}
          {{ ?claim kg:subject ?e . BIND("out" AS ?direction) }}
          UNION {{ ?claim kg:value ?e . BIND("in" AS ?direction) }}
          UNION {{ ?claim kg:about ?e . BIND("about" AS ?direction) }}
          ?claim a kg:Claim ; kg:subject ?s ; kg:property ?p ; kg:value ?v ; kg:rank ?r ;
                 prov:wasDerivedFrom ?evidence .
          {cited.pattern()}
          # after the required patterns: pyoxigraph does not reorder across OPTIONAL,
          # and before them this query took seconds for an actor in a hundred claims
          OPTIONAL {{ ?claim kg:rankReason ?reason }}
          OPTIONAL {{ ?claim ?q ?qv . FILTER(?q IN ({qualifier_terms()})) }}
        }}"""
    rows = list(run_local(store, text))
    labels = _labels(store, {t.value for row in rows for t in (row["s"], row["v"], row["qv"]) if _is_iri(t)})

    def show(term) -> str:
        if term is None:
            return ""
        return labels.get(term.value, short.term(term)) if _is_iri(term) else term.value

    views: dict[tuple[str, str], ClaimView] = {}
    for row in rows:
        key = (row["claim"].value, row["direction"].value)
        view = views.get(key)
        if view is None:
            view = views[key] = ClaimView(
                claim=short.term(row["claim"]), direction=row["direction"].value,
                property=local_name(row["p"]), subject=show(row["s"]), value=show(row["v"]),
                rank=rank_name(row["r"]), reason=show(row["reason"]))
        if row["q"] is not None:
            view.qualifiers[local_name(row["q"])] = show(row["qv"])
        ev = cited.Cited.of(short.source_id(row["source"]), row["quote"], row["cell"], row["column"])
        if ev not in view.evidence:
            view.evidence.append(ev)
    order = {"out": 0, "in": 1, "about": 2, "preferred": 0, "normal": 1, "deprecated": 2}
    result = sorted(views.values(), key=lambda v: (order[v.direction], v.property, order[v.rank], v.subject, v.value, v.claim))
    for view in result:
        view.evidence.sort()
        view.qualifiers = dict(sorted(view.qualifiers.items()))
    return result


def _is_iri(term) -> bool:
    return term is not None and type(term).__name__ == "NamedNode"


def _labels(store, iris: set[str]) -> dict[str, str]:
    if not iris:
        return {}
    values = " ".join(f"<{iri}>" for iri in sorted(iris))
    rows = run_local(store, f"SELECT ?x ?label WHERE {{ VALUES ?x {{ {values} }} ?x rdfs:label ?label }}")
    return {row["x"].value: row["label"].value for row in rows}


def profile(store, name: str) -> dict:
    """The profile of the actor called ``name``: who it is, and every claim touching it."""
    entity = find_actor(store, name)
    claims = claims_about(store, entity)
    disagreements = disagreement_views.read(store, entity.iri)
    shown = {ev.source for view in claims for ev in view.evidence if ev.cell}
    shown |= {ev["source"] for d in disagreements for side in d["sides"] for ev in side["evidence"] if "cell" in ev}
    source = prefixes(graph_base(store))["source"]
    return {
        "id": entity.id,
        "iri": entity.iri,
        "label": entity.label,
        "type": entity.type,
        "aliases": list(entity.aliases),
        "description": entity.description,
        "claims": [{**view.__dict__, "evidence": [ev.as_dict() for ev in view.evidence]} for view in claims],
        "disagreements": disagreements,
        # The credit and licence of each dataset a fact shown here comes from.
        "credits": cited.credits(store, [source + s for s in shown]),
    }


def profile_rows(prof: dict) -> Rows:
    """The profile's claims as rows, one per piece of evidence."""
    rows = Rows(["direction", "property", "subject", "value", "qualifiers", "rank", "reason", "source", "quote"])
    for c in prof["claims"]:
        quals = "; ".join(f"{k}={v}" for k, v in c["qualifiers"].items())
        for ev in map(cited.from_dict, c["evidence"]):
            rows.rows.append([c["direction"], c["property"], c["subject"], c["value"], quals, c["rank"], c["reason"],
                              ev.cited(), ev.quote])
    return rows


def profile_text(prof: dict) -> str:
    """The profile for reading on a terminal, claims grouped by property."""
    lines = [f"{prof['label']} ({prof['type']})  entity:{prof['id']}"]
    if prof["aliases"]:
        lines.append("Also called: " + ", ".join(prof["aliases"]))
    if prof["description"]:
        lines.append(prof["description"])
    headings = {"out": "Claims", "in": "Claims by others pointing here", "about": "Statements about it"}
    last_direction = last_property = None
    for c in prof["claims"]:
        if c["direction"] != last_direction:
            lines += ["", headings[c["direction"]]]
            last_direction, last_property = c["direction"], None
        if c["property"] != last_property:
            lines.append(f"  {c['property']}")
            last_property = c["property"]
        what = c["value"] if c["direction"] == "out" else f"{c['subject']}: {c['value']}" if c["direction"] == "about" else f"{c['subject']}"
        quals = "".join(f" [{k}={v}]" for k, v in c["qualifiers"].items())
        rank = "" if c["rank"] == "normal" else f" ({c['rank']}{': ' + c['reason'] if c['reason'] else ''})"
        lines.append(f"    {what}{quals}{rank}")
        lines += [f"      {cited.line(ev)}" for ev in c["evidence"]]
    if not prof["claims"]:
        lines += ["", "No claims mention it yet."]
    lines += disagreement_views.text(prof.get("disagreements", []))
    if prof.get("credits"):
        lines += ["", "Data credits"] + [f"  {cited.credit_line(credit)}" for credit in prof["credits"]]
    return "\n".join(lines) + "\n"
