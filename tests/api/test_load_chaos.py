"""Neo4j stopped and restarted under load: 503s while down, recovery alone, no write lost.

The load test's own core (bench.loadtest.run_load) runs against `partnergraph serve` as a real
process on 127.0.0.1 and a Neo4j of this test's own (the shared test server is never stopped).
"""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import strawberry

from bench.chaos import ChaosPlan
from bench.loadmix import Options, Outcome, org_record
from bench.loadtest import MARKER, api_env, editor_key, run_load, seed_graph, table
from bench.servers import api_server
from graph.api.schema.context import Context
from graph.auth import Principal, Role
from graph.dbserver import LocalServer
from graph.store import Store, Target
from tests.api.executing import executor_of

# Neo4j is killed 2 s into the run (once 8 writes are acknowledged) and started again 1 s later;
# it takes 10-30 s to come back on a busy 2-core machine, and the clients keep going all along,
# until a write begun after it came back is acknowledged (at most 60 s later).
# Two shared records all four clients update with expectedVersion: contention and the fault.
OPTIONS = Options(clients=4, seconds=4.0, write_share=0.5, shared_records=2, timeout_s=15.0)
PLAN = ChaosPlan(
    at_s=2.0, down_s=1.0, kill=True, settle_s=2.0, after_acked=8, acked_after_restart=1
)
EDITOR = Principal(name="race", role=Role.EDITOR, key_id="race")


async def test_neo4j_killed_under_load_gives_503s_recovers_and_loses_no_write(
    own_server: LocalServer, tmp_path: Path
) -> None:
    info = await asyncio.to_thread(own_server.start)
    (own_server.home / MARKER).write_text("the load-chaos test's own server\n")
    target = Target(uri=info.uri, user=info.user, password=info.password)
    await seed_graph(target, own_server.home)
    home = tmp_path / "home"
    key = editor_key(home)
    with api_server(target, tmp_path / "api.log", api_env(home)) as api:
        result = await run_load(api.url, key, OPTIONS, target, own_server, PLAN)
        os.kill(api.pid, 0)  # the same API process served before, during and after
    print(table(result))  # shown when the test fails

    chaos, outage, proof = result.chaos, result.outage, result.proof
    assert chaos is not None
    assert chaos.error is None
    assert outage is not None
    assert outage.unavailable > 0, result.errors()
    assert outage.with_retry_after == outage.unavailable
    assert outage.ready_false is not None
    assert outage.ready_true is not None
    assert outage.recovered is not None  # clean answers again, from the same API process
    assert chaos.started_at is not None
    assert chaos.stop_at is not None
    writes_before = [w for w in result.writes if w.client >= 0 and w.at < chaos.stop_at]
    writes_after = [w for w in result.writes if w.at > chaos.started_at]
    assert any(w.outcome is Outcome.ACKED for w in writes_before)
    assert any(w.outcome is Outcome.ACKED for w in writes_after)
    assert proof.lost == []
    assert proof.half == []
    assert proof.records > 0
    assert proof.acked > 0


UPSERT = """mutation($record: JSON!, $v: Int) {
  upsertOrganisation(record: $record, expectedVersion: $v,
                     source: {source: "seed-article-2024-06-06", where: "race"}) {
    __typename ... on Upserted { version } ... on Conflict { actualVersion } } }"""
HOLD = "MATCH (n:Organisation {id: 'lt-race'}) SET n.held = true"
BLOCKED = "SHOW TRANSACTIONS YIELD status WHERE status STARTS WITH 'Blocked' RETURN count(*) AS n"
WRITERS = 2


async def _wait_blocked(store: Store, writers: Sequence[asyncio.Future[dict[str, Any]]]) -> None:
    deadline = asyncio.get_running_loop().time() + 30
    while asyncio.get_running_loop().time() < deadline:
        assert not any(w.done() for w in writers), "a writer did not wait for the held lock"
        if (await store.read(BLOCKED))[0]["n"] >= len(writers):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the writers never blocked on the held lock")


async def test_writers_that_read_one_version_cannot_both_win(
    schema: strawberry.Schema, seeded: Store
) -> None:
    """What the load test's shared records found, made deterministic: a transaction of the test
    holds the record's lock while two writers at expectedVersion 1 start; when it lets go, one
    must win and the other get Conflict. Before the pipeline locked the nodes it rewrites ahead
    of reading them (reads are read-committed), both got `Upserted` at version 2."""
    record = org_record("lt-race", "Loadtest Race", "first")

    async def upsert(description: str, version: int | None) -> dict[str, Any]:
        result = await executor_of(schema).run(
            UPSERT,
            Context(store=seeded.view(), principal=EDITOR),
            {"record": {**record, "description": description}, "v": version},
        )
        assert result.errors is None, result.errors
        assert result.data is not None
        data: dict[str, Any] = result.data["upsertOrganisation"]
        return data

    assert (await upsert("first", None))["version"] == 1
    async with seeded.driver.session() as holder:
        tx = await holder.begin_transaction()
        await (await tx.run(HOLD)).consume()
        writers = [asyncio.ensure_future(upsert(f"writer {i}", 1)) for i in range(WRITERS)]
        try:
            await _wait_blocked(seeded, writers)
        finally:
            await tx.rollback()
        answers = await asyncio.gather(*writers)
    assert Counter(a["__typename"] for a in answers) == {"Upserted": 1, "Conflict": WRITERS - 1}
    rows = await seeded.read(
        "MATCH (n:Organisation {id: 'lt-race'}) RETURN n.version AS version, "
        "n.description AS description"
    )
    winner = next(i for i, a in enumerate(answers) if a["__typename"] == "Upserted")
    assert rows == [{"version": 2, "description": f"writer {winner}"}]
