"""The limits' cached verdicts: one per document and what of the variables the limits read."""

from __future__ import annotations

from typing import Any

import pytest
import strawberry
from graphql import DocumentNode, get_operation_ast

from graph.api.execution.executor import Executor
from graph.api.execution.limits.key import MAX_KEY_NESTING, limit_key
from graph.api.execution.limits.rules import Limits

NESTED = """query ($n: Int) { organisations(first: $n) { edges { node {
    children { organisation { name } } } } } }"""


def refused(executor: Executor, query: str, **variables: Any) -> list[str]:
    document = executor.parse(query)
    assert isinstance(document, DocumentNode)
    operation = get_operation_ast(document)
    errors = executor.refusals(query, document, operation, variables or None)
    return [str(e.get("extensions", {}).get("limit")) for e in errors]


def test_strings_share_a_key_numbers_lengths_and_keys_do_not() -> None:
    assert limit_key({"v": "Organisation:a"}) == limit_key({"v": "Organisation:zzz"})
    assert limit_key({"n": 1}) != limit_key({"n": 2})
    # Equal in Python, not to the limits: `first: true` or `first: 1.0` is no page size.
    assert len({limit_key({"n": 1}), limit_key({"n": True}), limit_key({"n": 1.0})}) == 3
    assert limit_key({"ids": ["a", "b"]}) != limit_key({"ids": ["a"]})
    assert limit_key({"w": {"name": "x"}}) != limit_key({"w": {"city": "x"}})
    assert limit_key({"w": {"a": 1, "b": None}}) != limit_key({"w": {"a": None, "b": 1}})
    # Nesting cannot be confused with siblings: [[1], 2] is not [[1, 2]].
    assert limit_key({"x": [[1], 2]}) != limit_key({"x": [[1, 2]]})
    assert limit_key(None) == limit_key({}) == ()


def test_values_too_deep_or_large_are_not_keyed_and_do_not_recurse() -> None:
    deep: Any = 1
    for _ in range(MAX_KEY_NESTING * 100):  # far past Python's stack
        deep = [deep]
    assert limit_key({"x": deep}) is None
    assert limit_key({"x": list(range(10_000))}) is None


def test_a_cache_hit_never_skips_the_cost_of_another_page_size(schema: strawberry.Schema) -> None:
    # Fixed estimates (no statistics read): n organisations cost 102n + 1.
    executor = Executor(schema, Limits(max_cost=250))
    assert refused(executor, NESTED, n=1) == []
    assert refused(executor, NESTED, n=100) == ["cost"]
    # Again, now from the cache: each page size keeps its own verdict.
    assert refused(executor, NESTED, n=1) == []
    assert refused(executor, NESTED, n=100) == ["cost"]
    assert refused(executor, NESTED, n=2) == []
    assert refused(executor, NESTED, n=3) == ["cost"]


def test_new_degree_statistics_replace_the_cached_verdicts(schema: strawberry.Schema) -> None:
    executor = Executor(schema, Limits(max_cost=250))
    assert refused(executor, NESTED, n=4) == ["cost"]
    # The graph's statistics say an organisation has one child: the same request now fits.
    executor.degrees.estimates = {("Organisation", "children"): 1}
    assert refused(executor, NESTED, n=4) == []
    executor.degrees.estimates = {("Organisation", "children"): 500}
    assert refused(executor, NESTED, n=4) == ["cost"]


@pytest.mark.parametrize("operation", ["Small", "Large"])
def test_each_operation_of_a_document_has_its_own_verdict(
    schema: strawberry.Schema, operation: str
) -> None:
    executor = Executor(schema, Limits(max_cost=250))
    query = (
        "query Small { organisations(first: 1) { edges { node { name } } } } "
        "query Large { organisations(first: 100) { edges { node { "
        "children { organisation { name } } } } } }"
    )
    document = executor.parse(query)
    assert isinstance(document, DocumentNode)
    for _ in range(2):
        chosen = get_operation_ast(document, operation)
        errors = executor.refusals(query, document, chosen, None)
        # Every operation is held to the limits, whichever runs.
        assert [e["extensions"]["limit"] for e in errors] == ["cost"]
