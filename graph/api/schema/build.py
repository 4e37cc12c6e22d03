"""The schema built: root types, every kind's type, the caches, and map resolvers installed.

Below the root, no field has a resolver of its own: values are read from the compiled maps by
response key (see `install_map_resolvers`), so a nested query costs no further round trips.
"""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLInterfaceType, GraphQLNamedType, GraphQLObjectType
from strawberry.extensions import ParserCache, ValidationCache

from graph.api.compile import maps
from graph.api.execution.adapter import graphql_schema, origin
from graph.api.execution.fastpath import FastExecutor
from graph.api.execution.masking import ErrorCodes
from graph.api.schema import raw
from graph.api.schema import types as t
from graph.api.schema.marks import holds_maps
from graph.api.schema.mutations import Mutation
from graph.api.schema.roots import Query
from graph.kinds import KINDS


def _holds_maps(gtype: GraphQLNamedType) -> bool:
    return holds_maps(origin(gtype))


def install_map_resolvers(schema: strawberry.Schema) -> None:
    """Below the root, every field reads its value from the compiled map (no per-field I/O)."""
    gql = graphql_schema(schema)
    for name, gtype in gql.type_map.items():
        if name.startswith("__") or not _holds_maps(gtype):
            continue
        if isinstance(gtype, GraphQLObjectType):
            for field_name, gfield in gtype.fields.items():
                gfield.resolve = maps.citations if field_name == "provenance" else maps.by_key
        elif isinstance(gtype, GraphQLInterfaceType):
            gtype.resolve_type = maps.resolve_type
    for type_name in KINDS:
        object_type = gql.type_map[type_name]
        assert isinstance(object_type, GraphQLObjectType)
        # Strawberry checks isinstance() of its own classes; our values are maps.
        object_type.is_type_of = None


class _Schema(strawberry.Schema):
    def process_errors(self, errors: Any, execution_context: Any = None) -> None:
        """graph.api.execution.masking classifies and logs; user errors are not server trouble."""


def build_schema(*, fast: bool = True) -> strawberry.Schema:
    """The schema; `fast=False` completes every field with graphql-core (the bench's baseline)."""
    schema = _Schema(
        query=Query,
        mutation=Mutation,
        execution_context_class=FastExecutor if fast else None,
        # Every kind's type, though a schema reaches some only through the Node interface.
        types=[getattr(t, name) for name in KINDS],
        # Factories: the caches themselves live at module level and are shared across requests.
        extensions=[
            lambda: ParserCache(maxsize=256),
            lambda: ValidationCache(maxsize=256),
            ErrorCodes,
        ],
    )
    install_map_resolvers(schema)
    raw.install(schema)
    return schema


def schema_sdl() -> str:
    return build_schema().as_str() + "\n"
