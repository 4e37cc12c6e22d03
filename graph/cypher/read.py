"""Root reads: a connection page, nodes by id, full-text search, look-up by identifier, sort keys.

Builders return query text; the caller's compiler owns the parameters and passes their
references ("$p3") in, with the projections it compiled (graph/cypher/project.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import LiteralString

from graph.cypher.labels import Label, RelType, checked_label, checked_type
from graph.cypher.project import ident, param_ref
from graph.cypher.props import REGISTRY_CODE

_PLAIN_PROPERTY = re.compile(r"n\.[A-Za-z]+")
_OPTIONAL_PROPERTY = re.compile(r"coalesce\(n\.([A-Za-z]+), .+\)")
# Identifier properties an organisation may be looked up by (each has an index, schema.py).
IDENTIFIER_PROPS = frozenset({"ror", "wikidata", "isni", "grid", "fundref", REGISTRY_CODE, "pic"})
# (label, property, sort key) with a composite range index (schema.py): a page sorted by the key
# and filtered by equality on the property is read in order from it. With only the property's
# own index, "the first 100 US organisations by name" sought all 8,307 US organisations, read
# two properties of each and sorted them (25k db hits); from (country, name), 102 index entries.
ORDERED_WITHIN: tuple[tuple[LiteralString, LiteralString, LiteralString], ...] = (
    ("Organisation", "country", "name"),
)
# Sort keys many nodes share (years): with a composite (key, id) index the page's whole order,
# the key then the id, is the index's, so the read stops after the page. With the key's own
# index Neo4j must read every node of the page's last value first (a PartialTop): at a million
# organisations, 8,685 index entries for 50 organisations since 1990 against 232.
ORDERED_WITH_ID: tuple[tuple[LiteralString, LiteralString], ...] = (
    ("Organisation", "established"),
)


def as_query(text: str) -> LiteralString:
    # Every piece of `text` comes from a builder of graph/cypher: constants, allow-listed labels
    # and types, generated variable and parameter names, backticked GraphQL names; no user values.
    return text


# --- sort keys: Cypher expressions over `n` -----------------------------------------------------


def sort_prop(name: str) -> str:
    """A required property with a range index: the page is read from the index in order."""
    return f"n.{ident(name)}"


def is_plain_property(expr: str) -> bool:
    """Is the sort key a `sort_prop` (a required, indexed property)?"""
    return _PLAIN_PROPERTY.fullmatch(expr) is not None


def sort_or(name: str, default: str) -> str:
    """An optional property; `default` (a Cypher literal of this module's callers) for null."""
    return f"coalesce(n.{ident(name)}, {default})"


def optional_property(expr: str) -> str | None:
    """The property of a `sort_or` sort key, None for any other key."""
    m = _OPTIONAL_PROPERTY.fullmatch(expr)
    return m.group(1) if m else None


# What stands in for null in a sort key of an optional property, by the property's value type:
# the Cypher literal, and the value a keyset cursor compares.
_NULL_SORTS: dict[type[object], tuple[str, object]] = {
    str: ("''", ""),
    int: ("-1", -1),
    date: ("date('0001-01-01')", "0001-01-01"),
}


def sort_field(name: str, of: type[object], *, optional: bool) -> tuple[str, object]:
    """The sort key of a property whose values are `of`: `sort_or` if it may be null, else
    `sort_prop`; with the value that stands in for null."""
    literal, stand_in = _NULL_SORTS[of]
    return (sort_or(name, literal) if optional else sort_prop(name)), stand_in


def sort_degree(rel_type: RelType, outgoing: bool) -> str:
    """How many relationships of a type the node has, in one direction."""
    t = checked_type(rel_type)
    return f"COUNT {{ (n)-[:{t}]->() }}" if outgoing else f"COUNT {{ (n)<-[:{t}]-() }}"


def sort_distinct_far(rel_type: RelType) -> str:
    """How many distinct nodes the node reaches through outgoing relationships of a type."""
    return f"COUNT {{ MATCH (n)-[:{checked_type(rel_type)}]->(p) RETURN DISTINCT p }}"


# --- connections --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PageQuery:
    """One page of a root connection over the nodes `n` of a label.

    `cond` is the compiled `where` predicate, `sort` a sort key expression, `cursor` the
    parameter references of the cursor's (sort value, key), `limit` that of the page size + 1.
    `ordered` says the page may read `sort` (a required, indexed property) from its index in
    order: `cond` is then asked with the key not null, which lets Neo4j do so, while the total
    is counted on `cond` alone (from the count store when nothing is filtered, else from the
    filter's index). `within` names a property `cond` fixes by equality whose composite index
    with the sort key exists (ORDERED_WITHIN): the page is ordered by it first, which changes
    no order (every row has the one value) and lets Neo4j read that index in order. `page`
    False (only the total asked): no page is computed at all, and the query is the count alone
    (an index seek, or the count store, and nothing else).
    """

    label: Label
    cond: str
    sort: str
    limit: str
    projection_entries: tuple[str, ...]
    descending: bool = False
    cursor: tuple[str, str] | None = None
    total: bool = False
    ordered: bool = False
    page: bool = True
    within: str | None = None


def connection(q: PageQuery) -> str:
    """`rows` (sk, id and the projections), `total` if asked, and `beyond` after a cursor: if
    anything lies before the cursor (the other way's next page)."""
    label = checked_label(q.label)
    order = "DESC" if q.descending else "ASC"
    after = "<" if q.descending else ">"
    cursor_cond = "true"
    beyond_cond = None
    if q.cursor is not None:
        value, key = param_ref(q.cursor[0]), param_ref(q.cursor[1])
        cursor_cond = f"(sk {after} {value} OR (sk = {value} AND n.id {after} {key}))"
        before = ">" if q.descending else "<"
        beyond_cond = f"(sk {before} {value} OR (sk = {value} AND n.id {before}= {key}))"
    limit = param_ref(q.limit)
    projection = "{sk: sk, id: n.id" + "".join(", " + e for e in q.projection_entries) + "}"
    page_cond = not_null(q.sort, q.cond) if q.ordered else q.cond
    if q.ordered and q.within is None and _ordered_with_id(q.label, q.sort):
        page_cond = f"n.id IS NOT NULL AND {page_cond}"  # lets Neo4j read the (key, id) index
    read_cond = page_cond
    if q.cursor is not None and q.ordered:
        # The cursor's bound (implied by cursor_cond) as a range on the indexed key itself:
        # the index is read from the cursor on, not from its start up to the cursor.
        read_cond = f"{q.sort} {after}= {param_ref(q.cursor[0])} AND {page_cond}"
    if not q.page:
        # No edges or pageInfo asked: ordering and gathering rows nobody reads would cost a
        # top-k over every match (4x the count's Neo4j CPU on a country of 8,307).
        if not q.total:
            return "RETURN [] AS rows"
        where = "" if q.cond == "true" else f" WHERE {q.cond}"
        return f"MATCH (n:{label}){where} WITH count(n) AS total RETURN [] AS rows, total"
    prefix = "" if q.within is None else f"n.{ident(q.within)} {order}, "
    parts = [
        f"CALL () {{ MATCH (n:{label}) WHERE {read_cond} WITH n, {q.sort} AS sk "
        f"WHERE {cursor_cond} ORDER BY {prefix}sk {order}, n.id {order} LIMIT {limit} "
        f"RETURN collect({projection}) AS rows }}"
    ]
    returns = ["rows"]
    if q.total:
        where = "" if q.cond == "true" else f" WHERE {q.cond}"
        parts.append(f"CALL () {{ MATCH (n:{label}){where} RETURN count(n) AS total }}")
        returns.append("total")
    if beyond_cond is not None:
        parts.append(
            f"CALL () {{ RETURN EXISTS {{ MATCH (n:{label}) WHERE {page_cond} "
            f"WITH n, {q.sort} AS sk WHERE {beyond_cond} }} AS beyond }}"
        )
        returns.append("beyond")
    return " ".join(parts) + " RETURN " + ", ".join(returns)


def ordered_within(label: Label, equal: set[str], sort: str) -> str | None:
    """A property of `equal` whose composite index with the sort key `sort` exists."""
    for within_label, within, key in ORDERED_WITHIN:
        if within_label == label.value and within in equal and sort == sort_prop(key):
            return within
    return None


def _ordered_with_id(label: Label, sort: str) -> bool:
    return any(
        by_label == label.value and sort == sort_prop(key) for by_label, key in ORDERED_WITH_ID
    )


def not_null(expr: str, cond: str) -> str:
    """`cond`, and the sort key present: lets Neo4j read a range index in order."""
    if cond == "true":
        return f"{expr} IS NOT NULL"
    return f"{expr} IS NOT NULL AND ({cond})"


# --- nodes by id, search, identifiers ---------------------------------------------------------


def nodes_of(label: Label, keys: str, type_ref: str, projection: str) -> str:
    """One branch of `nodes(ids:)`: the nodes of one label among `keys`."""
    return (
        f"MATCH (n:{checked_label(label)}) WHERE n.id IN {param_ref(keys)} "
        f"RETURN {param_ref(type_ref)} AS type, n.id AS key, {projection} AS node"
    )


def node_by_id(label: Label, key: str, projection: str) -> str:
    """One node by key, projected (a written node, read back for the mutation's payload)."""
    return f"MATCH (n:{checked_label(label)} {{id: {param_ref(key)}}}) RETURN {projection} AS node"


def union_all(branches: list[str]) -> str:
    return " UNION ALL ".join(branches)


def search(text: str, labels: str, limit: str, projection: str) -> str:
    """Full-text search over every name (the `name_search` index), best match first.

    A withdrawn record (a registry's duplicate, kept for its old id) scores half and an
    inactive one three quarters: it shares its names with the live record, which must come
    first (the ministry before its withdrawn ROR duplicate for "중소벤처기업부").
    """
    return (
        "CALL db.index.fulltext.queryNodes('name_search', "
        f"{param_ref(text)}) "
        f"YIELD node AS n, score WHERE {param_ref(labels)} IS NULL "
        f"OR labels(n)[0] IN {param_ref(labels)} "
        "WITH n, score * CASE n.status WHEN 'withdrawn' THEN 0.5 WHEN 'inactive' THEN 0.75 "
        "ELSE 1.0 END AS score "
        f"ORDER BY score DESC, n.id LIMIT {param_ref(limit)} "
        f"RETURN n.id AS id, score, {projection} AS node"
    )


def organisations_by_identifier(prop: str, values: str, projection: str) -> str:
    """For each of `values`, the organisation with that identifier as `node` and the value as
    `key` (graph/coalesce.py reads several callers' look-ups at once); a withdrawn duplicate
    only when nothing else has it."""
    if prop not in IDENTIFIER_PROPS:
        raise ValueError(f"not an identifier property: {prop!r}")
    return (
        f"UNWIND {param_ref(values)} AS key CALL (key) {{ "
        f"MATCH (n:{checked_label(Label.ORGANISATION)}) WHERE n.{prop} = key "
        "RETURN n ORDER BY n.status = 'withdrawn', n.id LIMIT 1 } "
        f"RETURN key, {projection} AS node"
    )
