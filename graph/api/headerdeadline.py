"""uvicorn's httptools protocol with a deadline on request headers, which uvicorn does not have.

What uvicorn 0.55 bounds: `timeout_keep_alive` closes a connection idle *after* a response; but
the timer is armed only then, and the first byte of a next request disarms it for good. Neither
its httptools nor its h11 protocol arms anything when a connection opens, and the app is called
only once the headers are complete, so no middleware can see a client that connects and sends
nothing, or sends its headers a byte at a time: such a connection was held for as long as the
client liked (h11 caps the size of incomplete headers, 16 KiB, not their time; httptools caps
neither: one 8 MB header line was read and answered 200). Here the headers of each request
must be complete within `header_timeout_s` of the connection opening, or of the first byte of
the request on a kept-alive connection: else a 408 in the house format (or, when nothing of a
request arrived, a silent close) and the connection is closed. The body has its own deadline
in the app (graph/api/bodydeadline.py).
"""

from __future__ import annotations

import asyncio
import logging

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from graph.api.refuse import refusal_response
from graph.errors import ConfigError, Refusal

log = logging.getLogger("partnergraph.api")


class HeaderDeadlineProtocol(HttpToolsProtocol):
    """Pass a subclass from `with_header_deadline` to uvicorn as its `http` protocol class."""

    header_timeout_s: float = 10.0
    _header_timer: asyncio.TimerHandle | None = None
    _request_begun = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._request_begun = True
        if self._header_timer is None:  # a kept-alive connection's next request
            self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        self._request_begun = False
        super().on_headers_complete()

    def _arm(self) -> None:
        self._header_timer = self.loop.call_later(self.header_timeout_s, self._expire)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _expire(self) -> None:
        self._header_timer = None
        if self.transport.is_closing():
            return
        if self.cycle is not None and not self.cycle.response_complete:
            # A pipelined request behind one still answering: close once that answer is out.
            self.cycle.keep_alive = False
            return
        client = f"{self.client[0]}" if self.client else "unknown"
        if self._request_begun:
            log.info(
                "request headers from %s did not arrive within %g s: answered 408 and closed",
                client,
                self.header_timeout_s,
            )
            message = (
                f"the request headers did not arrive within {self.header_timeout_s:g} s: "
                "send the whole request at once"
            )
            headers, body = refusal_response(Refusal(408, "REQUEST_TIMEOUT", message))
            head = b"".join(name + b": " + value + b"\r\n" for name, value in headers)
            self.transport.write(STATUS_LINE[408] + head + b"\r\n" + body)
        self.transport.close()


def with_header_deadline(timeout_s: float) -> type[HeaderDeadlineProtocol]:
    """The protocol class for this deadline (uvicorn makes each connection's protocol itself)."""
    if timeout_s <= 0:  # graph.settings refuses it too; this guards other callers
        raise ConfigError(f"the header timeout must be positive, not {timeout_s:g} s")
    return type("HeaderDeadline", (HeaderDeadlineProtocol,), {"header_timeout_s": timeout_s})
