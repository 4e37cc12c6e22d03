"""One registry entry per kind of record: label, fields, relationships, filters, sorts, fan-out.

`specs` holds the vocabulary (how a field is read, how a filter filters, `Kind`), `registry`
the entries.

Everything the API derives per kind comes from here: the kind's object type, scalar fields and
relationships with their types and descriptions (graph/api/schema/types.py, from `fields`), the
`<Kind>Where`, `<Kind>Quantifier`, `<Enum>Filter`, `<Kind>Sort` and `<Kind>OrderBy` inputs
(graph/api/schema/inputs.py, from `filters` and `sorts`, which name scalar fields), the
`<Kind>Connection` and `<Kind>Edge` types (graph/api/schema/types.py), the compiler's type tables
(graph/api/compile/tables.py), the `where` predicates (graph/api/compile/where.py), the node
types the schema registers and the default sort of each root connection
(graph/api/schema/roots.py), and the nested list estimates of the cost limit
(graph/api/execution/limits/rules.py, through tables.NESTED_ESTIMATES). The typed upsert inputs
are generated from each kind's pydantic `model` (graph/api/schema/record_inputs.py).

What stays written by hand is checked against this registry by tests/unit/test_kinds_mirror.py:
the edge and embedded object types (graph/api/schema/types.py) and the rows the write path
writes (graph/ingest/rows.py), and the indexes of the scalar filters (graph/cypher/schema.py,
whose pure builders do not import the registry).
"""

from __future__ import annotations

from graph.kinds.registry import BY_LABEL, EDGES, KINDS
from graph.kinds.specs import (
    FEW,
    MANY,
    PROVENANCE_ESTIMATE,
    SOME,
    AnyName,
    EdgeRel,
    EdgeSpec,
    Embedded,
    End,
    FieldSpec,
    FilterSpec,
    GlobalId,
    Kind,
    Lookup,
    Names,
    Prop,
    Provenance,
    Quantified,
    Rel,
    Relationship,
    Scalar,
    Sort,
    value_type,
)

__all__ = [
    "BY_LABEL",
    "EDGES",
    "FEW",
    "KINDS",
    "MANY",
    "PROVENANCE_ESTIMATE",
    "SOME",
    "AnyName",
    "EdgeRel",
    "EdgeSpec",
    "Embedded",
    "End",
    "FieldSpec",
    "FilterSpec",
    "GlobalId",
    "Kind",
    "Lookup",
    "Names",
    "Prop",
    "Provenance",
    "Quantified",
    "Rel",
    "Relationship",
    "Scalar",
    "Sort",
    "value_type",
]
