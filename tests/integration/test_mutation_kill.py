"""Neo4j SIGKILLed in the middle of a mutation's transaction: nothing of it is visible afterwards.

A transaction of the test's own holds a write lock on a neighbour of the node an admin deletes.
The delete runs all its statements (lock the target, detach-delete it, write the audit entry)
in its open transaction, then waits in its commit: Neo4j takes the neighbour's lock for the
removed relationship there. The test waits until Neo4j itself reports that commit waiting,
SIGKILLs Neo4j, restarts it, and compares the whole graph with what it was before. The server is
this test's own, never the shared test server.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from pathlib import Path
from typing import Any

from neo4j import exceptions as nx
from starlette.testclient import TestClient

from graph.api.http.app import create_app
from graph.auth import KeyStore, Role, keys_file
from graph.dbserver import LocalServer
from graph.ingest.write import load
from graph.settings import Settings
from graph.store import Store, Target
from loaders.sources import parse_path
from tests.integration.graphdata import fingerprint
from tests.neo4j_test import ROOT

TARGET = "Organisation:gangwon-technopark"
NEIGHBOUR = "mou-gwtp-tsp-2024-06-04"  # an agreement it is party to
DELETE = {
    "query": 'mutation { delete(id: "Organisation:gangwon-technopark", reason: "kill test") '
    "{ __typename } }"
}
# The delete's transaction, its statements done, waiting for a lock in its commit.
COMMITTING = (
    "SHOW TRANSACTIONS YIELD status, statusDetails, activeLockCount "
    "WHERE status = 'Closing' AND statusDetails = 'Committing' RETURN activeLockCount"
)
AUDITED = "MATCH (a:AuditEntry) RETURN count(a) AS count"


async def _wait_committing(store: Store, request: asyncio.Future[Any]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert not request.done(), "the delete finished: it did not wait for the held lock"
        if await store.read(COMMITTING):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the delete's commit never waited for the held lock")


async def test_neo4j_killed_mid_mutation_leaves_no_partial_write(
    own_server: LocalServer, tmp_path: Path
) -> None:
    info = await asyncio.to_thread(own_server.start)
    target = Target(uri=info.uri, user=info.user, password=info.password)
    settings = Settings(home=tmp_path / "home", neo4j_timeout_s=90)
    _, key = KeyStore(keys_file(settings)).create("steward", Role.ADMIN)
    headers = {"Authorization": f"Bearer {key}"}

    store = await Store.open(target)
    holder = store.driver.session()
    try:
        await store.setup_schema()
        await load(parse_path(ROOT / "seeds"), store)
        before = await fingerprint(store)
        assert (await store.read(AUDITED))[0]["count"] == 0
        # The app first (its start-up sets up the schema, which would wait for the lock), then
        # the lock, then the request.
        with TestClient(create_app(settings, target)) as client:
            lock = await holder.begin_transaction()
            held = await lock.run(
                "MATCH (a:Agreement {id: $id}) SET a.held = true", {"id": NEIGHBOUR}
            )
            await held.consume()
            request = asyncio.ensure_future(
                asyncio.to_thread(client.post, "/graphql", json=DELETE, headers=headers)
            )
            await _wait_committing(store, request)
            os.kill(info.pid, signal.SIGKILL)
            response = await request
    finally:
        # After the kill the session's connection is dead: closing it may complain.
        with contextlib.suppress(nx.DriverError, nx.Neo4jError, OSError):
            await holder.close()
        await store.close()

    assert response.status_code == 503, response.text
    assert response.json()["errors"][0]["extensions"]["code"] == "STORE_UNAVAILABLE"

    deadline = time.monotonic() + 30
    while own_server.status().running:  # SIGKILL is not instantaneous: start anew, not "reuse" it
        assert time.monotonic() < deadline, "Neo4j survived SIGKILL"
        await asyncio.sleep(0.1)
    restarted = await asyncio.to_thread(own_server.start)
    assert restarted.pid != info.pid
    store = await Store.open(target)
    try:
        assert await fingerprint(store) == before, "part of the killed delete survived"
        assert (await store.read(AUDITED))[0]["count"] == 0
        rows = await store.read(
            "MATCH (n:Organisation {id: $id}) RETURN n._deleting AS mark, "
            "COUNT { (n)--() } AS rels",
            {"id": TARGET.partition(":")[2]},
        )
        assert len(rows) == 1
        assert rows[0]["mark"] is None
        assert rows[0]["rels"] > 0
    finally:
        await store.close()
