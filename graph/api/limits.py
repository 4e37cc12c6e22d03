"""Query limits: depth, aliases, cost and repeats, measured on the document before any Cypher.

The token limit is the parser's (`graphql.parse(max_lexical_tokens=...)`), applied in
graph/api/http.py, because a document must be parsed, and so bounded, before it can be measured.

Cost estimates the rows a query can produce: every object counts one, a list multiplies what is
under it by its size. A connection's `edges` and any list with a `first` argument are as long as
the page asked for (`first`/`last`, else the argument's default, else DEFAULT_PAGE);
`nodes(ids:)` is as long as `ids`; a nested list counts the estimate in NESTED_ESTIMATES. The
compiler caps every nested list at NESTED_LIMIT (500) rows, but counting 500 for each would refuse
the two-hop questions this API exists for (organisation -> agreements -> parties is 20 x 500 x 500
= 5M), so the estimates are the fan-out the data has, measured on the ROR dump (51,370
organisations: children p99.9 = 50, max 1,019; parents max 17; related p99.9 = 15, max 57;
successors max 4) and the seed ecosystem (agreements have 2-4 parties). A list missing from the
table counts NESTED_LIMIT: unknown lists are assumed to be as large as they may get.

Fragments are expanded (each measured once and reused), @skip/@include are ignored (the estimate
errs high), and introspection fields (`__schema`, `__type`) add neither depth nor cost:
graphql-core's MaxIntrospectionDepthRule bounds them during validation, and GraphiQL's
introspection query nests deeper than the data queries' limit should be.

Repeats protect validation rather than Neo4j: graphql-core compares the selections of one place
of the response pairwise, so 490 copies of `stats { nodes }`, which fit in 2000 tokens, take
seconds to validate (see `most_repeated`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
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
    SelectionSetNode,
    ValueNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_leaf_type,
    is_list_type,
)

from graph.api.compile import NESTED_LIMIT
from graph.api.paging import DEFAULT_PAGE
from graph.errors import UserError
from graph.settings import Settings

# Rows per parent, for nested lists (see the module docstring for where the numbers come from).
_FEW, _SOME, _MANY = 10, 20, 50
NESTED_ESTIMATES: dict[tuple[str, str], int] = {
    # An organisation is a hub: hundreds of children, agreements or events are possible.
    ("Organisation", "children"): _MANY,
    ("Organisation", "agreements"): _MANY,
    ("Organisation", "people"): _MANY,
    ("Organisation", "events"): _MANY,
    ("Organisation", "projects"): _MANY,
    ("Organisation", "datasets"): _SOME,
    ("Organisation", "founded"): _SOME,
    ("Organisation", "related"): _SOME,
    ("Organisation", "parents"): _FEW,
    ("Organisation", "successors"): _FEW,
    ("Organisation", "predecessors"): _FEW,
    ("Organisation", "founders"): _FEW,
    ("Organisation", "names"): _SOME,
    # Agreements are bi- or trilateral; their projects and events are few.
    ("Agreement", "parties"): _FEW,
    ("Agreement", "signatories"): _FEW,
    ("Agreement", "projects"): _FEW,
    ("Agreement", "events"): _FEW,
    ("Event", "participants"): _MANY,
    ("Event", "agreements"): _FEW,
    ("Event", "projects"): _FEW,
    ("Person", "names"): _FEW,
    ("Person", "positions"): _SOME,
    ("Person", "signatures"): _SOME,
    ("Person", "events"): _SOME,
    ("Project", "participants"): _MANY,
    ("Project", "parts"): _SOME,
    ("Project", "datasets"): _FEW,
    ("Project", "events"): _SOME,
    ("Dataset", "projects"): _SOME,
    # Graph questions: a collaboration's chain is organisation -> through -> partner; a path
    # has at most MAX_HOPS + 1 steps; a network at most MAX_NETWORK nodes; facets have a bucket
    # per country (~250), kind, status, decade or year.
    ("Collaboration", "chain"): 3,
    ("Collaboration", "sources"): _FEW,
    ("Path", "steps"): 7,
    ("Network", "nodes"): 300,
    ("Network", "edges"): 1000,
    ("OrganisationFacets", "byCountry"): 250,
    ("OrganisationFacets", "byKind"): _SOME,
    ("OrganisationFacets", "byStatus"): 3,
    ("OrganisationFacets", "byDecade"): _MANY,
    ("AgreementFacets", "byYear"): _MANY,
    ("AgreementFacets", "byKind"): _FEW,
    ("PartnerSuggestion", "sharedTopics"): _FEW,
    ("PartnerSuggestion", "reasons"): 5,
}
# Citations of one fact: a handful of sources at most.
PROVENANCE_ESTIMATE = _FEW
# Counts stop growing here: exact beyond it is pointless, and JSON clients lose integer precision.
_SATURATED = 2**53 - 1


@dataclass(frozen=True, slots=True)
class Limits:
    max_depth: int = 10
    max_tokens: int = 2000
    max_aliases: int = 30
    max_cost: int = 250_000
    max_body_bytes: int = 100_000
    max_repeats: int = 10

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            max_depth=settings.max_depth,
            max_tokens=settings.max_tokens,
            max_aliases=settings.max_aliases,
            max_cost=settings.max_cost,
            max_body_bytes=settings.max_body_bytes,
            max_repeats=settings.max_repeats,
        )


class LimitExceeded(UserError):
    """A query over one of the limits: which limit, the query's value and the maximum.

    The code is the failed step's (Apollo's names, which clients read as "the client's fault");
    `limit` says which limit.
    """

    code = "GRAPHQL_VALIDATION_FAILED"

    def __init__(
        self, limit: str, value: int | None, maximum: int, message: str, *, code: str = code
    ) -> None:
        super().__init__(message)
        self.code = code
        self.limit = limit
        self.value = value
        self.maximum = maximum

    @property
    def extensions(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "limit": self.limit, "maximum": self.maximum}
        if self.value is not None:
            out["value"] = self.value
        return out


@dataclass(frozen=True, slots=True)
class Measure:
    """What one operation asks for, fragments expanded."""

    depth: int
    aliases: int
    cost: int


def check(limits: Limits, measured: Measure) -> list[LimitExceeded]:
    """Every limit the measured operation breaks (all at once, so one retry can fix them all)."""
    out: list[LimitExceeded] = []
    if measured.depth > limits.max_depth:
        levels = "too many" if measured.depth == _SATURATED else str(measured.depth)
        out.append(
            LimitExceeded(
                "depth",
                measured.depth,
                limits.max_depth,
                f"the query nests {levels} levels deep; the maximum is "
                f"{limits.max_depth}: ask for less at once and follow ids in further queries",
            )
        )
    if measured.aliases > limits.max_aliases:
        out.append(
            LimitExceeded(
                "aliases",
                measured.aliases,
                limits.max_aliases,
                f"the query uses {measured.aliases} aliases; the maximum is {limits.max_aliases}",
            )
        )
    if measured.cost > limits.max_cost:
        out.append(
            LimitExceeded(
                "cost",
                measured.cost,
                limits.max_cost,
                f"the query could produce about {measured.cost} rows; the maximum is "
                f"{limits.max_cost}: ask for smaller pages (`first`) or fewer nested lists",
            )
        )
    return out


def enforce(
    limits: Limits,
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Mapping[str, Any] | None = None,
) -> list[LimitExceeded]:
    """Every limit `operation` breaks; repeats are counted only within the other limits."""
    exceeded = check(limits, measure(schema, document, operation, variables))
    if exceeded:
        # Counting repeats walks every place of the response: bounded only once the depth,
        # aliases and cost are.
        return exceeded
    repeats = most_repeated(document, operation, limits.max_repeats, limits.max_depth)
    if repeats.count > limits.max_repeats:
        place = f"`{repeats.path}`" if repeats.path else "the operation"
        what = (
            f"spreads {repeats.count} fragments on {place}"
            if repeats.fragments
            else f"selects {place} {repeats.count} times"
        )
        exceeded.append(
            LimitExceeded(
                "repeats",
                repeats.count,
                limits.max_repeats,
                f"the query {what}; the maximum is {limits.max_repeats}: GraphQL merges "
                "repeated selections of one place, so ask once",
            )
        )
    return exceeded


@dataclass(frozen=True, slots=True)
class Repeats:
    """The most selections one place of the response gets: copies of a field, or fragments."""

    count: int = 0
    path: str = ""
    fragments: bool = False


def most_repeated(
    document: DocumentNode, operation: OperationDefinitionNode, cap: int, levels: int
) -> Repeats:
    """The place most selected, where graphql-core's validation works hardest.

    OverlappingFieldsCanBeMergedRule compares the fields one place gets pairwise, and the
    fragments spread on it pairwise: 490 copies of `stats { nodes }` (2000 tokens) take seconds
    to validate, 200 one-field fragments on one object a tenth of a second. Counting stops at the
    first place over `cap`, and `levels` down (deeper only through a fragment cycle, which
    validation refuses).
    """
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    return _most_repeated([operation.selection_set], "", fragments, cap, levels)


def _most_repeated(
    selection_sets: list[SelectionSetNode],
    path: str,
    fragments: dict[str, FragmentDefinitionNode],
    cap: int,
    levels: int,
) -> Repeats:
    places: dict[str, list[FieldNode]] = {}
    spread: set[str] = set()
    _collect(selection_sets, fragments, places, spread)
    worst = Repeats(len(spread), path, fragments=True)
    for key, nodes in places.items():
        if len(nodes) > worst.count:
            worst = Repeats(len(nodes), f"{path}.{key}" if path else key)
    if worst.count > cap or levels <= 1:
        return worst
    for key, nodes in places.items():
        below = [n.selection_set for n in nodes if n.selection_set is not None]
        if below:
            inner = _most_repeated(
                below, f"{path}.{key}" if path else key, fragments, cap, levels - 1
            )
            if inner.count > worst.count:
                worst = inner
            if worst.count > cap:
                break
    return worst


def _collect(
    selection_sets: list[SelectionSetNode],
    fragments: dict[str, FragmentDefinitionNode],
    places: dict[str, list[FieldNode]],
    spread: set[str],
) -> None:
    """Fields by response key, as execution merges them (a fragment counts once per place)."""
    for selection_set in selection_sets:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                places.setdefault(key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                _collect([selection.selection_set], fragments, places, spread)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name not in spread and name in fragments:
                    spread.add(name)
                    _collect([fragments[name].selection_set], fragments, places, spread)


def too_many_tokens(limits: Limits) -> LimitExceeded:
    return LimitExceeded(
        "tokens",
        None,
        limits.max_tokens,
        f"the query has more than {limits.max_tokens} tokens, the maximum: send a smaller one",
        code="GRAPHQL_PARSE_FAILED",
    )


def measure(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Mapping[str, Any] | None = None,
) -> Measure:
    """Depth, aliases and cost of `operation` with `variables` (page sizes may be variables)."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    defaults = {
        d.variable.name.value: d.default_value for d in operation.variable_definitions or ()
    }
    walker = _Walker(schema, fragments, dict(variables or {}), defaults)
    root = schema.get_root_type(operation.operation)
    try:
        total = walker.selection_set(root, operation.selection_set, None)
    except RecursionError:
        # Only fragments chained hundreds deep get here (with a raised token limit): too deep.
        return Measure(depth=_SATURATED, aliases=0, cost=0)
    return Measure(depth=total.depth, aliases=total.aliases, cost=total.cost)


@dataclass(frozen=True, slots=True)
class _Total:
    depth: int = 0
    aliases: int = 0
    cost: int = 0  # rows produced per row of the parent

    def plus(self, other: _Total) -> _Total:
        return _Total(
            max(self.depth, other.depth),
            min(self.aliases + other.aliases, _SATURATED),
            min(self.cost + other.cost, _SATURATED),
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
        if name.startswith("__"):
            # Introspection: only its aliases count (see the module docstring).
            inner = self.selection_set(named, node.selection_set, None)
            return _Total(0, min(aliases + inner.aliases, _SATURATED), 0)
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
        cost = min(size * (1 + inner.cost), _SATURATED)
        return _Total(inner.depth, min(aliases + inner.aliases, _SATURATED), cost)

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
        return NESTED_ESTIMATES.get((parent, name), NESTED_LIMIT)

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


def _field_definition(parent: GraphQLNamedType | None, name: str) -> GraphQLField | None:
    if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
        field: GraphQLField | None = parent.fields.get(name)
        return field
    return None
