"""partnergraph: a knowledge graph of cross-border partnership ecosystems."""
