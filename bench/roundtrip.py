"""A look-up over HTTP against a raw Bolt round trip of its Cypher: `python -m bench.roundtrip`.

What the API adds to Neo4j's own answer, for its most frequent request, one organisation by key
(bench.peer's question): the request through `partnergraph serve` (HTTP, GraphQL, the compiled
Cypher, the response), against the very Cypher that request compiles to, sent with the same
keys by the async driver in an auto-commit transaction from this process, as the store does
(no HTTP, no GraphQL). One client, sequential, keep-alive; the two interleaved in rounds
(order reversed every other round). Per way: p50 and p99 latency, medians over the rounds, and
the ratio HTTP / Bolt (issue 18's target: 1.3x or less at p50). Runs on the graph the
benchmark's Neo4j holds (bench.peer or bench.runner loads one); writes
bench/results/roundtrip-<time>.md.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from typing import Any, LiteralString

import httpx2 as httpx
import neo4j
import orjson

from bench.peer import QUESTIONS, RESULTS
from bench.queries import view
from bench.report import write_markdown
from bench.servers import DEFAULT_BOLT_PORT, api_server
from bench.servers import neo4j as bench_neo4j
from bench.timing import percentile
from graph.api.schema.build import build_schema
from graph.api.schema.context import Context
from graph.store import Store
from tests.api.executing import executor_of

LOOKUP = QUESTIONS[0]  # one organisation by key
KEYS: LiteralString = "MATCH (n:Organisation) RETURN n.id AS id ORDER BY n.id LIMIT $count"


def _global(key: str) -> str:
    return f"Organisation:{key}"


async def compiled(store: Store, key: str) -> tuple[LiteralString, dict[str, Any], str]:
    """The Cypher the look-up of `key` compiles to, its parameters, and the one holding keys."""
    recording = view(store)
    executor = executor_of(build_schema())
    result = await executor.run(LOOKUP.ours, Context(store=recording), {"v": _global(key)})
    assert result.errors is None, result.errors
    [(query, params)] = recording.reads
    [keys_param] = [name for name, value in params.items() if value == [key]]
    return query, params, keys_param


async def run(args: argparse.Namespace) -> int:
    with bench_neo4j(args.bolt_port) as db:
        store = await Store.open(db.target)
        try:
            rows = await store.read(KEYS, {"count": args.reads})
            keys = [r["id"] for r in rows]
            if not keys:
                raise SystemExit("no organisations in the benchmark's Neo4j: load a graph first")
            query, params, keys_param = await compiled(store, keys[0])
            with api_server(db.target, RESULTS / "logs" / "roundtrip-api.log") as api:
                figures = await _rounds(args, store, api.url, keys, query, params, keys_param)
        finally:
            await store.close()
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    http = {p: statistics.median(f[p] for f in figures["http"]) for p in ("p50", "p99")}
    bolt = {p: statistics.median(f[p] for f in figures["bolt"]) for p in ("p50", "p99")}
    lines = [
        f"# bench.roundtrip {stamp}",
        "",
        f"`python -m bench.roundtrip --bolt-port {args.bolt_port} --reads {args.reads} "
        f"--rounds {args.rounds}`: {len(keys)} look-ups by key per way and round, one client, "
        "sequential; medians over the rounds.",
        "",
        f"The look-up: `{LOOKUP.ours}`. Its Cypher: `{query}`",
        "",
        "| way | p50 ms | p99 ms |",
        "|---|---|---|",
        f"| HTTP: partnergraph serve | {http['p50']:.2f} | {http['p99']:.2f} |",
        f"| raw Bolt: the same Cypher, auto-commit | {bolt['p50']:.2f} | {bolt['p99']:.2f} |",
        f"| HTTP / Bolt | {http['p50'] / bolt['p50']:.2f}x | {http['p99'] / bolt['p99']:.2f}x |",
    ]
    write_markdown(f"roundtrip-{stamp}.md", "\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


async def _rounds(
    args: argparse.Namespace,
    store: Store,
    url: str,
    keys: list[str],
    query: LiteralString,
    params: dict[str, Any],
    keys_param: str,
) -> dict[str, list[dict[str, float]]]:
    driver = store.driver

    async def bolt(key: str) -> None:
        async with driver.session(
            database=store.target.database,
            bookmark_manager=store.bookmarks,
            default_access_mode=neo4j.READ_ACCESS,
        ) as session:
            sent = {**params, keys_param: [key]}
            result = await session.run(query, sent)
            [record async for record in result]

    figures: dict[str, list[dict[str, float]]] = {"http": [], "bolt": []}
    async with httpx.AsyncClient(timeout=30.0) as client:

        async def http(key: str) -> None:
            body = orjson.dumps({"query": LOOKUP.ours, "variables": {"v": _global(key)}})
            response = await client.post(
                url, content=body, headers={"content-type": "application/json"}
            )
            if response.status_code != 200 or b'"errors"' in response.content:
                raise RuntimeError(f"the look-up failed: {response.text[:300]}")

        ways = {"http": http, "bolt": bolt}
        for way in ways.values():  # warm-up: plans cached, pools filled
            for key in keys[:50]:
                await way(key)
        for n in range(args.rounds):
            order = list(ways.items()) if n % 2 == 0 else list(reversed(ways.items()))
            for name, way in order:
                latencies = []
                for key in keys:
                    began = time.perf_counter()
                    await way(key)
                    latencies.append(time.perf_counter() - began)
                figures[name].append(
                    {
                        "p50": percentile(latencies, 50) * 1000,
                        "p99": percentile(latencies, 99) * 1000,
                    }
                )
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.roundtrip", description=__doc__)
    parser.add_argument("--bolt-port", type=int, default=DEFAULT_BOLT_PORT)
    parser.add_argument("--reads", type=int, default=500, help="look-ups per way and round")
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args(argv)
    if args.reads <= 0 or args.rounds <= 0:
        parser.error("--reads and --rounds must be positive")
    return asyncio.run(run(args))


if __name__ == "__main__":
    raise SystemExit(main())
