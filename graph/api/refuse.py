"""Refusals answered by ASGI middleware before any route runs: the house JSON error, then close."""

from __future__ import annotations

import orjson
from starlette.types import Send

from graph.errors import Refusal


async def send_refusal(send: Send, refusal: Refusal) -> None:
    """The same body as graph/api/http.py's `Reply.refuse`, as `application/json` (no route has
    negotiated a media type yet), with `Connection: close`: what follows on this connection
    (the rest of a stalled body, a client over its share) is not worth reading."""
    error = {"message": refusal.message, "extensions": {"code": refusal.code}}
    body = orjson.dumps({"errors": [error]})
    headers = [
        (b"content-type", b"application/json; charset=utf-8"),
        (b"content-length", str(len(body)).encode("ascii")),
        (b"connection", b"close"),
        *((k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in refusal.headers.items()),
    ]
    await send({"type": "http.response.start", "status": refusal.status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})
