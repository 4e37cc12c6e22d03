"""The browser face of the graph: the explorer page, the local GraphiQL and their assets."""
