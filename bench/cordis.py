"""Loading a CORDIS dump: rows/s of the loader against the same UNWIND batches written bare (side
by side, into an emptied graph holding the seeds), peak memory of this process and of Neo4j, the
matcher's time per participant, and a reload that must change nothing; then the real CLI
(`partnergraph load DUMP`) twice: a load that leaves the dump's digest, and the reload of the
unchanged dump it lets skip (graph/ingest/unchanged.py), timed as a user waits for them.

    python -m bench.cordis --projects 5000 --bolt-port 17746

The dump is generated (bench/cordisgen.py) unless --dump names one. A load of more than
20,000 records goes in one transaction per batch (graph/ingest/write.py), and so does the bare
baseline. This process's peak memory includes the captured rows of the baseline.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import datasets
from bench.cordisgen import generate
from bench.servers import DEFAULT_BOLT_PORT, neo4j
from graph.cypher import match as cypher_match
from graph.cypher import schema as cypher_schema
from graph.ingest.gcpause import gc_paused
from graph.ingest.write import load
from graph.match.index import NameIndex
from graph.match.record import from_row
from graph.match.score import match
from graph.store import Store, Target
from loaders.cordis import parse_cordis

RESULTS = Path(__file__).resolve().parent / "results"
VERSIONS = "MATCH (n) RETURN sum(coalesce(n.version, 0)) AS sum"


def _peak_kb(pid: int | None) -> int | None:
    """A process's peak resident memory (VmHWM), in kB; None when it cannot be read."""
    if pid is None:
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


async def _counts(store: Store) -> tuple[int, int, int]:
    """Nodes, relationships and the sum of every node's version: a load that changes nothing
    leaves all three as they were (a reload's report lists versions, not whether they rose)."""
    (row,) = await store.read(cypher_schema.STATS)
    (versions,) = await store.read(VERSIONS)
    return int(row["nodes"]), int(row["relationships"]), int(versions["sum"])


async def _matching(store: Store, dump: Path) -> dict[str, float]:
    """The matcher alone: each distinct participant name in its country, against the graph."""
    parsed = parse_cordis(dump)
    names = sorted({(n.text, n.country) for n in parsed.names})
    began = time.perf_counter()
    index = NameIndex([from_row(r) for r in await store.read(cypher_match.ORGANISATIONS)])
    index_s = time.perf_counter() - began
    per: list[float] = []
    for text, country in names:
        began = time.perf_counter()
        match(index, text, country)
        per.append(time.perf_counter() - began)
    per.sort()
    return {
        "names": len(names),
        "index_s": index_s,
        "median_ms": statistics.median(per) * 1000,
        "p95_ms": per[int(len(per) * 0.95)] * 1000,
        "total_s": sum(per),
    }


class _Figures(dict[str, Any]):
    """The figures so far, each printed as it is measured: a run cut short keeps what it had."""

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, value)
        print(f"{key}: {json.dumps(value)}", flush=True)


def _cli(target: Target, *args: str) -> tuple[float, str]:
    """`partnergraph ARGS` as a user runs it: its wall time and first line of output."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "PARTNERGRAPH_"))}
    env.update(NEO4J_URI=target.uri, NEO4J_USER=target.user, NEO4J_PASSWORD=target.password)
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "graph.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"partnergraph {' '.join(args)} failed: {done.stderr[-2000:]}")
    return seconds, done.stdout.splitlines()[0]


async def run(args: argparse.Namespace) -> dict[str, Any]:
    dump: Path = args.dump or args.workdir / f"cordis-bench-{args.projects}.zip"
    out: dict[str, Any] = _Figures(projects=args.projects, dump=str(dump))
    if args.dump is None:
        began = time.perf_counter()
        out["projects"], out["participations"] = generate(dump, args.projects)
        out["generate_s"] = time.perf_counter() - began
    with neo4j(args.bolt_port) as server:
        store = await Store.open(server.target, timeout_s=3600)
        try:
            await store.setup_schema()
            seeds = datasets.parse(datasets.SEEDS)

            async def fresh() -> None:
                await datasets.wipe(store)
                await load(seeds, store)

            await fresh()
            out["matching"] = await _matching(store, dump)
            began = time.perf_counter()
            with gc_paused():
                units = [parse_cordis(dump)]
            out["parse_s"] = time.perf_counter() - began
            if units[0].problems:
                raise SystemExit(f"the dump does not parse: {units[0].problems[:3]}")
            capture = await datasets.capture_writes(units, store, args.batch_size)
            out["rows"] = capture.rows
            out["plan_s"] = capture.plan_s
            loader_s, bare_s = [], []
            for _ in range(args.runs):  # interleaved: the machine's load hits both alike
                await fresh()
                began = time.perf_counter()
                report = await load(units, store, batch_size=args.batch_size)
                loader_s.append(time.perf_counter() - began)
                out["resolved"] = report.resolved_names
                peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                out["loader_peak_mb_so_far"] = peak
                await fresh()
                began = time.perf_counter()
                # One transaction per batch, as the loader writes a load of this size (one
                # transaction of 720k rows overran Neo4j's transaction memory at 55k projects).
                await datasets.write_bare(store, capture.writes, per_batch=True)
                bare_s.append(time.perf_counter() - began)
                out["runs_so_far"] = {"loader_s": loader_s, "bare_s": bare_s}
            out["loader_s"], out["bare_s"] = loader_s, bare_s
            out["loader_rows_per_s"] = capture.rows / statistics.median(loader_s)
            out["bare_rows_per_s"] = capture.rows / statistics.median(bare_s)
            out["ratio"] = out["loader_rows_per_s"] / out["bare_rows_per_s"]
            # The reload: the loader's load again on top of itself must change nothing.
            await fresh()
            await load(units, store, batch_size=args.batch_size)
            before = await _counts(store)
            began = time.perf_counter()
            await load(units, store, batch_size=args.batch_size)
            out["reload_s"] = time.perf_counter() - began
            after = await _counts(store)
            out["reload_versions_raised"] = after[2] - before[2]
            out["reload_counts_equal"] = before[:2] == after[:2]
            # Through the CLI: the first leaves the digest (the in-process loads above pass
            # none), the second finds the dump unchanged.
            out["cli_load_s"], _ = _cli(server.target, "load", str(dump))
            before = await _counts(store)
            out["cli_unchanged_s"], said = _cli(server.target, "load", str(dump))
            # The part of that which is the interpreter starting and importing the command.
            out["cli_startup_s"], _ = _cli(server.target, "load", "--help")
            out["cli_unchanged_said"] = said
            out["cli_unchanged_graph_equal"] = before == await _counts(store)
            out["loader_peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            neo4j_kb = _peak_kb(server.pid)
            out["neo4j_peak_mb"] = neo4j_kb / 1024 if neo4j_kb else None
        finally:
            await store.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--projects", type=int, default=5000)
    parser.add_argument("--dump", type=Path, help="a dump to load instead of a generated one")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument("--bolt-port", type=int, default=DEFAULT_BOLT_PORT)
    args = parser.parse_args()
    out = asyncio.run(run(args))
    out["when"] = datetime.now(UTC).isoformat(timespec="seconds")
    print(json.dumps(out, indent=2))
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"cordis-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
