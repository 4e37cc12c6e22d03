"""The first API write after Neo4j starts: `python -m bench.firstwrite --baseline TREE`.

Neo4j plans a statement the first time it sees it; an API write's statements are large, and
planned on a freshly started Neo4j they took seconds each. Per round and tree (this one, and
`--baseline`, another commit's checkout with its own .venv, e.g. from `git worktree add`), the
trees alternating: the benchmark's Neo4j is restarted (plan cache and JIT cold), that tree's
`partnergraph serve` is started on it and left idle for `--settle` seconds (the same for both
trees; this tree rehearses its writes meanwhile, graph/api/http/rehearsal.py), then one
`upsertOrganisation` of a new organisation is sent over HTTP and timed, then a second one.
Runs on the graph the benchmark's Neo4j holds (bench.peer loads ROR's 51k organisations);
the written organisations are deleted at the end. Writes bench/results/firstwrite-<time>.md.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx2 as httpx
import orjson

from bench.loadtest import editor_key
from bench.peer import RESULTS
from bench.report import write_markdown
from bench.servers import BENCH_HOME, DEFAULT_BOLT_PORT, HEAP, LIB_DIR, ROOT, api_server
from bench.writes import CLEANUP, PREFIX, UPSERT
from graph.dbserver.server import LocalServer
from graph.store import Store, Target


def _write(client: httpx.Client, url: str, key: str, tag: str) -> float:
    body = orjson.dumps(
        {"query": UPSERT, "variables": {"id": f"{PREFIX}{tag}", "name": f"First Write {tag}"}}
    )
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    began = time.perf_counter()
    response = client.post(url, content=body, headers=headers)
    took = time.perf_counter() - began
    if response.status_code != 200 or b'"Upserted"' not in response.content:
        raise RuntimeError(f"the write failed ({response.status_code}): {response.text[:300]}")
    return took * 1000


async def _clean(target: Target) -> None:
    store = await Store.open(target)
    try:
        await store.write(CLEANUP, {"prefix": PREFIX, "note": "bench-write-note"})
    finally:
        await store.close()


def run(args: argparse.Namespace) -> int:
    trees = {"this tree": ROOT, "baseline": args.baseline.resolve()}
    server = LocalServer(BENCH_HOME, args.bolt_port, HEAP, None, LIB_DIR)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in trees}
    with tempfile.TemporaryDirectory(prefix="firstwrite-") as home:
        key = editor_key(Path(home))
        try:
            for n in range(args.rounds):
                order = list(trees.items()) if n % 2 == 0 else list(reversed(trees.items()))
                for name, tree in order:
                    server.stop()
                    info = server.start()
                    target = Target(info.uri, info.user, info.password)
                    asyncio.run(_clean(target))
                    log = RESULTS / "logs" / f"firstwrite-{name.replace(' ', '-')}.log"
                    with (
                        api_server(target, log, {"PARTNERGRAPH_HOME": home}, tree=tree) as api,
                        # One client, its connection opened before the clock starts: making a
                        # client per request cost 40-240 ms of the client's own time.
                        httpx.Client(timeout=120.0) as client,
                    ):
                        time.sleep(args.settle)
                        client.get(api.url.removesuffix("/graphql") + "/health")
                        tag = f"{stamp.lower()}-{n}-{name.replace(' ', '')}"
                        first = _write(client, api.url, key, f"{tag}-a")
                        second = _write(client, api.url, key, f"{tag}-b")
                    times[name].append((first, second))
                    print(f"round {n} {name}: first {first:.0f} ms, second {second:.0f} ms")
        finally:
            info = server.start()
            asyncio.run(_clean(Target(info.uri, info.user, info.password)))
            server.stop()
    lines = [
        f"# bench.firstwrite {stamp}",
        "",
        f"`python -m bench.firstwrite --bolt-port {args.bolt_port} --baseline {args.baseline} "
        f"--rounds {args.rounds} --settle {args.settle}`: per round and tree, Neo4j restarted, "
        f"the tree's API started and left idle {args.settle:.0f} s, then two "
        "`upsertOrganisation` writes over HTTP; medians over the rounds.",
        "",
        "| tree | first write ms | second write ms | each round's first |",
        "|---|---|---|---|",
    ]
    for name, pairs in times.items():
        firsts = ", ".join(f"{a:.0f}" for a, _ in pairs)
        lines.append(
            f"| {name} | {statistics.median(a for a, _ in pairs):.0f} | "
            f"{statistics.median(b for _, b in pairs):.0f} | {firsts} |"
        )
    text = "\n".join(lines) + "\n"
    write_markdown(f"firstwrite-{stamp}.md", text)
    print(text)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.firstwrite", description=__doc__)
    parser.add_argument("--bolt-port", type=int, default=DEFAULT_BOLT_PORT)
    parser.add_argument("--baseline", type=Path, required=True, help="another commit's checkout")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--settle", type=float, default=40.0, help="idle seconds before writing")
    args = parser.parse_args(argv)
    if args.rounds <= 0 or args.settle < 0:
        parser.error("--rounds must be positive, --settle not negative")
    if not (args.baseline / ".venv" / "bin" / "python").exists():
        parser.error(f"--baseline {args.baseline}: no .venv there (run `make install` in it)")
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
