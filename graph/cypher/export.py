"""The exports' Cypher: one streamed read per label for nodes, one per type for relationships.

A filtered export is an induced subgraph: the nodes that pass every filter, and the
relationships whose two ends both pass. Filter values are parameters (`$countries`, `$kinds`,
`$topics`, `$around`); which filters apply is the query's shape (`Scope`). Property names come
from the API's specs (graph/api/compile/tables.py) and are checked as identifiers here; labels and
types come from the allow-lists.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import LiteralString

from graph.cypher.labels import Label, RelType, checked_label, checked_type
from graph.cypher.props import PLACE_COUNTRY

# Neighbourhoods are walked with a pruning breadth-first expand; beyond 4 hops a hub-rich graph
# is the whole graph, which the unfiltered export gives more cheaply.
MAX_DEPTH = 4
_DEPTHS: dict[int, LiteralString] = {1: "1", 2: "2", 3: "3", 4: "4"}
# Shown to anonymous readers only under this condition (over a variable); None: never.
Hidden = Callable[[str], str] | None
_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")

# Where each label keeps its country: its own, its place's, or (for people, agreements, events,
# projects) that of an organisation it is tied to, so that `country=EE` keeps the people of
# Estonian organisations and the agreements Estonian organisations are party to.
_ORG = checked_label(Label.ORGANISATION)


def _tied(rel_type: RelType, *, to_organisation: bool) -> LiteralString:
    """An organisation of the countries at the other end of one `rel_type` hop from `{v}`."""
    t = checked_type(rel_type)
    hop = (
        "({v})-[:" + t + "]->(c:" + _ORG + ")"
        if to_organisation
        else "(c:" + _ORG + ")-[:" + t + "]->({v})"
    )
    return "EXISTS { MATCH " + hop + " WHERE c.country IN $countries }"


_PLACED: LiteralString = "{v}." + PLACE_COUNTRY + " IN $countries"
_COUNTRY: dict[Label, LiteralString] = {
    Label.ORGANISATION: "{v}.country IN $countries",
    Label.DATASET: "{v}.country IN $countries",
    Label.PERSON: _tied(RelType.HOLDS_POSITION, to_organisation=True),
    Label.AGREEMENT: (
        "(" + _PLACED + " OR " + _tied(RelType.PARTY_TO, to_organisation=False) + ")"
    ),
    Label.EVENT: (
        "(" + _PLACED + " OR " + _tied(RelType.PARTICIPATED_IN, to_organisation=False) + ")"
    ),
    Label.PROJECT: (
        "(" + _PLACED + " OR " + _tied(RelType.PARTICIPATES_IN, to_organisation=False) + ")"
    ),
    Label.SOURCE: "false",
}
_KINDED = frozenset({Label.ORGANISATION, Label.AGREEMENT, Label.EVENT, Label.PROJECT, Label.SOURCE})
_TOPICAL = frozenset(
    {Label.ORGANISATION, Label.AGREEMENT, Label.EVENT, Label.DATASET, Label.PROJECT}
)

_O, _P, _A, _E = Label.ORGANISATION, Label.PERSON, Label.AGREEMENT, Label.EVENT
_D, _J = Label.DATASET, Label.PROJECT
# The labels each relationship type joins (what graph/ingest/rows.py writes): an edge query
# names them, so that its filters are planned for those labels only, and a type whose ends the
# selection leaves out is not queried at all.
ENDS: dict[RelType, tuple[tuple[Label, ...], tuple[Label, ...]]] = {
    RelType.PARTY_TO: ((_O,), (_A,)),
    RelType.SIGNED: ((_P,), (_A,)),
    RelType.HOLDS_POSITION: ((_P,), (_O,)),
    RelType.PARTICIPATED_IN: ((_O, _P), (_E,)),
    RelType.RESULTED_IN: ((_E,), (_A, _J)),
    RelType.HOLDS_DATA: ((_O,), (_D,)),
    RelType.GOVERNS_ACCESS: ((_O,), (_D,)),
    RelType.PARTICIPATES_IN: ((_O,), (_J,)),
    RelType.RUNS_UNDER: ((_J,), (_A,)),
    RelType.USES_DATA: ((_J,), (_D,)),
    RelType.PART_OF: ((_J,), (_J,)),
    RelType.CHILD_OF: ((_O,), (_O,)),
    RelType.SUCCEEDED_BY: ((_O,), (_O,)),
    RelType.RELATED_TO: ((_O,), (_O,)),
    RelType.FOUNDED_BY: ((_O,), (_O,)),
}

NODE_COLUMNS: LiteralString = (
    "coalesce(n.sourceIds, []), coalesce(n.origins, []), coalesce(n.provenance, [])"
)
EDGE_COLUMNS: LiteralString = (
    "coalesce(r.sourceIds, []), coalesce(r.origins, []), coalesce(r.provenance, [])"
)
# Rows go out `$batch` to a record, each a list of values in column order: the Python driver's
# cost is mostly per record and per map key (20-27 us per node as one record with a property
# map, 9-11 us in batches of positional lists, measured on the 51k ROR organisations). Neo4j
# holds the selection's node or relationship references (not their properties) for the query;
# each batch's values are read as it is pulled.
_BATCHES: LiteralString = "UNWIND range(0, size(chosen) - 1, $batch) AS at "
# Whether the organisation a neighbourhood export starts from exists (by key or alias).
AROUND_EXISTS: LiteralString = "MATCH (o:" + _ORG + " {id: $around}) RETURN o.id AS id LIMIT 1"


@dataclass(frozen=True, slots=True)
class Scope:
    """Which filters an export applies; their values travel as parameters."""

    country: bool = False
    kind: bool = False
    topic: bool = False
    depth: int | None = None  # the neighbourhood of `$around` to this many hops

    def __post_init__(self) -> None:
        if self.depth is not None and self.depth not in _DEPTHS:
            raise ValueError(f"depth must be 1 to {MAX_DEPTH}, not {self.depth!r}")

    @property
    def filtered(self) -> bool:
        return self.country or self.kind or self.topic


def _literal(text: str) -> LiteralString:
    # Every piece of `text` is a constant of this module, an allow-listed label or type, or a
    # property name checked against _IDENTIFIER: no user values.
    return text


def _prop(name: str) -> str:
    if not _IDENTIFIER.match(name):
        raise ValueError(f"not a property name: {name!r}")
    return name


def matches(label: Label, scope: Scope, var: str = "n") -> str:
    """A Cypher boolean: the node `var`, known to carry `label`, passes the scope's filters."""
    checked_label(label)
    parts: list[str] = []
    if scope.country:
        parts.append(_COUNTRY[label].replace("{v}", var))
    if scope.kind:
        parts.append(f"{var}.kind IN $kinds" if label in _KINDED else "false")
    if scope.topic:
        topics = f"any(t IN coalesce({var}.topics, []) WHERE t IN $topics)"
        parts.append(topics if label in _TOPICAL else "false")
    return " AND ".join(parts) or "true"


