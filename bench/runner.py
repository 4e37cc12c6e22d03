"""`python -m bench`: start the servers, run every benchmark, print the table, write the JSON."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import os
import resource
import sys
import time
import traceback
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx2 as httpx

from bench import datasets, loadbench, peer, profile, queries, report, servers, throughput
from bench.report import Figure, Results
from bench.timing import Deadline
from graph.api.schema.build import build_schema
from graph.ingest.write import load
from graph.parsed import Parsed
from graph.store import Store, Target

ROR_SUBSET = datasets.ROR_DUMP.with_name("ror-ee-kr-subset.jsonl")
LOAD_TIMEOUT_S = 1800.0
QUERY_TIMEOUT_S = 30.0
# Peak RSS of the benchmark per synthetic organisation (data, the pipeline's plan and the
# captured batches at once): 2.8 GB at 100k.
BYTES_PER_ORG = 28_000


@dataclass(frozen=True, slots=True)
class Plan:
    """How much of everything to run: the full run, or seconds-scale with --quick."""

    sizes: list[int]
    load_runs: int
    load_budget_s: float  # per size; at least one pipeline/baseline pair always runs
    seed_runs: int
    ror: Path | None
    lookup_ids: int
    partner_ids: int
    rounds: int
    list_calls: int
    concurrency: list[int]
    throughput_runs: int
    throughput_s: float
    max_requests: int

    @classmethod
    def of(cls, args: argparse.Namespace) -> Plan:
        quick = args.quick
        sizes = args.sizes or ([500, 2000] if quick else [10_000, 100_000])
        if args.million:
            sizes = [*sizes, 1_000_000]
        ror = None if args.no_ror else (ROR_SUBSET if quick else datasets.ror_dump())
        return cls(
            sizes=sorted(sizes),
            load_runs=args.runs or 3,
            load_budget_s=30.0 if quick else 420.0,
            seed_runs=2 if quick else 3,
            ror=ror if ror is not None and ror.is_file() else None,
            lookup_ids=40 if quick else 200,
            partner_ids=3 if quick else 5,
            rounds=3 if quick else 5,
            list_calls=5 if quick else 10,
            concurrency=[1, 8, 32],
            throughput_runs=1 if quick else 3,
            throughput_s=1.5 if quick else 8.0,
            max_requests=300 if quick else 4000,
        )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, a few seconds each")
    parser.add_argument(
        "--sizes",
        type=lambda s: [int(x) for x in s.split(",") if x],
        help="synthetic sizes in organisations, e.g. 10000,100000",
    )
    parser.add_argument("--million", action="store_true", help="also 1,000,000 organisations")
    parser.add_argument("--runs", type=int, help="pipeline/baseline pairs per size (default 3)")
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument("--bolt-port", type=int, default=servers.DEFAULT_BOLT_PORT)
    parser.add_argument("--no-ror", action="store_true", help="skip the ROR dump")
    parser.add_argument("--no-http", action="store_true", help="skip everything over HTTP")
    parser.add_argument(
        "--no-peer",
        action="store_true",
        help="skip the side-by-side run against @neo4j/graphql (bench/peer.py; needs Node)",
    )
    parser.add_argument(
        "--load-only",
        action="store_true",
        help="only the load figures (seeds, ROR, synthetic): no queries, no API server",
    )
    parser.add_argument("--no-seeds", action="store_true", help="skip the seeds and ROR loads")
    parser.add_argument(
        "--profile", action="store_true", help="profile a load and look-ups (pyinstrument)"
    )
    parser.add_argument(
        "--wipe-external",
        action="store_true",
        help="allow emptying a non-empty database given by NEO4J_URI",
    )
    return parser


def _say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def _stage(out: Results, name: str, work: Awaitable[list[Figure]]) -> None:
    """One benchmark: its figures, or a note saying how it failed; the others still run."""
    try:
        out.figures += await work
    except Exception as exc:
        out.notes.append(f"{name} FAILED: {type(exc).__name__}: {exc}"[:600])
        traceback.print_exc()
    _say(f"{name} done")


async def _seeds_and_ror(store: Store, plan: Plan, out: Results) -> list[Figure]:
    def seeds() -> list[Parsed]:
        return datasets.parse(datasets.SEEDS)

    figures = [await loadbench.one_shot(store, "seeds", seeds, plan.seed_runs)]
    if plan.ror is not None:
        ror = plan.ror
        figures.append(
            await loadbench.one_shot(store, f"ROR {ror.name}", lambda: datasets.parse(ror), 1)
        )
    else:
        out.notes.append(f"ROR dump skipped: {datasets.ROR_DUMP} absent (or --no-ror)")
    return figures


def _fits(size: int) -> bool:
    """Whether the benchmark's own memory for a size fits in what the machine has free."""
    with open("/proc/meminfo", encoding="ascii") as file:
        free_kb = next(int(line.split()[1]) for line in file if line.startswith("MemAvailable"))
    return size * BYTES_PER_ORG < free_kb * 1024


