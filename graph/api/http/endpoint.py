"""GraphQL over HTTP at /graphql: media types, bodies, status codes, GET and POST, GraphiQL.

What runs a document against the schema (caches, limits, execution) is
graph/api/execution/executor.py; this module reads requests and maps outcomes to responses.
Decisions:

- Our own Starlette endpoint rather than strawberry's `GraphQL` view: the view answers 200
  `application/json` for everything and decides parse, operation and validation failures inside
  `schema.execute`, where a 400 cannot be told from a 422. Here each step is its own: read the
  request -> parse -> operation type (405 for a mutation over GET, before validation) -> limits
  and validation -> execution.
- Media type from `Accept` (q-values honoured): `application/graphql-response+json` when named,
  `application/json` when named instead, when only wildcards match (what the graphql-http audit
  expects, and what legacy clients sending `*/*` understand) or when there is no `Accept`;
  neither acceptable -> 406.
- Status codes follow the GraphQL-over-HTTP draft: with `application/json` every well-formed
  request gets 200 (parse and validation errors included, for legacy clients); with
  `application/graphql-response+json` parse failures and request errors get 400 and validation
  failures (the limits included) get 422 (VALIDATION_FAILED_STATUS; the latest draft moved to 400).
  Neo4j unreachable anywhere in the request -> 503 with `Retry-After`, whatever the media type;
  a query Neo4j stopped at its time limit -> 504 (STORE_TIMEOUT), never a 200.
- This layer adds Apollo's well-known codes for request errors (BAD_REQUEST, ...), which clients
  and schemathesis read as "the client's fault"; nothing internal reaches the client.
- `X-Partnergraph-Debug: 1` adds `cypherRoundTrips`, `databaseMs` and `totalMs` to `extensions`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson
import strawberry
from graphql import (
    ExecutionResult,
    GraphQLError,
    OperationType,
    get_operation_ast,
)
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send

from graph.api.execution.executor import Executor, public_error, timed_out
from graph.api.execution.limits.rules import Limits
from graph.api.http.bodydeadline import DEADLINE_PASSED
from graph.api.http.pages import graphiql_page
from graph.api.schema.context import Context
from graph.errors import Refusal, StoreUnavailable
from graph.store import Store

log = logging.getLogger(__name__)

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"
DEBUG_HEADER = "X-Partnergraph-Debug"
VALIDATION_FAILED_STATUS = 422
RETRY_AFTER_S = 5
GATEWAY_TIMEOUT = 504
INTERNAL_ERROR: dict[str, Any] = {
    "message": "internal error",
    "extensions": {"code": "INTERNAL_SERVER_ERROR"},
}

ContextFactory = Callable[[Request], Context]


class _NoAnswer(Response):
    """Sends nothing: for a client that has gone, where any answer would go nowhere."""

    def __init__(self) -> None:
        super().__init__()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        return None


NO_ANSWER = _NoAnswer()


# --- content negotiation --------------------------------------------------------------------


def _accept_ranges(accept: str) -> list[tuple[str, float]]:
    ranges = []
    for item in accept.split(","):
        media, *params = (part.strip() for part in item.split(";"))
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media:
            ranges.append((media.lower(), quality))
    return ranges


def _quality(media: str, ranges: list[tuple[str, float]]) -> tuple[float, int]:
    """The quality of `media` and how specifically it was named (2 exact, 1 type/*, 0 */*)."""
    kind = media.split("/")[0]
    best: tuple[float, int] = (0.0, -1)
    for candidate, quality in ranges:
        if candidate == media:
            specificity = 2
        elif candidate == f"{kind}/*":
            specificity = 1
        elif candidate == "*/*":
            specificity = 0
        else:
            continue
        # The most specific range decides (RFC 9110, 12.5.1), whatever its quality.
        if specificity > best[1]:
            best = (quality, specificity)
    return best


def negotiate(accept: str | None) -> str | None:
    """The response media type for this `Accept`; None when neither JSON type is acceptable."""
    if accept is None or not accept.strip():
        return JSON
    ranges = _accept_ranges(accept)
    chosen, chosen_key = None, (0.0, -1, False)
    for media in (GRAPHQL_RESPONSE_JSON, JSON):
        quality, specificity = _quality(media, ranges)
        if quality <= 0:
            continue
        # Named explicitly, the new type wins a tie; reached by a wildcard only, the legacy one.
        preferred = (media == GRAPHQL_RESPONSE_JSON) == (specificity == 2)
        key = (quality, specificity, preferred)
        if key > chosen_key:
            chosen, chosen_key = media, key
    return chosen


def wants_graphiql(request: Request) -> bool:
    if request.method not in ("GET", "HEAD") or "query" in request.query_params:
        return False
    quality, specificity = _quality("text/html", _accept_ranges(request.headers.get("accept", "")))
    return quality > 0 and specificity == 2


# --- requests -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Params:
    query: str
    variables: dict[str, Any] | None
    operation_name: str | None
    extensions: dict[str, Any] | None

    @classmethod
    def of(cls, raw: Mapping[str, Any]) -> Params:
        query, variables = raw.get("query"), raw.get("variables")
        operation_name, extensions = raw.get("operationName"), raw.get("extensions")
        if not isinstance(query, str):
            raise Refusal(400, "BAD_REQUEST", "`query` is required and must be a string")
        if variables is not None and not isinstance(variables, dict):
            raise Refusal(400, "BAD_REQUEST", "`variables` must be a JSON object")
        if operation_name is not None and not isinstance(operation_name, str):
            raise Refusal(400, "BAD_REQUEST", "`operationName` must be a string")
        if extensions is not None and not isinstance(extensions, dict):
            raise Refusal(400, "BAD_REQUEST", "`extensions` must be a JSON object")
        return cls(query, variables, operation_name or None, extensions)


def _loads(raw: bytes | str, what: str) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise Refusal(400, "BAD_REQUEST", f"{what} is not valid JSON") from None


def _is_json(content_type: str | None) -> bool:
    media, *params = (part.strip().lower() for part in (content_type or "").split(";"))
    charsets = [p.partition("=")[2].strip('"') for p in params if p.startswith("charset=")]
    return media == JSON and all(c in ("utf-8", "utf8") for c in charsets)


async def read_params(request: Request, max_bytes: int) -> Params:
    """The GraphQL parameters of a POST body (JSON) or a GET query string."""
    if request.method != "POST":
        if len(request.url.query) > max_bytes:
            raise Refusal(414, "TOO_LARGE", f"the query string is over {max_bytes} bytes")
        raw: dict[str, Any] = dict(request.query_params)
        for key in ("variables", "extensions"):  # JSON-encoded in the query string
            raw[key] = _loads(raw[key], f"`{key}`") if raw.get(key) else None
        return Params.of(raw)
    if not _is_json(request.headers.get("content-type")):
        raise Refusal(
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            "send the request body as `Content-Type: application/json`",
        )
    declared = request.headers.get("content-length", "")
    # Refused on the header alone when it says too much: the body is never read.
    if declared.isdigit() and int(declared) > max_bytes:
        raise Refusal(413, "TOO_LARGE", f"the request body is over {max_bytes} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_bytes:
            raise Refusal(413, "TOO_LARGE", f"the request body is over {max_bytes} bytes")
    payload = _loads(bytes(body), "the request body")
    if not isinstance(payload, dict):
        raise Refusal(400, "BAD_REQUEST", "the body must be a JSON object with a `query`")
    return Params.of(payload)


# --- responses ------------------------------------------------------------------------------


@dataclass(slots=True)
class Reply:
    """Builds the responses of one request in its media type, with debug figures if asked."""

    media: str
    started: float
    debug: bool = False
    store: Store | None = None

    def send(
        self, status: int, body: dict[str, Any], headers: Mapping[str, str] | None = None
    ) -> Response:
        if self.debug:
            stats = self.store.stats if self.store else None
            body.setdefault("extensions", {}).update(
                cypherRoundTrips=stats.round_trips if stats else 0,
                databaseMs=round(stats.db_ms, 3) if stats else 0.0,
                totalMs=round((time.perf_counter() - self.started) * 1000, 3),
            )
        return Response(
            orjson.dumps(body),
            status_code=status,
            media_type=f"{self.media}; charset=utf-8",
            headers=dict(headers or {}),
        )

    def refuse(self, refusal: Refusal) -> Response:
        error = {"message": refusal.message, "extensions": {"code": refusal.code}}
        return self.send(refusal.status, {"errors": [error]}, refusal.headers)

    def request_errors(self, status: int, errors: list[dict[str, Any]]) -> Response:
        """Errors that stop a well-formed request before execution: no `data` entry at all."""
        legacy = self.media == JSON
        return self.send(200 if legacy else status, {"errors": errors})

    def unavailable(self, errors: list[dict[str, Any]]) -> Response:
        headers = {"Retry-After": str(RETRY_AFTER_S)}
        return self.send(503, {"errors": errors}, headers)

    def result(self, result: ExecutionResult) -> Response:
        raw_errors = result.errors or []
        errors = [public_error(e) for e in raw_errors]
        if any(isinstance(e.original_error, StoreUnavailable) for e in raw_errors):
            return self.unavailable(errors)
        if any(timed_out(e) for e in raw_errors):
            # Neo4j, the upstream, did not answer in time: not a partial result to keep.
            return self.send(GATEWAY_TIMEOUT, {"errors": errors})
        if result.data is None and raw_errors and all(e.path is None for e in raw_errors):
            # Variable coercion and the like: a request error, not a partial result.
            return self.request_errors(400, errors)
        body: dict[str, Any] = {"errors": errors} if errors else {}
        body["data"] = result.data
        if result.extensions:
            body["extensions"] = dict(result.extensions)
        return self.send(200, body)


# --- the endpoint ---------------------------------------------------------------------------


class GraphQLEndpoint:
    """`endpoint` answers GET and POST /graphql for one schema, limits and context factory."""

    def __init__(self, schema: strawberry.Schema, limits: Limits, context: ContextFactory) -> None:
        self.executor = Executor(schema, limits)
        self.limits = limits
        self.make_context = context
        self.graphiql = graphiql_page()

    async def endpoint(self, request: Request) -> Response:
        started = time.perf_counter()
        if wants_graphiql(request):
            return HTMLResponse(self.graphiql)
        media = negotiate(request.headers.get("accept"))
        reply = Reply(media or JSON, started, request.headers.get(DEBUG_HEADER) == "1")
        if media is None:
            message = f"this endpoint answers {GRAPHQL_RESPONSE_JSON} or {JSON}: ask for one"
            return reply.refuse(Refusal(406, "NOT_ACCEPTABLE", message))
        try:
            return await self._answer(request, reply)
        except Refusal as refusal:
            return reply.refuse(refusal)
        except ClientDisconnect:
            # Gone before its body was in: nobody to answer, and not our fault, so one line
            # rather than a traceback. When the body deadline passed, the deadline (which has
            # answered 408) has said so already.
            if not request.scope.get("state", {}).get(DEADLINE_PASSED):
                client = request.client.host if request.client else "unknown"
                log.info("client %s disconnected before its request body arrived", client)
            return NO_ANSWER
        except Exception:
            # The last line of defence: nothing internal reaches the client.
            log.exception("unexpected error answering a GraphQL request")
            return reply.send(500, {"errors": [INTERNAL_ERROR]})

    async def _answer(self, request: Request, reply: Reply) -> Response:
        params = await read_params(request, self.limits.max_body_bytes)
        document = self.executor.parse(params.query)
        if isinstance(document, GraphQLError):
            return reply.request_errors(400, self.executor.parse_errors(document))
        operation = get_operation_ast(document, params.operation_name)
        get = request.method != "POST"
        if get and operation is not None and operation.operation is not OperationType.QUERY:
            message = f"a {operation.operation.value} is only accepted over POST"
            raise Refusal(405, "METHOD_NOT_ALLOWED", message, {"Allow": "POST"})
        refused = self.executor.refusals(params.query, document, operation, params.variables)
        if refused:
            return reply.request_errors(VALIDATION_FAILED_STATUS, refused)
        if operation is None:
            message = (
                f"the document has no operation named {params.operation_name!r}"
                if params.operation_name
                else "the document has several operations: name one in `operationName`"
            )
            error = {"message": message, "extensions": {"code": "OPERATION_RESOLUTION_FAILURE"}}
            return reply.request_errors(400, [error])
        try:
            context = self.make_context(request)
        except StoreUnavailable as exc:
            return reply.unavailable([public_error(GraphQLError(exc.message, original_error=exc))])
        reply.store = context.store
        # A mutation over GET was refused above and the schema has no subscriptions.
        result = await self.executor.execute(
            document, context, params.variables, params.operation_name, params.extensions
        )
        return reply.result(result)
