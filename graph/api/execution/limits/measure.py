"""Depth, aliases and cost of one operation, measured on the document before validation.

Cost estimates the rows a query can produce: every object counts one, a list multiplies what is
under it by its size. A connection's `edges` and any list with a `first` argument are as long as
the page asked for (`first`/`last`, else the argument's default, else DEFAULT_PAGE);
`nodes(ids:)` is as long as `ids`; a nested list counts the estimate in NESTED_ESTIMATES. The
compiler caps every nested list at NESTED_LIMIT (500) rows, but counting 500 for each would refuse
the two-hop questions this API exists for (organisation -> agreements -> parties is 20 x 500 x 500
= 5M), so the estimates are the fan-out the data has, measured on the ROR dump (51,370
organisations: children p99.9 = 50, max 1,019; parents max 17; related p99.9 = 15, max 57;
successors max 4) and the seed ecosystem (agreements have 2-4 parties). A list missing from the
table counts NESTED_LIMIT: unknown lists are assumed to be as large as they may get. Page sizes
and `ids` may come from variables: they count as sent.

Fragments are expanded (each measured once and reused), @skip/@include are ignored (the estimate
errs high), and introspection fields (`__schema`, `__type`) add no depth: graphql-core's
MaxIntrospectionDepthRule bounds them during validation, and GraphiQL's introspection query
nests deeper than the data queries' limit should be. They add cost, their lists as long as this
schema makes them (graph/api/execution/executor.py also answers them off the event loop, and from a
cache).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SchemaMetaFieldDef,
    SelectionSetNode,
    TypeMetaFieldDef,
    ValueNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_leaf_type,
    is_list_type,
)

from graph.api.compile.compiler import NESTED_LIMIT
from graph.api.compile.paging import DEFAULT_PAGE
from graph.api.compile.tables import NESTED_ESTIMATES, PROVENANCE_ESTIMATE

# Counts stop growing here: exact beyond it is pointless, and JSON clients lose integer precision.
SATURATED = 2**53 - 1


@dataclass(frozen=True, slots=True)
class Measure:
    """What one operation asks for, fragments expanded."""

    depth: int
    aliases: int
    cost: int


def measure(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Mapping[str, Any] | None = None,
    estimates: Mapping[tuple[str, str], int] | None = None,
) -> Measure:
    """Depth, aliases and cost of `operation` with `variables` (page sizes may be variables).

    `estimates` (rows per parent of a nested list, by (type, field)) come from the graph's own
    statistics (degrees.py) and take the place of the fixed table where given."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    defaults = {
        d.variable.name.value: d.default_value for d in operation.variable_definitions or ()
    }
    walker = _Walker(schema, fragments, dict(variables or {}), defaults)
    if estimates:
        walker.estimates = {**NESTED_ESTIMATES, **estimates}
    root = schema.get_root_type(operation.operation)
    try:
        total = walker.selection_set(root, operation.selection_set, None)
    except RecursionError:
        # Only fragments chained hundreds deep get here (with a raised token limit): too deep.
        return Measure(depth=SATURATED, aliases=0, cost=0)
    return Measure(depth=total.depth, aliases=total.aliases, cost=total.cost)


@dataclass(frozen=True, slots=True)
class _Total:
    depth: int = 0
    aliases: int = 0
    cost: int = 0  # rows produced per row of the parent

    def plus(self, other: _Total) -> _Total:
        return _Total(
            max(self.depth, other.depth),
            min(self.aliases + other.aliases, SATURATED),
            min(self.cost + other.cost, SATURATED),
        )


_NOTHING = _Total()


