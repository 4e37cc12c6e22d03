"""GraphQL over HTTP at /graphql: media types, status codes, limits and safe errors (thin).

Decisions:

- Our own Starlette endpoint rather than strawberry's `GraphQL` view: the view answers 200
  `application/json` for everything and decides parse, operation and validation failures inside
  `schema.execute`, where a 400 cannot be told from a 422. Here each step is its own: read the
  request -> parse (token limit) -> operation type (405 for a mutation over GET, before
  validation) -> limits (graph/api/limits.py) on every operation of the document -> validation
  -> execution by graphql-core with strawberry's resolvers and Info (see below).
  The limits protect validation too (graphql-core's takes seconds on some 2000-token
  documents), so they run first, after only the linear fragment rules they rely on.
- Parse and validation results are cached by query text (LRU), failures included, so a repeated
  query, good or bad, costs two dictionary look-ups. The validated document is then executed by
  graphql-core directly with the fast executor (graph/api/fastpath.py): `schema.execute` would
  parse and validate it again and run strawberry's extension machinery, about 1 ms for a new
  query text and a few hundred microseconds for every request.
- Media type from `Accept` (q-values honoured): `application/graphql-response+json` when named,
  `application/json` when named instead, when only wildcards match (what the graphql-http audit
  expects, and what legacy clients sending `*/*` understand) or when there is no `Accept`;
  neither acceptable -> 406.
- Status codes follow the GraphQL-over-HTTP draft: with `application/json` every well-formed
  request gets 200 (parse and validation errors included, for legacy clients); with
  `application/graphql-response+json` parse failures and request errors get 400 and validation
  failures (the limits included) get 422 (VALIDATION_FAILED_STATUS; the latest draft moved to 400).
  Neo4j unreachable anywhere in the request -> 503 with `Retry-After`, whatever the media type.
- Errors never carry Cypher, stack traces or credentials: execution errors are classified by
  graph.api.errors (a PartnergraphError keeps its message and gets a code, anything unexpected
  becomes "internal error", INTERNAL_SERVER_ERROR, and is logged); this layer adds Apollo's
  well-known codes (BAD_REQUEST, GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED, ...), which
  clients and schemathesis read as "the client's fault". A limit's error says which limit
  (`extensions.limit`), the query's value and the maximum.
- `X-Partnergraph-Debug: 1` adds `cypherRoundTrips`, `databaseMs` and `totalMs` to `extensions`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from inspect import isawaitable
from typing import Any

import orjson
import strawberry
from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLSyntaxError,
    KnownFragmentNamesRule,
    NoFragmentCyclesRule,
    NoUnusedFragmentsRule,
    OperationDefinitionNode,
    OperationType,
    execute,
    get_operation_ast,
    parse,
    specified_rules,
    validate,
)
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from strawberry.schema.schema import validate_document

from graph.api.context import Context
from graph.api.errors import classify
from graph.api.limits import LimitExceeded, Limits, enforce, too_many_tokens
from graph.api.web import graphiql_page
from graph.errors import StoreUnavailable
from graph.store import Store

log = logging.getLogger("partnergraph.api")

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"
DEBUG_HEADER = "X-Partnergraph-Debug"
VALIDATION_FAILED_STATUS = 422
RETRY_AFTER_S = 5
CACHE_SIZE = 256
FRAGMENT_RULES = [KnownFragmentNamesRule, NoUnusedFragmentsRule, NoFragmentCyclesRule]
INTERNAL_ERROR: dict[str, Any] = {
    "message": "internal error",
    "extensions": {"code": "INTERNAL_SERVER_ERROR"},
}

ContextFactory = Callable[[Request], Context]


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


class Refusal(Exception):
    """A request refused before GraphQL sees it: a status, a code and what to do."""

    def __init__(
        self, status: int, code: str, message: str, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})


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


def public_error(error: GraphQLError) -> dict[str, Any]:
    """An error as clients see it: ours with message and code, anything unexpected masked."""
    original = error.original_error
    extensions: Mapping[str, Any] | None
    if isinstance(original, LimitExceeded):
        message, extensions = original.message, original.extensions
    else:
        unclassified = "code" not in (error.extensions or {})
        if unclassified and original is not None and not isinstance(original, GraphQLError):
            # graph.api.errors.ErrorCodes classifies during execution; errors raised out of it
            # (the store missing when the context is made) are classified here the same way.
            classify(error)
        message, extensions = error.message, error.extensions
    out: dict[str, Any] = {"message": message}
    if error.locations:
        out["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    if error.path:
        out["path"] = error.path
    if extensions:
        out["extensions"] = dict(extensions)
    return out


def _coded(error: GraphQLError, code: str) -> dict[str, Any]:
    out = public_error(error)
    # A code already there (a limit's) is the more precise one.
    out["extensions"] = {"code": code, **out.get("extensions", {})}
    return out


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
        self.schema = schema
        self.limits = limits
        self.make_context = context
        self.graphiql = graphiql_page()
        # Requests are executed without strawberry's extension runner (see `_answer`): an
        # extension added to the schema would silently not run over HTTP, so refuse one.
        kinds = {
            e.__name__ if isinstance(e, type) else type(e()).__name__ for e in schema.extensions
        }
        unexpected = kinds - {"ParserCache", "ValidationCache", "ErrorCodes"}
        assert not unexpected, f"schema extensions this endpoint would not run: {unexpected}"
        # Bound per instance: the results depend on this schema and these limits.
        self.parse = lru_cache(maxsize=CACHE_SIZE)(self._parse)
        self.validate = lru_cache(maxsize=CACHE_SIZE)(self._validate)
        self.validate_fragments = lru_cache(maxsize=CACHE_SIZE)(self._validate_fragments)

    def _parse(self, query: str) -> DocumentNode | GraphQLError:
        try:
            return parse(
                query,
                max_lexical_tokens=self.limits.max_tokens,
                max_comments=self.limits.max_tokens,
            )
        except GraphQLSyntaxError as exc:
            if "Parsing aborted" in exc.message and "nested too deeply" not in exc.message:
                return GraphQLError(exc.message, original_error=too_many_tokens(self.limits))
            return exc

    def _validate(self, query: str) -> tuple[GraphQLError, ...]:
        document = self.parse(query)
        assert isinstance(document, DocumentNode)
        return tuple(validate_document(self.schema._schema, document, tuple(specified_rules)))

    def _validate_fragments(self, query: str) -> tuple[GraphQLError, ...]:
        """The linear rules the limits rely on: every fragment known, used, and not cyclic."""
        document = self.parse(query)
        assert isinstance(document, DocumentNode)
        return tuple(validate(self.schema._schema, document, FRAGMENT_RULES))

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
        except Exception:
            # The last line of defence: nothing internal reaches the client.
            log.exception("unexpected error answering a GraphQL request")
            return reply.send(500, {"errors": [INTERNAL_ERROR]})

    async def _answer(self, request: Request, reply: Reply) -> Response:
        params = await read_params(request, self.limits.max_body_bytes)
        document = self.parse(params.query)
        if isinstance(document, GraphQLError):
            return reply.request_errors(400, [_coded(document, "GRAPHQL_PARSE_FAILED")])
        operation = get_operation_ast(document, params.operation_name)
        get = request.method != "POST"
        if get and operation is not None and operation.operation is not OperationType.QUERY:
            message = f"a {operation.operation.value} is only accepted over POST"
            raise Refusal(405, "METHOD_NOT_ALLOWED", message, {"Allow": "POST"})
        invalid = self.validate_fragments(params.query)
        if not invalid:
            # Validation reads every operation of the document, not just the one to run.
            for candidate in document.definitions:
                if not isinstance(candidate, OperationDefinitionNode):
                    continue
                variables = params.variables if candidate is operation else None
                schema = self.schema._schema
                exceeded = enforce(self.limits, schema, document, candidate, variables)
                if exceeded:
                    errors = [{"message": e.message, "extensions": e.extensions} for e in exceeded]
                    return reply.request_errors(VALIDATION_FAILED_STATUS, errors)
            invalid = self.validate(params.query)
        if invalid:
            errors = [_coded(e, "GRAPHQL_VALIDATION_FAILED") for e in invalid]
            return reply.request_errors(VALIDATION_FAILED_STATUS, errors)
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
        # The document parsed and validated above runs as it is (no second parse and
        # validation inside `schema.execute`), on the schema's executor (the fast path), with
        # strawberry's resolvers; a mutation over GET was refused above and the schema has no
        # subscriptions. Strawberry's extensions do not run here: ours only cache parsing and
        # validation (done above) and classify errors (done below); see __init__.
        outcome = execute(
            self.schema._schema,
            document,
            context_value=context,
            variable_values=params.variables,
            operation_name=params.operation_name,
            executor_class=self.schema.execution_context_class,
            operation_extensions=params.extensions,
        )
        result = await outcome if isawaitable(outcome) else outcome
        for failure in result.errors or []:
            classify(failure)
        return reply.result(result)
