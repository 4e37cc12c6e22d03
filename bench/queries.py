"""Query figures: look-ups and nested lists through the API against raw driver round trips."""

from __future__ import annotations

import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any, LiteralString

import httpx2 as httpx
import orjson
import strawberry
from neo4j import READ_ACCESS

from bench.report import Figure
from bench.timing import Deadline, Summary, cpu_seconds, percentile, ratios
from graph.api.execution.executor import Executor
from graph.api.execution.limits.rules import Limits
from graph.api.schema.context import Context
from graph.store import Params, Row, Store

LOOKUP_GOAL = "<=1.3"
LOOKUP = "query Lookup($id: ID!) { node(id: $id) { id ... on Organisation { name country kind } } }"
LIST_NESTED = (
    "{ organisations(first: 100) { edges { node { name agreements { agreement { title "
    "parties { organisation { name } } } } } } } }"
)
# The same data as LIST_NESTED, written by hand: the orders and limits the API promises. The
# `IS NOT NULL` lets the planner walk the name index in order and stop after 100 (every
# organisation has a name); without it both this and the API's query scan every organisation.
RAW_LIST_NESTED: LiteralString = (
    "MATCH (n:Organisation) WHERE n.name IS NOT NULL WITH n ORDER BY n.name, n.id LIMIT 100 "
    "RETURN n.name AS name, COLLECT { "
    "MATCH (n)-[r:PARTY_TO]->(a:Agreement) WITH r, a ORDER BY a.id, r.key LIMIT 500 "
    "RETURN {title: a.title, parties: COLLECT { "
    "MATCH (a)<-[q:PARTY_TO]-(p:Organisation) WITH q, p ORDER BY p.id, q.key LIMIT 500 "
    "RETURN p.name } } } AS agreements"
)
# A wide list: what an export or a report reads (many leaves per organisation).
LIST_WIDE = (
    "{ organisations(first: 100) { totalCount edges { cursor node { id key name kind status "
    "country city region established website description sectors topics ror wikidata "
    "names { value lang types } provenance { origin verified where quote source { title } } "
    "agreements { role agreement { title signed status } } } } pageInfo { hasNextPage } } }"
)
FAST_GOAL = ">=3"
PARTNERS = (
    "query Partners($id: ID!) { partners(organisation: $id, first: 5) { score reasons "
    "organisation { name } } }"
)
HUBS: LiteralString = (
    "MATCH (n:Organisation) WHERE n.id STARTS WITH 'syn-' "
    "RETURN n.id AS id, COUNT { (n)--() } AS degree ORDER BY degree DESC LIMIT 1"
)

Call = Callable[[], Awaitable[Any]]


@dataclass
class RecordingStore(Store):
    """A store view that keeps every read it runs, to replay the same Cypher raw."""

    reads: list[tuple[LiteralString, dict[str, Any]]] = field(default_factory=list)

    async def read(self, query: LiteralString, params: Params | None = None) -> list[Row]:
        self.reads.append((query, dict(params or {})))
        return await super().read(query, params)

    async def read_values(self, query: LiteralString, params: Params | None = None) -> list[Row]:
        self.reads.append((query, dict(params or {})))
        return await super().read_values(query, params)


def view(store: Store) -> RecordingStore:
    return RecordingStore(driver=store.driver, target=store.target, timeout_s=store.timeout_s)


@cache
def executor_of(schema: strawberry.Schema) -> Executor:
    """The app's Executor for `schema` (one per schema, as the app has), with production's limits:
    the figures include its parse and limit caches, as a request's do."""
    return Executor(schema, Limits())


async def execute(
    schema: strawberry.Schema, store: Store, query: str, variables: dict[str, Any] | None = None
) -> tuple[dict[str, Any], RecordingStore]:
    recording = view(store)
    result = await executor_of(schema).run(query, Context(store=recording), variables)
    if result.errors or result.data is None:
        raise RuntimeError(f"{query[:60]}...: {[e.message for e in result.errors or []]}")
    return result.data, recording


async def raw(store: Store, query: LiteralString, params: dict[str, Any]) -> list[Any]:
    """The floor: one auto-commit round trip (RUN and PULL), records as the driver gives them
    (cheaper than `execute_query`'s managed transaction: bench/transactions.py)."""
    async with store.driver.session(
        database=store.target.database, default_access_mode=READ_ACCESS
    ) as session:
        return [record async for record in await session.run(query, params)]


async def http(client: httpx.AsyncClient, url: str, query: str, variables: Any = None) -> bytes:
    body = orjson.dumps({"query": query, "variables": variables})
    response = await client.post(url, content=body, headers={"content-type": "application/json"})
    if response.status_code != 200 or b'"errors"' in response.content:
        raise RuntimeError(f"HTTP {response.status_code}: {response.content[:300]!r}")
    return response.content


async def _timed(call: Call) -> float:
    began = time.perf_counter()
    await call()
    return time.perf_counter() - began