class _Walker:
    """Measures selection sets; fragments are measured once per (name, page) and reused.

    The document has not been validated yet: unknown fields and fragments count as leaves,
    fragment cycles as empty, so that validation reports them properly afterwards.
    """

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: dict[str, Any],
        defaults: Mapping[str, ValueNode | None],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.defaults = defaults
        self.done: dict[tuple[str, int | None], _Total] = {}
        self.active: set[str] = set()
        self.estimates: Mapping[tuple[str, str], int] = NESTED_ESTIMATES

    def selection_set(
        self, parent: GraphQLNamedType | None, selection_set: SelectionSetNode, page: int | None
    ) -> _Total:
        """One level of nesting plus the deepest below; `page` sizes a connection's `edges`."""
        total = _NOTHING
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total = total.plus(self.field(parent, selection, page))
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                inner = self.selection_set(target, selection.selection_set, page)
                total = total.plus(_Total(inner.depth - 1, inner.aliases, inner.cost))
            elif isinstance(selection, FragmentSpreadNode):
                total = total.plus(self.spread(selection.name.value, page))
        return _Total(total.depth + 1, total.aliases, total.cost)

    def spread(self, name: str, page: int | None) -> _Total:
        key = (name, page)
        if key in self.done:
            return self.done[key]
        fragment = self.fragments.get(name)
        if fragment is None or name in self.active:
            return _NOTHING
        self.active.add(name)
        target = self.schema.get_type(fragment.type_condition.name.value)
        inner = self.selection_set(target, fragment.selection_set, page)
        self.active.discard(name)
        # A spread adds no level of its own: the level is the selection set it sits in.
        self.done[key] = _Total(inner.depth - 1, inner.aliases, inner.cost)
        return self.done[key]

    def field(self, parent: GraphQLNamedType | None, node: FieldNode, page: int | None) -> _Total:
        aliases = 1 if node.alias else 0
        name = node.name.value
        definition = _field_definition(parent, name)
        if node.selection_set is None:
            return _Total(0, aliases, 0)
        named = get_named_type(definition.type) if definition else None
        if name.startswith("__") or (parent is not None and parent.name.startswith("__")):
            # Introspection: no depth (see the module docstring), but its lists count as long
            # as this schema makes them, so that thirty aliases of every type's fields' args
            # are refused like any other flood.
            inner = self.selection_set(named, node.selection_set, None)
            size = _introspection_sizes(self.schema).get(name, 1) if definition else 1
            if definition is None or not is_list_type(get_nullable_type(definition.type)):
                size = 1
            cost = min(size * (1 + inner.cost), SATURATED)
            return _Total(0, min(aliases + inner.aliases, SATURATED), cost)
        if definition is None or named is None or is_leaf_type(named):
            inner = self.selection_set(None, node.selection_set, None)
            return _Total(inner.depth, aliases + inner.aliases, 0)
        assert parent is not None  # a definition was found on it
        inner_page: int | None = None
        if named.name.endswith("Connection"):
            inner_page = self.page_size(node, definition)
            size = 1
        elif is_list_type(get_nullable_type(definition.type)):
            size = self.list_size(parent.name, node, definition, page)
        else:
            size = 1
        inner = self.selection_set(named, node.selection_set, inner_page)
        cost = min(size * (1 + inner.cost), SATURATED)
        return _Total(inner.depth, min(aliases + inner.aliases, SATURATED), cost)

    def list_size(
        self, parent: str, node: FieldNode, definition: GraphQLField, page: int | None
    ) -> int:
        name = node.name.value
        if name == "edges" and page is not None:
            return page
        if "first" in definition.args:
            return self.page_size(node, definition)
        if (parent, name) == ("Query", "nodes"):
            ids = self.argument(node, "ids")
            return len(ids) if isinstance(ids, list) else NESTED_LIMIT
        if name == "provenance":
            return PROVENANCE_ESTIMATE
        return self.estimates.get((parent, name), NESTED_LIMIT)

    def page_size(self, node: FieldNode, definition: GraphQLField) -> int:
        for arg in ("first", "last"):
            value = self.argument(node, arg)
            if isinstance(value, int) and not isinstance(value, bool):
                return max(value, 0)
        default = definition.args["first"].default_value if "first" in definition.args else None
        return default if isinstance(default, int) and default > 0 else DEFAULT_PAGE

    def argument(self, node: FieldNode, name: str) -> Any:
        """An argument's literal or variable value as sent (not coerced); None when absent."""
        for argument in node.arguments or ():
            if argument.name.value == name:
                return self.value(argument.value)
        return None

    def value(self, value: ValueNode | None) -> Any:
        if isinstance(value, IntValueNode):
            return int(value.value)
        if isinstance(value, ListValueNode):
            return list(value.values)
        if isinstance(value, VariableNode):
            name = value.name.value
            if name in self.variables:
                return self.variables[name]
            return self.value(self.defaults.get(name))
        return None


@lru_cache(maxsize=4)
def _introspection_sizes(schema: GraphQLSchema) -> dict[str, int]:
    """Rows per parent of each introspection list, as this schema makes them (means, rounded
    up: `types { fields }` yields every field of every type)."""
    types = list(schema.type_map.values())
    fields = [f for t in types for f in (getattr(t, "fields", None) or {}).values()]
    args = [a for f in fields for a in (getattr(f, "args", None) or {})]

    def mean(total: int, over: int) -> int:
        return max(1, -(-total // max(over, 1)))

    def per_type(attribute: str) -> int:
        return mean(sum(len(getattr(t, attribute, None) or ()) for t in types), len(types))

    return {
        "types": len(types),
        "directives": len(schema.directives),
        "fields": per_type("fields"),
        "inputFields": per_type("fields"),
        "enumValues": per_type("values"),
        "interfaces": per_type("interfaces"),
        "possibleTypes": 2,
        "args": mean(len(args), len(fields)),
    }


def _field_definition(parent: GraphQLNamedType | None, name: str) -> GraphQLField | None:
    if name == "__schema":
        return SchemaMetaFieldDef
    if name == "__type":
        return TypeMetaFieldDef
    if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
        field: GraphQLField | None = parent.fields.get(name)
        return field
    return None
