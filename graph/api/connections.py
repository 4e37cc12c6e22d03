"""Root connections: one Cypher query for a page, its edges' nodes, and totalCount if asked."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from graphql import FieldNode

from graph.api.compile import Compiler
from graph.api.paging import Page, encode_cursor
from graph.api.specs import TYPES
from graph.api.where import predicate

_PLAIN_PROPERTY = re.compile(r"n\.[A-Za-z]+")


@dataclass(slots=True)
class Compiled:
    """A query and how to turn its one result row into the connection's response map."""

    query: str
    params: dict[str, Any]
    page: Page
    sort: str | None = None
    node_keys: list[str] = field(default_factory=list)
    wants_total: bool = False
    wants_beyond: bool = False

    def shape(self, row: dict[str, Any]) -> dict[str, Any]:
        rows: list[dict[str, Any]] = row["rows"]
        more = len(rows) > self.page.size
        rows = rows[: self.page.size]
        if self.page.backward:
            rows.reverse()
        edges = []
        for r in rows:
            edge = {key: r[key] for key in self.node_keys}
            edge["cursor"] = encode_cursor(r["sk"], r["id"], self.sort)
            edges.append(edge)
        beyond = bool(row.get("beyond", False))
        page_info = {
            "hasNextPage": beyond if self.page.backward else more,
            "hasPreviousPage": more if self.page.backward else beyond,
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        }
        out: dict[str, Any] = {"edges": edges, "pageInfo": page_info}
        if self.wants_total:
            out["totalCount"] = row["total"]
        return out


def compile_connection(
    compiler: Compiler,
    type_name: str,
    nodes: list[FieldNode],
    where: Any,
    sort: str,
    descending: bool,
    page: Page,
) -> Compiled:
    spec = TYPES[type_name]
    label = spec.label.value
    connection = compiler.collect(f"{type_name}Connection", nodes)
    compiled = Compiled("", {}, page, sort=sort)
    compiled.wants_total = any(f[0].name.value == "totalCount" for f in connection.values())

    node_entries: list[str] = []
    for fields in connection.values():
        if fields[0].name.value != "edges":
            continue
        for edge_key, edge_fields in compiler.collect(f"{type_name}Edge", fields).items():
            if edge_fields[0].name.value == "node":
                node_entries.append(f"`{edge_key}`: {compiler.node(type_name, 'n', edge_fields)}")
                compiled.node_keys.append(edge_key)

    cond = predicate(type_name, where, "n", compiler.param, compiler.var) if where else "true"
    sort_expr, _ = spec.sorts[sort]
    if _PLAIN_PROPERTY.fullmatch(sort_expr):
        # Plain sort keys are required properties with a range index; saying they are not null
        # lets Neo4j read the index in order and stop after the page (10x on 50k organisations)
        # instead of sorting every node. Optional keys are wrapped in coalesce() in specs.py.
        cond = f"{sort_expr} IS NOT NULL AND ({cond})"
    # Walking backward reverses the order; the page is put back in order by `shape`.
    reverse = descending != page.backward
    order = "DESC" if reverse else "ASC"
    after = "<" if reverse else ">"
    cursor_cond = "true"
    beyond_cond = None
    if page.cursor is not None:
        value, key = compiler.param(page.cursor[0]), compiler.param(page.cursor[1])
        cursor_cond = f"(sk {after} {value} OR (sk = {value} AND n.id {after} {key}))"
        before = ">" if reverse else "<"
        beyond_cond = f"(sk {before} {value} OR (sk = {value} AND n.id {before}= {key}))"
    limit = compiler.param(page.size + 1)
    projection = "{sk: sk, id: n.id" + "".join(", " + e for e in node_entries) + "}"
    parts = [
        f"CALL () {{ MATCH (n:{label}) WHERE {cond} WITH n, {sort_expr} AS sk "
        f"WHERE {cursor_cond} ORDER BY sk {order}, n.id {order} LIMIT {limit} "
        f"RETURN collect({projection}) AS rows }}"
    ]
    returns = ["rows"]
    if compiled.wants_total:
        parts.append(f"CALL () {{ MATCH (n:{label}) WHERE {cond} RETURN count(n) AS total }}")
        returns.append("total")
    if beyond_cond is not None:
        compiled.wants_beyond = True
        parts.append(
            f"CALL () {{ RETURN EXISTS {{ MATCH (n:{label}) WHERE {cond} "
            f"WITH n, {sort_expr} AS sk WHERE {beyond_cond} }} AS beyond }}"
        )
        returns.append("beyond")
    compiled.query = " ".join(parts) + " RETURN " + ", ".join(returns)
    compiled.params = compiler.params
    return compiled
