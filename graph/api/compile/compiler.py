"""Selection -> Cypher: a root field and everything nested under it become ONE query.

Nested relationship fields become COLLECT subqueries, objects become map literals keyed by the
response key (so aliases of one field with different selections coexist), values are always
parameters. This module walks the GraphQL AST; the Cypher fragments come from
graph/cypher/project.py, with labels and relationship types from the specs' enums only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLResolveInfo,
    InlineFragmentNode,
    SelectionSetNode,
)
from graphql.execution.values import VariableValues, get_directive_values
from graphql.type import GraphQLIncludeDirective, GraphQLSkipDirective

from graph.api.compile.tables import (
    EDGES,
    TYPES,
    EdgeRel,
    Embedded,
    FieldSpec,
    GlobalId,
    Lookup,
    Names,
    Prop,
    Provenance,
    Rel,
)
from graph.auth import ANONYMOUS, Role
from graph.cypher import project as cy
from graph.cypher.read import as_query
from graph.errors import CompileError

__all__ = ["NESTED_LIMIT", "CompileError", "Compiler", "as_query"]

# Contact details of people, and the access contact of data sets that are not public, are for
# identified users (any key) only. Value: the condition (over the element's variable) under which
# an anonymous reader still sees it; None: never.
HIDDEN_FROM_ANONYMOUS: dict[str, Callable[[str], str] | None] = {
    "Person.email": None,
    "Person.phone": None,
    "Dataset.accessContact": cy.public_access,
}

# Nested lists are bounded so that one request cannot pull a whole graph through a hub node;
# root connections page beyond this.
NESTED_LIMIT = 500


class Compiler:
    """Compiles the selection of one root field; collects the parameters as it goes."""

    def __init__(self, info: GraphQLResolveInfo[Any]) -> None:
        self.fragments: dict[str, FragmentDefinitionNode] = info.fragments
        # graphql-core's directives read its VariableValues; strawberry's resolve info holds
        # only their coerced dict, so `@include(if: $x)` failed with an internal error.
        variables: Any = info.variable_values
        if not isinstance(variables, VariableValues):
            variables = VariableValues({}, dict(variables or {}))
        self.variables: VariableValues = variables
        self.params: dict[str, Any] = {}
        self._counter = 0
        principal = getattr(getattr(info, "context", None), "principal", ANONYMOUS)
        # Decided here, before any Cypher: hidden fields are projected as null, so the query
        # (and its index look-ups) is the same for everyone.
        self.hidden = {} if principal.may(Role.READER) else HIDDEN_FROM_ANONYMOUS

    # --- bookkeeping --------------------------------------------------------------------------

    def param(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f"${name}"

    def var(self, prefix: str = "v") -> str:
        self._counter += 1
        return f"{prefix}{self._counter}"

    def collect(self, type_name: str, nodes: list[FieldNode]) -> dict[str, list[FieldNode]]:
        """Sub-fields of `nodes` for a value of `type_name`, by response key, fragments resolved."""
        out: dict[str, list[FieldNode]] = {}
        for node in nodes:
            if node.selection_set is not None:
                self._collect_set(type_name, node.selection_set, out)
        return out

    def _included(self, node: Any) -> bool:
        skip = get_directive_values(GraphQLSkipDirective, node, self.variables)
        if skip and skip.get("if") is True:
            return False
        include = get_directive_values(GraphQLIncludeDirective, node, self.variables)
        return not (include and include.get("if") is False)

    def _applies(self, condition: Any, type_name: str) -> bool:
        if condition is None:
            return True
        name = condition.name.value
        return name in (type_name, "Node")

    def _collect_set(
        self, type_name: str, selection_set: SelectionSetNode, out: dict[str, list[FieldNode]]
    ) -> None:
        for sel in selection_set.selections:
            if not self._included(sel):
                continue
            if isinstance(sel, FieldNode):
                key = sel.alias.value if sel.alias else sel.name.value
                out.setdefault(key, []).append(sel)
            elif isinstance(sel, InlineFragmentNode):
                if self._applies(sel.type_condition, type_name):
                    self._collect_set(type_name, sel.selection_set, out)
            elif isinstance(sel, FragmentSpreadNode):
                fragment = self.fragments.get(sel.name.value)
                if fragment is not None and self._applies(fragment.type_condition, type_name):
                    self._collect_set(type_name, fragment.selection_set, out)

    # --- projections --------------------------------------------------------------------------

    def node(self, type_name: str, var: str, nodes: list[FieldNode]) -> str:
        """A map literal for the node `var` of GraphQL type `type_name`."""
        if type_name == "Node":
            return self.any_node(var, nodes)
        spec = TYPES.get(type_name)
        if spec is None:
            raise CompileError(f"no spec for type {type_name}")
        entries = [cy.typename(self.param(type_name))]
        for key, fields in self.collect(type_name, nodes).items():
            name = fields[0].name.value
            if name == "__typename":
                continue
            field_spec = spec.fields.get(name)
            if field_spec is None:
                raise CompileError(f"no spec for {type_name}.{name}")
            value = self.field(field_spec, type_name, var, fields)
            entries.append(cy.entry(key, self._guard(type_name, name, var, value)))
        return cy.map_literal(entries)

    def _guard(self, type_name: str, prop: str, var: str, value: str) -> str:
        key = f"{type_name}.{prop}"
        if key not in self.hidden:
            return value
        condition = self.hidden[key]
        if condition is None:
            return cy.NULL
        return cy.when(condition(var), value)

    def any_node(self, var: str, nodes: list[FieldNode]) -> str:
        """A node whose type is known only at run time (Node interface): one branch per label."""
        return cy.by_label(
            (var, spec.label, self.node(name, var, nodes)) for name, spec in TYPES.items()
        )

    def field(self, spec: FieldSpec, type_name: str, var: str, nodes: list[FieldNode]) -> str:
        match spec:
            case Prop(name=prop):
                return cy.prop(var, prop)
            case GlobalId():
                return cy.global_id(self.param(type_name + ":"), var)
            case Names():
                return cy.names(var)
            case Provenance():
                return cy.provenance(var)
            case Embedded(props=props, optional_on=optional_on, rels=rels):
                sub = self.collect("", nodes)
                literal = cy.map_literal(
                    cy.entry(k, self._embedded(type_name, var, props, rels, f))
                    for k, f in sub.items()
                    if f[0].name.value in props or f[0].name.value in rels
                )
                if optional_on:
                    return cy.null_if_missing(var, optional_on, literal)
                return literal
            case Rel():
                return self.rel(spec, var, nodes)
            case EdgeRel():
                return self.edge_rel(spec, type_name, var, nodes)
            case Lookup():
                raise CompileError("lookups exist on edges only")
        raise CompileError(f"unknown field spec {spec!r}")

    def _embedded(
        self,
        type_name: str,
        var: str,
        props: dict[str, str],
        rels: dict[str, Rel],
        nodes: list[FieldNode],
    ) -> str:
        """One field of an embedded object: the element's property, or its relationship."""
        name = nodes[0].name.value
        if name in rels:
            return self.rel(rels[name], var, nodes)
        prop = props[name]
        return cy.NULL if f"{type_name}.{prop}" in self.hidden else cy.prop(var, prop)

    def provenance(self, var: str) -> str:
        return cy.provenance(var)

    def rel(self, spec: Rel, var: str, nodes: list[FieldNode]) -> str:
        far = self.var("t")
        label = TYPES[spec.target].label
        match = cy.pattern(var, "", spec.type, spec.outgoing, far, label)
        projection = self.node(spec.target, far, nodes)
        limit = NESTED_LIMIT if spec.many else 1
        return cy.related(match, far, limit, projection, many=spec.many)

    def edge_rel(self, spec: EdgeRel, type_name: str, var: str, nodes: list[FieldNode]) -> str:
        far, rel = self.var("t"), self.var("r")
        far_label = None if spec.target == "Node" else TYPES[spec.target].label
        match = cy.pattern(var, rel, spec.type, spec.outgoing, far, far_label)
        edge = EDGES[spec.edge]
        entries: list[str] = []
        for key, fields in self.collect(spec.edge, nodes).items():
            name = fields[0].name.value
            if name == "__typename":
                continue
            if name == spec.near:
                entries.append(cy.entry(key, self.node(type_name, var, fields)))
            elif name == spec.far:
                entries.append(cy.entry(key, self.node(spec.target, far, fields)))
            elif spec.far == "*" and name.capitalize() in TYPES:
                target = name.capitalize()
                label = TYPES[target].label
                entries.append(
                    cy.entry(key, cy.when(cy.labelled(far, label), self.node(target, far, fields)))
                )
            else:
                field_spec = edge.fields.get(name)
                if field_spec is None:
                    raise CompileError(f"no spec for {spec.edge}.{name}")
                entries.append(cy.entry(key, self.edge_field(field_spec, rel, fields)))
        return cy.edges(match, rel, far, NESTED_LIMIT, cy.map_literal(entries))

    def edge_field(self, spec: FieldSpec, rel: str, nodes: list[FieldNode]) -> str:
        match spec:
            case Prop(name=prop):
                return cy.prop(rel, prop)
            case Provenance():
                return cy.provenance(rel)
            case Lookup(target=target, prop=prop):
                found = self.var("o")
                projection = self.node(target, found, nodes)
                return cy.lookup(found, TYPES[target].label, rel, prop, projection)
        raise CompileError(f"unsupported edge field {spec!r}")
