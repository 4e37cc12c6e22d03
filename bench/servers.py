"""The servers a benchmark run uses: its own throwaway Neo4j, and the API under uvicorn."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx2 as httpx

from graph.dbserver import LocalServer
from graph.dbserver.memory import recommended_heap
from graph.store import Target
from tests.serving import stop

ROOT = Path(__file__).resolve().parents[1]
BENCH_HOME = ROOT / ".partnergraph" / "bench"
LIB_DIR = ROOT / ".partnergraph" / "lib"
# What `partnergraph db start` gives by default: the loads measured are the ones users get.
HEAP = recommended_heap()
DEFAULT_BOLT_PORT = 17697
MARKER = "BENCH_INSTANCE"
API_START_S = 60.0
# The API as `partnergraph serve` runs it, but for three settings: the benchmark's nested list
# (100 organisations x agreements x parties) is estimated at ~110k rows, over the default cost
# limit of 50k; the load generator is one client address, which the default rate limit (50/s)
# would refuse; and the keys file is the benchmark home's (none: anonymous reads).
API_ENV = {
    "PARTNERGRAPH_MAX_COST": "200000",
    "PARTNERGRAPH_RATE": "1000000",
    "PARTNERGRAPH_RATE_BURST": "1000000",
    "PARTNERGRAPH_HOME": str(BENCH_HOME),
}


@dataclass(frozen=True, slots=True)
class Neo4j:
    target: Target
    pid: int | None  # None for a server given by NEO4J_URI: its CPU time cannot be read
    owned: bool  # started (and so wiped and stopped) by the benchmark


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def neo4j(bolt_port: int) -> Iterator[Neo4j]:
    """NEO4J_URI's server when set, else the benchmark's own, stopped whatever happens."""
    uri = os.environ.get("NEO4J_URI")
    if uri:
        password = os.environ.get("NEO4J_PASSWORD")
        if not password:
            raise SystemExit("NEO4J_URI is set but NEO4J_PASSWORD is not")
        user = os.environ.get("NEO4J_USER", "neo4j")
        database = os.environ.get("NEO4J_DATABASE", "neo4j")
        yield Neo4j(Target(uri, user, password, database), pid=None, owned=False)
        return
    server = LocalServer(BENCH_HOME, bolt_port, HEAP, None, LIB_DIR)
    # Started before the `try`: a start refused because another benchmark's server runs from
    # this home must not stop that server on the way out (it did, mid-run).
    info = server.start()
    try:
        # wipe() refuses any database whose home lacks this marker.
        (server.home / MARKER).write_text("created by `python -m bench`\n", encoding="utf-8")
        yield Neo4j(Target(info.uri, info.user, info.password), pid=info.pid, owned=True)
    finally:
        server.stop()


@dataclass(frozen=True, slots=True)
class Api:
    url: str
    pid: int


@contextmanager
def api_server(
    target: Target,
    log_path: Path,
    env_overrides: Mapping[str, str] | None = None,
    tree: Path | None = None,
) -> Iterator[Api]:
    """`partnergraph serve` (uvicorn, uvloop, httptools) on a free loopback port.

    `env_overrides` replace API_ENV's values (the load test's own home, keys and timeout);
    `tree` serves another checkout's code, with its own .venv (a baseline beside this tree).
    """
    port = free_port()
    env = {
        **os.environ,
        "NEO4J_URI": target.uri,
        "NEO4J_USER": target.user,
        "NEO4J_PASSWORD": target.password,
        "NEO4J_DATABASE": target.database,
        **API_ENV,
        **(env_overrides or {}),
    }
    python = str(tree / ".venv" / "bin" / "python") if tree else sys.executable
    command = [python, "-m", "graph.cli", "serve", "--host", "127.0.0.1"]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [*command, "--port", str(port)], env=env, stdout=log, stderr=log, cwd=tree or ROOT
        )
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_ready(url, proc)
            yield Api(url=f"{url}/graphql", pid=proc.pid)
        finally:
            stop(proc)


def _wait_ready(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + API_START_S
    with httpx.Client(timeout=2.0) as client:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"the API server exited with {proc.returncode} while starting")
            try:
                if client.get(f"{url}/ready").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
    raise RuntimeError(f"the API server did not get ready within {API_START_S:g}s")
