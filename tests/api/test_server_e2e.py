"""End to end: `partnergraph serve` as a real process on 127.0.0.1, over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest

from graph.dbserver import ServerInfo
from tests.serving import served


@pytest.fixture
def server(neo4j_server: ServerInfo, tmp_path: Path) -> Iterator[str]:
    with served(neo4j_server, tmp_path / "serve.log") as base:
        yield base


def test_real_server_answers_graphql(server: str) -> None:
    response = httpx.post(f"{server}/graphql", json={"query": "{__typename}"}, timeout=10)
    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}
    assert httpx.get(f"{server}/ready", timeout=10).json() == {"status": "ready"}
