"""`python -m bench.export`: the 51k-organisation ROR graph exported (GraphML, CSV nodes, JSON-LD)
against a bare driver dump of the same rows (the same Cypher, records read and dropped), side
by side.

Goal (reported, not asserted): the export streams at least 20k nodes/s. Skipped cleanly when
../shared/data/ror is absent. Its own Neo4j in .partnergraph/bench unless NEO4J_URI is set.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import LiteralString

import neo4j

from bench import datasets, report, servers
from bench.report import Figure, Results
from bench.timing import Deadline, Summary, interleaved, ratios
from graph.cypher import RelType
from graph.cypher import export as cypher_export
from graph.cypher import schema as cypher_schema
from graph.export.formats import output
from graph.export.graphrows import BATCH, COLUMNS, EDGE_PROPERTIES, FETCH_SIZE, GraphRows, _hidden
from graph.export.selection import selection
from graph.store import Store

GOAL_NODES_PER_S = 20_000
READS = 40
SOME_ORGANISATION: LiteralString = "MATCH (o:Organisation) RETURN o.id AS id LIMIT 1"
ONE_ORGANISATION: LiteralString = "MATCH (o:Organisation {id: $id}) RETURN o.name AS name"
Cpu = dict[str, list[float]]


def _baseline(driver: neo4j.Driver, database: str, with_edges: bool = True) -> tuple[int, int]:
    """Every row of the whole-graph export through the bare driver, nothing formatted: the sync
    driver, as the export reads (in a thread, as the export runs).

    `with_edges=False`: the nodes only, as the CSV nodes file holds.
    """
    chosen = selection()
    params = {**chosen.params, "batch": BATCH}
    nodes = edges = 0
    with driver.session(database=database, fetch_size=FETCH_SIZE) as s:
        for label in chosen.labels:
            query = cypher_export.node_rows(label, COLUMNS[label], chosen.scope, _hidden(label))
            for (rows,) in s.run(query, params):
                nodes += len(rows)
        for rel_type in RelType if with_edges else ():
            edge_query = cypher_export.edge_rows(
                rel_type, EDGE_PROPERTIES, chosen.scope, chosen.labels
            )
            if edge_query is None:
                continue
            for (rows,) in s.run(edge_query, params):
                edges += len(rows)
    return nodes, edges


async def _export(store: Store, fmt: str, part: str | None) -> int:
    size = 0
    async for chunk in output(fmt, part).write(GraphRows(store, selection())):
        size += len(chunk)
    return size


async def _run(store: Store, runs: int, out: Results) -> None:
    target = store.target
    driver = neo4j.GraphDatabase.driver(
        target.uri, auth=(target.user, target.password), notifications_min_severity="OFF"
    )
    try:
        await _formats(store, driver, runs, out)
        await _reads_during_export(store, runs, out)
    finally:
        driver.close()


async def _formats(store: Store, driver: neo4j.Driver, runs: int, out: Results) -> None:
    counts = (await store.read(cypher_schema.STATS))[0]
    nodes = counts["nodes"]
    out.notes.append(f"graph: {nodes:,} nodes, {counts['relationships']:,} relationships")

    for fmt, part in (("graphml", None), ("gexf", None), ("csv", "nodes"), ("jsonld", None)):
        sizes: list[int] = []
        # This process's CPU seconds per run: on a shared machine the wall time also counts
        # the waits for a core, the CPU time does not.
        cpu: dict[str, list[float]] = {"export": [], "bare": []}

        async def bare(_: int, with_edges: bool = part is None, cpu: Cpu = cpu) -> float:
            began, began_cpu = time.perf_counter(), time.process_time()
            await asyncio.to_thread(_baseline, driver, store.target.database, with_edges)
            cpu["bare"].append(time.process_time() - began_cpu)
            return time.perf_counter() - began

        async def export(
            _: int,
            fmt: str = fmt,
            part: str | None = part,
            sizes: list[int] = sizes,
            cpu: Cpu = cpu,
        ) -> float:
            began, began_cpu = time.perf_counter(), time.process_time()
            sizes.append(await _export(store, fmt, part))
            cpu["export"].append(time.process_time() - began_cpu)
            return time.perf_counter() - began

        times_a, times_b = await interleaved(export, bare, runs, Deadline(300))
        name = f"{fmt}{'-' + part if part else ''}"
        rate = Summary.of([nodes / t for t in times_a])
        out.figures.append(
            Figure(
                "export",
                f"{name} nodes/s (ROR)",
                "nodes/s",
                value=rate,
                baseline=Summary.of([nodes / t for t in times_b]),
                ratio=Summary.of(ratios(times_b, times_a)),
                note=f"{sizes[-1] / 2**20:.1f} MiB; baseline: the bare dump of "
                f"{'nodes and relationships' if part is None else 'the nodes'}; CPU s of this "
                f"process: export {_cpu(cpu['export'])}, bare {_cpu(cpu['bare'])}; "
                f"goal >= {GOAL_NODES_PER_S:,} nodes/s: "
                f"{'met' if rate.median >= GOAL_NODES_PER_S else 'NOT met'} (median)",
            )
        )


async def _reads_during_export(store: Store, runs: int, out: Results) -> None:
    """A one-organisation read's latency on the same event loop, alone and while a GraphML export
    runs: the export's threads share the GIL with the loop that serves the API."""
    key = (await store.read(SOME_ORGANISATION))[0]["id"]

    async def reads() -> list[float]:
        times = []
        for _ in range(READS):
            began = time.perf_counter()
            await store.read(ONE_ORGANISATION, {"id": key})
            times.append(time.perf_counter() - began)
        return times

    alone: list[float] = []
    during: list[float] = []
    for _ in range(runs):
        alone += await reads()
        export = asyncio.ensure_future(_export(store, "graphml", None))
        await asyncio.sleep(0.2)  # the export under way
        during += await reads()
        await export
    out.figures.append(
        Figure(
            "export",
            "one-organisation read while a GraphML export runs",
            "ms",
            value=Summary.of([t * 1000 for t in during]),
            baseline=Summary.of([t * 1000 for t in alone]),
            ratio=Summary.of([a / d for a, d in zip(sorted(alone), sorted(during), strict=True)]),
            note=f"{READS} sequential reads x {runs} runs; baseline: the same reads with no "
            "export running",
        )
    )


