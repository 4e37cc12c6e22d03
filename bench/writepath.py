"""Where one API write's time goes: `python -m bench.writepath --bolt-port N [--ror DUMP]`.

bench.writes' `upsertOrganisation` run in this process through the executor (no HTTP), each
Neo4j round trip recorded: its Cypher (the first words), its wall time, and whether it ran in
the write's transaction. Per write: the round trips, the time waiting on Neo4j and the rest
(this process's Python: validation, planning, rows, GraphQL). A cProfile of the writes goes
to bench/results/writepath-<time>.txt with the round trips. With `--ror` the ROR dump is
loaded first when the benchmark's Neo4j holds no organisation (bench.peer's graph otherwise).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, LiteralString

from neo4j import RoutingControl

from bench import datasets
from bench.report import RESULTS
from bench.servers import DEFAULT_BOLT_PORT, neo4j
from bench.timing import percentile
from bench.writes import CLEANUP, PREFIX
from graph.api.execution.executor import Executor
from graph.api.execution.limits.rules import Limits
from graph.api.schema.build import build_schema
from graph.api.schema.context import Context
from graph.auth import Principal, Role
from graph.ingest.write import load
from graph.store import Params, Row, Store, WriteTx

UPSERT = """mutation($id: String!, $name: String!) {
  upsertOrganisation(
    record: {id: $id, kind: "company", names: [{value: $name, lang: "en"}],
             location: {country: "EE"}}
    source: {source: "bench-write-note", title: "Benchmark note"}
  ) { __typename ... on Upserted { id version }
      ... on ValidationFailed { problems { field message } } } }"""
TOP = 30


@dataclass
class Trip:
    query: str
    ms: float
    in_tx: bool
    at: float = 0.0  # perf_counter when sent


class _TracedTx(WriteTx):
    """A write transaction whose every statement is recorded by its tracing store."""

    def __init__(self, inner: WriteTx, store: TracingStore) -> None:
        self._inner = inner
        self._tracer = store

    async def run(self, query: LiteralString, params: Params | None = None) -> list[Row]:
        began = time.perf_counter()
        rows = await self._inner.run(query, params)
        self._tracer.trips.append(Trip(query, (time.perf_counter() - began) * 1000, True, began))
        return rows


@dataclass
class TracingStore(Store):
    """A store view recording every round trip, in the transaction or outside it."""

    trips: list[Trip] = field(default_factory=list)

    async def _query(
        self,
        query: LiteralString,
        params: Params | None,
        routing: RoutingControl,
        *,
        plain: bool = False,
    ) -> list[Row]:
        began = time.perf_counter()
        rows = await super()._query(query, params, routing, plain=plain)
        self.trips.append(Trip(query, (time.perf_counter() - began) * 1000, False, began))
        return rows

    @asynccontextmanager
    async def transaction(self, timeout_s: float | None = None) -> AsyncIterator[WriteTx]:
        # The session, BEGIN and COMMIT are round trips the store does not count: timed from
        # the block's start to the first statement, and from the last statement's end on.
        began = time.perf_counter()
        first = len(self.trips)
        async with super().transaction(timeout_s) as tx:
            yield _TracedTx(tx, self)
            last = time.perf_counter()
        ended = time.perf_counter()
        statements = self.trips[first:]
        sent = statements[0].at if statements else last
        self.trips.insert(first, Trip("(session + BEGIN)", (sent - began) * 1000, True, began))
        self.trips.append(Trip("(COMMIT)", (ended - last) * 1000, True, last))


def _label(query: str) -> str:
    words = " ".join(query.split())
    return words[:110]


async def _ensure_graph(store: Store, ror: Path | None) -> int:
    (row,) = await store.read("MATCH (n:Organisation) RETURN count(n) AS c")
    if int(row["c"]) == 0:
        if ror is None:
            raise SystemExit("no organisations in the benchmark's Neo4j: give --ror DUMP")
        await store.setup_schema()
        began = time.perf_counter()
        await load(datasets.parse(ror), store)
        print(f"loaded {ror} in {time.perf_counter() - began:.0f} s", flush=True)
        (row,) = await store.read("MATCH (n:Organisation) RETURN count(n) AS c")
    return int(row["c"])


async def run(args: argparse.Namespace) -> int:
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    executor = Executor(build_schema(), Limits())
    editor = Principal(name="bench", role=Role.EDITOR, key_id="bench")
    per_query: dict[str, list[float]] = defaultdict(list)
    totals: list[tuple[float, float, int]] = []  # wall ms, Neo4j ms, round trips
    profiler = cProfile.Profile()
    with neo4j(args.bolt_port) as db:
        store = await Store.open(db.target)
        try:
            await store.write(CLEANUP, {"prefix": PREFIX, "note": "bench-write-note"})
            organisations = await _ensure_graph(store, args.ror)
            for i in range(args.warm + args.writes):
                view = TracingStore(
                    driver=store.driver,
                    target=store.target,
                    timeout_s=store.timeout_s,
                    blocking=store.blocking,
                    bookmarks=store.bookmarks,
                )
                variables = {"id": f"{PREFIX}path-{stamp.lower()}-{i}", "name": f"Path Co {i}"}
                measured = i >= args.warm
                if measured:
                    profiler.enable()
                began = time.perf_counter()
                result = await executor.run(
                    UPSERT, Context(store=view, principal=editor), variables
                )
                wall = (time.perf_counter() - began) * 1000
                profiler.disable()
                data: Any = result.data
                if result.errors or data["upsertOrganisation"]["__typename"] != "Upserted":
                    raise SystemExit(f"write failed: {result.errors or data}")
                if measured:
                    totals.append((wall, sum(t.ms for t in view.trips), view.stats.round_trips))
                    for n, trip in enumerate(view.trips):
                        per_query[
                            f"{n:02d} {'tx' if trip.in_tx else '  '} {_label(trip.query)}"
                        ].append(trip.ms)
        finally:
            await store.write(CLEANUP, {"prefix": PREFIX, "note": "bench-write-note"})
            await store.close()
    walls = [t[0] for t in totals]
    lines = [
        f"# bench.writepath {stamp}",
        f"`python -m bench.writepath --bolt-port {args.bolt_port} --writes {args.writes}`: "
        f"{organisations:,} organisations; load average "
        f"{' / '.join(f'{x:.1f}' for x in os.getloadavg())} (shared machine).",
        f"per write: p50 {percentile(walls, 50):.1f} ms, p90 {percentile(walls, 90):.1f} ms; "
        f"Neo4j round trips {statistics.median(t[2] for t in totals):.0f} (store's count), "
        f"waiting on Neo4j {statistics.median(t[1] for t in totals):.1f} ms median, the rest "
        f"{statistics.median(t[0] - t[1] for t in totals):.1f} ms median",
        "",
        "median ms | round trip (tx: in the write's transaction)",
    ]
    for name, values in per_query.items():
        lines.append(f"{statistics.median(values):8.2f} | {name}")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(TOP)
    text = "\n".join(lines) + "\n"
    print(text)
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"writepath-{stamp}.txt"
    path.write_text(text + "\n" + out.getvalue(), encoding="utf-8")
    print(f"written {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.writepath", description=__doc__)
    parser.add_argument("--bolt-port", type=int, default=DEFAULT_BOLT_PORT)
    parser.add_argument("--writes", type=int, default=20)
    parser.add_argument("--warm", type=int, default=5)
    parser.add_argument("--ror", type=Path, default=None, help="loaded when the graph is empty")
    args = parser.parse_args(argv)
    if args.writes < 1 or args.warm < 0:
        parser.error("--writes must be positive, --warm not negative")
    if args.ror is not None and not args.ror.is_file():
        parser.error(f"--ror {args.ror}: no such file")
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