@dataclass(slots=True)
class Rounds:
    """Latencies of A and B per round, each round a list of paired calls."""

    a: list[list[float]] = field(default_factory=list)
    b: list[list[float]] = field(default_factory=list)

    def stat(self, side: str, q: float) -> Summary:
        rounds = self.a if side == "a" else self.b
        return Summary.of([percentile(r, q) * 1000 for r in rounds])

    def ratio(self, q: float) -> Summary:
        pairs = zip(self.a, self.b, strict=True)
        return Summary.of([percentile(a, q) / percentile(b, q) for a, b in pairs])


async def paired(pairs: list[tuple[Call, Call]], rounds: int, deadline: Deadline) -> Rounds:
    """Each round runs every pair once, A and B back to back, which first alternating."""
    out = Rounds()
    for n in range(rounds):
        if n and deadline.passed():
            break
        a: list[float] = []
        b: list[float] = []
        for i, (call_a, call_b) in enumerate(pairs):
            if i and deadline.passed():
                break
            if (i + n) % 2 == 0:
                a.append(await _timed(call_a))
                b.append(await _timed(call_b))
            else:
                b.append(await _timed(call_b))
                a.append(await _timed(call_a))
        out.a.append(a)
        out.b.append(b)
    return out


def rounds_figures(group: str, name: str, r: Rounds, goal: str | None, note: str) -> list[Figure]:
    return [
        Figure(
            group,
            f"{name} p50",
            "ms",
            r.stat("a", 50),
            r.stat("b", 50),
            r.ratio(50),
            goal,
            note,
        ),
        Figure(group, f"{name} p99", "ms", r.stat("a", 99), r.stat("b", 99), r.ratio(99)),
    ]


async def sample_ids(store: Store, prefix: str, count: int, seed: int = 7) -> list[str]:
    rows = await store.read(
        "MATCH (n:Organisation) WHERE n.id STARTS WITH $prefix RETURN n.id AS id",
        {"prefix": prefix},
    )
    ids = sorted(r["id"] for r in rows)
    return random.Random(seed).sample(ids, min(count, len(ids)))


async def lookups(
    schema: strawberry.Schema,
    store: Store,
    client: httpx.AsyncClient | None,
    url: str | None,
    ids: list[str],
    rounds: int,
    deadline: Deadline,
    api_pid: int | None = None,
) -> list[Figure]:
    """node(id:) in-process and over HTTP, each against the raw round trip of its own Cypher."""
    compiled: dict[str, tuple[LiteralString, dict[str, Any]]] = {}
    for key in ids:  # warm-up, and the Cypher each look-up compiles to
        _, recording = await execute(schema, store, LOOKUP, {"id": f"Organisation:{key}"})
        compiled[key] = recording.reads[0]
        await raw(store, *compiled[key])

    def api_call(key: str) -> Call:
        return lambda: execute(schema, store, LOOKUP, {"id": f"Organisation:{key}"})

    def raw_call(key: str) -> Call:
        return lambda: raw(store, *compiled[key])

    pairs = [(api_call(k), raw_call(k)) for k in ids]
    r = await paired(pairs, rounds, deadline)
    note = f"{len(ids)} organisations per round, A/B alternating; raw = the compiled Cypher"
    out = rounds_figures("look-up", "node(id:) in-process vs raw", r, LOOKUP_GOAL, note)
    if client is not None and url is not None:

        def http_call(key: str) -> Call:
            return lambda: http(client, url, LOOKUP, {"id": f"Organisation:{key}"})

        for key in ids[:20]:
            await http(client, url, LOOKUP, {"id": f"Organisation:{key}"})
        api_cpu = cpu_seconds(api_pid) if api_pid else 0.0
        client_cpu = time.process_time()
        r = await paired([(http_call(k), raw_call(k)) for k in ids], rounds, deadline)
        calls = sum(len(a) for a in r.a)
        client_ms = (time.process_time() - client_cpu) / calls * 1000
        api_ms = (cpu_seconds(api_pid) - api_cpu) / calls * 1000 if api_pid else float("nan")
        note = (
            "uvicorn on 127.0.0.1 (partnergraph serve), httpx keep-alive; CPU per look-up: "
            f"API process {api_ms:.2f} ms, this process (httpx + the raw call) {client_ms:.2f} ms"
        )
        out += rounds_figures("look-up", "node(id:) HTTP vs raw", r, LOOKUP_GOAL, note)
    return out


def _shape(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "name": e["node"]["name"],
            "agreements": [
                {
                    "title": x["agreement"]["title"],
                    "parties": [p["organisation"]["name"] for p in x["agreement"]["parties"]],
                }
                for x in e["node"]["agreements"]
            ],
        }
        for e in data["organisations"]["edges"]
    ]


