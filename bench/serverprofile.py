"""Where the whole server process spends a request: `python -m bench.serverprofile --bolt-port N`.

bench.apiprofile times the request's own steps in process, without HTTP. This runs the real
server instead (uvicorn with the app and protocol `partnergraph serve` uses) in this process,
and sends it one question of bench.peer's, request after request, from a client in another
process, on the graph bench.peer loaded (`--reuse`'s Neo4j). It reports the server process's
CPU per request (user + system, from getrusage: the client is not in it) and, under cProfile,
each package's share of it: the Neo4j driver, uvicorn, Starlette, graphql-core, strawberry,
partnergraph's own code, asyncio and the rest, with the top functions. Written to
bench/results/serverprofile-<time>.md.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import resource
import subprocess
import sys
import threading
import time
from collections import defaultdict
from typing import Any

import orjson
import uvicorn

from bench.peer import DEFAULT_BOLT_PORT, QUESTIONS, SAMPLE, Question
from bench.report import write_markdown
from bench.servers import API_ENV, free_port, neo4j
from graph.api.http.app import create_app
from graph.api.http.headerdeadline import with_header_deadline
from graph.settings import Settings, load_settings
from graph.store import Store, Target

TOP = 30
# (part of a file's path, the package it is counted to), first match wins.
PACKAGES = [
    ("/neo4j/", "Neo4j driver"),
    ("/uvicorn/", "uvicorn"),
    ("/httptools/", "uvicorn"),
    ("/starlette/", "Starlette"),
    ("/graphql/", "graphql-core"),
    ("/strawberry/", "strawberry"),
    ("/graph/", "partnergraph"),
    ("/asyncio/", "asyncio"),
    ("uvloop", "asyncio"),
]

# The client: sequential requests on one keep-alive connection; "go" once warmed up, then the
# timed run when told, then "done".
CLIENT = r"""
import sys, orjson, httpx2 as httpx
port, count, query, vary = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
values = orjson.loads(sys.stdin.readline())
def body(i):
    return {"query": query, "variables": {"v": values[i % len(values)]} if vary else None}
with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
    for i in range(50):
        client.post("/graphql", json=body(i)).raise_for_status()
    print("go", flush=True)
    sys.stdin.readline()
    for i in range(count):
        answer = client.post("/graphql", json=body(i))
        if answer.status_code != 200 or "errors" in answer.json():
            raise SystemExit(f"request {i}: {answer.status_code} {answer.text[:300]}")
    print("done", flush=True)
