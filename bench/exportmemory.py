"""`python -m bench.exportmemory`: where a server's memory goes during parallel whole-graph exports.

A hostile probe saw `partnergraph serve` grow from 113 MB to 626 MB during 16 parallel exports
of the ROR graph, and stay there. Two measurements tell whose memory that is:

- the server (`partnergraph serve`, the real HTTP path) with 16 exports at once, in bursts one
  after another (`--bursts`), its resident size sampled before, at the peak and after each
  burst (bounded memory comes back to the same level, a leak climbs), and split by kind of
  mapping (`where`: CPython's object arenas, glibc's heaps, thread stacks, files); run once with
  glibc's default allocator settings and once with `MALLOC_ARENA_MAX=2` (fewer per-thread
  arenas, so less freed memory stranded). The server trims after the last export ends
  (graph/memtrim.py);
- the same 16 exports in this process under tracemalloc: the Python objects alive at the peak
  and after (ours: buffers, queues, rows), against the resident size after, and after
  `malloc_trim(0)` (what glibc held, freed, and had not given back).

Reported, not asserted. Its own Neo4j in .partnergraph/bench unless NEO4J_URI is set.
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import os
import sys
import threading
import time
import tracemalloc
from collections.abc import Sequence
from pathlib import Path

import httpx2 as httpx

from bench import datasets, report, servers
from bench.report import Figure, Results
from bench.timing import Summary
from graph.export.formats import output
from graph.export.graphrows import GraphRows
from graph.export.selection import selection
from graph.store import Store

MB = 1024 * 1024


def rss_mb(pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def where(pid: int | str = "self") -> dict[str, float]:
    """Resident MB of `pid` by kind of mapping (/proc/PID/smaps): whose memory it is.

    CPython's small-object allocator takes 1 MiB arenas and frees one only when nothing in it
    lives; glibc's main heap is [heap], its other arenas and large blocks are other anonymous
    maps; a thread's stack is 8 MiB; files are the interpreter and its libraries."""
    kinds: dict[str, float] = {}
    kind = "files"
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        head = line.split()
        if "-" in head[0] and len(head) >= 5 and ":" in head[3]:
            start, end = (int(x, 16) for x in head[0].split("-"))
            path = head[5] if len(head) > 5 else ""
            size_kb = (end - start) // 1024
            if path == "[heap]":
                kind = "glibc main heap"
            elif path:
                kind = "files and stack"
            elif size_kb == 1024:
                kind = "CPython object arenas (1 MiB)"
            elif size_kb == 8192:
                kind = "thread stacks"
            else:
                kind = "other anonymous (glibc arenas, large blocks)"
        elif head[0] == "Rss:":
            kinds[kind] = kinds.get(kind, 0.0) + int(head[1]) / 1024
    return kinds


class Sampler:
    """The highest resident size of `pid` seen while running."""

    def __init__(self, pid: int | str) -> None:
        self.pid, self.peak, self._stop = pid, 0.0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_mb(self.pid))
            time.sleep(0.1)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def _http_export(url: str, fmt: str) -> int:
    size = 0
    with (
        httpx.Client(timeout=600) as client,
        client.stream("GET", f"{url}/export/{fmt}") as response,
    ):
        response.raise_for_status()
        for chunk in response.iter_bytes():
            size += len(chunk)
    return size


