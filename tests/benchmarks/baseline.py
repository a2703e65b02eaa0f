"""The straightforward pipeline the build is measured against.

PyYAML's pure-Python SafeLoader, rdflib ``Graph.add`` for the same statement
model (entities, statement nodes, evidence with quote offsets, direct
triples) and rdflib's Turtle serializer. Run as a script:

    python tests/benchmarks/baseline.py DATA.yaml CORPUS_DIR OUT.ttl
"""
from __future__ import annotations

import hashlib
import sys
import time
from pathlib import Path

import rdflib
import yaml
from rdflib import RDF, RDFS, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS, XSD

KG = Namespace("https://w3id.org/ai-race-kg/ontology#")
OA = Namespace("http://www.w3.org/ns/oa#")
BASE = "https://w3id.org/ai-race-kg/"


def main(data: Path, corpus: Path, out: Path) -> None:
    start = time.perf_counter()
    with data.open(encoding="utf-8") as handle:
        doc = yaml.load(handle, Loader=yaml.SafeLoader)
    parsed = time.perf_counter()
    graph = rdflib.Graph()
    texts = {}
    for source in doc["sources"]:
        texts[source["id"]] = (corpus / source["file"]).read_text(encoding="utf-8")
        graph.add((URIRef(BASE + "source/" + source["id"]), RDF.type, KG.Article))
    for entity in doc["entities"]:
        node = URIRef(BASE + "entity/" + entity["id"])
        graph.add((node, RDF.type, KG[entity["type"]]))
        graph.add((node, RDFS.label, Literal(entity["name"], lang="en")))
        graph.add((node, DCTERMS.identifier, Literal(entity["id"])))
        for alias in entity.get("aliases", []):
            graph.add((node, SKOS.altLabel, Literal(alias, lang="en")))
        if "description" in entity:
            graph.add((node, URIRef("https://schema.org/description"), Literal(entity["description"], lang="en")))
    for claim in doc["claims"]:
        key = f"{claim['subject']}|{claim['property']}|{claim['value']}"
        node = URIRef(BASE + "claim/" + hashlib.blake2b(key.encode(), digest_size=8).hexdigest())
        subject = URIRef(BASE + "entity/" + claim["subject"])
        graph.add((node, RDF.type, KG.Claim))
        graph.add((node, KG.subject, subject))
        graph.add((node, KG.property, KG[claim["property"]]))
        graph.add((node, KG.value, Literal(str(claim["value"]))))
        graph.add((node, KG.rank, KG.DeprecatedRank if claim.get("rank") == "deprecated" else KG.NormalRank))
        if claim.get("rank") != "deprecated":
            graph.add((subject, KG[claim["property"]], Literal(str(claim["value"]))))
        for ev in claim["evidence"]:
            text = texts[ev["source"]]
            at = text.find(ev["quote"])
            evidence = URIRef(str(node).replace("/claim/", "/evidence/") + ev["source"])
            quote, position = URIRef(str(evidence) + "-quote"), URIRef(str(evidence) + "-position")
            graph.add((node, PROV.wasDerivedFrom, evidence))
            graph.add((evidence, RDF.type, KG.Evidence))
            graph.add((evidence, OA.hasSource, URIRef(BASE + "source/" + ev["source"])))
            graph.add((evidence, OA.hasSelector, quote))
            graph.add((evidence, OA.hasSelector, position))
            graph.add((quote, RDF.type, OA.TextQuoteSelector))
            graph.add((quote, OA.exact, Literal(ev["quote"])))
            graph.add((quote, OA.prefix, Literal(text[max(0, at - 32):at])))
            graph.add((quote, OA.suffix, Literal(text[at + len(ev["quote"]):at + len(ev["quote"]) + 32])))
            graph.add((position, RDF.type, OA.TextPositionSelector))
            graph.add((position, OA.start, Literal(at, datatype=XSD.nonNegativeInteger)))
            graph.add((position, OA.end, Literal(at + len(ev["quote"]), datatype=XSD.nonNegativeInteger)))
    added = time.perf_counter()
    graph.serialize(out, format="turtle")
    done = time.perf_counter()
    print(f"parse={parsed - start:.2f} add={added - parsed:.2f} serialize={done - added:.2f} triples={len(graph)}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
