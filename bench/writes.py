"""Single API writes on a big graph: `python -m bench.writes --bolt-port N [--baseline TREE]`.

An agency's edit is one `upsertOrganisation` (a record and the note it cites) through the
GraphQL executor, on the benchmark's graph (ROR's 51k organisations, as bench.peer leaves it).
Per write: latency, and round trips to Neo4j (the store's own counter), p50 and p90 over
`--writes` writes of new organisations. With `--baseline TREE` (a checkout of another commit,
e.g. `git worktree add /tmp/base <commit>` with `make install` run there) the same writes run
from that tree too, the two interleaved round by round in separate processes against the same
Neo4j, and the ratios are this tree's over the baseline's. The organisations, their audit
entries and the note written are deleted at the end. Writes bench/results/writes-<time>.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.report import write_markdown
from bench.servers import DEFAULT_BOLT_PORT, ROOT
from bench.servers import neo4j as bench_neo4j
from bench.timing import percentile
from graph.store import Store, Target

PREFIX = "bench-write-"
# One new organisation citing the benchmark's note: the write bench.atscale and
# bench.firstwrite time (WORKER keeps its own copy: it runs in other checkouts).
UPSERT = """mutation($id: String!, $name: String!) {
  upsertOrganisation(
    record: {id: $id, kind: "company", names: [{value: $name, lang: "en"}],
             location: {country: "EE"}}
    source: {source: "bench-write-note", title: "Benchmark note"}
  ) { __typename } }"""
# Run in the tree measured (this one or the baseline), so only APIs both have: the executor,
# the schema, the store. Prints one JSON line: each write's seconds and round trips.
WORKER = r"""
import asyncio, json, sys, time
from graph.api.execution.executor import Executor
from graph.api.execution.limits.rules import Limits
from graph.api.schema.build import build_schema
from graph.api.schema.context import Context
from graph.auth import Principal, Role
from graph.store import Store, Target

UPSERT = '''mutation($id: String!, $name: String!) {
  upsertOrganisation(
    record: {id: $id, kind: "company", names: [{value: $name, lang: "en"}],
             location: {country: "EE"}}
    source: {source: "bench-write-note", title: "Benchmark note"}
  ) { __typename ... on Upserted { id version }
      ... on ValidationFailed { problems { field message } } } }'''

async def main(uri, user, password, tag, writes, warm):
    store = await Store.open(Target(uri, user, password))
    executor = Executor(build_schema(), Limits())
    editor = Principal(name="bench", role=Role.EDITOR, key_id="bench")
    out = []
    try:
        for i in range(warm + writes):
            view = store.view()
            began = time.perf_counter()
            result = await executor.run(
                UPSERT, Context(store=view, principal=editor),
                {"id": f"bench-write-{tag}-{i}", "name": f"Benchmark Write {tag} Company {i}"},
            )
            took = time.perf_counter() - began
            if result.errors or result.data["upsertOrganisation"]["__typename"] != "Upserted":
                raise SystemExit(f"write failed: {result.errors or result.data}")
            if i >= warm:
                out.append([took, view.stats.round_trips])
    finally:
        await store.close()
    print(json.dumps(out))

