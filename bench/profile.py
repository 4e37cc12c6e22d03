"""`--profile`: where a load and API look-ups spend their time (with pyinstrument, if installed)."""

from __future__ import annotations

import datetime as dt
import importlib.util
from typing import Any

import strawberry

from bench import datasets, queries
from bench.report import RESULTS
from bench.synthetic import generate
from graph.ingest.write import load
from graph.store import Store

LOOKUP_CALLS = 500


async def run(store: Store, size: int, batch_size: int, schema: strawberry.Schema) -> list[str]:
    """Profile look-ups on the loaded graph, then one load of `size` into an emptied graph."""
    if importlib.util.find_spec("pyinstrument") is None:
        return ["--profile: pyinstrument is not installed (.venv/bin/pip install pyinstrument)"]
    # Imported by name: an optional tool, not a dependency of the project.
    profiler_class: Any = importlib.import_module("pyinstrument").Profiler

    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    RESULTS.mkdir(exist_ok=True)
    notes: list[str] = []

    ids = await queries.sample_ids(store, "syn-org-", 100)
    profiler = profiler_class(async_mode="enabled")
    with profiler:
        for i in range(LOOKUP_CALLS):
            key = ids[i % len(ids)]
            await queries.execute(schema, store, queries.LOOKUP, {"id": f"Organisation:{key}"})
    notes.append(_save(profiler, RESULTS / f"{stamp}-profile-lookup.txt"))

    data: dict[str, Any] = generate(size)
    await datasets.wipe(store)
    profiler = profiler_class(async_mode="enabled")
    with profiler:
        await load(datasets.validate(data), store, batch_size=batch_size)
    notes.append(_save(profiler, RESULTS / f"{stamp}-profile-load-{size}.txt"))
    return notes


def _save(profiler: Any, path: Any) -> str:
    path.write_text(profiler.output_text(unicode=True, show_all=False), encoding="utf-8")
    return f"profile written to {path}"
