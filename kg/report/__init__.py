"""Answers computed from the checked catalog and the graph: counts, disagreements, profiles,
paths, diffs, the ontology's properties and types, and the writers of tables and SPARQL
results. May use export, kg.query, graph, curate."""