def _end(var: str, labels: Sequence[Label], scope: Scope) -> str:
    """The node `var`, of one of `labels`, passes: one branch per label."""
    if len(labels) == 1:
        return matches(labels[0], scope, var)
    branches = [f"({var}:{checked_label(lb)} AND {matches(lb, scope, var)})" for lb in labels]
    return "(" + " OR ".join(branches) + ")"


def _pattern(var: str, labels: Sequence[Label]) -> str:
    return f"({var}:{checked_label(labels[0])})" if len(labels) == 1 else f"({var})"


def _near(depth: int) -> str:
    hops = _DEPTHS[depth]
    return (
        "MATCH (o:" + _ORG + " {id: $around}) "
        f"MATCH (o)-[*0..{hops}]-(m) WITH collect(DISTINCT m) AS near "
    )


def _values(var: str, columns: Sequence[str], hidden: Mapping[str, Hidden]) -> str:
    """The columns' values, in order, as list items; hidden ones null or guarded."""
    out = []
    for column in columns:
        value = f"{var}.{_prop(column)}"
        if column in hidden:
            condition = hidden[column]
            value = "null" if condition is None else f"CASE WHEN {condition(var)} THEN {value} END"
        out.append(value)
    return ", ".join(out)


def node_rows(
    label: Label,
    columns: Sequence[str],
    scope: Scope,
    hidden: Mapping[str, Hidden] | None = None,
) -> LiteralString:
    """The nodes of `label` in scope, `$batch` to a record (`rows`): each row the node's key,
    the `columns` in order, its source ids, origins and provenance entries.

    `hidden`: property -> the condition's builder (over a variable) under which it is still
    shown, or None for never (graph/api/compile/compiler.py's HIDDEN_FROM_ANONYMOUS, prefix
    removed).
    """
    name = checked_label(label)
    where = matches(label, scope)
    row = f"[n.id, {_values('n', columns, hidden or {})}, {NODE_COLUMNS}]"
    ret = f"{_BATCHES}RETURN [n IN chosen[at..at + $batch] | {row}] AS rows"
    if scope.depth is None:
        return _literal(f"MATCH (n:{name}) WHERE {where} WITH collect(n) AS chosen {ret}")
    return _literal(
        f"{_near(scope.depth)}UNWIND near AS n WITH n WHERE n:{name} AND {where} "
        f"WITH collect(n) AS chosen {ret}"
    )


def edge_rows(
    rel_type: RelType, columns: Sequence[str], scope: Scope, labels: Sequence[Label]
) -> LiteralString | None:
    """Relationships of `rel_type` whose two ends are in scope and carry one of `labels`,
    `$batch` to a record (`rows`): each row the start's key and label, the end's, the
    relationship's key, the `columns` in order, its source ids, origins and provenance entries.
    None when the selection's labels leave out every start or every end of this type."""
    t = checked_type(rel_type)
    starts, ends = ([lb for lb in side if lb in labels] for side in ENDS[rel_type])
    if not starts or not ends:
        return None
    a, b = _pattern("a", starts), _pattern("b", ends)
    where = f"{_end('a', starts, scope)} AND {_end('b', ends, scope)}"
    row = (
        "[startNode(r).id, head(labels(startNode(r))), endNode(r).id, "
        f"head(labels(endNode(r))), r.key, {_values('r', columns, {})}, {EDGE_COLUMNS}]"
    )
    ret = (
        f"WITH collect(r) AS chosen {_BATCHES}RETURN [r IN chosen[at..at + $batch] | {row}] AS rows"
    )
    if scope.depth is None:
        return _literal(f"MATCH {a}-[r:{t}]->{b} WHERE {where} {ret}")
    return _literal(
        f"{_near(scope.depth)}UNWIND near AS a MATCH {a}-[r:{t}]->{b} "
        f"WHERE b IN near AND {where} {ret}"
    )
