"""How each GraphQL type maps onto the graph: the compiler's tables, derived from graph/kinds.py.

The compiler (graph/api/compile.py) reads these tables to turn a selection into one Cypher query.
A GraphQL field absent from its type's table, or a table entry the type does not have, is a bug
caught by tests/unit/test_kinds_mirror.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graph.api.question_types import QUESTION_FANOUT
from graph.cypher import Label
from graph.kinds import (
    BY_LABEL,
    EDGES,
    KINDS,
    PROVENANCE_ESTIMATE,
    EdgeRel,
    EdgeSpec,
    Embedded,
    FieldSpec,
    GlobalId,
    Lookup,
    Names,
    Prop,
    Provenance,
    Rel,
    Sort,
)

__all__ = [
    "BY_LABEL",
    "EDGES",
    "NESTED_ESTIMATES",
    "PROVENANCE_ESTIMATE",
    "TYPES",
    "EdgeRel",
    "EdgeSpec",
    "Embedded",
    "FieldSpec",
    "GlobalId",
    "Lookup",
    "Names",
    "Prop",
    "Provenance",
    "Rel",
    "TypeSpec",
]


@dataclass(frozen=True, slots=True)
class TypeSpec:
    label: Label
    fields: dict[str, FieldSpec]
    # Sort keys for root connections: enum value -> Cypher expression over `n`, and the value
    # that stands in for null so that keyset cursors can compare.
    sorts: dict[str, Sort] = field(default_factory=dict)


TYPES: dict[str, TypeSpec] = {
    name: TypeSpec(kind.label, kind.all_fields, kind.sorts) for name, kind in KINDS.items()
}

# Rows per parent of each nested list (type, field), for the cost limit (graph/api/limits.py):
# the kinds' relationships and name lists, and the graph questions' result lists.
NESTED_ESTIMATES: dict[tuple[str, str], int] = {
    **{(name, f): rows for name, kind in KINDS.items() for f, rows in kind.fanout.items()},
    **QUESTION_FANOUT,
}
