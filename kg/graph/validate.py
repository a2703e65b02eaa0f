"""SHACL validation of the compiled graph with pyshacl."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SHAPES = Path(__file__).with_name("shapes.ttl")


@dataclass
class Violation:
    focus: str
    path: str
    message: str
    severity: str

    def __str__(self) -> str:
        where = f" {self.path}" if self.path else ""
        return f"{self.focus}{where}: {self.message}"


def shacl_violations(graph) -> list[Violation]:
    """Validate an rdflib graph against kg/graph/shapes.ttl; [] means it conforms.
    The ontology is parsed into ``graph`` itself (copying a large graph to add it costs seconds)."""
    import pyshacl
    import rdflib
    from rdflib.namespace import SH

    from kg.curate.vocab import ontology_path

    shapes = rdflib.Graph().parse(SHAPES, format="turtle")
    # The ontology goes into the data graph so that sh:class sees subclasses
    # and the declared claim properties and units.
    graph.parse(ontology_path(), format="turtle")
    _conforms, report, _text = pyshacl.validate(
        graph, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True
    )
    violations = []
    for result in report.subjects(rdflib.RDF.type, SH.ValidationResult):
        violations.append(Violation(
            focus=str(report.value(result, SH.focusNode)),
            path=str(report.value(result, SH.resultPath) or ""),
            message=str(report.value(result, SH.resultMessage) or "does not conform"),
            severity=str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[-1],
        ))
    return sorted(violations, key=lambda v: (v.focus, v.path, v.message))


def union_graph(quads):
    """All quads as one rdflib Graph, which is what the shapes describe."""
    import rdflib

    from kg.graph.compile import to_nquads

    graph = rdflib.Graph()
    graph.parse(data=to_nquads((s, p, o, "") for s, p, o, _ in quads), format="nt")
    return graph