asyncio.run(main(*sys.argv[1:5], int(sys.argv[5]), int(sys.argv[6])))
"""
CLEANUP = (
    "MATCH (n) WHERE (n:Organisation AND n.id STARTS WITH $prefix) OR (n:Source AND n.id = $note)"
    " OR (n:AuditEntry AND n.target STARTS WITH 'Organisation:' + $prefix) DETACH DELETE n"
)


def _worker(tree: Path, target: Target, tag: str, writes: int, warm: int) -> list[list[float]]:
    python = tree / ".venv" / "bin" / "python"
    args = [str(python), "-c", WORKER, target.uri, target.user, target.password, tag]
    done = subprocess.run(
        [*args, str(writes), str(warm)],
        cwd=tree,
        env={**os.environ, "PYTHONPATH": str(tree)},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"the worker in {tree} failed:\n{done.stderr[-2000:]}")
    rows: list[list[float]] = json.loads(done.stdout.strip().splitlines()[-1])
    return rows


def _figures(rows: list[list[float]]) -> dict[str, float]:
    times = [r[0] * 1000 for r in rows]
    trips = [r[1] for r in rows]
    return {
        "p50_ms": percentile(times, 50),
        "p90_ms": percentile(times, 90),
        "round_trips": statistics.median(trips),
    }


def run(args: argparse.Namespace) -> int:
    trees = {"this tree": ROOT}
    if args.baseline is not None:
        trees["baseline"] = args.baseline.resolve()
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    rows: dict[str, list[list[float]]] = {name: [] for name in trees}
    with bench_neo4j(args.bolt_port) as db:

        async def count_and_clean() -> int:
            store = await Store.open(db.target)
            try:
                await store.write(CLEANUP, {"prefix": PREFIX, "note": "bench-write-note"})
                (row,) = await store.read("MATCH (n:Organisation) RETURN count(n) AS c")
                return int(row["c"])
            finally:
                await store.close()

        organisations = asyncio.run(count_and_clean())
        if organisations == 0:
            raise SystemExit("no organisations in the benchmark's Neo4j: run bench.peer first")
        try:
            for n in range(args.rounds):
                order = list(trees.items())
                if n % 2:
                    order.reverse()
                for name, tree in order:
                    tag = f"{stamp.lower()}-{n}-{'b' if name == 'baseline' else 't'}"
                    rows[name] += _worker(tree, db.target, tag, args.writes, args.warm)
        finally:
            asyncio.run(count_and_clean())
    figures = {name: _figures(r) for name, r in rows.items()}
    lines = [
        f"# bench.writes {stamp}",
        "",
        f"`python -m bench.writes --bolt-port {args.bolt_port} --writes {args.writes} "
        f"--rounds {args.rounds}{' --baseline ' + str(args.baseline) if args.baseline else ''}`"
        f": {args.writes} `upsertOrganisation` writes per tree and round ({args.warm} warm-up "
        f"writes first, not counted), {args.rounds} rounds, the trees interleaved, on a graph of "
        f"{organisations:,} organisations. Load average at the end: "
        f"{' / '.join(f'{x:.1f}' for x in os.getloadavg())}.",
        "",
        "| tree | p50 ms | p90 ms | round trips per write |",
        "|---|---|---|---|",
    ]
    for name, f in figures.items():
        lines.append(f"| {name} | {f['p50_ms']:.1f} | {f['p90_ms']:.1f} | {f['round_trips']:.0f} |")
    if "baseline" in figures:
        mine, base = figures["this tree"], figures["baseline"]
        lines += [
            "",
            f"This tree / baseline: p50 {mine['p50_ms'] / base['p50_ms']:.2f}x, "
            f"p90 {mine['p90_ms'] / base['p90_ms']:.2f}x, round trips "
            f"{mine['round_trips'] / base['round_trips']:.2f}x.",
        ]
    write_markdown(f"writes-{stamp}.md", "\n".join(lines) + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.writes", description=__doc__)
    parser.add_argument("--bolt-port", type=int, default=DEFAULT_BOLT_PORT)
    parser.add_argument("--writes", type=int, default=40, help="measured writes per tree, round")
    parser.add_argument("--warm", type=int, default=5, help="unmeasured writes first")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline", type=Path, default=None, help="another commit's checkout")
    args = parser.parse_args(argv)
    if args.writes < 2 or args.rounds <= 0 or args.warm < 0:
        parser.error("--writes must be at least 2, --rounds positive, --warm not negative")
    if args.baseline is not None and not (args.baseline / ".venv" / "bin" / "python").exists():
        parser.error(f"--baseline {args.baseline}: no .venv there (run `make install` in it)")
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
