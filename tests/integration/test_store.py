"""The store against the real Neo4j: round trips, schema, transactions, wrapped errors."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from graph.cypher import schema as cypher_schema
from graph.dbserver import LocalServer, ServerInfo
from graph.errors import AuthFailed, ConstraintViolation, StoreUnavailable
from graph.store import Store, Target
from tests.neo4j_test import NotATestInstance, free_port, wipe


async def test_connectivity_and_round_trip(store: Store) -> None:
    await store.verify()
    await store.write("CREATE (:Organisation {id: $id, name: $name})", {"id": "x", "name": "X"})
    rows = await store.read("MATCH (n:Organisation {id: $id}) RETURN n.name AS name", {"id": "x"})
    assert rows == [{"name": "X"}]
    assert store.stats.round_trips == 3  # verify's ping, the write, the read


async def test_schema_setup_is_idempotent(store: Store) -> None:
    await store.setup_schema()
    await store.setup_schema()
    rows = await store.read("SHOW CONSTRAINTS YIELD name RETURN collect(name) AS names")
    assert {"organisation_id", "organisation_ror", "agreement_id"} <= set(rows[0]["names"])


async def test_uniqueness_constraint_is_wrapped(store: Store) -> None:
    await store.write("CREATE (:Organisation {id: 'a', ror: '03z77qz90'})")
    with pytest.raises(ConstraintViolation):
        await store.write("CREATE (:Organisation {id: 'b', ror: '03z77qz90'})")


async def test_transaction_rolls_back_on_error(store: Store) -> None:
    async def write_then_fail() -> None:
        async with store.transaction() as tx:
            await tx.run("CREATE (:Organisation {id: 'half-written'})")
            raise RuntimeError("the loader failed midway")

    with pytest.raises(RuntimeError):
        await write_then_fail()
    assert await store.read(cypher_schema.COUNT_NODES) == [{"count": 0}]


async def test_wrong_password_is_a_clear_error(neo4j_server: ServerInfo) -> None:
    target = Target(uri=neo4j_server.uri, user="neo4j", password="not-the-password")
    with pytest.raises(AuthFailed, match="refused the credentials"):
        await Store.open(target, timeout_s=10)


async def test_unreachable_server_is_store_unavailable() -> None:
    target = Target(uri=f"bolt://127.0.0.1:{free_port()}", user="neo4j", password="x")
    with pytest.raises(StoreUnavailable, match="store unavailable"):
        await Store.open(target, timeout_s=5)


async def test_wipe_refuses_anything_but_the_test_instance(
    session_store: Store, tmp_path: Path
) -> None:
    stranger = LocalServer(tmp_path / "home", 7687, "512m", None, tmp_path / "lib")
    with pytest.raises(NotATestInstance):
        await wipe(session_store, stranger)


async def test_a_read_on_a_connection_the_server_closed_is_run_again(
    own_server: LocalServer,
) -> None:
    # Reads are auto-commit transactions (one round trip), which the driver does not retry:
    # the store runs a read that failed retryably again, managed. A restart of Neo4j leaves
    # the pool's connections closed by the server; the first read after it must not fail.
    info = own_server.start()
    store = await Store.open(Target(uri=info.uri, user=info.user, password=info.password))
    try:
        await asyncio.gather(*(store.read(cypher_schema.PING) for _ in range(4)))
        own_server.stop()
        own_server.start()
        for _ in range(4):
            assert await store.read(cypher_schema.PING) == [{"ok": 1}]
    finally:
        await store.close()
