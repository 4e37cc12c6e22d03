"""A cap on the requests one client address has in flight at once: over it, 429 and close.

The rate limit (graph/api/http/ratelimit.py) counts requests as they start, so a client whose
requests never finish (a stalled body, a slow reader) is not slowed by it: this counts what
is still running. Over HTTP/1.1 a connection carries one request at a time, so it also bounds
the connections of an address that are busy; idle keep-alive connections are closed by uvicorn
(`timeout_keep_alive`) and all connections by `limit_concurrency` (graph/cli.py).
"""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Receive, Scope, Send

from graph.api.http.refuse import send_refusal
from graph.errors import ConfigError, Refusal

log = logging.getLogger(__name__)

RETRY_AFTER_S = 1


class PerClientLimit:
    """ASGI middleware: at most `max_in_flight` requests at once from each client address."""

    def __init__(self, app: ASGIApp, max_in_flight: int) -> None:
        if max_in_flight < 1:
            raise ConfigError("the per-client cap must be at least 1")
        self.app = app
        self.max_in_flight = max_in_flight
        # Only addresses with a request running are kept: memory is bounded by what runs.
        self.in_flight: dict[str, int] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        host = client[0] if client else "unknown"
        running = self.in_flight.get(host, 0)
        if running >= self.max_in_flight:
            log.info("client %s is over its %d requests in flight: 429", host, running)
            message = (
                f"this address has {running} requests in flight, the most one client may have: "
                f"retry in {RETRY_AFTER_S} s, or wait for an answer before sending more"
            )
            refusal = Refusal(
                429, "TOO_MANY_REQUESTS_IN_FLIGHT", message, {"Retry-After": str(RETRY_AFTER_S)}
            )
            await send_refusal(send, refusal)
            return
        self.in_flight[host] = running + 1
        try:
            await self.app(scope, receive, send)
        finally:
            left = self.in_flight[host] - 1
            if left:
                self.in_flight[host] = left
            else:
                del self.in_flight[host]
