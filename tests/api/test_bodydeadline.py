"""The body deadline (graph/api/http/bodydeadline.py) at the ASGI level: a stalled body gets 408."""

from __future__ import annotations

import asyncio
import logging

import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import Message, Receive, Scope, Send

from graph.api.http.app import create_app
from graph.api.http.bodydeadline import BodyDeadline
from graph.settings import Settings
from tests.api.asgi import GENEROUS_S, NOWHERE, Collect, post_scope, stalled


async def test_a_stalled_graphql_body_gets_408_and_closes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = create_app(Settings(body_timeout_s=0.2), NOWHERE)
    send = Collect()
    with caplog.at_level(logging.DEBUG):
        await asyncio.wait_for(app(post_scope(), stalled(b'{"que'), send), GENEROUS_S)
    # One line, the deadline's: the route saw a disconnect but does not log a client gone.
    (record,) = [r for r in caplog.records if r.name.startswith("graph.api.")]
    assert record.levelno == logging.INFO
    assert record.exc_info is None
    assert "192.0.2.7 did not arrive within 0.2 s: answered 408" in record.getMessage()
    assert send.status == 408
    assert send.headers["connection"] == "close"
    assert send.headers["content-type"] == "application/json; charset=utf-8"
    error = send.json()["errors"][0]
    assert error["extensions"] == {"code": "REQUEST_TIMEOUT"}
    assert "0.2 s" in error["message"]


async def echo(scope: Scope, receive: Receive, send: Send) -> None:
    body = await Request(scope, receive).body()
    await JSONResponse({"bytes": len(body)})(scope, receive, send)


async def test_a_body_in_time_is_read_whole_across_chunks() -> None:
    chunks = [b"12345", b"67890"]

    async def receive() -> Message:
        await asyncio.sleep(0.01)
        body = chunks.pop(0)
        return {"type": "http.request", "body": body, "more_body": bool(chunks)}

    send = Collect()
    await BodyDeadline(echo, timeout_s=GENEROUS_S)(post_scope(), receive, send)
    assert send.status == 200
    assert send.json() == {"bytes": 10}


async def test_what_is_received_after_the_body_is_not_bounded() -> None:
    """A route listening for a disconnect after the body (a streaming export) is not cut off."""
    done = False

    async def receive() -> Message:
        nonlocal done
        if not done:
            done = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.sleep(0.3)  # past the deadline below
        return {"type": "http.disconnect"}

    async def listens(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()
        assert await receive() == {"type": "http.disconnect"}
        await JSONResponse({"ok": True})(scope, receive, send)

    send = Collect()
    await BodyDeadline(listens, timeout_s=0.1)(post_scope(), receive, send)
    assert send.status == 200


async def test_the_route_answer_after_a_408_is_dropped() -> None:
    """The route sees a disconnect and may still answer: that answer must not follow the 408."""

    async def answers_anyway(scope: Scope, receive: Receive, send: Send) -> None:
        assert await receive() == {"type": "http.request", "body": b"{", "more_body": True}
        assert await receive() == {"type": "http.disconnect"}
        await JSONResponse({"late": True}, status_code=500)(scope, receive, send)

    send = Collect()
    await asyncio.wait_for(
        BodyDeadline(answers_anyway, timeout_s=0.1)(post_scope(), stalled(b"{"), send),
        GENEROUS_S,
    )
    assert send.status == 408
    assert len(send.messages) == 2
