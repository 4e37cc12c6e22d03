"""Query limits: depth, aliases, cost, repeats, tokens and filter width, checked before Cypher."""
