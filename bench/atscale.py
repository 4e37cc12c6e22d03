"""The same look-ups and writes on two graphs of different sizes, side by side.

`python -m bench.atscale --small URI --large URI` (passwords from NEO4J_SMALL_PASSWORD and
NEO4J_LARGE_PASSWORD; a local server's is its home's `password` file). Issue 18 wants a
look-up at a million organisations within 1.2x of the same at 51k, issue 19 a single write
within 1.2x; this measures both ratios in one run, on two Neo4j servers of the same settings
(the small graph e.g. bench.peer's ROR load, the large its copy grown by bench/replicate.py).

Per graph and round, the graphs alternating (ABBA): `--reads` look-ups by key over HTTP
(`partnergraph serve` on each graph, one keep-alive client, sequential), the same keys in both
(organisations the two graphs share); the same look-ups' Cypher over raw Bolt (auto-commit,
no API); and `--writes` `upsertOrganisation` writes through the executor in this process (a
new organisation and the note it cites, as bench.writes). p50 and p99 (writes: p90) per
round, medians over the rounds, and large / small. The writes are deleted at the end. Writes
bench/results/atscale-<time>.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import LiteralString

import httpx2 as httpx
import orjson

from bench import replicate
from bench.peer import RESULTS
from bench.report import write_markdown
from bench.roundtrip import KEYS, LOOKUP, compiled
from bench.servers import api_server
from bench.timing import percentile
from bench.writes import CLEANUP, PREFIX, UPSERT
from graph.api.execution.executor import Executor
from graph.api.execution.limits.rules import Limits
from graph.api.schema.build import build_schema
from graph.api.schema.context import Context
from graph.auth import Principal, Role
from graph.store import Store, Target

SHARED: LiteralString = "MATCH (n:Organisation) WHERE n.id IN $keys RETURN count(n) AS n"
EDITOR = Principal(name="bench", role=Role.EDITOR, key_id="bench")
SIZES = ("small", "large")
WAYS = ("http", "bolt", "write")

Timed = Callable[[int], Awaitable[None]]


def _target(uri: str, size: str) -> Target:
    variable = f"NEO4J_{size.upper()}_PASSWORD"
    password = os.environ.get(variable)
    if not password:
        raise SystemExit(f"{variable} is not set (the {size} graph's Neo4j password)")
    return Target(uri, os.environ.get("NEO4J_USER", "neo4j"), password)


async def _organisations(store: Store) -> int:
    (row,) = await store.read(replicate.COUNT)
    return int(row["n"])


async def _ways(
    store: Store, url: str, client: httpx.AsyncClient, keys: list[str], stamp: str
) -> dict[str, Timed]:
    """One timed call per way, each given the index of its key (or write)."""
    query, params, keys_param = await compiled(store, keys[0])
    executor = Executor(build_schema(), Limits())

    async def http(i: int) -> None:
        body = orjson.dumps({"query": LOOKUP.ours, "variables": {"v": f"Organisation:{keys[i]}"}})
        response = await client.post(
            url, content=body, headers={"content-type": "application/json"}
        )
        if response.status_code != 200 or b'"errors"' in response.content:
            raise RuntimeError(f"the look-up failed: {response.text[:300]}")

    async def bolt(i: int) -> None:
        rows = await store.read(query, {**params, keys_param: [keys[i]]})
        if not rows:
            raise RuntimeError(f"no organisation {keys[i]!r}")

    written = 0

    async def write(_: int) -> None:
        nonlocal written
        written += 1
        name = f"{PREFIX}{stamp}-{written}"
        result = await executor.run(
            UPSERT,
            Context(store=store.view(), principal=EDITOR),
            {"id": name, "name": f"Benchmark Scale Company {stamp} {written}"},
        )
        if result.errors or result.data is None:
            raise RuntimeError(f"the write failed: {result.errors}")

    return {"http": http, "bolt": bolt, "write": write}


async def _time(way: Timed, count: int) -> dict[str, float]:
    latencies = []
    for i in range(count):
        began = time.perf_counter()
        await way(i)
        latencies.append(time.perf_counter() - began)
    return {
        "p50": percentile(latencies, 50) * 1000,
        "p99": percentile(latencies, 99) * 1000,
        "p90": percentile(latencies, 90) * 1000,
    }


async def _measure(
    args: argparse.Namespace, stores: dict[str, Store], urls: dict[str, str], keys: list[str]
) -> dict[str, dict[str, list[dict[str, float]]]]:
    stamp = time.strftime("%H%M%S", time.gmtime())
    figures: dict[str, dict[str, list[dict[str, float]]]] = {
        size: {way: [] for way in WAYS} for size in SIZES
    }
    async with httpx.AsyncClient(timeout=60.0) as client:
        ways = {
            size: await _ways(stores[size], urls[size], client, keys, f"{stamp}-{size}")
            for size in SIZES
        }
        counts = {"http": len(keys), "bolt": len(keys), "write": args.writes}
        for size in SIZES:  # warm-up: plans cached, pools filled, pages read
            for way in WAYS:
                await _time(ways[size][way], min(counts[way], 50))
        for n in range(args.rounds):
            order = SIZES if n % 2 == 0 else tuple(reversed(SIZES))
            for size in order:
                for way in WAYS:
                    figures[size][way].append(await _time(ways[size][way], counts[way]))
    return figures


async def run(args: argparse.Namespace) -> int:
    targets = {"small": _target(args.small, "small"), "large": _target(args.large, "large")}
    stores = {size: await Store.open(target) for size, target in targets.items()}
    try:
        sizes = {size: await _organisations(store) for size, store in stores.items()}
        rows = await stores["small"].read(KEYS, {"count": args.reads})
        keys = [r["id"] for r in rows]
        if not keys:
            raise SystemExit("no organisations in the small graph: load one first")
        # One read for all the keys (an index seek each), not a round trip per key.
        (shared,) = await stores["large"].read(SHARED, {"keys": keys})
        if shared["n"] != len(keys):
            missing = len(keys) - shared["n"]
            raise SystemExit(f"{missing} of the small graph's keys are not in the large one")
        with (
            api_server(targets["small"], RESULTS / "logs" / "atscale-small.log") as small,
            api_server(targets["large"], RESULTS / "logs" / "atscale-large.log") as large,
        ):
            figures = await _measure(args, stores, {"small": small.url, "large": large.url}, keys)
        for store in stores.values():
            await store.write(CLEANUP, {"prefix": PREFIX, "note": "bench-write-note"})
    finally:
        for store in stores.values():
            await store.close()
    write_markdown(
        f"atscale-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.md",
        _render(args, sizes, figures),
    )
    return 0


def _render(
    args: argparse.Namespace,
    sizes: dict[str, int],
    figures: dict[str, dict[str, list[dict[str, float]]]],
) -> str:
    def median(size: str, way: str, p: str) -> float:
        return statistics.median(f[p] for f in figures[size][way])

    tail = {"http": "p99", "bolt": "p99", "write": "p90"}
    what = {
        "http": "look-up by key over HTTP",
        "bolt": "its Cypher over raw Bolt",
        "write": "upsertOrganisation (in process)",
    }
    lines = [
        f"# bench.atscale {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        "",
        f"`python -m bench.atscale --small {args.small} --large {args.large} --reads "
        f"{args.reads} --writes {args.writes} --rounds {args.rounds}`: the small graph "
        f"{sizes['small']:,} organisations, the large {sizes['large']:,}; {args.reads} "
        f"look-ups and {args.writes} writes per graph, way and round, the graphs alternating; "
        "medians over the rounds. Load average at the end: "
        f"{' / '.join(f'{x:.1f}' for x in os.getloadavg())}.",
        "",
        "| way | small p50 ms | large p50 ms | large / small p50 | small tail ms | "
        "large tail ms | large / small tail |",
        "|---|---|---|---|---|---|---|",
    ]
    for way in WAYS:
        s50, l50 = median("small", way, "p50"), median("large", way, "p50")
        st, lt = median("small", way, tail[way]), median("large", way, tail[way])
        lines.append(
            f"| {what[way]} | {s50:.2f} | {l50:.2f} | {l50 / s50:.2f}x | {st:.2f} ({tail[way]}) "
            f"| {lt:.2f} | {lt / st:.2f}x |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.atscale", description=__doc__)
    parser.add_argument("--small", required=True, help="the small graph's Bolt URI")
    parser.add_argument("--large", required=True, help="the large graph's Bolt URI")
    parser.add_argument("--reads", type=int, default=500, help="look-ups per way and round")
    parser.add_argument("--writes", type=int, default=60, help="writes per graph and round")
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args(argv)
    if args.reads <= 0 or args.writes <= 1 or args.rounds <= 0:
        parser.error("--reads and --rounds must be positive, --writes at least 2")
    return asyncio.run(run(args))


if __name__ == "__main__":
    raise SystemExit(main())
