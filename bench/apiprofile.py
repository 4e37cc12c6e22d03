"""Where the API's process spends a request: `python -m bench.apiprofile --bolt-port N`.

The peer benchmark's questions (bench/peer.py), run in this process through the same steps as a
request (graph/api/http/endpoint.py: parse, limits and validation, execution, JSON), against the
graph the peer benchmark loaded (`--reuse`'s Neo4j). Per question: the time per request of each
step, the Neo4j round trip (the driver's wait, mostly Neo4j), and a cProfile of the whole (stdlib:
no extra dependency), written to bench/results/apiprofile-<time>.txt. Neo4j's own plan of each
compiled query is read with PROFILE (db hits, rows) into the same file.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import time
from dataclasses import dataclass, field
from typing import Any

import orjson
from graphql import DocumentNode, get_operation_ast

from bench.peer import DEFAULT_BOLT_PORT, QUESTIONS, SAMPLE, Question
from bench.queries import view as recording_view
from bench.report import RESULTS
from bench.servers import neo4j
from bench.timing import percentile
from graph.api.execution.executor import Executor
from graph.api.execution.limits.rules import Limits
from graph.api.schema.build import build_schema
from graph.api.schema.context import Context
from graph.store import Store

TOP = 25


@dataclass
class Steps:
    """Seconds per step, one entry per request."""

    refusals: list[float] = field(default_factory=list)
    execute: list[float] = field(default_factory=list)
    database: list[float] = field(default_factory=list)
    encode: list[float] = field(default_factory=list)


async def answer(
    executor: Executor, store: Store, query: str, variables: dict[str, Any] | None, steps: Steps
) -> dict[str, Any]:
    """One request as graph/api/http/endpoint.py runs it, each step timed."""
    began = time.perf_counter()
    document = executor.parse(query)
    assert isinstance(document, DocumentNode)
    operation = get_operation_ast(document, None)
    refused = executor.refusals(query, document, operation, variables)
    assert not refused, refused
    checked = time.perf_counter()
    view = store.view()
    result = await executor.execute(document, Context(store=view), variables)
    done = time.perf_counter()
    out: dict[str, Any] = dict(result.formatted)
    assert not result.errors, result.errors
    orjson.dumps(out)
    encoded = time.perf_counter()
    steps.refusals.append(checked - began)
    steps.execute.append(done - checked - view.stats.db_ms / 1000)
    steps.database.append(view.stats.db_ms / 1000)
    steps.encode.append(encoded - done)
    return out


def variables_for(question: Question, pool: dict[str, list[str]], i: int) -> dict[str, Any] | None:
    if question.vary is None:
        return None
    values = pool[question.vary]
    return {"v": values[i % len(values)]}


async def plans(store: Store, executor: Executor, question: Question, pool: Any) -> str:
    """Neo4j's PROFILE of the Cypher the question compiles to: db hits and rows per operator."""
    recording = recording_view(store)
    query = question.ours
    document = executor.parse(query)
    assert isinstance(document, DocumentNode)
    await executor.execute(document, Context(store=recording), variables_for(question, pool, 0))
    out = []
    for cypher, params in recording.reads:
        _, summary, _ = await store.driver.execute_query(
            "PROFILE " + cypher, params, database_=store.target.database
        )
        out.append(f"Cypher: {cypher}\n" + "\n".join(operators(summary.profile or {})))
    return "\n".join(out)


def operators(plan: dict[str, Any], depth: int = 0) -> list[str]:
    """A PROFILE plan as indented lines: operator, rows, db hits, details."""
    args = plan.get("args", {})
    line = (
        f"{'  ' * depth}{plan.get('operatorType')} rows={plan.get('rows')} "
        f"dbHits={plan.get('dbHits')} {str(args.get('Details', ''))[:160]}"
    )
    out = [line]
    for child in plan.get("children", []):
        out += operators(child, depth + 1)
    return out


async def run(args: argparse.Namespace) -> int:
    schema = build_schema()
    executor = Executor(schema, Limits())
    questions = [q for q in QUESTIONS if not args.only or any(o in q.name for o in args.only)]
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    mode = ", without a profiler" if args.bare else ""
    report: list[str] = [f"# bench.apiprofile {stamp}, {args.calls} calls per question{mode}\n"]
    with neo4j(args.bolt_port) as db:
        store = await Store.open(db.target)
        try:
            rows = await store.read(SAMPLE)
            if not rows:
                raise SystemExit("no ROR graph in the benchmark's Neo4j: run bench.peer first")
            pool = {
                "key": [f"Organisation:{r['id']}" for r in rows],
                "ror": [r["ror"] for r in rows],
            }
            # Degree statistics, as the server has them after its first request.
            await executor.degrees.read(store.view())
            for q in questions:
                steps = Steps()
                for i in range(args.warm):
                    await answer(executor, store, q.ours, variables_for(q, pool, i), Steps())
                profiler = cProfile.Profile()
                began = time.perf_counter()
                if not args.bare:
                    profiler.enable()
                for i in range(args.calls):
                    await answer(executor, store, q.ours, variables_for(q, pool, i), steps)
                profiler.disable()
                wall = (time.perf_counter() - began) / args.calls
                mode = "without a profiler" if args.bare else "under cProfile"
                line = (
                    f"{q.name}: {wall * 1000:.2f} ms/request {mode}; p50 ms: refusals "
                    f"{percentile(steps.refusals, 50) * 1000:.2f}, execute without Neo4j "
                    f"{percentile(steps.execute, 50) * 1000:.2f}, Neo4j round trip "
                    f"{percentile(steps.database, 50) * 1000:.2f}, JSON "
                    f"{percentile(steps.encode, 50) * 1000:.2f}"
                )
                print(line, flush=True)
                report.append(f"## {line}\n")
                if not args.bare:
                    text = io.StringIO()
                    stats = pstats.Stats(profiler, stream=text)
                    stats.sort_stats("tottime").print_stats(TOP)
                    report += ["```", text.getvalue(), "```"]
                if args.plans:
                    report += ["```", await plans(store, executor, q, pool), "```"]
        finally:
            await store.close()
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"apiprofile-{stamp}.txt"
    out.write_text("\n".join(report), encoding="utf-8")
    print(f"written to {out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.apiprofile", description=__doc__)
    parser.add_argument("--bolt-port", type=int, default=DEFAULT_BOLT_PORT)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--warm", type=int, default=20)
    parser.add_argument("--only", action="append", default=[])
    parser.add_argument("--plans", action="store_true", help="PROFILE each compiled query too")
    parser.add_argument(
        "--bare",
        action="store_true",
        help="time the steps without cProfile (its overhead inflates Python's share); no profile",
    )
    args = parser.parse_args(argv)
    if args.calls <= 0 or args.warm < 0:
        parser.error("--calls must be positive and --warm not negative")
    return asyncio.run(run(args))


if __name__ == "__main__":
    raise SystemExit(main())
