"""Refusals answered before any route runs (middleware, the protocol): the house JSON error and
`Connection: close`."""

from __future__ import annotations

import orjson
from starlette.types import Send

from graph.errors import Refusal

Headers = list[tuple[bytes, bytes]]


def refusal_response(refusal: Refusal) -> tuple[Headers, bytes]:
    """The headers and body of graph/api/http/endpoint.py's `Reply.refuse`, as `application/json`
    (no route has negotiated a media type yet), with `Connection: close`: what follows on this
    connection (the rest of a stalled request, a client over its share) is not worth reading."""
    error = {"message": refusal.message, "extensions": {"code": refusal.code}}
    body = orjson.dumps({"errors": [error]})
    headers = [
        (b"content-type", b"application/json; charset=utf-8"),
        (b"content-length", str(len(body)).encode("ascii")),
        (b"connection", b"close"),
        *((k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in refusal.headers.items()),
    ]
    return headers, body


async def send_refusal(send: Send, refusal: Refusal) -> None:
    headers, body = refusal_response(refusal)
    await send({"type": "http.response.start", "status": refusal.status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})
