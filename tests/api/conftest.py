"""API fixtures: the seed graph in the test Neo4j, and a way to run GraphQL against it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import strawberry

from graph.api.execution.limits.rules import Limits
from graph.api.schema.build import build_schema
from graph.api.schema.context import Context
from graph.ingest.write import load
from graph.store import Store
from loaders.sources import parse_path
from tests.api.executing import executor_of
from tests.neo4j_test import ROOT

Run = Callable[..., Awaitable[tuple[dict[str, Any], int]]]


@pytest.fixture(scope="session")
def schema() -> strawberry.Schema:
    return build_schema()


@pytest.fixture
async def seeded(store: Store) -> Store:
    await load(parse_path(ROOT / "seeds"), store)
    return store


def runner(schema: strawberry.Schema, store: Store, limits: Limits | None = None) -> Run:
    async def run(query: str, **variables: Any) -> tuple[dict[str, Any], int]:
        view = store.view()
        result = await executor_of(schema, limits).run(
            query, Context(store=view), variables or None
        )
        if result.errors:
            raise AssertionError([e.message for e in result.errors])
        assert result.data is not None
        return result.data, view.stats.round_trips

    return run


@pytest.fixture
def gql(schema: strawberry.Schema, seeded: Store) -> Run:
    """Run a query on the seed graph; returns (data, Cypher round trips)."""
    return runner(schema, seeded)
