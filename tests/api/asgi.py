"""ASGI by hand for the middleware tests: scopes, clients that stall or go, a collecting send."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
from starlette.types import Message, Receive, Scope

from graph.store import Target

# Bounds for the tests themselves, far above the deadlines: not assertions of speed.
GENEROUS_S = 10.0

NOWHERE = Target(uri="bolt://127.0.0.1:1", user="neo4j", password="unused")


def post_scope(path: str = "/graphql", declared: int = 10) -> Scope:
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"host", b"test"),
            (b"content-type", b"application/json"),
            (b"content-length", str(declared).encode()),
        ],
        "client": ("192.0.2.7", 40000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }


def stalled(first: bytes) -> Receive:
    """A client that sends `first` and then nothing, never going away."""
    sent = False
    forever = asyncio.Event()

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": first, "more_body": True}
        await forever.wait()
        raise AssertionError("unreachable")

    return receive


class Collect:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def __call__(self, message: Message) -> None:
        self.messages.append(message)

    @property
    def status(self) -> int | None:
        starts = [m for m in self.messages if m["type"] == "http.response.start"]
        assert len(starts) <= 1, starts
        return int(starts[0]["status"]) if starts else None

    @property
    def headers(self) -> dict[str, str]:
        start = next(m for m in self.messages if m["type"] == "http.response.start")
        return {k.decode(): v.decode() for k, v in start["headers"]}

    def json(self) -> Any:
        return orjson.loads(b"".join(m.get("body", b"") for m in self.messages[1:]))


def gone_after(first: bytes) -> Receive:
    """A client that sends `first` and then disconnects, mid-body."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": first, "more_body": True}
        return {"type": "http.disconnect"}

    return receive
