"""Exports for analysts: the graph, or a filtered part, streamed as CSV, GraphML, GEXF or JSON-LD.

`filters` turns user values into a checked `Selection`; `rows` reads it from Neo4j a batch at a
time (nodes first, then relationships, with their provenance); one module per format turns rows
into byte chunks; `command` is `partnergraph export`. Every export is what an anonymous reader of
the API may see (graph/api/compile/compiler.py's HIDDEN_FROM_ANONYMOUS).
"""

from graph.export.formats import FORMATS, Format
from graph.export.selection import Selection, selection

__all__ = ["FORMATS", "Format", "Selection", "selection"]
