"""The per-client cap (graph/api/http/perclient.py) at the ASGI level: over it, 429, Retry-After."""

from __future__ import annotations

import asyncio

import pytest
from starlette.responses import JSONResponse
from starlette.types import Message, Receive, Scope, Send

from graph.api.http.perclient import PerClientLimit
from tests.api.asgi import GENEROUS_S, Collect, post_scope


def from_host(host: str) -> Scope:
    return {**post_scope("/health", 0), "method": "GET", "client": (host, 50000)}


async def nothing() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


async def test_a_client_over_its_cap_gets_429_and_others_are_served() -> None:
    release = asyncio.Event()
    entered = asyncio.Semaphore(0)

    async def slow(scope: Scope, receive: Receive, send: Send) -> None:
        entered.release()
        await release.wait()
        await JSONResponse({"ok": True})(scope, receive, send)

    limit = PerClientLimit(slow, max_in_flight=3)
    held = [Collect() for _ in range(3)]
    tasks = [asyncio.create_task(limit(from_host("192.0.2.1"), nothing, s)) for s in held]
    for _ in held:
        await asyncio.wait_for(entered.acquire(), GENEROUS_S)

    over = Collect()
    await asyncio.wait_for(limit(from_host("192.0.2.1"), nothing, over), GENEROUS_S)
    assert over.status == 429
    assert over.headers["retry-after"] == "1"
    assert over.headers["connection"] == "close"
    error = over.json()["errors"][0]
    assert error["extensions"] == {"code": "TOO_MANY_REQUESTS_IN_FLIGHT"}
    assert "3 requests in flight" in error["message"]

    other = Collect()
    other_task = asyncio.create_task(limit(from_host("192.0.2.2"), nothing, other))
    await asyncio.wait_for(entered.acquire(), GENEROUS_S)  # let in: another address

    release.set()
    await asyncio.wait_for(asyncio.gather(*tasks, other_task), GENEROUS_S)
    assert [s.status for s in held] == [200, 200, 200]
    assert other.status == 200
    assert limit.in_flight == {}  # forgotten once nothing runs

    again = Collect()
    await limit(from_host("192.0.2.1"), nothing, again)
    assert again.status == 200


async def test_a_request_that_fails_still_frees_its_place() -> None:
    async def fails(scope: Scope, receive: Receive, send: Send) -> None:
        raise RuntimeError("boom")

    limit = PerClientLimit(fails, max_in_flight=1)
    for _ in range(2):
        with pytest.raises(RuntimeError, match="boom"):
            await limit(from_host("192.0.2.1"), nothing, Collect())
    assert limit.in_flight == {}
