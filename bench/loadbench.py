"""Load figures: the pipeline against bare `UNWIND $rows` writes, growth with size, ROR, seeds."""

from __future__ import annotations

import contextlib
import gc
import itertools
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from neo4j.exceptions import DriverError, Neo4jError

from bench import datasets
from bench.report import Figure
from bench.synthetic import generate
from bench.timing import Deadline, Summary, interleaved, ratios
from graph.errors import StoreError
from graph.ingest.write import load
from graph.store import Store

LOADER_GOAL = ">=0.8"


LOAD_ERRORS = (StoreError, Neo4jError, DriverError)


class _Failed(Exception):
    pass


@dataclass(slots=True)
class LoadRun:
    size: int
    rows: int
    loader_s: list[float]
    bare_s: list[float]
    per_batch_s: float
    generate_s: float
    validate_s: float
    plan_s: float
    failures: dict[str, str] = field(default_factory=dict)


async def synthetic(
    store: Store, size: int, runs: int, batch_size: int, deadline: Deadline
) -> LoadRun:
    """Pipeline and baseline, each into an emptied graph, interleaved; then the same batches
    one transaction each, which leaves the graph loaded whatever the one-transaction loads did.
    """
    started = time.perf_counter()
    data = generate(size)
    generate_s = time.perf_counter() - started

    await datasets.wipe(store)
    started = time.perf_counter()
    units = datasets.validate(data)
    validate_s = time.perf_counter() - started
    capture = await datasets.capture_writes(units, store, batch_size)
    del units
    # The captured batches and the generated data live through every run. Out of the cyclic
    # collector's sight they do not tax the pipeline's own collections (validation runs with
    # the collector on), as they would not in `partnergraph load`, which holds neither.
    gc.freeze()
    try:
        return await _measure(
            store, size, runs, batch_size, deadline, data, capture, generate_s, validate_s
        )
    finally:
        gc.unfreeze()


async def _measure(
    store: Store,
    size: int,
    runs: int,
    batch_size: int,
    deadline: Deadline,
    data: dict[str, Any],
    capture: datasets.Capture,
    generate_s: float,
    validate_s: float,
) -> LoadRun:
    failures: dict[str, str] = {}

    async def attempt(side: str, work: Callable[[], Awaitable[object]]) -> float:
        await datasets.wipe(store)
        began = time.perf_counter()
        try:
            await work()
        except LOAD_ERRORS as exc:
            cause = exc.__cause__ or exc
            failures[side] = f"after {time.perf_counter() - began:.0f} s: {cause}"[:400]
            raise _Failed(side) from exc
        return time.perf_counter() - began

    async def loader(_: int) -> float:
        return await attempt(
            "pipeline", lambda: load(datasets.validate(data), store, batch_size=batch_size)
        )

    async def bare(_: int) -> float:
        return await attempt("baseline", lambda: datasets.write_bare(store, capture.writes))

    loader_s: list[float] = []
    bare_s: list[float] = []
    try:
        loader_s, bare_s = await interleaved(loader, bare, runs, deadline)
    except _Failed as failed:
        # The other side once, to tell the pipeline's failures from the database's limits.
        other = bare if str(failed) == "pipeline" else loader
        with contextlib.suppress(_Failed):
            await other(0)
    per_batch_s = await attempt(
        "per batch", lambda: datasets.write_bare(store, capture.writes, per_batch=True)
    )
    return LoadRun(
        size,
        capture.rows,
        [] if failures else loader_s,
        [] if failures else bare_s,
        per_batch_s,
        generate_s,
        validate_s,
        capture.plan_s,
        failures,
    )


def synthetic_figures(run: LoadRun) -> list[Figure]:
    name = f"synthetic {run.size:,} orgs"
    python_s = f"validate {run.validate_s:.1f} s + plan {run.plan_s:.1f} s (measured apart)"
    out: list[Figure] = []
    if run.failures:
        out.append(
            Figure(
                "load",
                f"{name}: pipeline rows/s FAILED",
                "rows/s",
                goal=LOADER_GOAL,
                note=f"{run.rows:,} rows; {python_s}; "
                + "; ".join(f"{side} failed {why}" for side, why in run.failures.items()),
            )
        )
    else:
        median_loader = Summary.of(run.loader_s).median
        out.append(
            Figure(
                "load",
                f"{name}: pipeline rows/s",
                "rows/s",
                value=Summary.of([run.rows / s for s in run.loader_s]),
                baseline=Summary.of([run.rows / s for s in run.bare_s]),
                ratio=Summary.of(ratios(run.bare_s, run.loader_s)),
                goal=LOADER_GOAL,
                note=(
                    f"{run.rows:,} rows; pipeline {median_loader:.1f} s, of which {python_s}; "
                    "baseline = the same UNWIND batches in one tx through the bare driver"
                ),
            )
        )
    rate = run.rows / run.per_batch_s
    out.append(
        Figure(
            "load",
            f"{name}: bare, one tx per batch",
            "rows/s",
            value=Summary(rate, rate, rate, 1),
            note="not atomic: what the database takes without the one-transaction guarantee",
        )
    )
    return out


def growth_figures(runs: list[LoadRun]) -> list[Figure]:
    out: list[Figure] = []
    for small, large in itertools.pairwise(runs):
        size_ratio = large.size / small.size
        series = (
            ("pipeline (one tx)", small.loader_s, large.loader_s),
            ("baseline (one tx)", small.bare_s, large.bare_s),
            ("bare, one tx per batch", [small.per_batch_s], [large.per_batch_s]),
            (
                "validate + plan (Python)",
                [small.validate_s + small.plan_s],
                [large.validate_s + large.plan_s],
            ),
        )
        for what, a, b in series:
            name = f"growth {small.size:,} -> {large.size:,} orgs: {what} time"
            if not a or not b:
                out.append(Figure("load", name, "x", note="not measured: a load failed"))
                continue
            time_ratio = Summary.of(b).median / Summary.of(a).median
            exponent = math.log(time_ratio) / math.log(size_ratio)
            out.append(
                Figure(
                    "load",
                    name,
                    "x",
                    value=Summary(time_ratio, time_ratio, time_ratio, 1),
                    note=f"linear = {size_ratio:g}x; time ~ size^{exponent:.2f} (medians)",
                )
            )
    return out


async def one_shot(store: Store, what: str, units_of: Any, runs: int) -> Figure:
    """Parse and load a file or directory into an emptied graph (wall time, parse included)."""
    seconds: list[float] = []
    rows = 0
    parse_s = 0.0
    for _ in range(runs):
        await datasets.wipe(store)
        began = time.perf_counter()
        units = units_of()
        parse_s = time.perf_counter() - began
        report = await load(units, store)
        seconds.append(time.perf_counter() - began)
        rows = sum(report.nodes.values()) + report.relationships
    return Figure(
        "load",
        f"{what}: parse + load wall time",
        "s",
        value=Summary.of(seconds),
        note=f"{rows:,} rows ({rows / Summary.of(seconds).median:,.0f} rows/s); "
        f"parse {parse_s:.1f} s",
    )
