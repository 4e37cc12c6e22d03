"""partnergraph side by side with the Neo4j GraphQL Library: `python -m bench.peer`.

The peer is `@neo4j/graphql` (pinned in bench/peer/package-lock.json) on GraphQL Yoga
(bench/peer/server.mjs), over the same Neo4j and the same data: the ROR dump (51k
organisations), read where it lies. The same logical questions go to both servers, at 1, 8 and 32
keep-alive clients, the servers alternating (ABBA over the rounds) so that drift on a shared
machine hits both alike; each cell reports requests/s, p50/p99 latency, and CPU per request of the
API process and of Neo4j (from /proc). The ratio ours / peer is the figure that matters: absolute
numbers move with the machine's other load.

Needs Node (skipped with a note when `node` is not on PATH) and the ROR dump (skipped with a note
when absent). `npm ci` restores the peer's packages the first time.

`--copies N` copies every loaded organisation N times inside Neo4j (bench/replicate.py: 19 makes
about a million organisations), so the same questions are asked of a graph of that size.
`--baseline TREE` serves another checkout of partnergraph (with its own .venv) as a third server
in the same rounds, so a change is measured against its parent and the peer side by side.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2 as httpx

from bench import datasets
from bench.replicate import replicate
from bench.servers import BENCH_HOME, Neo4j, api_server, free_port, neo4j
from bench.throughput import Level, level
from bench.timing import percentile
from graph.cypher import schema as cypher_schema
from graph.ingest.write import load
from graph.store import Store
from tests.serving import stop

ROOT = Path(__file__).resolve().parents[1]
PEER_DIR = ROOT / "bench" / "peer"
RESULTS = ROOT / "bench" / "results"
ROR_CANDIDATES = (datasets.ROR_DUMP, Path("/work/shared/data/ror/ror-records-latest.jsonl.gz"))
DEFAULT_BOLT_PORT = 17706
START_S = 90.0
STATS_S = 120.0
BASELINE = "baseline"

SAMPLE: Any = (
    "MATCH (n:Organisation) WHERE n.ror IS NOT NULL AND n.country = 'US' "
    "RETURN n.id AS id, n.ror AS ror ORDER BY n.id LIMIT 500"
)


@dataclass(frozen=True, slots=True)
class Question:
    """One logical question, as each server spells it; `vary` names the variable drawn from
    the sample (organisation key or ROR id) per request, if any."""

    name: str
    ours: str
    peer: str
    vary: str | None = None


ORG = "key name country"
PEER_ORG = "id name country"
QUESTIONS = [
    Question(
        "one organisation by key",
        f"query($v: ID!) {{ node(id: $v) {{ ... on Organisation {{ {ORG} }} }} }}",
        f"query($v: String!) {{ organisations(where: {{id: {{eq: $v}}}}, limit: 1) "
        f"{{ {PEER_ORG} }} }}",
        vary="key",
    ),
    Question(
        "one organisation by ROR id",
        f"query($v: String!) {{ organisationByIdentifier(scheme: ROR, value: $v) {{ {ORG} }} }}",
        f"query($v: String!) {{ organisations(where: {{ror: {{eq: $v}}}}, limit: 1) "
        f"{{ {PEER_ORG} }} }}",
        vary="ror",
    ),
    Question(
        "totalCount of one country's organisations",
        '{ organisations(first: 1, where: {country: {eq: "US"}}) { totalCount } }',
        '{ organisationsConnection(where: {country: {eq: "US"}}) { totalCount } }',
    ),
    Question(
        "first 100 of a country by name, totalCount and cursors",
        '{ organisations(first: 100, where: {country: {eq: "US"}}, orderBy: {field: NAME}) '
        "{ totalCount edges { cursor node { key name } } pageInfo { hasNextPage endCursor } } }",
        '{ organisationsConnection(first: 100, where: {country: {eq: "US"}}, '
        "sort: [{name: ASC}]) { totalCount edges { cursor node { id name } } "
        "pageInfo { hasNextPage endCursor } } }",
    ),
    Question(
        "countries in a list, established >= 1990, by established, 50",
        '{ organisations(first: 50, where: {country: {in: ["DE", "FR", "IT"]}, '
        "established: {gte: 1990}}, orderBy: {field: ESTABLISHED}) "
        "{ edges { node { key name established } } } }",
        '{ organisations(where: {country: {in: ["DE", "FR", "IT"]}, established: {gte: 1990}}, '
        "sort: [{established: ASC}], limit: 50) { id name established } }",
    ),
    Question(
        "100 organisations of a country with children and grandchildren",
        '{ organisations(first: 100, where: {country: {eq: "US"}}, orderBy: {field: NAME}) '
        "{ edges { node { key name children { organisation { key name "
        "children { organisation { key name } } } } } } } }",
        '{ organisations(where: {country: {eq: "US"}}, sort: [{name: ASC}], limit: 100) '
        "{ id name children { id name children { id name } } } }",
    ),
    Question(
        "50 organisations with active children, two levels",
        "{ organisations(first: 50, where: {children: {some: {status: {eq: ACTIVE}}}}, "
        "orderBy: {field: NAME}) { edges { node { key name children { organisation { key name "
        "status children { organisation { key name } } } } } } } }",
        '{ organisations(where: {children: {some: {status: {eq: "active"}}}}, '
        "sort: [{name: ASC}], limit: 50) "
        "{ id name children { id name status children { id name } } } }",
    ),
]


@dataclass(frozen=True, slots=True)
class Server:
    name: str
    url: str
    pid: int


def ror_dump(given: Path | None) -> Path | None:
    for path in (given, *ROR_CANDIDATES):
        if path is not None and path.is_file():
            return path
    return None


def ensure_packages() -> None:
    """`npm ci` from the committed lock file, the first time (an ordinary npm client)."""
    if (PEER_DIR / "node_modules" / "@neo4j" / "graphql").is_dir():
        return
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=PEER_DIR, check=True)


@contextmanager
def peer_server(db: Neo4j, log_path: Path) -> Iterator[Server]:
    port = free_port()
    env = {
        **os.environ,
        "NEO4J_URI": db.target.uri,
        "NEO4J_USER": db.target.user,
        "NEO4J_PASSWORD": db.target.password,
        "PORT": str(port),
    }
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            ["node", "server.mjs"], cwd=PEER_DIR, env=env, stdout=log, stderr=log
        )
        try:
            url = f"http://127.0.0.1:{port}/graphql"
            deadline = time.monotonic() + START_S
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"the peer exited with {proc.returncode}: see {log_path}")
                try:
                    if httpx.post(url, json={"query": "{ __typename }"}).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the peer did not start within {START_S:g}s")
                time.sleep(0.3)
            yield Server("@neo4j/graphql", url, proc.pid)
        finally:
            stop(proc)


def bodies(query: str, vary: str | None, pool: dict[str, list[str]], count: int) -> list[Any]:
    out = []
    for i in range(count):
        variables = None
        if vary is not None:
            values = pool[vary]
            variables = {"v": values[i % len(values)]}
        out.append(("q", json.dumps({"query": query, "variables": variables}).encode()))
    return out


async def check_answers(server: Server, question: Question, query: str, pool: Any) -> None:
    """Both servers must answer without errors before they are timed."""
    [(_, body)] = bodies(query, question.vary, pool, 1)
    async with httpx.AsyncClient(timeout=60) as client:
        response = await client.post(
            server.url, content=body, headers={"content-type": "application/json"}
        )
    if response.status_code != 200 or b'"errors"' in response.content:
        raise RuntimeError(f"{server.name} fails {question.name!r}: {response.text[:500]}")


def cell(levels: list[Level]) -> dict[str, Any]:
    done = sum(lv.done for lv in levels)
    lat = [x for lv in levels for x in lv.latencies] or [float("nan")]
    rps = sorted(lv.done / lv.seconds for lv in levels)
    return {
        "rps": rps[len(rps) // 2] if len(rps) % 2 else sum(rps[len(rps) // 2 - 1 :][:2]) / 2,
        "p50_ms": percentile(lat, 50) * 1000,
        "p99_ms": percentile(lat, 99) * 1000,
        "api_cpu_ms": sum(lv.api_cpu for lv in levels) / max(done, 1) * 1000,
        "neo4j_cpu_ms": sum(lv.neo4j_cpu or 0 for lv in levels) / max(done, 1) * 1000,
        "errors": sum(lv.errors for lv in levels),
        "requests": done,
    }


async def run(args: argparse.Namespace) -> int:
    if shutil.which("node") is None:
        print("bench.peer skipped: Node is not installed (the peer is @neo4j/graphql on Node)")
        return 0
    ror = ror_dump(args.ror)
    if ror is None:
        print("bench.peer skipped: the ROR dump is absent (--ror PATH)")
        return 0
    ensure_packages()
    clients = [int(c) for c in args.clients.split(",")]
    questions = [q for q in QUESTIONS if not args.only or any(o in q.name for o in args.only)]
    started = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    with neo4j(args.bolt_port) as db:
        store = await Store.open(db.target)
        try:
            await datasets.check_wipeable(store, db, allow_external=False)
            load_s = None
            if not args.reuse:
                await datasets.wipe(store)
                await store.setup_schema()
                began = time.perf_counter()
                await load(datasets.parse(ror), store)
                load_s = time.perf_counter() - began
                if args.copies:
                    began = time.perf_counter()
                    organisations = await replicate(store, args.copies)
                    print(
                        f"{args.copies} copies: {organisations} organisations in "
                        f"{time.perf_counter() - began:.0f} s",
                        flush=True,
                    )
                    await store.read(cypher_schema.AWAIT_INDEXES)
            # A reused graph gets the indexes this tree declares (a newer tree may add some),
            # populated before anything is timed.
            await store.setup_schema()
            await store.read(cypher_schema.AWAIT_INDEXES)
            await store.read(cypher_schema.RESAMPLE_INDEXES)
            rows = await store.read(SAMPLE)
        finally:
            await store.close()
        pool = {
            "key": [f"Organisation:{r['id']}" for r in rows],
            "ror": [r["ror"] for r in rows],
        }
        peer_pool = {"key": [r["id"] for r in rows], "ror": pool["ror"]}
        if not rows:
            raise SystemExit("no US organisation with a ROR id in the graph: load it (no --reuse)")
        loaded = "reused" if load_s is None else f"loaded in {load_s:.0f} s"
        print(f"ROR {loaded} ({ror}); {len(rows)} sample organisations", flush=True)
        # Default limits, but the rate limit: the load generator is one client address.
        env = {"PARTNERGRAPH_MAX_COST": "250000", "PARTNERGRAPH_HOME": str(BENCH_HOME)}
        logs = RESULTS / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        with ExitStack() as servers:
            api = servers.enter_context(api_server(db.target, logs / "peer-ours.log", env))
            peer = servers.enter_context(peer_server(db, logs / "peer-peer.log"))
            ours = Server("partnergraph", api.url, api.pid)
            others: list[tuple[Server, str, dict[str, list[str]]]] = []
            if args.baseline is not None:
                base = servers.enter_context(
                    api_server(db.target, logs / "peer-baseline.log", env, tree=args.baseline)
                )
                others.append((Server(BASELINE, base.url, base.pid), "", pool))
            # The API reads the graph's degree statistics in the background after its first
            # request (graph/api/execution/limits/degrees.py); until then the fixed fan-out table
            # refuses the nested questions. Give it that first request and the time to read them.
            deadline = time.monotonic() + STATS_S
            peer_failed: dict[str, str] = {}
            for q in questions:
                while True:
                    try:
                        await check_answers(ours, q, q.ours, pool)
                        break
                    except RuntimeError:
                        if time.monotonic() > deadline:
                            raise
                        await asyncio.sleep(1.0)
                try:
                    await check_answers(peer, q, q.peer, peer_pool)
                except RuntimeError as exc:  # reported, and ours measured alone
                    peer_failed[q.name] = str(exc)
                    print(f"the peer is not timed on {q.name!r}: {exc}", flush=True)
                for server, _, values in others:
                    await check_answers(server, q, q.ours, values)
            results: dict[tuple[str, int, str], list[Level]] = {}
            for round_ in range(args.rounds):
                for n in clients:
                    for q in questions:
                        order = [(ours, q.ours, pool), (peer, q.peer, peer_pool)]
                        order += [(server, q.ours, values) for server, _, values in others]
                        if q.name in peer_failed:
                            order = [o for o in order if o[0] is not peer]
                        if (round_ + clients.index(n)) % 2:
                            order.reverse()
                        for server, query, values in order:
                            sent = bodies(query, q.vary, values, args.max_requests)
                            lv = await level(server.url, sent, n, args.seconds, server.pid, db.pid)
                            results.setdefault((q.name, n, server.name), []).append(lv)
    table = []
    for q in questions:
        for n in clients:
            a = cell(results[(q.name, n, "partnergraph")])
            if q.name in peer_failed:
                table.append({"question": q.name, "clients": n, "ours": a, "peer_failed": True})
                continue
            b = cell(results[(q.name, n, "@neo4j/graphql")])
            row = {
                "question": q.name,
                "clients": n,
                "ours": a,
                "peer": b,
                "ratio": a["rps"] / b["rps"],
            }
            if args.baseline is not None:
                c = cell(results[(q.name, n, BASELINE)])
                row |= {"baseline": c, "vs_baseline": a["rps"] / c["rps"]}
            table.append(row)
    report = {
        "started": started,
        "command": "python -m bench.peer " + " ".join(args.argv),
        "ror": str(ror),
        "copies": args.copies,
        "load_s": load_s,
        "seconds_per_cell": args.seconds,
        "rounds": args.rounds,
        "note": "shared machine (2 cores, other helpers' work running): compare the ratios",
        "rows": table,
        "peer_failed": peer_failed,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"peer-{started}.json"
    out.write_text(json.dumps(report, indent=1), encoding="utf-8")
    print(render(table))
    print(f"written to {out}")
    return 0


def render(table: list[dict[str, Any]]) -> str:
    lines = [
        "| question | clients | ours req/s | peer req/s | ours/peer | p50 ours/peer ms "
        "| p99 ours/peer ms | API CPU/req ours/peer ms | Neo4j CPU/req ours/peer ms | errors |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    if table and "baseline" in table[0]:
        lines[0] += (
            " baseline req/s | ours/baseline | API CPU/req baseline ms "
            "| Neo4j CPU/req baseline ms |"
        )
        lines[1] += "---|---|---|---|"
    for row in table:
        if row.get("peer_failed"):
            a = row["ours"]
            lines.append(
                f"| {row['question']} | {row['clients']} | {a['rps']:.0f} | the peer failed "
                f"| - | {a['p50_ms']:.1f} / - | {a['p99_ms']:.1f} / - | {a['api_cpu_ms']:.2f} / - "
                f"| {a['neo4j_cpu_ms']:.2f} / - | {a['errors']} / - |"
            )
            continue
        a, b = row["ours"], row["peer"]
        extra = ""
        if "baseline" in row:
            c = row["baseline"]
            extra = (
                f" {c['rps']:.0f} | {row['vs_baseline']:.2f}x | {c['api_cpu_ms']:.2f} | "
                f"{c['neo4j_cpu_ms']:.2f} |"
            )
        lines.append(
            f"| {row['question']} | {row['clients']} | {a['rps']:.0f} | {b['rps']:.0f} | "
            f"{row['ratio']:.2f}x | {a['p50_ms']:.1f} / {b['p50_ms']:.1f} | "
            f"{a['p99_ms']:.1f} / {b['p99_ms']:.1f} | {a['api_cpu_ms']:.2f} / "
            f"{b['api_cpu_ms']:.2f} | {a['neo4j_cpu_ms']:.2f} / {b['neo4j_cpu_ms']:.2f} | "
            f"{a['errors']} / {b['errors']} |{extra}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.peer", description=__doc__)
    parser.add_argument("--bolt-port", type=int, default=DEFAULT_BOLT_PORT)
    parser.add_argument("--ror", type=Path, default=None, help="the ROR dump (.jsonl.gz)")
    parser.add_argument("--clients", default="1,8,32")
    parser.add_argument("--seconds", type=float, default=4.0, help="per cell and round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--max-requests", type=int, default=20000)
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        help="ask only the questions whose name contains this text (repeatable)",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the graph an earlier run loaded into the benchmark's Neo4j (no wipe, no load)",
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        default=None,
        help="another checkout of partnergraph (with its .venv), served in the same rounds",
    )
    parser.add_argument(
        "--copies",
        type=int,
        default=0,
        help="copy every organisation this many times after the load (19: about a million; "
        "bench/replicate.py)",
    )
    args = parser.parse_args(argv)
    if args.copies < 0 or (args.copies and args.reuse):
        parser.error("--copies: a positive number, and not with --reuse (it loads afresh)")
    if args.baseline is not None and not (args.baseline / ".venv" / "bin" / "python").exists():
        parser.error(f"--baseline {args.baseline}: no .venv there (run `make install` in it)")
    if args.seconds <= 0 or args.rounds <= 0 or args.max_requests <= 0:
        parser.error("--seconds, --rounds and --max-requests must be positive")
    if not all(c.isdigit() and int(c) > 0 for c in args.clients.split(",")):
        parser.error("--clients: positive integers separated by commas, e.g. 1,8,32")
    unknown = [o for o in args.only if not any(o in q.name for q in QUESTIONS)]
    if unknown:
        names = "; ".join(q.name for q in QUESTIONS)
        parser.error(f"--only {unknown[0]!r} matches no question (the questions: {names})")
    args.argv = argv if argv is not None else __import__("sys").argv[1:]
    return asyncio.run(run(args))


if __name__ == "__main__":
    raise SystemExit(main())
