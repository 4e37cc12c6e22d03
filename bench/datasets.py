"""The data sets (seeds, the ROR dump, synthetic ecosystems) and the rows the pipeline writes."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, LiteralString

from bench.servers import BENCH_HOME, MARKER, ROOT, Neo4j
from graph.cypher import load as cypher_load
from graph.cypher import schema as cypher_schema
from graph.ingest import write
from graph.ingest.gcpause import gc_paused
from graph.ingest.plan import plan_load
from graph.model import Bundle
from graph.parsed import Parsed
from graph.store import Store
from loaders.sources import parse_path

SEEDS = ROOT / "seeds"
ROR_DUMP = ROOT.parent / "shared" / "data" / "ror" / "ror-records-latest.jsonl.gz"

Write = tuple[LiteralString, dict[str, Any]]


def ror_dump() -> Path | None:
    return ROR_DUMP if ROR_DUMP.is_file() else None


def validate(data: dict[str, Any]) -> list[Parsed]:
    """The synthetic analogue of parsing: the dicts a seed file holds, validated into a Bundle
    (with the collector paused, as `parse_path` does)."""
    with gc_paused():
        return [Parsed(Bundle.model_validate(data))]


def parse(path: Path) -> list[Parsed]:
    units = parse_path(path)
    problems = [p for u in units for p in u.problems]
    if problems:
        raise RuntimeError(f"{path} does not parse: {problems[:3]}")
    return units


@dataclass(slots=True)
class Capture:
    """What the pipeline writes for a load into the current graph, and how long planning took."""

    writes: list[Write]
    plan_s: float

    @property
    def rows(self) -> int:
        return sum(len(params["rows"]) for _, params in self.writes)


async def capture_writes(units: list[Parsed], store: Store, batch_size: int) -> Capture:
    """Every `UNWIND $rows` batch `pipeline.load` would write, built by the pipeline itself.

    Node batches come from `plan_load`'s upserts; relationship batches from the write path's
    own batcher (`rel_batches`).
    """
    started = time.perf_counter()
    plan = await plan_load(units, store.read)
    plan_s = time.perf_counter() - started
    if plan.problems:
        raise RuntimeError(f"the load would fail: {plan.problems[:3]}")
    writes: list[Write] = []
    for label, rows in plan.upserts.items():
        query = cypher_load.merge_nodes(label)
        writes += [
            (query, {"rows": rows[i : i + batch_size]}) for i in range(0, len(rows), batch_size)
        ]

    for unit in plan.units:
        writes += write.rel_batches(unit, batch_size)
    return Capture(writes, plan_s)


async def write_bare(store: Store, writes: list[Write], *, per_batch: bool = False) -> None:
    """The baseline: the same batches in one transaction through the driver alone.

    `per_batch`: one (auto-retried) transaction per batch instead, as loaders without the
    all-or-nothing guarantee write.
    """
    if per_batch:
        for query, params in writes:
            await store.driver.execute_query(query, params, database_=store.target.database)
        return
    async with store.driver.session(database=store.target.database) as session:
        tx = await session.begin_transaction(timeout=write.LOAD_TIMEOUT_S)
        try:
            for query, params in writes:
                result = await tx.run(query, params)
                await result.consume()
            await tx.commit()
        finally:
            if not tx.closed():
                await tx.close()


async def check_wipeable(store: Store, neo4j: Neo4j, *, allow_external: bool) -> None:
    """Refuse to run where wiping would destroy data that is not the benchmark's own."""
    if neo4j.owned:
        if not (BENCH_HOME / MARKER).is_file():
            raise RuntimeError(f"{BENCH_HOME} is not the benchmark's home: refusing to wipe")
        return
    count = (await store.read(cypher_schema.COUNT_NODES))[0]["count"]
    if count and not allow_external:
        raise SystemExit(
            f"{store.target.uri} holds {count} nodes and the benchmark empties the database "
            "between loads: pass --wipe-external to allow it"
        )


async def wipe(store: Store) -> None:
    """Empty the database (after `check_wipeable`); the schema stays."""
    await store.run_batched(cypher_schema.WIPE)


async def fresh_ror(store: Store, ror: Path) -> float:
    """Empty the database, set the schema up and load the ROR dump; the load's seconds."""
    await wipe(store)
    await store.setup_schema()
    began = time.perf_counter()
    await write.load(parse(ror), store, batch_size=5000)
    return time.perf_counter() - began
