"""The connection guards of a real `partnergraph serve` on 127.0.0.1, over raw sockets: slow
headers and bodies get 408 and are closed; a client over its share of requests gets 429.

The server is started by tests/serving.py, as for tests/api/test_server_e2e.py, with settings of
these tests' own (short deadlines, a small cap).
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2 as httpx
import orjson
import pytest

from graph.dbserver import ServerInfo
from tests.serving import served

# Bounds for the tests themselves, far above the deadlines they test: not assertions of speed.
GENEROUS_S = 30.0
DEADLINE_S = 0.5
# The pipelined refusal is tried this often: its failure was a race (3 resets in 100 tries).
PIPELINED_TRIES = 300


@contextmanager
def serve(neo4j_server: ServerInfo, log: Path, **settings: str) -> Iterator[int]:
    """The server with these settings; its port (the tests speak raw sockets to it)."""
    with served(neo4j_server, log, settings) as base:
        yield int(base.rsplit(":", 1)[1])


def connect(port: int, source: str = "127.0.0.1") -> socket.socket:
    sock = socket.create_connection(
        ("127.0.0.1", port), timeout=GENEROUS_S, source_address=(source, 0)
    )
    sock.settimeout(GENEROUS_S)
    return sock


def read_to_close(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes; fails if it has not closed in GENEROUS_S."""
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except TimeoutError:
        pytest.fail(f"the server held the connection for {GENEROUS_S} s; it sent {data!r}")
    return data


