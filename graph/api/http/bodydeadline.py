"""A deadline on reading a request body: a body that has not arrived in time gets 408 and close.

uvicorn bounds an idle keep-alive connection (`timeout_keep_alive`) but not a request whose body
stalls: one that declared `Content-Length: 10` and sent 5 bytes was held open for over 90 s.
This wraps `receive` for every route (GraphQL, exports, whatever comes), so none can forget it.
The deadline runs from the moment the request's headers are in (when the app is called) to the
last byte of the body; what a route receives after that (a streaming response listening for a
disconnect) is not bounded. When it passes, the client gets a 408 with `Connection: close`, and
the route sees `http.disconnect` (as if the client had gone); whatever it answers is dropped.
"""

from __future__ import annotations

import asyncio
import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph.api.http.refuse import send_refusal
from graph.errors import ConfigError, Refusal

log = logging.getLogger(__name__)

DISCONNECT: Message = {"type": "http.disconnect"}
# In the request's state once its deadline has passed: the route, seeing a disconnect, knows
# the 408 has been answered and logged here, and does not log a client gone as well.
DEADLINE_PASSED = "partnergraph.body_deadline_passed"


class BodyDeadline:
    """ASGI middleware: the whole body within `timeout_s` of the headers, or 408."""

    def __init__(self, app: ASGIApp, timeout_s: float) -> None:
        if timeout_s <= 0:
            raise ConfigError("the body timeout must be positive")
        self.app = app
        self.timeout_s = timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        guarded = _Request(scope, self.timeout_s, receive, send)
        await self.app(scope, guarded.receive, guarded.send)


class _Request:
    """One request's state: whether its body is in, its answer started, its deadline passed."""

    def __init__(self, scope: Scope, timeout_s: float, receive: Receive, send: Send) -> None:
        self.scope, self.timeout_s = scope, timeout_s
        self.deadline = asyncio.get_running_loop().time() + timeout_s
        self.inner_receive, self.inner_send = receive, send
        self.body_done = self.started = self.expired = False

    async def receive(self) -> Message:
        if self.expired:
            return DISCONNECT
        if self.body_done:
            return await self.inner_receive()
        try:
            async with asyncio.timeout_at(self.deadline):
                message = await self.inner_receive()
        except TimeoutError:
            await self._expire()
            return DISCONNECT
        if message["type"] == "http.request" and not message.get("more_body", False):
            self.body_done = True
        return message

    async def send(self, message: Message) -> None:
        if self.expired:
            return  # the client has its 408; the route's late answer has nowhere to go
        if message["type"] == "http.response.start":
            self.started = True
        await self.inner_send(message)

    async def _expire(self) -> None:
        self.expired = True
        self.scope.setdefault("state", {})[DEADLINE_PASSED] = True
        client = self.scope.get("client")
        host = client[0] if client else "unknown"
        done = "its answer was cut short" if self.started else "answered 408 and closed"
        log.info("request body from %s did not arrive within %g s: %s", host, self.timeout_s, done)
        if not self.started:
            message = (
                f"the request body did not arrive within {self.timeout_s:g} s of its headers: "
                "send the whole body at once"
            )
            await send_refusal(self.inner_send, Refusal(408, "REQUEST_TIMEOUT", message))
