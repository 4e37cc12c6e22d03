"""The test Neo4j: its own home and port, started once per session; only it may be wiped."""

from __future__ import annotations

import os
import socket
from pathlib import Path

from graph.cypher import schema as cypher_schema
from graph.dbserver import LocalServer, ServerInfo
from graph.store import Store, Target

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
TEST_HOME = Path(os.environ.get("PARTNERGRAPH_TEST_HOME", ROOT / ".partnergraph" / "test"))
TEST_PORT = int(os.environ.get("PARTNERGRAPH_TEST_BOLT_PORT", "17687"))
LIB_DIR = ROOT / ".partnergraph" / "lib"
MARKER = "TEST_INSTANCE"


class NotATestInstance(RuntimeError):
    pass


def server_for_tests() -> LocalServer:
    return LocalServer(TEST_HOME, TEST_PORT, "1g", None, LIB_DIR)


def start_test_server() -> ServerInfo:
    server = server_for_tests()
    info = server.start()
    # The marker says "this home belongs to the test suite": wipe() refuses any other server.
    (server.home / MARKER).write_text("created by the partnergraph test suite\n")
    return info


def target_of(info: ServerInfo) -> Target:
    return Target(uri=info.uri, user=info.user, password=info.password)


async def wipe(store: Store, server: LocalServer) -> None:
    """Empty the database, only if the store is connected to this marked test server."""
    if not (server.home / MARKER).is_file():
        raise NotATestInstance(f"{server.home} is not a test server home: refusing to wipe")
    if store.target.uri != server.uri:
        raise NotATestInstance(f"{store.target.uri} is not the test server: refusing to wipe")
    await store.run_batched(cypher_schema.WIPE)


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
