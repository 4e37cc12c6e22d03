"""Fixtures: a real Neo4j for the session, and a clean database for each test that asks."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from graph.dbserver import LocalServer, ServerInfo
from graph.store import Store
from tests.neo4j_test import (
    LIB_DIR,
    SHARED,
    free_port,
    server_for_tests,
    start_test_server,
    target_of,
    wipe,
)


@pytest.fixture(scope="session")
def neo4j_server() -> ServerInfo:
    return start_test_server()


@pytest.fixture(scope="session")
async def session_store(neo4j_server: ServerInfo) -> AsyncIterator[Store]:
    store = await Store.open(target_of(neo4j_server))
    await store.setup_schema()
    yield store
    await store.close()


@pytest.fixture
async def store(session_store: Store) -> Store:
    """A clean database; counters fresh for this test."""
    await wipe(session_store, server_for_tests())
    return session_store.view()


@pytest.fixture(scope="session")
def shared_ror() -> Path:
    path = SHARED / "data" / "ror"
    if not path.is_dir():
        pytest.skip("../shared/data/ror is absent")
    return path


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[LocalServer]:
    """A Neo4j of this test's own (not started yet): tests that stop or kill Neo4j use it,
    never the shared test server."""
    local = LocalServer(tmp_path / "neo4j", free_port(), "512m", None, LIB_DIR)
    try:
        yield local
    finally:
        local.stop()
