"""Big batched loads: rows/s against bare batched UNWIND, batch rate over the load, reload, memory.

    python -m bench.scaleload --orgs 100000 --bolt-port 17716 [--heap 4g] [--batch-size 5000]
                              [--stream]

Starts a Neo4j of its own (home .partnergraph/bench-scale-<port>, the heap given), generates the
synthetic ecosystem (bench/synthetic.py), and in one run, side by side:
  1. the bare baseline: the pipeline's own node and relationship batches (captured from its
     plan), one auto-commit transaction each, through the driver alone, into an empty graph;
  2. the pipeline: `load(..., batched=True)` into an empty graph; each batch's time recorded
     (the first tenth's rate against the last tenth's);
  3. a reload of the same, unchanged dump;
  4. single writes: `upsertOrganisation` through the GraphQL executor on the loaded graph, p50.
Neo4j's heap use is sampled every second (JMX); the loader's peak RSS is the process's maximum.
Figures print as JSON and go to bench/results/scaleload-<orgs>.json.

With --stream the data goes through a file, as a big load does: a child process generates it
as bundle lines (loaders/bundlefile.py; its memory is not the loader's), and the pipeline is the
streamed load (graph/ingest/stream.py), whose writes are spooled to a file as sent; the bare
baseline replays that spool, one auto-commit transaction per batch, into an empty graph after
the load, the reload and the single writes (scaleload-stream-<orgs>.json).

With --stream --check-only, the streamed load's first pass alone (a dry run: every record read,
checked and resolved, nothing written) into an empty graph: its time and the loader's peak RSS,
what grows with the load's size (scaleload-check-<orgs>.json). --data reuses a bundle-lines file
made before (by the same generator) instead of generating one.
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
from pathlib import Path
from typing import Any, LiteralString

import orjson

from bench import datasets
from bench.servers import LIB_DIR, MARKER, ROOT
from bench.synthetic import generate
from graph.api.execution.executor import Executor
from graph.api.execution.limits.rules import Limits
from graph.api.schema.build import build_schema
from graph.api.schema.context import Context
from graph.auth import Principal, Role
from graph.dbserver import LocalServer
from graph.dbserver.memory import recommended_pagecache
from graph.ingest.stream import load_stream
from graph.ingest.write import load
from graph.store import Store, Target
from loaders.bundlefile import BundleLines

HOME = ROOT / ".partnergraph" / "bench-scale"
RESULTS = ROOT / "bench" / "results"
HEAP_USED: LiteralString = (
    "CALL dbms.queryJmx('java.lang:type=Memory') YIELD attributes "
    "RETURN attributes.HeapMemoryUsage.value.properties.used AS used"
)
WRITES = 40
UPSERT = """mutation($id: String!, $name: String!) {
  upsertOrganisation(
    record: {id: $id, kind: "company", names: [{value: $name, lang: "en"}],
             location: {country: "EE"}}
    source: {source: "bench-note", title: "Benchmark note"}
  ) { __typename } }"""
EDITOR = Principal(name="bench", role=Role.EDITOR, key_id="bench")


class Batches:
    """The pipeline's progress hook: when each batch finished."""

    def __init__(self) -> None:
        self.times: list[tuple[float, int]] = []

    def start(self, total: int) -> None:
        self.times = [(time.perf_counter(), 0)]

    def __call__(self, phase: str, rows: int) -> None:
        self.times.append((time.perf_counter(), rows))

    def tenth_rates(self) -> tuple[float, float]:
        spans = [
            (rows, t - self.times[i][0])
            for i, (t, rows) in enumerate(self.times[1:])
            if rows and t > self.times[i][0]
        ]
        tenth = max(len(spans) // 10, 1)

        def rate(part: list[tuple[int, float]]) -> float:
            return sum(r for r, _ in part) / sum(s for _, s in part)

        return rate(spans[:tenth]), rate(spans[-tenth:])


class HeapSampler:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.peak = 0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            rows = await self.store.read(HEAP_USED)
            self.peak = max(self.peak, int(rows[0]["used"]))
            await asyncio.sleep(1.0)

    def __enter__(self) -> HeapSampler:
        self._task = asyncio.ensure_future(self._run())
        return self

    def __exit__(self, *_: object) -> None:
        assert self._task is not None
        self._task.cancel()


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def run(store: Store, orgs: int, batch_size: int) -> dict[str, Any]:
    out: dict[str, Any] = {"orgs": orgs, "batch_size": batch_size}
    started = time.perf_counter()
    data = generate(orgs)
    units = datasets.validate(data)
    out["generate_validate_s"] = time.perf_counter() - started
    out["records"] = {k: len(v) for k, v in data.items() if isinstance(v, list)}
    out["rss_after_generate_mb"] = _rss_mb()

    await datasets.wipe(store)
    capture = await datasets.capture_writes(units, store, batch_size)
    out["rows"] = capture.rows
    with HeapSampler(store) as heap:
        started = time.perf_counter()
        await datasets.write_bare(store, capture.writes, per_batch=True)
        out["bare_s"] = time.perf_counter() - started
    out["bare_heap_peak_mb"] = heap.peak / 2**20
    del capture

    await datasets.wipe(store)
    batches = Batches()
    with HeapSampler(store) as heap:
        started = time.perf_counter()
        report = await load(units, store, batch_size=batch_size, progress=batches, batched=True)
        out["load_s"] = time.perf_counter() - started
    out["load_heap_peak_mb"] = heap.peak / 2**20
    out["relationships"] = report.relationships
    first, last = batches.tenth_rates()
    out["first_tenth_rows_per_s"], out["last_tenth_rows_per_s"] = first, last
    out["last_over_first"] = last / first
    out["loader_rows_per_s"] = out["rows"] / out["load_s"]
    out["bare_rows_per_s"] = out["rows"] / out["bare_s"]
    out["loader_over_bare"] = out["bare_s"] / out["load_s"]

    with HeapSampler(store) as heap:
        started = time.perf_counter()
        await load(units, store, batch_size=batch_size, batched=True)
        out["reload_s"] = time.perf_counter() - started
    out["reload_heap_peak_mb"] = heap.peak / 2**20
    out["reload_over_load"] = out["reload_s"] / out["load_s"]

    out.update(await _single_writes(store))
    out["loader_peak_rss_mb"] = _rss_mb()
    return out


async def _single_writes(store: Store) -> dict[str, float]:
    executor = Executor(build_schema(), Limits())
    times: list[float] = []
    for i in range(WRITES):
        view = store.view()
        started = time.perf_counter()
        result = await executor.run(
            UPSERT,
            Context(store=view, principal=EDITOR),
            {"id": f"bench-write-{i}", "name": f"Benchmark Write Company {i}"},
        )
        times.append(time.perf_counter() - started)
        assert not result.errors, result.errors
    return {
        "single_write_p50_ms": statistics.median(times) * 1000,
        "single_write_p90_ms": statistics.quantiles(times, n=10)[-1] * 1000,
    }


GENERATE = (
    "import sys; from bench.synthetic import generate; from loaders.bundlefile import write_lines;"
    "from pathlib import Path; write_lines(generate(int(sys.argv[1])), Path(sys.argv[2]))"
)


class Spool:
    """The streamed load's writes as sent, one JSON line each, for the bare replay."""

    def __init__(self, path: Path) -> None:
        self.file = path.open("wb")
        self.rows = 0

    def __call__(self, query: LiteralString, params: dict[str, Any]) -> None:
        self.rows += len(params.get("rows") or params.get("ids") or ())
        self.file.write(orjson.dumps([query, params]) + b"\n")


async def _replay(store: Store, path: Path) -> None:
    with path.open("rb") as f:
        for raw in f:
            query, params = orjson.loads(raw)
            await store.driver.execute_query(query, params, database_=store.target.database)


def generate_lines(orgs: int, work: Path) -> tuple[Path, float]:
    """The synthetic ecosystem as a bundle-lines file, made by a child process; its seconds."""
    data = work / f"synthetic-{orgs}.bundle.jsonl"
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", GENERATE, str(orgs), str(data)], check=True)
    return data, time.perf_counter() - started


async def run_stream(store: Store, data: Path, batch_size: int, work: Path) -> dict[str, Any]:
    out: dict[str, Any] = {"batch_size": batch_size, "stream": True}
    out["rss_before_load_mb"] = _rss_mb()

    await datasets.wipe(store)
    batches = Batches()
    spool = Spool(work / "writes.jsonl")
    source = BundleLines(data, chunk_size=batch_size)
    with HeapSampler(store) as heap:
        started = time.perf_counter()
        report = await load_stream(
            source, store, batch_size=batch_size, progress=batches, tap=spool
        )
        out["load_s"] = time.perf_counter() - started
    spool.file.close()
    out["load_heap_peak_mb"] = heap.peak / 2**20
    out["rows"] = spool.rows
    out["nodes"] = report.nodes
    out["relationships"] = report.relationships
    out["write_pass_s"] = batches.times[-1][0] - batches.times[0][0]
    first, last = batches.tenth_rates()
    out["first_tenth_rows_per_s"], out["last_tenth_rows_per_s"] = first, last
    out["last_over_first"] = last / first
    out["loader_peak_rss_after_load_mb"] = _rss_mb()

    with HeapSampler(store) as heap:
        started = time.perf_counter()
        await load_stream(BundleLines(data, chunk_size=batch_size), store, batch_size=batch_size)
        out["reload_s"] = time.perf_counter() - started
    out["reload_heap_peak_mb"] = heap.peak / 2**20
    out["reload_over_load"] = out["reload_s"] / out["load_s"]
    out.update(await _single_writes(store))
    out["loader_peak_rss_mb"] = _rss_mb()

    await datasets.wipe(store)
    with HeapSampler(store) as heap:
        started = time.perf_counter()
        await _replay(store, work / "writes.jsonl")
        out["bare_s"] = time.perf_counter() - started
    out["bare_heap_peak_mb"] = heap.peak / 2**20
    out["loader_rows_per_s"] = out["rows"] / out["load_s"]
    out["bare_rows_per_s"] = out["rows"] / out["bare_s"]
    out["loader_over_bare"] = out["bare_s"] / out["load_s"]
    out["write_pass_over_bare"] = out["bare_s"] / out["write_pass_s"]
    return out


async def run_check(store: Store, data: Path, batch_size: int) -> dict[str, Any]:
    """The first pass of a streamed load alone, into an empty graph."""
    out: dict[str, Any] = {"batch_size": batch_size, "stream": True, "check_only": True}
    await datasets.wipe(store)
    out["rss_before_check_mb"] = _rss_mb()
    started = time.perf_counter()
    report = await load_stream(
        BundleLines(data, chunk_size=batch_size), store, batch_size=batch_size, dry_run=True
    )
    out["check_s"] = time.perf_counter() - started
    out["nodes"] = report.nodes
    out["records"] = sum(report.nodes.values())
    out["loader_peak_rss_mb"] = _rss_mb()
    grown = out["loader_peak_rss_mb"] - out["rss_before_check_mb"]
    out["rss_growth_per_record_bytes"] = grown * 2**20 / max(out["records"], 1)
    return out


async def main(args: argparse.Namespace) -> dict[str, Any]:
    # A home per port: two runs (a small check beside a long one) never share a database.
    home = HOME.with_name(f"{HOME.name}-{args.bolt_port}")
    server = LocalServer(home, args.bolt_port, args.heap, None, LIB_DIR, args.pagecache)
    info = server.start()
    try:
        (server.home / MARKER).write_text("created by bench.scaleload\n", encoding="utf-8")
        store = await Store.open(Target(info.uri, info.user, info.password), timeout_s=3600)
        try:
            await store.setup_schema()
            if args.check_only:
                figures = await run_check(store, args.data, args.batch_size)
            elif args.stream:
                figures = await run_stream(store, args.data, args.batch_size, args.data.parent)
            else:
                figures = await run(store, args.orgs, args.batch_size)
        finally:
            await store.close()
    finally:
        server.stop()
    figures["heap"], figures["pagecache"] = args.heap, args.pagecache
    figures["load_average"] = os.getloadavg()
    return figures


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument("--bolt-port", type=int, default=17716)
    parser.add_argument("--heap", default="4g")
    parser.add_argument("--pagecache", default=recommended_pagecache())
    parser.add_argument("--stream", action="store_true", help="through a bundle-lines file")
    parser.add_argument("--check-only", action="store_true", help="the first pass alone")
    parser.add_argument("--data", type=Path, help="a bundle-lines file made before")
    args = parser.parse_args()
    if args.check_only and not args.stream:
        parser.error("--check-only is a streamed load's first pass: give --stream too")
    if args.data is not None and not (args.stream and args.data.is_file()):
        parser.error("--data needs --stream and an existing bundle-lines file")
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    if args.data is not None:
        size = args.data.stat().st_size / 2**20
        figures = {"orgs": args.orgs, "data": str(args.data), "file_mb": size}
        figures.update(asyncio.run(main(args)))
    elif args.stream:
        with tempfile.TemporaryDirectory(dir=ROOT / ".partnergraph") as work:
            args.data, generate_s = generate_lines(args.orgs, Path(work))
            size = args.data.stat().st_size / 2**20
            figures = {"orgs": args.orgs, "generate_s": generate_s, "file_mb": size}
            figures.update(asyncio.run(main(args)))
    else:
        figures = asyncio.run(main(args))
    figures["command"] = "python -m bench.scaleload " + " ".join(sys.argv[1:])
    figures["started"] = started
    text = json.dumps(figures, indent=2)
    print(text)
    RESULTS.mkdir(exist_ok=True)
    kind = "check-" if args.check_only else "stream-" if args.stream else ""
    name = f"scaleload-{kind}{args.orgs}.json"
    Path(RESULTS / name).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    cli()