def _server(db: servers.Neo4j, args: argparse.Namespace, out: Results, env: dict[str, str]) -> None:
    name = " ".join(f"{k}={v}" for k, v in env.items()) or "glibc defaults"
    caps = {
        "PARTNERGRAPH_MAX_EXPORTS": str(args.parallel),
        "PARTNERGRAPH_MAX_CLIENT_EXPORTS": str(args.parallel),
    }
    log = servers.BENCH_HOME / "exportmemory-serve.log"
    with servers.api_server(db.target, log, {**caps, **env}) as api:
        base = api.url.removesuffix("/graphql")
        _http_export(base, args.format)  # one first: imports, caches, the driver warmed
        before, kinds_before = rss_mb(api.pid), where(api.pid)
        # Bursts one after another: memory that is bounded comes back to the same level after
        # each; a leak climbs.
        afters: list[float] = []
        with Sampler(api.pid) as sampler:
            for _ in range(args.bursts):
                threads = [
                    threading.Thread(target=_http_export, args=(base, args.format))
                    for _ in range(args.parallel)
                ]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
                time.sleep(3)
                afters.append(rss_mb(api.pid))
        after = afters[0]
        kinds = where(api.pid)
    for burst, value in enumerate(afters[1:], 2):
        figure = Figure("server", f"RSS after burst {burst}, {name}", "MB", Summary.of([value]))
        out.figures.append(figure)
    print(f"server, {name}: after each burst " + ", ".join(f"{v:.0f}" for v in afters) + " MB")
    figures = {"before": before, "peak": sampler.peak, "after": after}
    for what, value in figures.items():
        out.figures.append(Figure("server", f"RSS {what}, {name}", "MB", Summary.of([value])))
    print(f"server, {name}: " + ", ".join(f"{k} {v:.0f} MB" for k, v in figures.items()))
    for kind, value in kinds.items():
        was = kinds_before.get(kind, 0.0)
        out.figures.append(Figure("server", f"{kind}, before, {name}", "MB", Summary.of([was])))
        out.figures.append(
            Figure("server", f"{kind}, after the last burst, {name}", "MB", Summary.of([value]))
        )
        print(f"  {kind}: before {was:.0f} MB, after the last burst {value:.0f} MB")


async def _in_process(store: Store, args: argparse.Namespace, out: Results) -> None:
    async def one() -> None:
        async for _ in output(args.format).write(GraphRows(store.view(), selection())):
            pass

    await one()
    before = rss_mb()
    tracemalloc.start()
    with Sampler("self") as sampler:
        await asyncio.gather(*(one() for _ in range(args.parallel)))
    live_after, live_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    after = rss_mb()
    libc = ctypes.CDLL("libc.so.6")
    libc.malloc_trim(0)
    trimmed = rss_mb()
    figures = {
        "RSS before": before,
        "RSS peak": sampler.peak,
        "Python objects alive at the peak (tracemalloc)": live_peak / MB,
        "Python objects alive after": live_after / MB,
        "RSS after": after,
        "RSS after malloc_trim(0)": trimmed,
    }
    for what, value in figures.items():
        out.figures.append(Figure("in process", what, "MB", Summary.of([value])))
    print("in process: " + ", ".join(f"{k} {v:.0f} MB" for k, v in figures.items()))


async def _load(db: servers.Neo4j, args: argparse.Namespace, out: Results) -> None:
    store = await Store.open(db.target, timeout_s=1800.0)
    try:
        await datasets.check_wipeable(store, db, allow_external=args.wipe_external)
        if not args.keep:
            seconds = await datasets.fresh_ror(store, args.ror)
            out.notes.append(f"ROR loaded in {seconds:.0f} s")
    finally:
        await store.close()


async def _measure_in_process(db: servers.Neo4j, args: argparse.Namespace, out: Results) -> None:
    store = await Store.open(db.target, timeout_s=1800.0)
    try:
        await _in_process(store, args, out)
    finally:
        await store.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.exportmemory", description=__doc__)
    parser.add_argument("--parallel", type=int, default=16, help="exports at once")
    parser.add_argument("--bursts", type=int, default=3, help="rounds of parallel exports")
    parser.add_argument("--format", default="graphml")
    parser.add_argument("--bolt-port", type=int, default=servers.DEFAULT_BOLT_PORT)
    parser.add_argument("--keep", action="store_true", help="export the graph already loaded")
    parser.add_argument("--wipe-external", action="store_true")
    parser.add_argument("--ror", type=Path, default=datasets.ROR_DUMP, help="the ROR dump")
    args = parser.parse_args(argv)
    if not args.ror.is_file() and not args.keep:
        print(f"skipped: {args.ror} is absent")
        return 0
    out = Results(command=["python", "-m", "bench.exportmemory", *(argv or sys.argv[1:])])
    out.machine = report.machine()
    with servers.neo4j(args.bolt_port) as db:
        asyncio.run(_load(db, args, out))
        _server(db, args, out, {})
        _server(db, args, out, {"MALLOC_ARENA_MAX": "2"})
        asyncio.run(_measure_in_process(db, args, out))
    out.machine["loadavg_end"] = os.getloadavg()
    report.publish(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
