"""uvicorn's httptools protocol with deadlines on request headers and on sending, which it lacks.

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
body has its own deadline in the app (graph/api/http/bodydeadline.py). And the response: uvicorn
waits for a client's socket to drain with no deadline, so a client that reads nothing is
dropped once its unread bytes have filled the buffer for `send_timeout_s`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from graph.api.http.refuse import refusal_response
from graph.errors import ConfigError, Refusal

log = logging.getLogger(__name__)

# How long a refused connection is still read (and dropped) before it is closed.
LINGER_S = 2.0
# The lifespan state key of the send deadline.
SEND_TIMEOUT = "partnergraph.send_timeout_s"


class HeaderDeadlineProtocol(HttpToolsProtocol):
    """Pass a subclass from `with_header_deadline` to uvicorn as its `http` protocol class."""

    header_timeout_s: float = 10.0
    max_header_bytes: int = 32768
    send_timeout_s: float = 30.0
    _header_timer: asyncio.TimerHandle | None = None
    _send_timer: asyncio.TimerHandle | None = None
    _request_begun = False
    # True from a request's headers being complete to its message (body included) being
    # complete: what arrives then is its body, not headers.
    _headers_done = False
    _header_bytes = 0  # fed to the parser since the current request's headers began
    _parsed_bytes = 0  # the current request's line and headers as parsed (complete ones)
    _begun_here = False  # the current request began in the chunk being fed
    _draining = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self._draining:
            return  # what a refused client still sends, read and dropped (see _refuse)
        if self.transport.is_closing():
            super().data_received(data)
            return
        self._begun_here = False
        if not self._headers_done:
            self._header_bytes += len(data)
        super().data_received(data)
        if self._draining or not self._request_begun or self._headers_done:
            return
        # A request's headers are unfinished at the end of this chunk. The parser holds an
        # unfinished line whole, so what was fed counts, not what was parsed. A request that
        # began in this chunk counts the chunk whole: the parser does not say where in it the
        # request began (after the end of another, on a kept-alive connection), and the chunk
        # bounds it.
        if self._begun_here:
            self._header_bytes = len(data)
        if self._header_bytes > self.max_header_bytes:
            self._too_large()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        self._disarm_send()
        super().connection_lost(exc)

    # Parser callbacks: none does anything once the connection is refused (a chunk being parsed
    # may hold more of the request, or more requests, after the point of refusal).

    def on_message_begin(self) -> None:
        if self._draining:
            return
        super().on_message_begin()
        self._request_begun = self._begun_here = True
        self._headers_done = False
        self._parsed_bytes = 0
        if self._header_timer is None:  # a kept-alive connection's next request
            self._arm()

    def on_url(self, url: bytes) -> None:
        if self._draining:
            return
        super().on_url(url)
        self._parsed(len(url) + len("GET  HTTP/1.1\r\n"))

    def on_header(self, name: bytes, value: bytes) -> None:
        if self._draining:
            return
        super().on_header(name, value)
        self._parsed(len(name) + len(value) + len(": \r\n"))

    def on_headers_complete(self) -> None:
        if self._draining:
            return
        self._disarm()
        self._request_begun = False
        self._headers_done = True
        self._header_bytes = 0
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if not self._draining:
            super().on_body(body)

    def on_message_complete(self) -> None:
        if self._draining:
            return
        super().on_message_complete()
        # What follows on this connection is the next request's headers, and counts as such.
        self._headers_done = False

    def _parsed(self, size: int) -> None:
        """Headers that arrived whole in one chunk are parsed before data_received can count
        them (a 120 KB header in one write was answered 200): they are counted here."""
        self._parsed_bytes += size
        if self._parsed_bytes > self.max_header_bytes:
            self._too_large()

    def _too_large(self) -> None:
        self._disarm()
        if self.cycle is not None and not self.cycle.response_complete:
            # Pipelined behind a request still answering: no 431 in the middle of its answer;
            # that answer ends, then the connection closes, and nothing more is read.
            self.cycle.keep_alive = False
            # uvicorn closes the transport the moment that answer is out, with the rest of the
            # oversized headers unread: the kernel would reset the connection, which can destroy
            # the answer before the client reads it. The cycle closes through a lingering close.
            self.cycle.transport = _LingeringClose(self.transport, self._linger)  # type: ignore[assignment]
            self._draining = True
            log.info("pipelined request headers over %d bytes: closing", self.max_header_bytes)
            return
        message = (
            f"the request headers are larger than {self.max_header_bytes} bytes, the most "
            "this server reads: send fewer or shorter headers"
        )
        why = f"exceeded {self.max_header_bytes} bytes"
        self._refuse(Refusal(431, "REQUEST_HEADERS_TOO_LARGE", message), why)

    # Flow control: uvicorn waits for a client's socket to drain with no deadline, so a client
    # that reads nothing held its response (and an export's threads and Neo4j connection)
    # for as long as it liked.

    @property
    def send_deadline_s(self) -> float:
        """The app's PARTNERGRAPH_SEND_TIMEOUT: it hands it over in its lifespan state (ASGI's
        way for an app to pass values to the server running it; see graph/api/http/app.py)."""
        return float(self.app_state.get(SEND_TIMEOUT, self.send_timeout_s))

    def pause_writing(self) -> None:
        super().pause_writing()
        if self._send_timer is None:
            self._send_timer = self.loop.call_later(self.send_deadline_s, self._send_expired)

    def resume_writing(self) -> None:
        super().resume_writing()
        self._disarm_send()

    def _disarm_send(self) -> None:
        if self._send_timer is not None:
            self._send_timer.cancel()
            self._send_timer = None

    def _send_expired(self) -> None:
        self._send_timer = None
        client = f"{self.client[0]}" if self.client else "unknown"
        log.info(
            "client %s read nothing of its answer for %g s: dropped", client, self.send_deadline_s
        )
        # abort, not close: close would wait for the unread bytes to drain, which they never do.
        # The app sees the client gone (http.disconnect), as when it leaves by itself.
        self.transport.abort()

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
        self._linger()

    def _linger(self) -> None:
        """A lingering close: a client still sending (an oversized header) would otherwise have
        its unread bytes answered by the kernel with a reset, which can destroy the answer
        before the client reads it. Send FIN (once what is written is out), drop what still
        comes, close soon after."""
        if self.transport.is_closing():
            return
        self._draining = True
        if not self.transport.can_write_eof():
            self.transport.close()
            return
        self.transport.write_eof()
        self.loop.call_later(LINGER_S, self.transport.close)


class _LingeringClose:
    """A transport whose `close` lingers (`HeaderDeadlineProtocol._linger`); all else is the
    transport's own. Given to a cycle answering while the request behind it is refused."""

    def __init__(self, transport: asyncio.Transport, linger: Callable[[], None]) -> None:
        self._transport = transport
        self._linger = linger

    def close(self) -> None:
        self._linger()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


def with_header_deadline(
    timeout_s: float, max_bytes: int = HeaderDeadlineProtocol.max_header_bytes
) -> type[HeaderDeadlineProtocol]:
    """The protocol class for these bounds (uvicorn makes each connection's protocol itself)."""
    if timeout_s <= 0 or max_bytes < 1:  # graph.settings refuses them too; for other callers
        raise ConfigError(f"impossible header bounds: {timeout_s:g} s, {max_bytes} bytes")
    bounds = {"header_timeout_s": timeout_s, "max_header_bytes": max_bytes}
    return type("HeaderDeadline", (HeaderDeadlineProtocol,), bounds)
