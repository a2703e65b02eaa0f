"""Output files: RDF, the viewer's HTML page and its data and layout, and safe file replacement.
May use graph, curate and kg.errors; never report, serve or cli."""
