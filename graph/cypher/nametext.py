"""Every name of a node in one lower-cased string, so that a filter on names reads an index.

A `name` filter asks whether ANY of a node's names (display name, labels, aliases, acronyms: the
`names` list) meets its operators, case-insensitively (graph/cypher/filters.py `any_name`).
Neo4j indexes no element of a list and no expression, so `any(x IN n.names WHERE toLower(x)
CONTAINS ...)` scanned every node of the label. Each node of a named label therefore also
carries `nameText`: every name lower-cased by Neo4j's own toLower, each between two separators,
written with the names (graph/cypher/load.py) and behind a text index (trigram, answers
CONTAINS). Whatever one name meets, `nameText` contains a piece the index finds:

- contains v: toLower(v); starts with v: SEP + toLower(v); ends with v: toLower(v) + SEP;
  equals v: SEP + toLower(v) + SEP (a name equal to v is equal once both are lower-cased).

So the index read is a superset of the answer, never a subset (the names appear in it verbatim,
lower-cased by the same function the filter uses). The exact any() predicate stays beside it:
answers are the same as without the index. `in` is narrowed by one equality's piece per value,
ORed (Neo4j unions the index reads), for lists of up to `MAX_NARROWED_IN` values; a longer list
keeps the pass over the label. A node of a named label always has `nameText` (loads write it; the
schema's back-fill writes it for nodes of earlier versions), so the AND stays two-valued.
"""

from __future__ import annotations

from typing import LiteralString

from graph.cypher.labels import Label, checked_label
from graph.cypher.project import ident, param_ref

# The labels whose kinds filter on `name` (tests/unit/test_named_kinds.py checks it against the
# registry, so a kind given a name filter cannot miss its index).
NAMED: frozenset[Label] = frozenset({Label.ORGANISATION, Label.PERSON})
PROPERTY = "nameText"
SEP = "\u001f"  # ASCII unit separator: no name holds it (and if one did, only precision drops)

# Cypher writes the separator as an escape, so the query text stays printable.
_SEP_LITERAL: LiteralString = "'\\u001f'"
# Each value of a narrowed `in` is one more comparison for Neo4j's planner, which a wide OR
# overwhelms (planning an OR of 100 comparisons took 0.2 s, of 150, 20 s:
# graph/api/execution/limits/width.py, which counts an `in` as one term whatever its length).
MAX_NARROWED_IN = 16
VALUE: LiteralString = (
    "reduce(s = " + _SEP_LITERAL + ", x IN coalesce(n.names, []) | "
    "s + toLower(x) + " + _SEP_LITERAL + ")"
)


def assignment(label: Label) -> LiteralString:
    """`, n.nameText = ...` to follow a SET of node `n`'s properties; empty for other labels."""
    checked_label(label)
    return ", n." + PROPERTY + " = " + VALUE if label in NAMED else ""


def missing(label: Label) -> LiteralString:
    """` OR n.nameText IS NULL` for the back-fill's WHERE; empty for other labels."""
    checked_label(label)
    return " OR n." + PROPERTY + " IS NULL" if label in NAMED else ""


def indexes() -> tuple[LiteralString, ...]:
    out: list[LiteralString] = []
    for label in sorted(NAMED):
        name = checked_label(label)
        out.append(
            "CREATE TEXT INDEX " + name.lower() + "_name_text IF NOT EXISTS "
            "FOR (n:" + name + ") ON (n." + PROPERTY + ")"
        )
    return tuple(out)


def narrowing(var: str, op: str, value: str) -> str | None:
    """An index-served condition every node has when one of its names meets `op` with the
    parameter `value`; None for an operator the index cannot narrow."""
    lowered = f"toLower({param_ref(value)})"
    match op:
        case "contains":
            piece = lowered
        case "starts_with":
            piece = f"{_SEP_LITERAL} + {lowered}"
        case "ends_with":
            piece = f"{lowered} + {_SEP_LITERAL}"
        case "eq":
            piece = f"{_SEP_LITERAL} + {lowered} + {_SEP_LITERAL}"
        case _:
            return None
    return f"{ident(var)}.{PROPERTY} CONTAINS {piece}"


def narrowing_any(var: str, values: list[str]) -> str:
    """The index-served condition every node has when one of its names equals one of the
    parameters `values` (an `in`, one parameter per value, at most `MAX_NARROWED_IN`)."""
    assert 0 < len(values) <= MAX_NARROWED_IN, len(values)
    pieces = [narrowing(var, "eq", value) for value in values]
    return "(" + " OR ".join(p for p in pieces if p is not None) + ")"
