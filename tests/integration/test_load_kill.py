"""A batched load killed mid-way (kill -9 of the loader, or of Neo4j): marked incomplete in the
graph, shown by GraphQL's `stats`, and finished by the next load of the same files into exactly
the graph one uninterrupted load gives."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path

import orjson
import strawberry

from bench.synthetic import generate
from graph.api.schema.build import build_schema
from graph.api.schema.context import Context
from graph.cypher import loadmark as cypher_loadmark
from graph.dbserver import LocalServer
from graph.dbserver.server import ServerInfo
from graph.ingest.write import load
from graph.store import Store, Target
from loaders.sources import parse_path
from tests.api.executing import executor_of
from tests.integration.cli import start_cli
from tests.integration.graphdata import fingerprint

ORGS = 250
BATCH = "10"  # small batches: the load runs hundreds of transactions, one killed among them
WRITTEN = "MATCH (n:Organisation) RETURN count(n) AS count"


def _dump(tmp_path: Path) -> tuple[Path, str]:
    data = generate(ORGS)
    folder = tmp_path / "synthetic"
    folder.mkdir()
    # JSON is YAML: the seed directory's one file holds every collection.
    (folder / "dataset.yaml").write_bytes(orjson.dumps(data))
    return folder, str(data["origin"])


async def _wait_mid_load(store: Store, process: asyncio.subprocess.Process) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.returncode is None, "the load ended before it could be killed"
        marks = await store.read(cypher_loadmark.INCOMPLETE)
        if marks and (await store.read(WRITTEN))[0]["count"] > 20:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the load never got going")


async def _stats(schema: strawberry.Schema, store: Store) -> list[str]:
    result = await executor_of(schema).run(
        "{ stats { nodes incompleteLoads } }", Context(store=store.view())
    )
    assert result.data is not None, result.errors
    # The marks are bookkeeping: `nodes` counts the graph's nodes only.
    (graph,) = await store.read("MATCH (n) WHERE NOT n:IncompleteLoad RETURN count(n) AS count")
    assert result.data["stats"]["nodes"] == graph["count"]
    loads: list[str] = result.data["stats"]["incompleteLoads"]
    return loads


async def _finish_and_compare(store: Store, folder: Path, origin: str) -> None:
    schema = build_schema()
    assert await _stats(schema, store) == [origin]
    partial = (await store.read(WRITTEN))[0]["count"]
    assert 0 < partial < ORGS, "the kill came mid-load"
    # Small enough for one transaction: the next load finishes the unit whichever way it writes.
    await load(parse_path(folder), store)
    assert await _stats(schema, store) == []
    finished = await fingerprint(store)
    await store.run_batched("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS")
    await load(parse_path(folder), store)
    assert await fingerprint(store) == finished, "the finished load differs from a clean one"


async def test_a_killed_loader_leaves_its_unit_marked_and_the_next_load_finishes_it(
    neo4j_server: ServerInfo, store: Store, tmp_path: Path
) -> None:
    folder, origin = _dump(tmp_path)
    process = await start_cli(neo4j_server, "load", folder, "--batch-size", BATCH, "--batched")
    try:
        await _wait_mid_load(store, process)
    finally:
        process.send_signal(signal.SIGKILL)
        await process.wait()
    await _finish_and_compare(store, folder, origin)


async def test_neo4j_killed_mid_load_leaves_the_unit_marked_and_the_next_load_finishes_it(
    own_server: LocalServer, tmp_path: Path
) -> None:
    info = await asyncio.to_thread(own_server.start)
    target = Target(uri=info.uri, user=info.user, password=info.password)
    folder, origin = _dump(tmp_path)
    store = await Store.open(target)
    try:
        await store.setup_schema()
        process = await start_cli(info, "load", folder, "--batch-size", BATCH, "--batched")
        await _wait_mid_load(store, process)
        os.kill(info.pid, signal.SIGKILL)
        assert await process.wait() != 0, "the loader did not notice Neo4j dying"
    finally:
        await store.close()
    deadline = time.monotonic() + 30
    while own_server.status().running:
        assert time.monotonic() < deadline, "Neo4j survived SIGKILL"
        await asyncio.sleep(0.1)
    await asyncio.to_thread(own_server.start)
    store = await Store.open(target)
    try:
        await _finish_and_compare(store, folder, origin)
    finally:
        await store.close()
