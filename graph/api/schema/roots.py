"""The strawberry schema: root fields, each compiled with its whole selection into ONE Cypher query.

Below the root, no field has a resolver of its own: values are read from the compiled maps by
response key (see `install_map_resolvers`), so a nested query costs no further round trips.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import Enum
from typing import Any

import strawberry
from graphql import GraphQLResolveInfo
from pydantic import ValidationError

from graph.api.compile.compiler import Compiler, as_query
from graph.api.compile.connections import compile_connection
from graph.api.compile.paging import MAX_PAGE, Page, encode_cursor
from graph.api.compile.tables import TYPES
from graph.api.execution.adapter import raw_info
from graph.api.schema import inputs as i
from graph.api.schema import types as t
from graph.api.schema.context import Context
from graph.api.schema.match import MatchQuery
from graph.api.schema.mutations import AuditEntry, audit_log
from graph.api.schema.questions import Questions
from graph.api.schema.raw import declared, declared_only, raw_root
from graph.api.schema.relay_ids import split_id
from graph.cypher import loadmark as cypher_loadmark
from graph.cypher import props
from graph.cypher import read as cypher_read
from graph.errors import UserError
from graph.kinds import KINDS
from graph.model import Identifiers

Info = strawberry.Info[Context, None]


def _raw(info: Info) -> GraphQLResolveInfo[Any]:
    return raw_info(info)


async def _connection(
    info: GraphQLResolveInfo[Any],
    type_name: str,
    where: Mapping[str, Any] | None,
    order_by: Mapping[str, Any] | None,
    page: tuple[int | None, str | None, int | None, str | None],
) -> dict[str, Any]:
    """A root connection, from graphql-core's arguments as they are (graph/api/schema/raw.py)."""
    compiler = Compiler(info)
    sort = order_by["field"].value if order_by else KINDS[type_name].default_sort
    descending = bool(order_by and order_by.get("direction") is i.SortDirection.DESC)
    compiled = compile_connection(
        compiler,
        type_name,
        list(info.field_nodes),
        where,
        sort,
        descending,
        Page.from_args(*page, sort=sort),
    )
    context: Context = info.context
    rows = await context.store.read_values(as_query(compiled.query), compiled.params)
    return compiled.shape(rows[0])


async def _nodes(info: Info, ids: list[str]) -> list[dict[str, Any] | None]:
    if len(ids) > MAX_PAGE:
        raise UserError(f"at most {MAX_PAGE} ids at a time")
    raw = _raw(info)
    compiler = Compiler(raw)
    wanted = [split_id(g) for g in ids]
    if not wanted:
        return []
    by_type: dict[str, list[str]] = {}
    for type_name, key in wanted:
        by_type.setdefault(type_name, []).append(key)
    # One UNION branch per type asked for: still one round trip.
    branches = []
    for type_name, keys in by_type.items():
        projection = compiler.node(type_name, "n", list(raw.field_nodes))
        keys_ref = compiler.param(keys)
        type_ref = compiler.param(type_name)
        branches.append(
            cypher_read.nodes_of(TYPES[type_name].label, keys_ref, type_ref, projection)
        )
    query = as_query(cypher_read.union_all(branches))
    store = info.context.store
    if len(branches) == 1:  # the usual look-up: read with other requests' of the same shape
        [keys] = by_type.values()
        rows = await store.read_keyed(query, compiler.params, keys_ref.removeprefix("$"), keys)
    else:
        rows = await store.read_values(query, compiler.params)
    found = {(r["type"], r["key"]): r["node"] for r in rows}
    return [found.get(w) for w in wanted]


_LUCENE_SPECIAL = re.compile(r'([+\-&|!(){}\[\]^"~*?:\\/])')
# A word is a term and a prefix, which Lucene rewrites to up to 16 terms (more become one
# filter): 48 words are at most 816 clauses, under Lucene's 1,024 (500 words failed in Neo4j
# with TooManyClauses). The longest name in the ROR dump has 30 words.
MAX_SEARCH_WORDS = 48


def lucene_query(text: str) -> str:
    """User text as a Lucene query: every special character escaped, each word also a prefix."""
    # Lower case: Lucene reads upper-case AND/OR/NOT as operators; the analyzer folds case anyway.
    words = [_LUCENE_SPECIAL.sub(r"\\\1", w.lower()) for w in text.split()]
    if not words:
        raise UserError("search text is empty")
    if len(words) > MAX_SEARCH_WORDS:
        raise UserError(
            f"search text has {len(words)} words; at most {MAX_SEARCH_WORDS}: search for "
            "the few that matter"
        )
    return " ".join(f"({w} OR {w}*)" for w in words)


@strawberry.enum
class SearchKind(Enum):
    ORGANISATION = "Organisation"
    PERSON = "Person"


@strawberry.enum
class IdentifierScheme(Enum):
    ROR = "ror"
    WIKIDATA = "wikidata"
    ISNI = "isni"
    GRID = "grid"
    FUNDREF = "fundref"
    REGISTRY_CODE = props.REGISTRY_CODE
    PIC = "pic"


def _identifier(scheme: IdentifierScheme, value: str) -> str | None:
    """The identifier in the canonical form the loaders store (the model normalises it), or
    None when it cannot be one of its scheme (then nothing can match: no query is needed)."""
    field = "registry_code" if scheme is IdentifierScheme.REGISTRY_CODE else scheme.value
    try:
        return str(getattr(Identifiers.model_validate({field: value}), field))
    except ValidationError:
        return None


