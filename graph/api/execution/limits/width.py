"""Filter width: the comparisons the `where` arguments of an operation ask for, inline or sent.

Neo4j's planner, not its execution, is what a wide filter overwhelms: on an empty graph an `OR`
of 100 name comparisons planned in 0.2 s, of 110 in 7 s, of 150 in 20 s, of 3,000 for minutes,
and planning is not cut by the transaction timeout. So the width is counted on the document
before any Cypher, whether the filter is written in the query or sent in `variables`.

A term is one comparison (`{contains: "x"}` is one, `{gt: 1, lt: 5}` two, `{in: [...]}` one
however long its list); AND, OR, NOT and quantifiers (`some`, `none`, `all`) add the terms under
them. Fragments are counted once each, whether spread or not (the count errs high).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    ListValueNode,
    NullValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    ValueNode,
    VariableNode,
    Visitor,
    visit,
)

FILTER_ARGUMENT = "where"


def filter_terms(
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Mapping[str, Any] | None = None,
) -> int:
    """The comparisons of every `where` argument of `operation` and of the fragments."""
    defaults = {
        d.variable.name.value: d.default_value for d in operation.variable_definitions or ()
    }
    counter = _Counter(dict(variables or {}), defaults)
    for definition in document.definitions:
        if definition is operation or not isinstance(definition, OperationDefinitionNode):
            visit(definition, counter)
    return counter.terms


class _Counter(Visitor):
    def __init__(self, variables: dict[str, Any], defaults: Mapping[str, ValueNode | None]) -> None:
        super().__init__()
        self.variables = variables
        self.defaults = defaults
        self.terms = 0

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        for argument in node.arguments or ():
            if argument.name.value == FILTER_ARGUMENT:
                self.terms += self.literal(argument.value)

    def literal(self, value: ValueNode | None) -> int:
        if value is None or isinstance(value, NullValueNode):
            return 0
        if isinstance(value, VariableNode):
            name = value.name.value
            if name in self.variables:
                return _sent(self.variables[name])
            return self.literal(self.defaults.get(name))
        if isinstance(value, ObjectValueNode):
            return sum(self.literal(f.value) for f in value.fields)
        if isinstance(value, ListValueNode) and any(
            isinstance(v, ObjectValueNode | VariableNode) for v in value.values
        ):
            return sum(self.literal(v) for v in value.values)
        return 1


def _sent(value: Any) -> int:
    """The terms of a filter sent in `variables` (iterative: JSON may nest past the stack)."""
    terms, pending = 0, [value]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list) and any(isinstance(v, dict) for v in item):
            pending.extend(item)
        elif item is not None:
            terms += 1
    return terms
