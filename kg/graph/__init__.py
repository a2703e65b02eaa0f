"""The checked catalog as RDF: IRIs, hashes and prefixes, the compiler, disagreements as nodes,
the store, the query guard and SHACL validation (shapes.ttl). May use curate and kg.errors only."""
