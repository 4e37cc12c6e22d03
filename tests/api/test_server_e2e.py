"""End to end: `partnergraph serve` as a real process on 127.0.0.1, over real HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from graph.dbserver import ServerInfo
from tests.neo4j_test import ROOT, free_port


@pytest.fixture
def served(neo4j_server: ServerInfo, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "NEO4J_URI": neo4j_server.uri,
        "NEO4J_PASSWORD": neo4j_server.password,
        "PARTNERGRAPH_PORT": str(port),
    }
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "graph.cli", "serve"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the server did not come up:\n{log.read_text()[-2000:]}")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def test_real_server_answers_graphql(served: str) -> None:
    response = httpx.post(f"{served}/graphql", json={"query": "{__typename}"}, timeout=10)
    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}
    assert httpx.get(f"{served}/ready", timeout=10).json() == {"status": "ready"}