async def lists(
    schema: strawberry.Schema,
    store: Store,
    client: httpx.AsyncClient | None,
    url: str | None,
    calls: int,
    rounds: int,
    deadline: Deadline,
) -> list[Figure]:
    """organisations(first: 100) with agreements and their parties: API against raw Cypher."""
    data, recording = await execute(schema, store, LIST_NESTED)
    rows = [r.data() for r in await raw(store, RAW_LIST_NESTED, {})]
    same = _shape(data) == rows
    agreements = sum(len(r["agreements"]) for r in rows)
    compiled_query, compiled_params = recording.reads[0]

    def api() -> Call:
        return lambda: execute(schema, store, LIST_NESTED)

    def by_hand() -> Call:
        return lambda: raw(store, RAW_LIST_NESTED, {})

    def compiled() -> Call:
        return lambda: raw(store, compiled_query, compiled_params)

    note = (
        f"100 organisations, {agreements} agreements; same data as the raw Cypher: "
        f"{'yes' if same else 'NO'}"
    )
    r = await paired([(api(), by_hand()) for _ in range(calls)], rounds, deadline)
    out = rounds_figures(
        "lists", "organisations+agreements+parties in-process vs raw", r, None, note
    )
    r = await paired([(compiled(), by_hand()) for _ in range(calls)], rounds, deadline)
    note = "the API's own Cypher through the bare driver: the database's share"
    out += rounds_figures("lists", "compiled Cypher via driver vs raw", r, None, note)
    if client is not None and url is not None:

        def over_http() -> Call:
            return lambda: http(client, url, LIST_NESTED)

        r = await paired([(over_http(), by_hand()) for _ in range(calls)], rounds, deadline)
        out += rounds_figures("lists", "organisations+agreements+parties HTTP vs raw", r, None, "")
    return out


async def fast_path(store: Store, calls: int, rounds: int, deadline: Deadline) -> list[Figure]:
    """List queries in-process: graphql-core completing every field (plain strawberry) against
    the compiled fast path, same Cypher, same answers; the ratio is the fast path's speed-up."""
    from graph.api.schema.build import build_schema

    fast, plain = build_schema(), build_schema(fast=False)
    out: list[Figure] = []
    cases = (("wide list", LIST_WIDE), ("organisations+agreements+parties", LIST_NESTED))
    for name, query in cases:
        a, _ = await execute(plain, store, query)
        b, _ = await execute(fast, store, query)
        same = orjson.dumps(a) == orjson.dumps(b)

        def plain_call(query: str = query) -> Call:
            return lambda: execute(plain, store, query)

        def fast_call(query: str = query) -> Call:
            return lambda: execute(fast, store, query)

        r = await paired([(plain_call(), fast_call()) for _ in range(calls)], rounds, deadline)
        # What bounds the API process's throughput once Neo4j has a core of its own: its CPU
        # per request (this process runs only the API side and the driver here), A/B by rounds.
        cpu: dict[str, list[float]] = {"plain": [], "fast": []}
        for n in range(rounds):
            order = [("plain", plain_call), ("fast", fast_call)]
            for label, make in order if n % 2 == 0 else order[::-1]:
                call, began = make(), time.process_time()
                for _ in range(calls):
                    await call()
                cpu[label].append((time.process_time() - began) / calls * 1000)
        edges = len(b["organisations"]["edges"])
        note = (
            f"{edges} organisations; A = plain strawberry (graphql-core completes every field), "
            f"B = fast path; identical answers: {'yes' if same else 'NO'}"
        )
        out += rounds_figures("fast path", f"{name}: plain vs fast", r, None, note)
        out.append(
            Figure(
                "fast path",
                f"{name}: CPU per request, plain vs fast",
                "ms",
                Summary.of(cpu["plain"]),
                Summary.of(cpu["fast"]),
                Summary.of(ratios(cpu["plain"], cpu["fast"])),
                FAST_GOAL,
                "API side + driver in this process: what bounds the API's throughput",
            )
        )
    return out


async def partners(schema: strawberry.Schema, store: Store, ids: list[str]) -> list[Figure]:
    """The partner-suggestion question for ordinary organisations and for the biggest hub."""
    seconds: list[float] = []
    failures: list[str] = []
    for key in ids:
        began = time.perf_counter()
        try:
            await execute(schema, store, PARTNERS, {"id": f"Organisation:{key}"})
            seconds.append(time.perf_counter() - began)
        except RuntimeError as exc:
            failures.append(f"{key} after {time.perf_counter() - began:.0f} s: {exc}"[:200])
    out = [
        Figure(
            "questions",
            f"partners, {len(ids)} random organisations",
            "s",
            value=Summary.of(seconds) if seconds else None,
            note=f"{len(failures)} failed: {failures[:2]}" if failures else "",
        )
    ]
    hub = (await store.read(HUBS))[0]
    began = time.perf_counter()
    try:
        await execute(schema, store, PARTNERS, {"id": f"Organisation:{hub['id']}"})
        taken = time.perf_counter() - began
        out.append(
            Figure(
                "questions",
                f"partners, the biggest hub ({hub['degree']:,} relationships)",
                "s",
                value=Summary(taken, taken, taken, 1),
            )
        )
    except RuntimeError as exc:
        out.append(
            Figure(
                "questions",
                f"partners, the biggest hub ({hub['degree']:,} relationships) FAILED",
                "s",
                note=f"after {time.perf_counter() - began:.0f} s: {exc}"[:300],
            )
        )
    return out
