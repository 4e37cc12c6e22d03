"""The strawberry schema: root fields, each answered by one Cypher query through the store."""

from __future__ import annotations

import strawberry
from strawberry.extensions import ParserCache, ValidationCache

from graph import cypher
from graph.api.context import Context


@strawberry.type(description="How much the graph holds.")
class GraphStats:
    nodes: int
    relationships: int


@strawberry.type
class Query:
    @strawberry.field(description="Counts of nodes and relationships in the graph.")
    async def stats(self, info: strawberry.Info[Context, None]) -> GraphStats:
        rows = await info.context.store.read(cypher.STATS)
        return GraphStats(nodes=rows[0]["nodes"], relationships=rows[0]["relationships"])


def build_schema() -> strawberry.Schema:
    return strawberry.Schema(
        query=Query,
        # Factories: the caches themselves live at module level and are shared across requests.
        extensions=[lambda: ParserCache(maxsize=256), lambda: ValidationCache(maxsize=256)],
    )


def schema_sdl() -> str:
    return build_schema().as_str() + "\n"
