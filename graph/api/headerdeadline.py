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
request arrived, a silent close) and the connection is closed. They must also fit in
`max_header_bytes` (request line included), else 431 and close: httptools buffers an
unfinished header line whole, so without a cap one request could fill the memory in 10 s. The
body has its own deadline in the app (graph/api/bodydeadline.py).
"""

from __future__ import annotations

import asyncio
import logging

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from graph.api.refuse import refusal_response
from graph.errors import ConfigError, Refusal

log = logging.getLogger("partnergraph.api")

# How long a refused connection is still read (and dropped) before it is closed.
LINGER_S = 2.0


class HeaderDeadlineProtocol(HttpToolsProtocol):
    """Pass a subclass from `with_header_deadline` to uvicorn as its `http` protocol class."""

    header_timeout_s: float = 10.0
    max_header_bytes: int = 32768
    _header_timer: asyncio.TimerHandle | None = None
    _request_begun = False
    _headers_done = False
    _header_bytes = 0  # fed to the parser since the current request's headers began
    _draining = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self._draining:
            return  # what a refused client still sends, read and dropped (see _refuse)
        if self._headers_done or self.transport.is_closing():
            # Between requests too: a chunk holding the end of one request and the start of the
            # next counts from the next one's first byte (on_message_begin resets it).
            super().data_received(data)
            return
        self._header_bytes += len(data)
        super().data_received(data)
        if not self._headers_done and self._header_bytes > self.max_header_bytes:
            # Counted by what was fed, not what was parsed: the parser holds an unfinished
            # line whole, and a chunk that also held a finished request is rare and small.
            self._disarm()
            message = (
                f"the request headers are larger than {self.max_header_bytes} bytes, the most "
                "this server reads: send fewer or shorter headers"
            )
            why = f"exceeded {self.max_header_bytes} bytes"
            self._refuse(Refusal(431, "REQUEST_HEADERS_TOO_LARGE", message), why)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._request_begun = True
        self._headers_done = False
        if self._header_timer is None:  # a kept-alive connection's next request
            self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        self._request_begun = False
        self._headers_done = True
        self._header_bytes = 0
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
        if self._request_begun:
            message = (
                f"the request headers did not arrive within {self.header_timeout_s:g} s: "
                "send the whole request at once"
            )
            why = f"did not arrive within {self.header_timeout_s:g} s"
            self._refuse(Refusal(408, "REQUEST_TIMEOUT", message), why)
            return
        self.transport.close()

    def _refuse(self, refusal: Refusal, why: str) -> None:
        """Answer `refusal`, log it in one line, and close."""
        client = f"{self.client[0]}" if self.client else "unknown"
        log.info("request headers from %s %s: answered %d and closed", client, why, refusal.status)
        headers, body = refusal_response(refusal)
        head = b"".join(name + b": " + value + b"\r\n" for name, value in headers)
        self.transport.write(STATUS_LINE[refusal.status] + head + b"\r\n" + body)
        if not self.transport.can_write_eof():
            self.transport.close()
            return
        # A lingering close: a client still sending (an oversized header) would otherwise have
        # its unread bytes answered by the kernel with a reset, which can destroy the answer
        # before the client reads it. Send FIN, drop what still comes, close soon after.
        self._draining = True
        self.transport.write_eof()
        self.loop.call_later(LINGER_S, self.transport.close)


def with_header_deadline(
    timeout_s: float, max_bytes: int = HeaderDeadlineProtocol.max_header_bytes
) -> type[HeaderDeadlineProtocol]:
    """The protocol class for these bounds (uvicorn makes each connection's protocol itself)."""
    if timeout_s <= 0 or max_bytes < 1:  # graph.settings refuses them too; for other callers
        raise ConfigError(f"impossible header bounds: {timeout_s:g} s, {max_bytes} bytes")
    bounds = {"header_timeout_s": timeout_s, "max_header_bytes": max_bytes}
    return type("HeaderDeadline", (HeaderDeadlineProtocol,), bounds)
