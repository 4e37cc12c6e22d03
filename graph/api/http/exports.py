"""GET /export/{format}: the graph, or a filtered part, streamed as a file for analysts.

`?country=EE,KR&kind=university&type=Organisation&topic=ai-healthcare&around=<org>&depth=2`;
CSV gives a zip of nodes.csv and edges.csv, or one of them with `file=nodes|edges`. Who may ask
(keys, the rate limit) is decided by the gate (graph/api/http/gate.py), as for /graphql; what is
exported is what anonymous readers may see. Bad values are refused (422) before a byte is sent;
past the caps on exports running at once (graph/api/http/exportslots.py), 429 or 503.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from graph import memtrim
from graph.api.http.endpoint import RETRY_AFTER_S
from graph.api.http.exportslots import ExportSlots
from graph.api.schema.context import Context
from graph.errors import InputError, Refusal, StoreUnavailable
from graph.export.formats import output
from graph.export.graphrows import GraphRows
from graph.export.selection import selection

# The export's threads close their sessions and drop their buffers just after its last byte:
# a trim at once would run before they have freed what it is meant to return.
TRIM_AFTER_S = 1.0
_TRIMS: set[asyncio.Future[bool]] = set()

PARAMETERS = frozenset({"country", "kind", "type", "topic", "around", "depth", "file"})


def _errors(
    status: int, errors: list[dict[str, Any]], headers: dict[str, str] | None = None
) -> Response:
    return JSONResponse({"errors": errors}, status_code=status, headers=headers)


def _error(code: str, message: str, **extensions: Any) -> dict[str, Any]:
    return {"message": message, "extensions": {"code": code, **extensions}}


class _Held(StreamingResponse):
    """A streamed export that gives its slot back however its sending ends: the last byte, the
    client gone (the stream cancelled), an error; the last export to end returns the memory
    the exports freed to the system (graph/memtrim.py)."""

    def __init__(
        self,
        chunks: AsyncGenerator[bytes, None],
        slots: ExportSlots,
        client: str,
        **kw: Any,
    ):
        super().__init__(chunks, **kw)
        self.chunks, self.slots, self.client = chunks, slots, client

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.slots.give_back(self.client)
            await self.chunks.aclose()  # stops the export's threads if they still run
            if not self.slots.in_use:
                asyncio.get_running_loop().call_later(TRIM_AFTER_S, _trim_if_idle, self.slots)


def _trim_if_idle(slots: ExportSlots) -> None:
    if slots.in_use:
        return  # another export began meanwhile: the last to end trims
    # In a thread: trimming a few hundred MB takes milliseconds, not the loop's.
    task = asyncio.ensure_future(asyncio.to_thread(memtrim.trim))
    _TRIMS.add(task)  # held until done: the loop keeps only a weak reference to a task
    task.add_done_callback(_TRIMS.discard)


def export_route(context: Callable[[Request], Context], slots: ExportSlots) -> Route:
    """The route; the gate in front has authenticated and rate-limited the request."""

    async def endpoint(request: Request) -> Response:
        query = request.query_params
        unknown = sorted(set(query) - PARAMETERS)
        if unknown:
            message = (
                f"unknown parameter(s) {', '.join(unknown)}; known: {', '.join(sorted(PARAMETERS))}"
            )
            return _errors(422, [_error("BAD_EXPORT_FILTER", message)])
        try:
            out = output(request.path_params["format"], query.get("file"))
            rows = GraphRows(
                context(request).store,
                selection(
                    country=query.getlist("country"),
                    kind=query.getlist("kind"),
                    type=query.getlist("type"),
                    topic=query.getlist("topic"),
                    around=query.get("around"),
                    depth=query.get("depth"),
                ),
            )
            await rows.check()
        except InputError as exc:
            errors = [_error("BAD_EXPORT_FILTER", p.message, field=p.field) for p in exc.problems]
            return _errors(422, errors)
        except StoreUnavailable as exc:
            headers = {"Retry-After": str(RETRY_AFTER_S)}
            return _errors(503, [_error("STORE_UNAVAILABLE", exc.message)], headers)
        client = request.client.host if request.client else "unknown"
        try:
            slots.take(client)
        except Refusal as refusal:
            return _errors(refusal.status, [_error(refusal.code, refusal.message)], refusal.headers)
        disposition = f'attachment; filename="{out.filename}"'
        return _Held(
            out.write(rows),
            slots,
            client,
            media_type=out.media_type,
            headers={"Content-Disposition": disposition},
        )

    return Route("/export/{format}", endpoint, methods=["GET"])
