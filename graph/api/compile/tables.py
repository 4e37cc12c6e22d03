"""How each GraphQL type maps onto the graph: the compiler's tables, derived from graph/kinds.

The compiler (graph/api/compile/compiler.py) reads these tables to turn a selection into one Cypher
query. A GraphQL field absent from its type's table, or a table entry the type does not have, is a
bug caught by tests/unit/test_kinds_mirror.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graph.cypher import Label
from graph.kinds import (
    BY_LABEL,
    EDGES,
    FEW,
    KINDS,
    MANY,
    PROVENANCE_ESTIMATE,
    SOME,
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
from graph.match.score import MAX_CANDIDATES

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
    name: TypeSpec(kind.label, kind.fields, kind.sorts) for name, kind in KINDS.items()
}

# Rows per parent of the questions' nested lists, for the cost limit (their result types are
# graph/api/schema/question_types.py): a collaboration's chain is organisation -> through ->
# partner; a path has at most MAX_HOPS + 1 steps; a network at most MAX_NETWORK nodes; facets have
# a bucket per country (~250), kind, status, decade or year.
QUESTION_FANOUT: dict[tuple[str, str], int] = {
    ("Collaboration", "chain"): 3,
    ("Collaboration", "sources"): FEW,
    ("Path", "steps"): 7,
    ("Network", "nodes"): 300,
    ("Network", "edges"): 1000,
    ("OrganisationFacets", "byCountry"): 250,
    ("OrganisationFacets", "byKind"): SOME,
    ("OrganisationFacets", "byStatus"): 3,
    ("OrganisationFacets", "byDecade"): MANY,
    ("AgreementFacets", "byYear"): MANY,
    ("AgreementFacets", "byKind"): FEW,
    ("ProjectFacets", "byYear"): MANY,
    ("ProjectFacets", "byProgramme"): FEW,
    ("ProjectFacets", "byFundingScheme"): SOME,
    ("ProjectFacets", "byStatus"): 4,
    ("ProjectFacets", "byCountry"): 250,
    ("PartnerSuggestion", "sharedTopics"): FEW,
    ("PartnerSuggestion", "reasons"): 5,
    # `match`: at most MAX_CANDIDATES candidates, each with a reason per kind (name, acronym,
    # country, city, successor, parent). Without them the list counted as NESTED_LIMIT twice,
    # 500 x 502 rows, and production refused every `match` asking for reasons (found when the
    # tests began to run through the app's Executor).
    ("Query", "match"): MAX_CANDIDATES,
    ("MatchCandidate", "reasons"): FEW,
}


# Rows per parent of each nested list (type, field), for the cost limit
# (graph/api/execution/limits/rules.py): the kinds' relationships and name lists, and the graph
# questions' result lists.
NESTED_ESTIMATES: dict[tuple[str, str], int] = {
    **{(name, f): rows for name, kind in KINDS.items() for f, rows in kind.fanout.items()},
    **QUESTION_FANOUT,
}
