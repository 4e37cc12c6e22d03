"""The cost limit's nested list sizes from the graph's statistics
(graph/api/execution/limits/degrees.py).

Two graphs in the real test Neo4j: a sparse hierarchy (most organisations have no children, as
in ROR), where "100 organisations with their children and grandchildren" is cheap and must pass
at the default limits, and a dense one (every organisation related to 40 others), where the same
shape of question really yields millions of rows and must still be refused before any Cypher.
"""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import OperationDefinitionNode, parse

from graph.api.compile.compiler import NESTED_LIMIT
from graph.api.execution.adapter import graphql_schema
from graph.api.execution.limits.degrees import PAIRS, Degrees, estimate
from graph.api.execution.limits.rules import Limits, enforce
from graph.ingest.write import load
from graph.model import Bundle
from graph.parsed import Parsed
from graph.store import Store

GRANDCHILDREN = """{ organisations(first: 100, where: {country: {eq: "US"}}) { edges { node {
    name children { organisation { name children { organisation { name } } } } } } } }"""
RELATED_THREE_HOPS = """{ organisations(first: 100) { edges { node { name
    related { organisation { related { organisation { related { organisation { name } } } } } }
    } } } }"""


def _bundle(orgs: list[dict[str, Any]]) -> Parsed:
    return Parsed(
        Bundle.model_validate(
            {
                "origin": "degrees",
                "sources": [{"id": "deg-src", "title": "degrees"}],
                "organisations": orgs,
            }
        )
    )


def _org(i: int, relations: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": f"org-{i:04d}",
        "kind": "university",
        "names": [{"value": f"Organisation {i}", "lang": "en", "types": ["display"]}],
        "location": {"country": "US"},
        "relations": relations,
        "sources": [{"source": "deg-src"}],
    }


def _limits(schema: strawberry.Schema, query: str, degrees: Degrees | None) -> list[str]:
    document = parse(query)
    (operation,) = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    estimates = degrees.current() if degrees else None
    return [
        e.limit
        for e in enforce(Limits(), graphql_schema(schema), document, operation, None, estimates)
    ]


def test_an_estimate_is_the_mean_doubled_within_the_largest_degree() -> None:
    assert estimate(51_370, 16_000, 1_019) == 1  # ceil(0.62)
    assert estimate(100, 4_000, 40) == 40  # 2 x 40 is past the largest degree
    assert estimate(100, 4_000, 10_000) == 80
    assert estimate(10, 100_000, 100_000) == NESTED_LIMIT
    assert estimate(0, 0, 0) == 1


async def test_a_sparse_hierarchy_lets_the_grandchildren_question_pass(
    schema: strawberry.Schema, store: Store
) -> None:
    # 300 organisations, 10 of them parents of 10 children each: ROR's shape, small.
    orgs = [
        _org(
            i, [{"type": "child", "organisation": f"org-{100 + i * 10 + c:04d}"} for c in range(10)]
        )
        if i < 10
        else _org(i, [])
        for i in range(300)
    ]
    await load([_bundle(orgs)], store)
    # The fixed table counts 50 children per organisation: refused without the statistics.
    assert _limits(schema, GRANDCHILDREN, None) == ["cost"]
    degrees = Degrees()
    await degrees.read(store)
    assert degrees.current()[("Organisation", "children")] == 1
    assert _limits(schema, GRANDCHILDREN, degrees) == []


async def test_a_dense_graph_still_refuses_a_real_fan_out(
    schema: strawberry.Schema, store: Store
) -> None:
    # Each organisation related to the next 20 (stored once, read both ways): 40 neighbours
    # each, so three hops from 100 organisations reach 100 x 40^3 = 6.4M rows.
    n = 200
    orgs = [
        _org(
            i, [{"type": "related", "organisation": f"org-{(i + k) % n:04d}"} for k in range(1, 21)]
        )
        for i in range(n)
    ]
    await load([_bundle(orgs)], store)
    degrees = Degrees()
    await degrees.read(store)
    assert degrees.current()[("Organisation", "related")] == 40
    assert _limits(schema, RELATED_THREE_HOPS, degrees) == ["cost"]


async def test_figures_are_read_in_the_background_at_most_once_per_period(store: Store) -> None:
    degrees = Degrees()
    degrees.refresh(store)
    first = degrees._task
    assert first is not None
    degrees.refresh(store)  # within the period: no second read
    assert degrees._task is first
    await first
    assert degrees.current()  # every list has a figure once read


async def test_a_list_is_scanned_for_its_largest_degree_again_only_when_it_changed(
    store: Store,
) -> None:
    # The counts are the count store's, free; the largest degree is a pass over the label, so
    # an idle server re-reading every minute must not rescan a million organisations.
    await load([_bundle([_org(i, []) for i in range(40)])], store)
    degrees = Degrees()
    await degrees.read(store)
    assert degrees.largest_reads == len(PAIRS)
    await degrees.read(store)
    assert degrees.largest_reads == len(PAIRS)  # nothing changed: counts only
    # Every organisation related to the next three: the related list changed, no other did.
    related = [
        _org(i, [{"type": "related", "organisation": f"org-{(i + k) % 40:04d}"} for k in (1, 2, 3)])
        for i in range(40)
    ]
    await load([_bundle(related)], store)
    await degrees.read(store)
    assert degrees.largest_reads == len(PAIRS) + 1
    assert degrees.current()[("Organisation", "related")] == 6  # 3 each way, within the largest
