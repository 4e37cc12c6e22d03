"""Every Cypher text of partnergraph, as constants or small pure builders; values are parameters.

One module per concern: `names` (the label and relationship-type allow-lists), `props` (the
stored property names not spelled as their model field), `schema` (constraints, indexes,
health, whole-graph counts), `load` (the write path), `audit` (the audit log and admin
deletes), and the reads the API compiles to: `project` (projections: map literals and nested
COLLECT subqueries), `filters` (where-predicates), `read` (root connections, nodes by id,
search, sort keys), `questions` and `partners` (the graph questions). Labels and
relationship types cannot be parameters, so builders accept only members of `Label` and
`RelType` and refuse anything else (a string that merely looks like one included).

How facts are stored (see graph/ingest/rows.py for the rows these queries take):
- a node has `id`, its merged properties, `claims` (one JSON string per origin: what that load
  unit asserted), `origins` and `provenance` (JSON citations tagged with their origin);
- a relationship has its properties, `key` (tells apart two of the same type between the same
  nodes), `origins` and `provenance`.
Reloading an origin strips it from every fact, writes the new facts, and deletes the facts no
origin asserts any more; all in one transaction.
"""

from graph.cypher.labels import Label, RelType

__all__ = ["Label", "RelType"]
