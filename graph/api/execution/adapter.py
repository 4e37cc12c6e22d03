"""The one place strawberry's and graphql-core's internals are reached.

pyproject.toml pins both libraries to the minors this module was tested with; a new minor is
checked here and nowhere else. What is reached, and why:
- `Schema._schema`, the graphql-core schema strawberry built: strawberry has no public accessor
  (0.341); `_schema` is what its maintainers point to (strawberry-graphql/strawberry#2590) and
  what its own extensions read.
- `Info._raw_info`, graphql-core's resolve info, whose field nodes the compiler walks.
- `DEFINITION_BACKREF`, from a graphql-core type back to the strawberry class it was made from.
- `validate_document`, strawberry's cached validation; `StrawberryGraphQLCoreExecutionContext`,
  the execution context the fast path extends; graphql-core's `FieldDetailsList` (new in 3.3),
  which that context's completers are called with.
"""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLNamedType, GraphQLResolveInfo, GraphQLSchema
from graphql.execution.collect_fields import FieldDetailsList
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext, validate_document
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.utils.str_converters import to_camel_case

__all__ = [
    "ExecutionContext",
    "FieldDetailsList",
    "graphql_schema",
    "origin",
    "raw_info",
    "to_camel_case",
    "validate_document",
]

# graphql-core's execution context with strawberry's additions; the fast path extends it.
ExecutionContext = StrawberryGraphQLCoreExecutionContext


def graphql_schema(schema: strawberry.Schema) -> GraphQLSchema:
    """The graphql-core schema strawberry built."""
    built: GraphQLSchema = schema._schema
    return built


def raw_info(info: strawberry.Info[Any, Any]) -> GraphQLResolveInfo[Any]:
    """graphql-core's resolve info under strawberry's: the field nodes the compiler walks."""
    raw: GraphQLResolveInfo[Any] = info._raw_info
    return raw


def origin(gtype: GraphQLNamedType) -> object | None:
    """The strawberry class a graphql-core type was made from, if it was made from one."""
    definition = gtype.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    return getattr(definition, "origin", None)