def _cpu(seconds: list[float]) -> str:
    s = Summary.of(seconds)
    return f"{s.median:.2f} [{s.min:.2f}-{s.max:.2f}]"


async def _bench(db: servers.Neo4j, args: argparse.Namespace, out: Results) -> None:
    store = await Store.open(db.target, timeout_s=1800.0)
    try:
        await datasets.check_wipeable(store, db, allow_external=args.wipe_external)
        if not args.keep:
            seconds = await datasets.fresh_ror(store, args.ror)
            out.notes.append(f"ROR loaded in {seconds:.0f} s")
        await _run(store, args.runs, out)
    finally:
        await store.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.export", description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="export/baseline pairs per format")
    parser.add_argument("--bolt-port", type=int, default=servers.DEFAULT_BOLT_PORT)
    parser.add_argument("--keep", action="store_true", help="export the graph already loaded")
    parser.add_argument("--wipe-external", action="store_true")
    parser.add_argument("--ror", type=Path, default=datasets.ROR_DUMP, help="the ROR dump")
    args = parser.parse_args(argv)
    if not args.ror.is_file():
        print(f"skipped: {args.ror} is absent")
        return 0
    out = Results(command=["python", "-m", "bench.export", *(argv or sys.argv[1:])])
    out.machine = report.machine()
    with servers.neo4j(args.bolt_port) as db:
        asyncio.run(_bench(db, args, out))
    out.machine["loadavg_end"] = os.getloadavg()
    report.publish(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
