"""How a read reaches Neo4j: `python -m bench.transactions --bolt-port N`.

The store's reads (graph/store.py `_auto_read`) run in auto-commit transactions: one round trip
(RUN and PULL) where the driver's `execute_query` runs a managed transaction (BEGIN, RUN, PULL,
COMMIT, with its retry wrapper). This measures what that choice is worth on the API's cheapest
and most frequent read, a look-up by key: the same Cypher and keys through `execute_query`,
`session.execute_read` and an auto-commit `session.run`, the three interleaved in rounds on
one driver, each with the store's bookmark manager. Per way: p50 latency, and CPU per read of
Neo4j and of this process (from /proc), medians over the rounds. Any graph with organisations
will do (the benchmark's Neo4j, as bench.peer or bench.runner left it). Writes
bench/results/transactions-<time>.md.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any, LiteralString

import neo4j

from bench.report import write_markdown
from bench.servers import DEFAULT_BOLT_PORT
from bench.servers import neo4j as bench_neo4j
from bench.timing import cpu_seconds, percentile

LOOKUP: LiteralString = (
    "MATCH (n:Organisation {id: $k}) RETURN n.id AS id, n.name AS name, n.country AS country"
)
KEYS: LiteralString = "MATCH (n:Organisation) RETURN n.id AS id ORDER BY n.id LIMIT $count"
Read = Callable[[str], Awaitable[Any]]


def ways(driver: neo4j.AsyncDriver, bookmarks: neo4j.AsyncBookmarkManager) -> dict[str, Read]:
    async def managed(key: str) -> Any:
        return await driver.execute_query(
            LOOKUP, {"k": key}, routing_=neo4j.RoutingControl.READ, bookmark_manager_=bookmarks
        )

    async def execute_read(key: str) -> Any:
        async def work(tx: neo4j.AsyncManagedTransaction) -> Any:
            return await (await tx.run(LOOKUP, {"k": key})).data()

        async with driver.session(
            bookmark_manager=bookmarks, default_access_mode=neo4j.READ_ACCESS
        ) as session:
            return await session.execute_read(work)

    async def auto_commit(key: str) -> Any:
        async with driver.session(
            bookmark_manager=bookmarks, default_access_mode=neo4j.READ_ACCESS
        ) as session:
            return [record async for record in await session.run(LOOKUP, {"k": key})]

    return {
        "execute_query (managed)": managed,
        "execute_read (managed)": execute_read,
        "auto-commit (the store's reads)": auto_commit,
    }


async def run(args: argparse.Namespace) -> int:
    with bench_neo4j(args.bolt_port) as db:
        if db.pid is None:
            raise SystemExit("NEO4J_URI's server: its CPU cannot be read; use the local one")
        driver = neo4j.AsyncGraphDatabase.driver(
            db.target.uri, auth=(db.target.user, db.target.password)
        )
        try:
            bookmarks = neo4j.AsyncGraphDatabase.bookmark_manager()
            records, _, _ = await driver.execute_query(KEYS, {"count": args.reads})
            keys = [r["id"] for r in records]
            if not keys:
                raise SystemExit("no organisations in the benchmark's Neo4j: load a graph first")
            table = ways(driver, bookmarks)
            figures: dict[str, list[tuple[float, float, float]]] = {name: [] for name in table}
            for read in table.values():  # warm-up: plans cached, pool filled
                for key in keys[:50]:
                    await read(key)
            for n in range(args.rounds):
                order = list(table.items())
                if n % 2:
                    order.reverse()
                for name, read in order:
                    latencies: list[float] = []
                    neo4j_before, own_before = cpu_seconds(db.pid), time.process_time()
                    for key in keys:
                        began = time.perf_counter()
                        await read(key)
                        latencies.append(time.perf_counter() - began)
                    per = 1000 / len(keys)
                    figures[name].append(
                        (
                            percentile(latencies, 50) * 1000,
                            (cpu_seconds(db.pid) - neo4j_before) * per,
                            (time.process_time() - own_before) * per,
                        )
                    )
        finally:
            await driver.close()
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    lines = [
        f"# bench.transactions {stamp}",
        "",
        f"`python -m bench.transactions --bolt-port {args.bolt_port} --reads {args.reads} "
        f"--rounds {args.rounds}`: {len(keys)} look-ups by key per way and round, "
        f"{args.rounds} rounds, the ways interleaved (order reversed every other round). "
        "Medians over the rounds; ratios against auto-commit.",
        "",
        "| way | p50 ms | Neo4j CPU ms/read | this process's CPU ms/read | p50 / auto-commit |",
        "|---|---|---|---|---|",
    ]
    base = statistics.median(f[0] for f in figures["auto-commit (the store's reads)"])
    for name, rows in figures.items():
        p50, db_cpu, own = (statistics.median(r[i] for r in rows) for i in range(3))
        lines.append(f"| {name} | {p50:.2f} | {db_cpu:.2f} | {own:.2f} | {p50 / base:.2f}x |")
    write_markdown(f"transactions-{stamp}.md", "\n".join(lines) + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.transactions", description=__doc__)
    parser.add_argument("--bolt-port", type=int, default=DEFAULT_BOLT_PORT)
    parser.add_argument("--reads", type=int, default=500, help="look-ups per way and round")
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args(argv)
    if args.reads <= 0 or args.rounds <= 0:
        parser.error("--reads and --rounds must be positive")
    return asyncio.run(run(args))


if __name__ == "__main__":
    raise SystemExit(main())
