"""Root connections: one Cypher query for a page, its edges' nodes, and totalCount if asked."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphql import FieldNode

from graph.api.compile.compiler import Compiler
from graph.api.compile.paging import Page, encode_cursor
from graph.api.compile.tables import TYPES
from graph.api.compile.where import equal, predicate, present
from graph.cypher import project as cy
from graph.cypher import read as cypher_read


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
    # Edge fields holding the cursor (`cursor`, or its aliases): encoded only when asked (an
    # encode per edge was 50 base64 + JSON dumps a page nobody read).
    cursor_keys: list[str] = field(default_factory=list)

    def shape(self, row: dict[str, Any]) -> dict[str, Any]:
        rows: list[dict[str, Any]] = row["rows"]
        more = len(rows) > self.page.size
        rows = rows[: self.page.size]
        if self.page.backward:
            rows.reverse()
        edges = []
        for r in rows:
            edge = {key: r[key] for key in self.node_keys}
            if self.cursor_keys:
                cursor = encode_cursor(r["sk"], r["id"], self.sort)
                for key in self.cursor_keys:
                    edge[key] = cursor
            edges.append(edge)
        beyond = bool(row.get("beyond", False))
        page_info = {
            "hasNextPage": beyond if self.page.backward else more,
            "hasPreviousPage": more if self.page.backward else beyond,
            "startCursor": self._cursor(rows[0]) if rows else None,
            "endCursor": self._cursor(rows[-1]) if rows else None,
        }
        out: dict[str, Any] = {"edges": edges, "pageInfo": page_info}
        if self.wants_total:
            out["totalCount"] = row["total"]
        return out

    def _cursor(self, row: dict[str, Any]) -> str:
        return encode_cursor(row["sk"], row["id"], self.sort)


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
    connection = compiler.collect(f"{type_name}Connection", nodes)
    compiled = Compiled("", {}, page, sort=sort)
    compiled.wants_total = any(f[0].name.value == "totalCount" for f in connection.values())
    # edges and pageInfo both need the page; totalCount and __typename do not.
    wants_page = any(
        f[0].name.value not in ("totalCount", "__typename") for f in connection.values()
    )

    node_entries: list[str] = []
    for fields in connection.values():
        if fields[0].name.value != "edges":
            continue
        for edge_key, edge_fields in compiler.collect(f"{type_name}Edge", fields).items():
            if edge_fields[0].name.value == "node":
                node_entries.append(cy.entry(edge_key, compiler.node(type_name, "n", edge_fields)))
                compiled.node_keys.append(edge_key)
            elif edge_fields[0].name.value == "cursor":
                compiled.cursor_keys.append(edge_key)

    cond = predicate(type_name, where, "n", compiler.param, compiler.var) if where else "true"
    sort_expr, _ = spec.sorts[sort]
    optional = cypher_read.optional_property(sort_expr)
    if where and optional is not None and optional in present(type_name, where):
        # The filter leaves only nodes that have the sort key (`established >= 1990`), so the
        # coalesce() is the property itself: plain, the page may read its range index in
        # order and stop after the page instead of ordering every match. Cursors are alike:
        # the sort value of a node with the property is the property.
        sort_expr = cypher_read.sort_prop(optional)
    cursor = None
    if page.cursor is not None:
        cursor = (compiler.param(page.cursor[0]), compiler.param(page.cursor[1]))
    compiled.wants_beyond = cursor is not None
    ordered = cypher_read.is_plain_property(sort_expr)
    within = None
    if where and ordered:
        within = cypher_read.ordered_within(spec.label, equal(type_name, where), sort_expr)
    query = cypher_read.PageQuery(
        label=spec.label,
        cond=cond,
        sort=sort_expr,
        limit=compiler.param(page.size + 1),
        projection_entries=tuple(node_entries),
        # Walking backward reverses the order; the page is put back in order by `shape`.
        descending=descending != page.backward,
        cursor=cursor,
        total=compiled.wants_total,
        page=wants_page,
        # Plain sort keys are required properties with a range index: the page reads the index
        # in order and stops after the page (10x on 50k organisations) instead of sorting every
        # node. Optional keys are wrapped in coalesce() in the registry.
        ordered=ordered,
        within=within,
    )
    compiled.query = cypher_read.connection(query)
    compiled.params = compiler.params
    return compiled
