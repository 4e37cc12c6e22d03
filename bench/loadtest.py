"""`python -m bench.loadtest`: N clients of mixed reads and writes for M seconds, then the proof.

It starts its own Neo4j (`.partnergraph/loadtest`, port 17698), loads the seeds, creates an
editor key and serves the API as a subprocess on a free loopback port; `--chaos` stops Neo4j in
the middle of the run and starts it again. Figures are printed and written to
`bench/results/loadtest-<timestamp>.json`; the exit code is 1 when a write was lost.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import orjson

from bench import servers
from bench.chaos import ChaosPlan, ChaosTimes, Outage, ReadyWatch, outage, stop_and_restart
from bench.loadmix import Options, Run, Sample, Write, drive, http_client, prepare
from bench.lostwrites import Proof, prove, read_graph
from bench.report import RESULTS
from bench.timing import percentile
from graph.auth import KeyStore, Role
from graph.cypher import schema as cypher_schema
from graph.dbserver import LocalServer
from graph.ingest.write import load
from graph.store import Store, Target
from loaders.sources import parse_path

HOME = servers.ROOT / ".partnergraph" / "loadtest"
DEFAULT_BOLT_PORT = 17698  # bench uses 17697, the tests 17687
HEAP = "1g"
MARKER = "LOADTEST_INSTANCE"
MAX_LINES = 12  # of each kind of finding in the table (the JSON has them all)
# The API's bound on each Neo4j call: while Neo4j is down a request waits at most this long
# (the driver retries) before its 503, so clients see the outage instead of hanging.
API_NEO4J_TIMEOUT_S = 5.0


@dataclass(slots=True)
class LoadResult:
    options: Options
    seconds: float
    samples: list[Sample]
    writes: list[Write]
    proof: Proof
    ready: ReadyWatch
    chaos: ChaosTimes | None = None
    outage: Outage | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def throughput(self) -> float:
        return len(self.samples) / self.seconds if self.seconds > 0 else 0.0

    def errors(self) -> Counter[str]:
        return Counter(s.error for s in self.samples if s.error is not None)

    def latencies(self) -> dict[str, dict[str, float | int]]:
        by_kind: dict[str, list[Sample]] = defaultdict(list)
        for s in self.samples:
            by_kind[s.kind].append(s)
        out: dict[str, dict[str, float | int]] = {}
        for kind, samples in sorted(by_kind.items()):
            clean = [s.ms for s in samples if s.error is None] or [s.ms for s in samples]
            out[kind] = {
                "count": len(samples),
                "errors": sum(1 for s in samples if s.error is not None),
                "p50_ms": round(percentile(clean, 50), 2),
                "p99_ms": round(percentile(clean, 99), 2),
            }
        return out


async def run_load(
    url: str,
    key: str,
    options: Options,
    target: Target,
    server: LocalServer | None = None,
    plan: ChaosPlan | None = None,
) -> LoadResult:
    """The run against a served API; with `server` and `plan`, Neo4j is stopped mid-run."""
    run = Run(url, key, options)
    async with http_client(options, options.clients) as http:
        world = await prepare(run, http)
        run.samples.clear()
        run.requests = 0
        run.began = run.began + run.now()  # the clock starts with the clients
        ready = ReadyWatch()
        chaos: asyncio.Task[ChaosTimes] | None = None
        async with asyncio.TaskGroup() as group:
            group.create_task(drive(run, world, http))
            group.create_task(ready.watch(run, http))
            if server is not None and plan is not None:
                chaos = group.create_task(stop_and_restart(run, server, plan))
        seconds = run.now()
        store = await Store.open(target)
        try:
            graph = await read_graph(url, key, store, run.writes, http)
        finally:
            await store.close()
    proof = prove(run.writes, graph)
    times = chaos.result() if chaos is not None else None
    return LoadResult(
        options=options,
        seconds=seconds,
        samples=run.samples,
        writes=run.writes,
        proof=proof,
        ready=ready,
        chaos=times,
        outage=outage(run.samples, times, ready) if times is not None else None,
    )


async def seed_graph(target: Target, home: Path) -> None:
    """An empty database (this home's only: the marker says so) with the seeds loaded."""
    if not (home / MARKER).is_file():
        raise SystemExit(f"{home} is not a load-test home: refusing to wipe its database")
    store = await Store.open(target)
    try:
        await store.run_batched(cypher_schema.WIPE)
        await store.setup_schema()
        await load(parse_path(servers.ROOT / "seeds"), store)
    finally:
        await store.close()


def editor_key(home: Path) -> str:
    """What `partnergraph keys create loadtest --role editor` does, with this home's keys file."""
    _, key = KeyStore(home / "keys.json").create("loadtest", Role.EDITOR)
    return key


def api_env(home: Path) -> dict[str, str]:
    return {"PARTNERGRAPH_HOME": str(home), "NEO4J_TIMEOUT": f"{API_NEO4J_TIMEOUT_S:g}"}


def _ms(x: float | None) -> str:
    return "-" if x is None else f"{x:.1f}"


def table(result: LoadResult) -> str:
    o = result.options
    lines = [
        f"{o.clients} clients, {result.seconds:.1f} s, write share {o.write_share:g}, "
        f"{o.shared_records} shared records; chaos: "
        + ("no" if result.chaos is None else result.chaos.signal),
        f"requests: {len(result.samples):,} = {result.throughput:,.1f} req/s",
        "",
        f"{'operation':<22}{'count':>8}{'errors':>8}{'p50 ms':>10}{'p99 ms':>10}",
    ]
    for kind, row in result.latencies().items():
        lines.append(
            f"{kind:<22}{row['count']:>8}{row['errors']:>8}{row['p50_ms']:>10.1f}"
            f"{row['p99_ms']:>10.1f}"
        )
    errors = ", ".join(f"{k}: {n}" for k, n in result.errors().most_common()) or "none"
    p = result.proof
    lines += [
        "",
        f"errors by kind: {errors}",
        f"writes: {p.acked:,} acknowledged, {p.conflicts:,} conflicts, {p.refused} refused, "
        f"{p.unknown} of unknown outcome ({p.unknown_applied} applied, whole)",
        f"checked: {p.records} records, {p.links} links, {p.audit_entries:,} audit entries",
        f"lost writes: {len(p.lost)} ({p.lost_updates} of them lost updates between "
        f"concurrent writers)   half-applied: {len(p.half)}   anomalies: {len(p.anomalies)}",
    ]
    for tag, items in (("LOST", p.lost), ("HALF", p.half), ("odd ", p.anomalies)):
        counted = Counter(items)  # a write acknowledged to three writers is two lost: one line
        lines += [f"  {tag} {x}" + (f" (x{n})" if n > 1 else "") for x, n in counted.items()][
            :MAX_LINES
        ]
    if result.chaos is not None and result.outage is not None:
        c, u = result.chaos, result.outage
        lines += [
            "",
            f"chaos: {c.signal} at {_ms(c.stop_at)} s, Neo4j gone at {_ms(c.stopped_at)} s, "
            f"started at {_ms(c.start_at)} s, answering at {_ms(c.started_at)} s",
            f"  503 answers: {u.unavailable} ({u.with_retry_after} with Retry-After), "
            f"other errors meanwhile: {u.other_errors}",
            f"  /ready false at {_ms(u.ready_false)} s, true again at {_ms(u.ready_true)} s",
            f"  outage seen by clients: {_ms(u.seconds_down)} s; first clean answer "
            f"{_ms(u.seconds_to_recover)} s after Neo4j was back",
        ]
    lines += [f"note: {n}" for n in result.notes]
    return "\n".join(lines)


def as_json(result: LoadResult, argv: Sequence[str]) -> dict[str, Any]:
    return {
        "command": list(argv),
        "finished": dt.datetime.now(dt.UTC).isoformat(),
        "machine": {"cpus": os.cpu_count(), "loadavg": os.getloadavg()},
        "options": asdict(result.options),
        "seconds": round(result.seconds, 3),
        "requests": len(result.samples),
        "requests_per_s": round(result.throughput, 1),
        "operations": result.latencies(),
        "errors": dict(result.errors()),
        "proof": result.proof.as_dict(),
        "chaos": asdict(result.chaos) if result.chaos else None,
        "outage": result.outage.as_dict() if result.outage else None,
        "ready": result.ready.points,
        "writes": [asdict(w) for w in result.writes],
        "notes": result.notes,
    }


def write_json(body: dict[str, Any]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"loadtest-{stamp}.json"
    path.write_bytes(orjson.dumps(body, option=orjson.OPT_INDENT_2))
    return path


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.loadtest", description=__doc__)
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--seconds", type=float, default=30.0)
    p.add_argument("--max-requests", type=int, default=200_000)
    p.add_argument("--write-share", type=float, default=0.3)
    p.add_argument("--shared-records", type=int, default=3, help="records all clients contend on")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--chaos", action="store_true", help="stop Neo4j mid-run, then start it again")
    p.add_argument("--chaos-at", type=float, help="seconds into the run (default: 30%% of it)")
    p.add_argument("--chaos-down", type=float, default=5.0, help="seconds left stopped")
    p.add_argument("--chaos-kill", action="store_true", help="SIGKILL (a crash), not SIGTERM")
    p.add_argument("--bolt-port", type=int, default=DEFAULT_BOLT_PORT)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if not 0 <= args.write_share <= 1 or args.clients < 1 or args.seconds <= 0:
        raise SystemExit("--clients >= 1, --seconds > 0, 0 <= --write-share <= 1")
    options = Options(
        clients=args.clients,
        seconds=args.seconds,
        max_requests=args.max_requests,
        write_share=args.write_share,
        shared_records=args.shared_records,
        seed=args.seed,
        timeout_s=API_NEO4J_TIMEOUT_S * 3,
    )
    plan = None
    if args.chaos:
        at = args.chaos_at if args.chaos_at is not None else args.seconds * 0.3
        plan = ChaosPlan(at_s=at, down_s=args.chaos_down, kill=args.chaos_kill)
    notes = []
    if os.environ.get("NEO4J_URI"):
        notes.append("NEO4J_URI is ignored: the load test writes, and stops, its own Neo4j")
    server = LocalServer(HOME, args.bolt_port, HEAP, None, servers.LIB_DIR)
    try:
        info = server.start()
        (HOME / MARKER).write_text("created by `python -m bench.loadtest`\n", encoding="utf-8")
        target = Target(info.uri, info.user, info.password)
        asyncio.run(seed_graph(target, HOME))
        key = editor_key(HOME)
        log = HOME / "logs" / "api.log"
        with servers.api_server(target, log, api_env(HOME)) as api:
            result = asyncio.run(run_load(api.url, key, options, target, server, plan))
            if plan is not None:
                alive = _alive(api.pid)
                notes.append(f"the API process (pid {api.pid}) was never restarted: {alive}")
    finally:
        server.stop()
    result.notes.extend(notes)
    print(table(result))
    path = write_json(as_json(result, sys.argv))
    print(f"\nwritten to {path}")
    return 0 if result.proof.holds else 1


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


if __name__ == "__main__":
    sys.exit(main())
