"""The ASGI app through Starlette's test client (lifespan included) on the real Neo4j."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from graph.api.http.app import create_app
from graph.api.schema.build import schema_sdl
from graph.dbserver import ServerInfo
from graph.settings import Settings
from graph.store import Target
from tests.neo4j_test import ROOT, free_port, target_of


@pytest.fixture
def client(neo4j_server: ServerInfo) -> Iterator[TestClient]:
    app = create_app(Settings(), target_of(neo4j_server))
    with TestClient(app) as test_client:
        yield test_client


def test_health_and_ready(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}
    assert client.get("/ready").json() == {"status": "ready"}


def test_graphql_answers_typename_over_post_and_get(client: TestClient) -> None:
    response = client.post("/graphql", json={"query": "{__typename}"})
    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}
    assert client.get("/graphql", params={"query": "{__typename}"}).json() == {
        "data": {"__typename": "Query"}
    }


def test_graphql_reads_the_store(client: TestClient) -> None:
    data = client.post("/graphql", json={"query": "{ stats { nodes relationships } }"}).json()
    assert set(data["data"]["stats"]) == {"nodes", "relationships"}
    assert data["data"]["stats"]["nodes"] >= 0


def test_graphiql_is_served_to_browsers(client: TestClient) -> None:
    response = client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


def test_checked_in_schema_matches_the_code() -> None:
    checked_in = (ROOT / "schema.graphql").read_text(encoding="utf-8")
    assert checked_in == schema_sdl(), "schema.graphql is stale: run `partnergraph schema`"


def test_app_starts_without_neo4j_and_says_it_is_not_ready() -> None:
    target = Target(uri=f"bolt://127.0.0.1:{free_port()}", user="neo4j", password="x")
    app = create_app(Settings(neo4j_timeout_s=3), target)
    with TestClient(app) as test_client:
        assert test_client.get("/health").status_code == 200
        ready = test_client.get("/ready")
        assert ready.status_code == 503
        assert "store unavailable" in ready.json()["error"]
        body = test_client.post("/graphql", json={"query": "{ stats { nodes } }"}).json()
        assert "store unavailable" in body["errors"][0]["message"]
