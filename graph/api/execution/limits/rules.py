"""Query limits: their configuration, and which of them an operation breaks, before any Cypher.

What is measured lives beside: depth, aliases and cost in graph/api/execution/limits/measure.py,
repeats in graph/api/execution/limits/repeats.py, tokens in graph/api/execution/limits/tokens.py.
The document's own tokens are bounded by the parser (`graphql.parse(max_lexical_tokens=...)`,
graph/api/execution/executor.py), because a document must be parsed, and so bounded, before it can
be measured. `variables` are then held to what the same values would cost written inline: their
tokens count toward the same maximum, and they may nest no deeper than the parser lets a literal
nest; their page sizes and ids count toward the cost (graph/api/execution/limits/measure.py). A wide
`OR` filter sent in `variables` is refused like the same filter written in the query, before any
Cypher runs; and however it is written, a filter may make at most `max_filter_terms` comparisons
(graph/api/execution/limits/width.py: Neo4j's planner is what a wide filter overwhelms, and the
transaction timeout does not cut planning).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import DocumentNode, GraphQLSchema, OperationDefinitionNode

from graph.api.execution.limits.measure import SATURATED, Measure, measure
from graph.api.execution.limits.repeats import most_repeated
from graph.api.execution.limits.tokens import MAX_LITERAL_NESTING, document_tokens, literal_tokens
from graph.api.execution.limits.width import filter_terms
from graph.errors import LimitExceeded
from graph.settings import Settings


@dataclass(frozen=True, slots=True)
class Limits:
    max_depth: int = 10
    max_tokens: int = 2000
    max_aliases: int = 30
    max_cost: int = 250_000
    max_body_bytes: int = 100_000
    max_repeats: int = 10
    max_filter_terms: int = 50

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            max_depth=settings.max_depth,
            max_tokens=settings.max_tokens,
            max_aliases=settings.max_aliases,
            max_cost=settings.max_cost,
            max_body_bytes=settings.max_body_bytes,
            max_repeats=settings.max_repeats,
            max_filter_terms=settings.max_filter_terms,
        )


def check(limits: Limits, measured: Measure) -> list[LimitExceeded]:
    """Every limit the measured operation breaks (all at once, so one retry can fix them all)."""
    out: list[LimitExceeded] = []
    if measured.depth > limits.max_depth:
        levels = "too many" if measured.depth == SATURATED else str(measured.depth)
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


def check_variables(
    limits: Limits, document: DocumentNode, variables: Mapping[str, Any] | None
) -> list[LimitExceeded]:
    """The limits `variables` break, counted as if their values were written in the document."""
    if not variables:
        return []
    own = document_tokens(document)
    # Counting stops just past the maximum: a 100 kB body is never walked to the end for it.
    tokens, nesting = literal_tokens(variables.values(), limits.max_tokens - own)
    out: list[LimitExceeded] = []
    if own + tokens > limits.max_tokens:
        out.append(
            LimitExceeded(
                "tokens",
                None,
                limits.max_tokens,
                f"the query and its variables have more than {limits.max_tokens} tokens, the "
                "maximum (a variable's value counts as it would written in the query): send "
                "smaller variables, e.g. a narrower filter or fewer ids",
            )
        )
    if nesting > MAX_LITERAL_NESTING:
        out.append(
            LimitExceeded(
                "nesting",
                nesting,
                MAX_LITERAL_NESTING,
                f"a variable nests {nesting} levels deep; the maximum is {MAX_LITERAL_NESTING}, "
                "as for a value written in the query: flatten the filter",
            )
        )
    return out


def enforce(
    limits: Limits,
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Mapping[str, Any] | None = None,
    estimates: Mapping[tuple[str, str], int] | None = None,
) -> list[LimitExceeded]:
    """Every limit `operation` breaks; repeats are counted only within the other limits.
    `estimates`: nested list sizes from the graph's statistics (degrees.py)."""
    exceeded = check_variables(limits, document, variables)
    exceeded += check(limits, measure(schema, document, operation, variables, estimates))
    terms = filter_terms(document, operation, variables)
    if terms > limits.max_filter_terms:
        exceeded.append(
            LimitExceeded(
                "filter",
                terms,
                limits.max_filter_terms,
                f"the query's filters make {terms} comparisons; the maximum is "
                f"{limits.max_filter_terms}: compare with `in` (one term for a list of values) "
                "or split the question",
            )
        )
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


def too_many_tokens(limits: Limits) -> LimitExceeded:
    return LimitExceeded(
        "tokens",
        None,
        limits.max_tokens,
        f"the query has more than {limits.max_tokens} tokens, the maximum: send a smaller one",
        code="GRAPHQL_PARSE_FAILED",
    )