async def _synthetic(store: Store, plan: Plan, batch_size: int, out: Results) -> list[Figure]:
    figures: list[Figure] = []
    runs: list[loadbench.LoadRun] = []
    for size in plan.sizes:
        if not _fits(size):
            out.notes.append(
                f"synthetic {size:,} skipped: it needs ~{size * BYTES_PER_ORG / 2**30:.0f} GiB "
                "in this process (measured: ~28 kB per organisation at 100k) and that is more "
                "than the memory available"
            )
            continue
        began = time.perf_counter()
        run = await loadbench.synthetic(
            store, size, plan.load_runs, batch_size, Deadline(plan.load_budget_s)
        )
        runs.append(run)
        figures += loadbench.synthetic_figures(run)
        out.notes.append(
            f"synthetic {size:,}: {time.perf_counter() - began:.0f} s in all (generate "
            f"{run.generate_s:.1f} s); peak RSS of the benchmark so far {_rss_mb():,.0f} MB"
        )
        _say(f"synthetic {size:,}: {len(run.loader_s)} pairs, failures: {run.failures or 'none'}")
    return figures + loadbench.growth_figures(runs)


async def _queries(
    target: Target, db: servers.Neo4j, api: servers.Api | None, plan: Plan, out: Results
) -> None:
    # The API's own timeout (settings.neo4j_timeout_s), so in-process figures fail where it would.
    store = await Store.open(target, timeout_s=QUERY_TIMEOUT_S)
    try:
        schema = build_schema()
        ids = await queries.sample_ids(store, "syn-org-", plan.lookup_ids)
        pools = await throughput.Pools.read(store, ids)
        deadline = Deadline(600)
        async with httpx.AsyncClient(timeout=throughput.REQUEST_TIMEOUT_S) as client:
            url = api.url if api else None
            http_client = client if api else None
            await _stage(
                out,
                "look-ups",
                queries.lookups(
                    schema,
                    store,
                    http_client,
                    url,
                    ids,
                    plan.rounds,
                    deadline,
                    api.pid if api else None,
                ),
            )
            await _stage(
                out,
                "lists",
                queries.lists(
                    schema, store, http_client, url, plan.list_calls, plan.rounds, deadline
                ),
            )
            await _stage(
                out,
                "fast path",
                queries.fast_path(store, plan.list_calls, plan.rounds, deadline),
            )
            await _stage(
                out, "round trips", throughput.round_trips(schema, store, http_client, url, pools)
            )
        await _stage(out, "questions", queries.partners(schema, store, ids[: plan.partner_ids]))
        if api is None:
            out.notes.append("HTTP look-ups and throughput skipped (--no-http)")
            return
        await _stage(
            out,
            "throughput",
            throughput.throughput(
                api.url,
                pools,
                plan.concurrency,
                plan.throughput_runs,
                plan.throughput_s,
                plan.max_requests,
                api.pid,
                db.pid,
            ),
        )
    finally:
        await store.close()


async def _bench(
    db: servers.Neo4j, api: servers.Api | None, plan: Plan, args: argparse.Namespace, out: Results
) -> None:
    store = await Store.open(db.target, timeout_s=LOAD_TIMEOUT_S)
    try:
        await datasets.check_wipeable(store, db, allow_external=args.wipe_external)
        await store.setup_schema()
        if not args.no_seeds:
            await _stage(out, "seeds and ROR loads", _seeds_and_ror(store, plan, out))
        await _stage(out, "synthetic loads", _synthetic(store, plan, args.batch_size, out))
        if args.load_only:
            return
        # The queries run on the largest synthetic graph with the seed ecosystem beside it.
        await load(datasets.parse(datasets.SEEDS), store, batch_size=args.batch_size)
        await _queries(db.target, db, api, plan, out)
        if args.profile:
            out.notes += await profile.run(store, plan.sizes[0], args.batch_size, build_schema())
    finally:
        await store.close()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    plan = Plan.of(args)
    # Failed queries are reported in the figures; strawberry's own tracebacks would bury them.
    logging.getLogger("strawberry.execution").setLevel(logging.CRITICAL)
    out = Results(command=["python", "-m", "bench", *(argv or sys.argv[1:])])
    out.machine = report.machine()
    out.machine["plan"] = {
        k: str(v) if isinstance(v, Path) else v for k, v in dataclasses.asdict(plan).items()
    }
    began = time.perf_counter()
    try:
        with servers.neo4j(args.bolt_port) as db:
            out.machine["neo4j"] = {"uri": db.target.uri, "own": db.owned, "heap": servers.HEAP}
            _say(f"Neo4j at {db.target.uri}; sizes {plan.sizes}")
            if args.no_http or args.load_only:
                asyncio.run(_bench(db, None, plan, args, out))
            else:
                with servers.api_server(db.target, servers.BENCH_HOME / "api.log") as api:
                    out.notes.append(f"API server settings for the benchmark: {servers.API_ENV}")
                    asyncio.run(_bench(db, api, plan, args, out))
    finally:
        # Whatever happened, what was measured is printed and kept.
        out.machine["loadavg_end"] = os.getloadavg()
        out.machine["seconds"] = round(time.perf_counter() - began, 1)
        out.machine["peak_rss_mb"] = round(_rss_mb())
        print(report.table(out.figures))
        for note in out.notes:
            print(f"  {note}")
        print(f"wrote {report.write(out)} ({out.machine['seconds']:.0f} s)")
    if args.no_peer or args.quick or args.load_only or args.no_http:
        return 0
    # After the rest, its Neo4j stopped: the peer run starts its own on the same port and
    # says so when Node or the ROR dump is missing.
    return peer.main(["--bolt-port", str(args.bolt_port)])
