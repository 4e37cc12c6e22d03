"""Root fields resolved from graphql-core's coerced arguments, not strawberry's input objects.

strawberry converts every argument into its input classes before a resolver runs: for a list
with a `where` filter, 84 `convert_argument` calls and as many dataclass instances per request
(bench.apiprofile), the largest piece of that request's Python in this repository's reach. The
compiler only reads a `where` (graph/api/compile/where.py reads graphql-core's dicts), so the
root fields that take one are resolved from the arguments as graphql-core coerced and validated
them: the same values, the same errors (coercion and validation are graphql-core's either way;
strawberry's conversion only changes their container). The strawberry fields stay declared as
they were, for the schema and its types; `install` puts these resolvers over strawberry's.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import strawberry

from graph.api.execution.adapter import graphql_schema

# (source, graphql-core's resolve info, arguments by GraphQL name) -> the field's value.
RawResolver = Callable[..., Awaitable[Any]]

# Query fields by GraphQL name; filled by the modules declaring them, at import.
RAW: dict[str, RawResolver] = {}


def raw_root(graphql_name: str, resolve: RawResolver) -> None:
    """Resolve the Query field `graphql_name` with `resolve`, from raw arguments."""
    assert graphql_name not in RAW, f"{graphql_name} has a raw resolver already"
    RAW[graphql_name] = resolve


def install(schema: strawberry.Schema) -> None:
    query = graphql_schema(schema).query_type
    assert query is not None
    for name, resolve in RAW.items():
        query.fields[name].resolve = resolve


def declared(resolve: Callable[..., Any], description: str, returns: Any, **arguments: Any) -> Any:
    """A strawberry field declared by `resolve`'s signature, with its arguments' and result's
    types given here: strawberry reads them from the annotations, and types generated from the
    registry (graph/api/schema/inputs.py) are values that an annotation written in the source
    cannot name."""
    resolve.__annotations__ = {**resolve.__annotations__, **arguments, "return": returns}
    return strawberry.field(resolver=resolve, description=description)


def declared_only(*_: Any, **__: Any) -> Any:
    """The body of a strawberry resolver kept for its signature (the field's arguments and
    type) while `install` resolves the field raw: never called."""
    raise NotImplementedError("resolved by graph/api/schema/raw.py")
