"""Exports of a real `partnergraph serve` on 127.0.0.1 against clients that do not read, over raw
sockets: caps per address and in all (429, 503), slots freed when a client goes or is dropped
for reading nothing, and the API answering all the while."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

import httpx2 as httpx
import orjson
import pytest

from graph.dbserver import ServerInfo
from graph.store import Store
from tests.api.bulk import many_organisations
from tests.api.test_server_guards import GENEROUS_S, parse, read_to_close, read_until, serve

# Enough that a whole-graph export (about 5 MB of GraphML) cannot sit in the socket buffers
# of a client that reads nothing: its server keeps sending, and keeps its slot.
ORGANISATIONS = 16_000
EXPORT = b"GET /export/graphml HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def stalled_export(port: int, source: str) -> socket.socket:
    """An export whose client reads its status line and then nothing, with a small window."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(GENEROUS_S)
    sock.bind((source, 0))
    sock.connect(("127.0.0.1", port))
    sock.sendall(EXPORT)
    head = read_until(sock, b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), head[:300]
    return sock


def refused_export(port: int, source: str) -> tuple[int, dict[str, str], dict[str, object]]:
    with socket.create_connection(("127.0.0.1", port), GENEROUS_S, (source, 0)) as sock:
        sock.sendall(EXPORT.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n"))
        status, headers, body = parse(read_to_close(sock))
    (error,) = orjson.loads(body)["errors"]
    return status, headers, error


def export_from(base: str, source: str) -> httpx.Response:
    transport = httpx.HTTPTransport(local_address=source)
    with httpx.Client(transport=transport, timeout=GENEROUS_S) as client:
        return client.get(f"{base}/export/graphml")


def whole_export(base: str, source: str) -> int:
    response = export_from(base, source)
    assert response.status_code == 200, response.text
    return len(response.content)


def until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + GENEROUS_S
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


@pytest.fixture
async def big(store: Store) -> None:
    await many_organisations(store, ORGANISATIONS)


@pytest.mark.usefixtures("big")
def test_exports_are_capped_per_address_and_in_all(
    neo4j_server: ServerInfo, tmp_path: Path
) -> None:
    """Before: no cap; ~100 stalled exports took the sync driver's whole pool and the next
    export waited 31 s for a connection and failed with a 500."""
    log = tmp_path / "serve.log"
    settings = {"PARTNERGRAPH_MAX_EXPORTS": "2", "PARTNERGRAPH_MAX_CLIENT_EXPORTS": "1"}
    with serve(neo4j_server, log, **settings) as port, ExitStack() as stack:
        base = f"http://127.0.0.1:{port}"
        first = stack.enter_context(stalled_export(port, "127.0.0.1"))
        status, headers, error = refused_export(port, "127.0.0.1")
        assert (status, headers["retry-after"]) == (429, "5")
        assert error["extensions"] == {"code": "TOO_MANY_EXPORTS"}
        stack.enter_context(stalled_export(port, "127.0.0.2"))
        status, headers, error = refused_export(port, "127.0.0.3")
        assert (status, headers["retry-after"]) == (503, "5")
        assert error["extensions"] == {"code": "EXPORTS_BUSY"}
        # The API's reads do not wait for the connections the exports hold.
        answer = httpx.post(
            f"{base}/graphql", json={"query": "{ stats { nodes } }"}, timeout=GENEROUS_S
        )
        assert answer.json() == {"data": {"stats": {"nodes": ORGANISATIONS + 1}}}
        # A client that goes frees its slot: another address's export then runs to its end.
        first.close()
        until(lambda: export_from(base, "127.0.0.3").status_code == 200, "no slot was freed")
    text = log.read_text()
    assert "Traceback" not in text
    assert "ERROR" not in text


@pytest.mark.usefixtures("big")
def test_a_client_that_reads_nothing_is_dropped_and_frees_its_slot(
    neo4j_server: ServerInfo, tmp_path: Path
) -> None:
    """Before: uvicorn waited for a client's socket to drain for ever, and the export kept its
    two threads and its Neo4j connection (and its slot) as long as the client liked."""
    log = tmp_path / "serve.log"
    settings = {"PARTNERGRAPH_SEND_TIMEOUT": "1", "PARTNERGRAPH_MAX_CLIENT_EXPORTS": "1"}
    with serve(neo4j_server, log, **settings) as port:
        with stalled_export(port, "127.0.0.1") as sock:
            until(lambda: "dropped" in log.read_text(), "the client was not dropped")
            assert "read nothing of its answer for 1 s: dropped" in log.read_text()
            received = 0
            try:
                while chunk := sock.recv(65536):
                    received += len(chunk)
            except ConnectionResetError:
                pass  # dropped with a reset: the bytes still in flight are discarded
        # Its slot is free: the same address exports the whole graph, reading as it goes.
        whole = whole_export(f"http://127.0.0.1:{port}", "127.0.0.1")
        assert received < whole
    assert "Traceback" not in log.read_text()
