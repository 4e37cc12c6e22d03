"""The cost limit's nested list sizes from the graph's statistics
(graph/api/execution/limits/degrees.py).

Two graphs in the real test Neo4j: a sparse hierarchy (most organisations have no children, as
in ROR), where "100 organisations with their children and grandchildren" is cheap and must pass
at the default limits, and a dense one (every organisation related to 40 others), where the same
shape of question really yields millions of rows and must still be refused before any Cypher.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
import strawberry
from graphql import OperationDefinitionNode, parse
from starlette.testclient import TestClient

from graph.api.compile.compiler import NESTED_LIMIT
from graph.api.execution.adapter import graphql_schema
from graph.api.execution.limits.degrees import PAIRS, Degrees, estimate
from graph.api.execution.limits.rules import Limits, enforce
from graph.api.http.app import create_app
from graph.dbserver import ServerInfo
from graph.ingest.write import load
from graph.model import Bundle
from graph.parsed import Parsed
from graph.settings import Settings
from graph.store import Store
from tests.neo4j_test import target_of

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


async def test_stopping_ends_a_read_under_way_and_the_store_closes_after_it(
    neo4j_server: ServerInfo,
) -> None:
    store = await Store.open(target_of(neo4j_server), timeout_s=10)
    degrees = Degrees()
    degrees.refresh(store)
    task = degrees._task
    assert task is not None
    await asyncio.sleep(0)  # the read is under way
    await degrees.stop()
    assert task.cancelled()
    assert degrees._task is None
    await store.close()  # waits for the shielded query in flight: no connection left open


def test_the_app_stops_its_statistics_read_before_closing_the_store(
    neo4j_server: ServerInfo, caplog: pytest.LogCaptureFixture
) -> None:
    """Before: a request started the read, the app shut down while it ran, and the read went
    on against the closed driver: "could not read the graph's degree statistics" at every
    shutdown (seen in 10 of 10 tries)."""
    caplog.set_level(logging.WARNING, logger="graph.api.execution.limits.degrees")
    for _ in range(3):
        with TestClient(create_app(Settings(), target_of(neo4j_server))) as client:
            query = "{ organisations(first: 1) { edges { node { name } } } }"
            assert client.post("/graphql", json={"query": query}).status_code == 200
    assert not [r for r in caplog.records if "degree statistics" in r.getMessage()]


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
