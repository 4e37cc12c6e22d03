"""GET /export/{format}: the graph, or a filtered part, streamed as a file for analysts.

`?country=EE,KR&kind=university&type=Organisation&topic=ai-healthcare&around=<org>&depth=2`;
CSV gives a zip of nodes.csv and edges.csv, or one of them with `file=nodes|edges`. Who may ask
(keys, the rate limit) is decided by the app's own request check, as for /graphql; what is
exported is what anonymous readers may see. Bad values are refused (422) before a byte is sent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from graph.api.context import Context
from graph.api.http import RETRY_AFTER_S
from graph.errors import InputError, Refusal, StoreUnavailable
from graph.export.filters import selection
from graph.export.formats import output
from graph.export.rows import GraphRows

PARAMETERS = frozenset({"country", "kind", "type", "topic", "around", "depth", "file"})


def _errors(
    status: int, errors: list[dict[str, Any]], headers: dict[str, str] | None = None
) -> Response:
    return JSONResponse({"errors": errors}, status_code=status, headers=headers)


def _error(code: str, message: str, **extensions: Any) -> dict[str, Any]:
    return {"message": message, "extensions": {"code": code, **extensions}}


def export_route(context: Callable[[Request], Context]) -> Route:
    """The route; `context` authenticates and rate-limits (raising Refusal) as for GraphQL."""

    async def endpoint(request: Request) -> Response:
        try:
            ctx = context(request)
        except Refusal as refusal:
            return _errors(refusal.status, [_error(refusal.code, refusal.message)], refusal.headers)
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
                ctx.store,
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
        disposition = f'attachment; filename="{out.filename}"'
        return StreamingResponse(
            out.write(rows), media_type=out.media_type, headers={"Content-Disposition": disposition}
        )

    return Route("/export/{format}", endpoint, methods=["GET"])