"""


def package_of(filename: str) -> str:
    for part, package in PACKAGES:
        if part in filename:
            return package
    return "built-ins" if filename == "~" else "other"


def shares(stats: pstats.Stats) -> list[tuple[str, float]]:
    """Each package's share of the profiled time (own time of its functions), largest first."""
    by_package: dict[str, float] = defaultdict(float)
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    for (filename, _, _), (_, _, tottime, _, _) in raw.items():
        by_package[package_of(filename)] += tottime
    total = sum(by_package.values()) or 1.0
    return sorted(((p, t / total) for p, t in by_package.items()), key=lambda x: -x[1])


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def serve_and_measure(
    settings: Settings,
    target: Target,
    question: Question,
    values: list[str],
    requests: int,
    profile: bool,
) -> tuple[float, float, pstats.Stats | None]:
    """(CPU s per request, wall s per request, the profile): the server runs in this thread,
    the client in a child process, and a watcher thread starts and stops the measure."""
    port = free_port()
    config = uvicorn.Config(
        create_app(settings, target),
        host="127.0.0.1",
        port=port,
        loop="uvloop",
        http=with_header_deadline(settings.header_timeout_s, settings.max_header_bytes),
        log_config=None,
        log_level="warning",
        limit_concurrency=settings.max_connections,
    )
    server = uvicorn.Server(config)
    profiler = cProfile.Profile()
    measured: dict[str, float] = {}
    failure: list[str] = []
    loops: list[asyncio.AbstractEventLoop] = []
    started = server.startup

    async def startup(sockets: Any = None) -> None:
        loops.append(asyncio.get_running_loop())
        await started(sockets)

    server.startup = startup  # type: ignore[method-assign]

    def on_loop(call: Any) -> None:
        """Run `call` in the server's thread (cProfile profiles the thread it is enabled in)."""
        done = threading.Event()

        def then_set() -> None:
            call()
            done.set()

        loops[0].call_soon_threadsafe(then_set)
        done.wait()

    def watch() -> None:
        try:
            while not server.started:
                time.sleep(0.05)
            vary = question.vary or ""
            client = subprocess.Popen(
                [sys.executable, "-c", CLIENT, str(port), str(requests), question.ours, vary],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            assert client.stdin is not None
            assert client.stdout is not None
            client.stdin.write(orjson.dumps(values).decode() + "\n")
            client.stdin.flush()
            if client.stdout.readline().strip() != "go":
                failure.append("the client failed while warming up")
                return
            if profile:
                on_loop(profiler.enable)
            cpu, wall = _cpu_s(), time.perf_counter()
            client.stdin.write("\n")
            client.stdin.flush()
            finished = client.stdout.readline().strip() == "done"
            measured["cpu"], measured["wall"] = _cpu_s() - cpu, time.perf_counter() - wall
            if profile:
                on_loop(profiler.disable)
            if client.wait() != 0 or not finished:
                failure.append("the client failed (its error is above)")
        finally:
            server.should_exit = True

    threading.Thread(target=watch, daemon=True).start()
    server.run()
    if failure:
        raise SystemExit(failure[0])
    stats = pstats.Stats(profiler) if profile else None
    return measured["cpu"] / requests, measured["wall"] / requests, stats


async def _values(target: Target, vary: str | None) -> list[str]:
    store = await Store.open(target)
    try:
        rows = await store.read(SAMPLE)
    finally:
        await store.close()
    if not rows:
        raise SystemExit("no ROR graph in the benchmark's Neo4j: run bench.peer first")
    if vary == "key":
        return [f"Organisation:{r['id']}" for r in rows]
    return [str(r["ror"]) for r in rows] if vary == "ror" else []


def run(args: argparse.Namespace) -> int:
    questions = [q for q in QUESTIONS if args.question in q.name]
    if not questions:
        raise SystemExit(f"no question of bench.peer's has {args.question!r} in its name")
    question = questions[0]
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    # The settings bench.peer's server runs with (bench/servers.py API_ENV).
    os.environ.update(API_ENV)
    settings = load_settings()
    with neo4j(args.bolt_port) as db:
        values = asyncio.run(_values(db.target, question.vary))
        measure = (settings, db.target, question, values, args.requests)
        bare_cpu, bare_wall, _ = serve_and_measure(*measure, profile=False)
        _, _, stats = serve_and_measure(*measure, profile=True)
    assert stats is not None
    report = [
        f"# bench.serverprofile {stamp}: {question.name}, {args.requests} sequential requests\n",
        f"Without a profiler: {bare_cpu * 1000:.2f} ms of the server process's CPU and "
        f"{bare_wall * 1000:.2f} ms of wall time per request.\n",
        "Under cProfile (its overhead inflates Python's share), each package's share of the "
        "server's profiled time:\n",
        "| package | share |",
        "|---|---|",
        *(f"| {package} | {share:.0%} |" for package, share in shares(stats)),
        "",
    ]
    text = io.StringIO()
    stats.stream = text  # type: ignore[attr-defined]
    stats.sort_stats("tottime").print_stats(TOP)
    report += ["```", text.getvalue(), "```"]
    write_markdown(f"serverprofile-{stamp}.md", "\n".join(report))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.serverprofile", description=__doc__)
    parser.add_argument("--bolt-port", type=int, default=DEFAULT_BOLT_PORT)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument(
        "--question", default="by key", help="a part of the name of one of bench.peer's questions"
    )
    args = parser.parse_args(argv)
    if args.requests <= 0:
        parser.error("--requests must be positive")
    return run(args)


if __name__ == "__main__":
    raise SystemExit(main())
