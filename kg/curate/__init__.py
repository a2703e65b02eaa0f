"""What curators write and cite: safe YAML, the data model, values, the ontology's vocabulary,
the articles, sources and quotes, disagreements, drafts and what is left to curate.
May use kg.errors only."""
