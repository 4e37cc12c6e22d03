"""Faults: Neo4j stopped under a serving API gives 503 + Retry-After, and the API recovers alone."""

from __future__ import annotations

from pathlib import Path

from starlette.testclient import TestClient

from graph.api.http.app import create_app
from graph.dbserver import LocalServer
from graph.settings import Settings
from graph.store import Target

QUERY = {"query": "{ stats { nodes } }"}


def test_neo4j_down_gives_503_and_the_api_recovers_without_a_restart(
    own_server: LocalServer, tmp_path: Path
) -> None:
    info = own_server.start()
    target = Target(uri=info.uri, user=info.user, password=info.password)
    settings = Settings(home=tmp_path / "home", neo4j_timeout_s=5)
    with TestClient(create_app(settings, target)) as client:
        assert client.post("/graphql", json=QUERY).status_code == 200
        assert client.get("/ready").status_code == 200

        own_server.stop()
        down = client.post("/graphql", json=QUERY)
        assert down.status_code == 503
        assert down.headers["retry-after"] == "5"
        assert down.json()["errors"][0]["extensions"]["code"] == "STORE_UNAVAILABLE"
        assert "bolt://" not in down.text  # where Neo4j lives is not the client's business
        ready = client.get("/ready")
        assert ready.status_code == 503

        own_server.start()
        assert client.get("/ready").status_code == 200
        back = client.post("/graphql", json=QUERY)
        assert back.status_code == 200
        assert back.json()["data"]["stats"]["nodes"] >= 0
