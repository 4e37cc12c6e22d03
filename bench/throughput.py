"""Throughput of a fixed query mix at several concurrencies, CPU per request, round trips."""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass
from typing import Any

import httpx2 as httpx
import orjson
import strawberry

from bench.queries import LIST_NESTED, LOOKUP, PARTNERS, execute
from bench.report import Figure
from bench.timing import Deadline, Summary, cpu_seconds, percentile
from graph.store import Store

SEARCH = (
    "query Search($text: String!) { search(text: $text, first: 10) { edges { score node { "
    "id ... on Organisation { name country } } } } }"
)
BY_ROR = (
    "query ByRor($value: String!) { organisationByIdentifier(scheme: ROR, value: $value) { "
    "id name country } }"
)
AGREEMENTS = (
    "{ agreements(first: 20) { edges { node { title signed parties { role organisation "
    "{ name } } } } } }"
)
SEARCH_WORDS = ("Aurora", "Baltic", "Tartu", "Gangwon", "Meridian", "Technopark", "Labs")


@dataclass(frozen=True, slots=True)
class Kind:
    name: str
    query: str
    weight: int


MIX = (
    Kind("node(id:)", LOOKUP, 40),
    Kind("organisationByIdentifier", BY_ROR, 15),
    Kind("search", SEARCH, 15),
    Kind("agreements(first: 20)", AGREEMENTS, 15),
    Kind("organisations+agreements+parties", LIST_NESTED, 15),
)
# Graph questions are measured apart: on a large graph one of them can take seconds.
QUESTIONS = (Kind("partners", PARTNERS, 0),)
REQUEST_TIMEOUT_S = 35.0  # the API's own Neo4j timeout is 30 s


@dataclass(frozen=True, slots=True)
class Pools:
    """Values the mix draws from: organisation ids and ROR ids in the graph."""

    org_ids: list[str]
    rors: list[str]

    @classmethod
    async def read(cls, store: Store, ids: list[str]) -> Pools:
        rows = await store.read(
            "MATCH (n:Organisation) WHERE n.ror IS NOT NULL RETURN n.ror AS ror LIMIT 2000"
        )
        return cls(ids, sorted(r["ror"] for r in rows))


def _variables(kind: Kind, rng: random.Random, pools: Pools) -> dict[str, Any] | None:
    if kind.query in (LOOKUP, PARTNERS):
        return {"id": f"Organisation:{rng.choice(pools.org_ids)}"}
    if kind.query == BY_ROR:
        return {"value": rng.choice(pools.rors)}
    if kind.query == SEARCH:
        return {"text": rng.choice(SEARCH_WORDS)}
    return None


def requests(pools: Pools, count: int, seed: int = 11) -> list[tuple[str, bytes]]:
    """A fixed, seeded sequence of (kind, request body) in the mix's proportions."""
    rng = random.Random(seed)
    kinds = rng.choices(MIX, weights=[k.weight for k in MIX], k=count)
    return [
        (k.name, orjson.dumps({"query": k.query, "variables": _variables(k, rng, pools)}))
        for k in kinds
    ]


@dataclass(slots=True)
class Level:
    clients: int
    done: int
    errors: int
    seconds: float
    latencies: list[float]
    by_kind: dict[str, list[float]]
    api_cpu: float
    neo4j_cpu: float | None
    client_cpu: float


async def level(
    url: str,
    bodies: list[tuple[str, bytes]],
    clients: int,
    seconds: float,
    api_pid: int,
    neo4j_pid: int | None,
) -> Level:
    """`clients` concurrent keep-alive clients send `bodies` until all are sent or time is up."""
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    headers = {"content-type": "application/json"}
    latencies: list[float] = []
    by_kind: dict[str, list[float]] = {}
    errors = 0
    position = 0
    async with httpx.AsyncClient(limits=limits, timeout=REQUEST_TIMEOUT_S) as client:
        # Open the connections before the clock starts.
        await asyncio.gather(
            *(client.get(url.replace("/graphql", "/health")) for _ in range(clients))
        )
        deadline = Deadline(seconds)

        async def worker() -> None:
            nonlocal errors, position
            while position < len(bodies) and not deadline.passed():
                kind, body = bodies[position]
                position += 1
                began = time.perf_counter()
                try:
                    response = await client.post(url, content=body, headers=headers)
                except httpx.HTTPError:
                    errors += 1
                    continue
                latencies.append(time.perf_counter() - began)
                by_kind.setdefault(kind, []).append(latencies[-1])
                if response.status_code != 200 or b'"errors"' in response.content:
                    errors += 1

        api0 = cpu_seconds(api_pid)
        neo0 = cpu_seconds(neo4j_pid) if neo4j_pid else None
        client0 = time.process_time()
        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        elapsed = time.perf_counter() - began
        client_cpu = time.process_time() - client0
        api_cpu = cpu_seconds(api_pid) - api0
        neo_cpu = cpu_seconds(neo4j_pid) - neo0 if neo4j_pid and neo0 is not None else None
    return Level(
        clients, position, errors, elapsed, latencies, by_kind, api_cpu, neo_cpu, client_cpu
    )