@strawberry.type(description="How much the graph holds.")
class GraphStats:
    nodes: int
    relationships: int
    incomplete_loads: list[str] = strawberry.field(
        description="Load units whose batched load did not finish (killed mid-way): the graph "
        "holds part of them until `partnergraph load` of the same files finishes them."
    )


def _root_connection(type_name: str, field_name: str, description: str) -> Any:
    """A kind's root connection field: `where`, `orderBy` and the Relay page arguments, the types
    named after the kind (`<Type>Where`, `<Type>OrderBy`, `<Type>Connection`). Resolved from
    graphql-core's arguments (graph/api/schema/raw.py); the strawberry resolver declares them."""

    async def resolve_raw(_: Any, info: GraphQLResolveInfo[Any], **args: Any) -> Any:
        page = (args.get("first"), args.get("after"), args.get("last"), args.get("before"))
        return await _connection(info, type_name, args.get("where"), args.get("orderBy"), page)

    raw_root(field_name, resolve_raw)

    async def resolve(
        self: Any,
        info: Info,
        where: Any = None,
        order_by: Any = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Any:
        return declared_only()

    where, order_by = i.WHERE[type_name] | None, i.ORDER_BY[type_name] | None
    connection = t.CONNECTIONS[type_name]
    return declared(resolve, description, connection, info=Info, where=where, order_by=order_by)


@strawberry.type
class Query(Questions, MatchQuery):
    @strawberry.field(description="Anything by its global id (Relay).")
    async def node(self, info: Info, id: strawberry.ID) -> t.Node | None:
        return (await _nodes(info, [str(id)]))[0]  # type: ignore[return-value]

    @strawberry.field(description="Several things by global id, in the order asked (null if none).")
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[t.Node | None]:
        return await _nodes(info, [str(x) for x in ids])  # type: ignore[return-value]

    organisations = _root_connection(
        "Organisation", "organisations", "Organisations: filter, sort, page with cursors."
    )
    people = _root_connection("Person", "people", "People, by any spelling of their name.")
    agreements = _root_connection(
        "Agreement", "agreements", "Agreements (MoUs and others): filter, sort, page."
    )
    events = _root_connection(
        "Event", "events", "Meetings, talks, roundtables, visits and signings."
    )
    datasets = _root_connection(
        "Dataset", "datasets", "Data sets: genomic data, health check-up records, ..."
    )
    projects = _root_connection(
        "Project", "projects", "Joint R&D projects, accelerator programmes, special zones."
    )
    sources = _root_connection("Source", "sources", "The documents and registers facts come from.")

    @strawberry.field(
        description="Full-text search over every name and alias, in every language "
        "(Hangul; Estonian with or without diacritics), best match first."
    )
    async def search(
        self,
        info: Info,
        text: str,
        kinds: list[SearchKind] | None = None,
        first: int = 20,
    ) -> t.SearchConnection:
        if not 0 <= first <= MAX_PAGE:
            raise UserError(f"`first` must be between 0 and {MAX_PAGE}")
        raw = _raw(info)
        compiler = Compiler(raw)
        nodes = [
            node
            for fields in compiler.collect("SearchConnection", list(raw.field_nodes)).values()
            if fields[0].name.value == "edges"
            for edge in compiler.collect("SearchEdge", fields).values()
            if edge[0].name.value == "node"
            for node in edge
        ]
        projection = compiler.node("Node", "n", nodes)
        labels = [k.value for k in kinds] if kinds else None
        query = cypher_read.search(
            compiler.param(lucene_query(text)),
            compiler.param(labels),
            compiler.param(first + 1),
            projection,
        )
        rows = await info.context.store.read_values(as_query(query), compiler.params)
        more = len(rows) > first
        edges = [
            {"cursor": encode_cursor(r["score"], r["id"]), "score": r["score"], "node": r["node"]}
            for r in rows[:first]
        ]
        page_info = {
            "hasNextPage": more,
            "hasPreviousPage": False,
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        }
        return {"edges": edges, "pageInfo": page_info}  # type: ignore[return-value]

    @strawberry.field(description="An organisation by an external identifier (ROR, Wikidata, ...).")
    async def organisation_by_identifier(
        self, info: Info, scheme: IdentifierScheme, value: str
    ) -> t.Organisation | None:
        canonical = _identifier(scheme, value)
        if canonical is None:
            return None
        raw = _raw(info)
        compiler = Compiler(raw)
        projection = compiler.node("Organisation", "n", list(raw.field_nodes))
        values_ref = compiler.param([canonical])
        query = cypher_read.organisations_by_identifier(scheme.value, values_ref, projection)
        rows = await info.context.store.read_keyed(
            as_query(query), compiler.params, values_ref.removeprefix("$"), [canonical]
        )
        return rows[0]["node"] if rows else None

    @strawberry.field(description="Who changed what and when through the API, newest first.")
    async def audit_log(
        self, info: Info, target: strawberry.ID | None = None, first: int = 50
    ) -> list[AuditEntry]:
        if not 0 <= first <= MAX_PAGE:
            raise UserError(f"`first` must be between 0 and {MAX_PAGE}")
        return await audit_log(info, str(target) if target else None, first)

    @strawberry.field(description="Counts of nodes and relationships in the graph.")
    async def stats(self, info: Info) -> GraphStats:
        (row,) = await info.context.store.read(cypher_loadmark.STATS_AND_MARKS)
        return GraphStats(
            nodes=row["nodes"],
            relationships=row["relationships"],
            incomplete_loads=list(row["incomplete"]),
        )