def read_until(sock: socket.socket, end: bytes) -> bytes:
    data = b""
    while end not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def parse(raw: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers, body


def post_head(declared: int, *extra: str) -> bytes:
    lines = [
        "POST /graphql HTTP/1.1",
        "Host: 127.0.0.1",
        "Content-Type: application/json",
        f"Content-Length: {declared}",
        *extra,
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def assert_timed_out(raw: bytes, what: str) -> None:
    status, headers, body = parse(raw)
    assert status == 408
    assert headers["connection"] == "close"
    assert headers["content-type"] == "application/json; charset=utf-8"
    (error,) = orjson.loads(body)["errors"]
    assert error["extensions"] == {"code": "REQUEST_TIMEOUT"}
    assert what in error["message"]


def test_a_stalled_body_gets_408_and_the_connection_is_closed(
    neo4j_server: ServerInfo, tmp_path: Path
) -> None:
    """Before: a request that declared 10 bytes and sent 5 was held for over 100 s."""
    log = tmp_path / "serve.log"
    with serve(neo4j_server, log, PARTNERGRAPH_BODY_TIMEOUT=str(DEADLINE_S)) as port:
        with connect(port) as sock:
            sock.sendall(post_head(10) + b'{"que')
            assert_timed_out(read_to_close(sock), "request body did not arrive within 0.5 s")
        # A body sent whole is answered as before, on the same server.
        with connect(port) as sock:
            body = b'{"query": "{ __typename }"}'
            sock.sendall(post_head(len(body), "Connection: close") + body)
            status, _, answer = parse(read_to_close(sock))
            assert status == 200
            assert orjson.loads(answer) == {"data": {"__typename": "Query"}}
    text = log.read_text()
    assert "Traceback" not in text
    assert text.count("answered 408 and closed") == 1
    assert "disconnected" not in text  # the 408 is the one line; the client did not leave


def test_slow_headers_get_408_and_the_connection_is_closed(
    neo4j_server: ServerInfo, tmp_path: Path
) -> None:
    """uvicorn has no deadline on headers: before, these were held as long as the client liked."""
    log = tmp_path / "serve.log"
    with serve(neo4j_server, log, PARTNERGRAPH_HEADER_TIMEOUT=str(DEADLINE_S)) as port:
        with connect(port) as sock:  # headers begun, never finished
            sock.sendall(b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty")
            assert_timed_out(read_to_close(sock), "request headers did not arrive within 0.5 s")
        with connect(port) as sock:  # nothing sent at all: closed without a word
            assert read_to_close(sock) == b""
        with connect(port) as sock:  # a kept-alive connection whose next request stalls
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            status, _, _ = parse(read_until(sock, b'"ok"}'))
            assert status == 200
            sock.sendall(b"GET /hea")
            assert_timed_out(read_to_close(sock), "request headers did not arrive")
    assert "Traceback" not in log.read_text()


def test_a_client_over_its_share_of_requests_gets_429(
    neo4j_server: ServerInfo, tmp_path: Path
) -> None:
    cap = 4
    log = tmp_path / "serve.log"
    settings = {"PARTNERGRAPH_MAX_CLIENT_REQUESTS": str(cap), "PARTNERGRAPH_BODY_TIMEOUT": "60"}
    with serve(neo4j_server, log, **settings) as port:
        stalled = [connect(port) for _ in range(cap)]
        for sock in stalled:
            # The 100 Continue says the app is reading this body: the request is in flight.
            sock.sendall(post_head(10, "Expect: 100-continue"))
            assert read_until(sock, b"\r\n\r\n").startswith(b"HTTP/1.1 100 Continue")
            sock.sendall(b'{"que')
        with connect(port) as sock:
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            status, headers, body = parse(read_to_close(sock))
        assert status == 429
        assert headers["retry-after"] == "1"
        (error,) = orjson.loads(body)["errors"]
        assert error["extensions"] == {"code": "TOO_MANY_REQUESTS_IN_FLIGHT"}
        assert f"{cap} requests in flight" in error["message"]
        # Another address (all of 127/8 is loopback) has its own share.
        with connect(port, source="127.0.0.2") as sock:
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            assert parse(read_to_close(sock))[0] == 200
        # Clients gone mid-body free their places, and are one line each in the log.
        for sock in stalled:
            sock.close()
        deadline = time.monotonic() + GENEROUS_S
        while log.read_text().count("disconnected before its request body arrived") < cap:
            assert time.monotonic() < deadline, log.read_text()[-2000:]
            time.sleep(0.1)
        assert httpx.get(f"http://127.0.0.1:{port}/health", timeout=GENEROUS_S).status_code == 200
    text = log.read_text()
    assert "Traceback" not in text
    assert "ERROR" not in text  # nor "ASGI callable returned without starting response"
    assert text.count("disconnected before its request body arrived") == cap


def test_oversized_headers_get_431_and_the_connection_is_closed(
    neo4j_server: ServerInfo, tmp_path: Path
) -> None:
    """Before: httptools buffered one 8 MB header line whole and the request was answered 200."""
    log = tmp_path / "serve.log"
    with serve(neo4j_server, log, PARTNERGRAPH_MAX_HEADER_BYTES="4096") as port:
        with connect(port) as sock:  # a header line that never ends
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ")
            try:
                for _ in range(64):
                    sock.sendall(b"a" * 1024)
            except (BrokenPipeError, ConnectionResetError):
                pass  # closed while we were still sending: the answer is read below
            status, headers, body = parse(read_to_close(sock))
        assert status == 431
        assert headers["connection"] == "close"
        (error,) = orjson.loads(body)["errors"]
        assert error["extensions"] == {"code": "REQUEST_HEADERS_TOO_LARGE"}
        assert "larger than 4096 bytes" in error["message"]
        # Headers under the cap, a body well over it: answered as before.
        with connect(port) as sock:
            query = orjson.dumps({"query": "{ __typename }", "variables": {"pad": "x" * 8000}})
            sock.sendall(post_head(len(query), "Connection: close") + query)
            status, _, answer = parse(read_to_close(sock))
            assert status == 200, answer
    assert "Traceback" not in log.read_text()


def test_oversized_headers_in_one_write_get_431(neo4j_server: ServerInfo, tmp_path: Path) -> None:
    """Before: a 120 KB header sent in one write was answered 200 (the parser finished the
    headers before the bytes fed were counted), and a kept-alive connection's next request
    was not counted in its first chunk."""
    log = tmp_path / "serve.log"
    settings = {"PARTNERGRAPH_MAX_HEADER_BYTES": "4096", "PARTNERGRAPH_HEADER_TIMEOUT": "60"}
    with serve(neo4j_server, log, **settings) as port:
        big = b"X-Big: " + b"a" * 120_000 + b"\r\n"
        with connect(port) as sock:
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n" + big + b"\r\n")
            status, headers, body = parse(read_to_close(sock))
        assert status == 431
        assert headers["connection"] == "close"
        assert orjson.loads(body)["errors"][0]["extensions"] == {
            "code": "REQUEST_HEADERS_TOO_LARGE"
        }
        # Many headers, each small, that add up past the cap.
        many = b"".join(b"X-H%d: %s\r\n" % (i, b"b" * 100) for i in range(60))
        with connect(port) as sock:
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n" + many + b"\r\n")
            assert parse(read_to_close(sock))[0] == 431
        # A kept-alive connection: the next request's first chunk, an unfinished header line
        # over the cap, is refused at once (not 408 after the header deadline of 60 s).
        with connect(port) as sock:
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            assert parse(read_until(sock, b'"ok"}'))[0] == 200
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"c" * 6000)
            assert parse(read_to_close(sock))[0] == 431
        # And pipelined: a request, then one whose headers are over the cap, in one write.
        # Many times: the connection closed with the headers' rest unread, the kernel reset it
        # now and then, before the client had read the answer (one run in 30, session 9's CI).
        for _ in range(PIPELINED_TRIES):
            with connect(port) as sock:
                sock.sendall(
                    b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                    + b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + big
                    + b"\r\n"
                )
                answers = read_to_close(sock)
            assert answers.startswith(b"HTTP/1.1 200")
            assert answers.count(b"HTTP/1.1 ") == 1  # the second request never ran
        # Pipelined, the second unfinished: its part of the write counts.
        with connect(port) as sock:
            sock.sendall(
                b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                + b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: "
                + b"e" * 6000
            )
            answers = read_to_close(sock)
        assert answers.startswith(b"HTTP/1.1 200")
        assert answers.count(b"HTTP/1.1 ") == 1
        # Headers under the cap, on a kept-alive connection: answered as before.
        with connect(port) as sock:
            for _ in range(3):
                sock.sendall(
                    b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Ok: " + b"d" * 3000 + b"\r\n\r\n"
                )
                assert parse(read_until(sock, b'"ok"}'))[0] == 200
    assert "Traceback" not in log.read_text()
