"""``kg serve``: a read-only SPARQL 1.1 Protocol endpoint with linked-data pages.
It may use report (result writing), export, kg.query, graph, curate and kg.errors; never kg.cli."""