async def throughput(
    url: str,
    pools: Pools,
    concurrency: list[int],
    runs: int,
    seconds: float,
    max_requests: int,
    api_pid: int,
    neo4j_pid: int | None,
) -> list[Figure]:
    bodies = requests(pools, max_requests)
    results: dict[int, list[Level]] = {c: [] for c in concurrency}
    for _ in range(runs):  # levels interleaved run by run, so drift hits each alike
        for clients in concurrency:
            results[clients].append(await level(url, bodies, clients, seconds, api_pid, neo4j_pid))
    out: list[Figure] = []
    one = [lv.done / lv.seconds for lv in results[concurrency[0]]]
    for clients, levels in results.items():
        rps = [lv.done / lv.seconds for lv in levels]
        done = sum(lv.done for lv in levels)
        errors = sum(lv.errors for lv in levels)
        lat = [x for lv in levels for x in lv.latencies] or [float("nan")]
        api = sum(lv.api_cpu for lv in levels) / done * 1000
        client = sum(lv.client_cpu for lv in levels) / done * 1000
        neo = (
            f"{sum(lv.neo4j_cpu or 0 for lv in levels) / done * 1000:.2f} ms"
            if neo4j_pid
            else "n/a (NEO4J_URI)"
        )
        out.append(
            Figure(
                "throughput",
                f"{clients} concurrent clients",
                "req/s",
                value=Summary.of(rps),
                baseline=Summary.of(one),
                ratio=Summary.of([a / b for a, b in zip(rps, one, strict=True)]),
                note=(
                    f"{done} requests, {errors} errors; latency p50 "
                    f"{percentile(lat, 50) * 1000:.1f} ms p99 {percentile(lat, 99) * 1000:.1f} ms;"
                    f" CPU per request: API {api:.2f} ms, Neo4j {neo}, client {client:.2f} ms; "
                    f"baseline = 1 client"
                ),
            )
        )
    return out + _kinds(results[concurrency[0]])


def _kinds(levels: list[Level]) -> list[Figure]:
    """Latency of each query of the mix with one client: which queries the time goes to."""
    out: list[Figure] = []
    for kind in MIX:
        per_run = [lv.by_kind[kind.name] for lv in levels if lv.by_kind.get(kind.name)]
        if not per_run:
            continue
        every = [x for run in per_run for x in run]
        out.append(
            Figure(
                "mix, 1 client",
                kind.name,
                "ms",
                value=Summary.of([percentile(run, 50) * 1000 for run in per_run]),
                note=f"{len(every)} requests, p99 {percentile(every, 99) * 1000:.1f} ms "
                f"(value: p50 per run)",
            )
        )
    return out


async def round_trips(
    schema: strawberry.Schema,
    store: Store,
    client: httpx.AsyncClient | None,
    url: str | None,
    pools: Pools,
) -> list[Figure]:
    """Cypher round trips per request for each query of the mix (Store.stats), and over HTTP."""
    rng = random.Random(3)
    out: list[Figure] = []
    for kind in (*MIX, *QUESTIONS):
        variables = _variables(kind, rng, pools)
        _, recording = await execute(schema, store, kind.query, variables)
        trips = recording.stats.round_trips
        note = ""
        if client is not None and url is not None:
            body = orjson.dumps({"query": kind.query, "variables": variables})
            response = await client.post(
                url,
                content=body,
                headers={"content-type": "application/json", "X-Partnergraph-Debug": "1"},
            )
            extensions = orjson.loads(response.content).get("extensions", {})
            note = f"over HTTP: {extensions.get('cypherRoundTrips')}"
        out.append(
            Figure(
                "round trips",
                kind.name,
                "per request",
                value=Summary(trips, trips, trips, 1),
                goal=None,
                note=note,
            )
        )
    return out
