"""`partnergraph serve` as a real process on a free 127.0.0.1 port, for end-to-end tests; and
how a child server is stopped (the benchmarks' servers too)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx2 as httpx

from graph.dbserver import ServerInfo
from tests.neo4j_test import ROOT, free_port

START_S = 60.0  # a loaded 2-core machine, not a speed goal


@contextmanager
def served(neo4j: ServerInfo, log: Path, env: Mapping[str, str] | None = None) -> Iterator[str]:
    """The server's base URL once `/ready` answers 200 (Neo4j reached); stopped on exit.

    `env` adds settings (PARTNERGRAPH_RATE, ...); the server's output goes to `log`, whose tail
    is shown when it fails to come up.
    """
    port = free_port()
    full_env = {
        **os.environ,
        "NEO4J_URI": neo4j.uri,
        "NEO4J_PASSWORD": neo4j.password,
        "PARTNERGRAPH_PORT": str(port),
        **(env or {}),
    }
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "graph.cli", "serve"],
            cwd=ROOT,
            env=full_env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base, proc, log)
        yield base
    finally:
        stop(proc)


def stop(proc: subprocess.Popen[bytes], timeout_s: float = 15.0) -> None:
    """SIGTERM, and SIGKILL if it outlives timeout_s: a stuck server never outlives its run."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=timeout_s)


def _wait_ready(base: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_S
    while True:
        try:
            if httpx.get(f"{base}/ready", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the server did not come up:\n{log.read_text()[-2000:]}")
        time.sleep(0.2)
