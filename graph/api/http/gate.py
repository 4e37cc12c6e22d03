"""Who asks, and their share of the rate, decided from the headers before a body is read.

An ASGI middleware in front of GraphQL and the exports. Before it, both ran in the routes'
context factory, after parsing, the limits and validation: an anonymous caller of a key-only
server was told "Cannot query field 'organisation'... Did you mean 'organisations'?" (the schema,
to someone without a key), and a request that failed to parse or validate was never counted,
so 200 invalid documents in 2 s from one address were all answered. Here every request to a
gated path takes its token first, valid or not, and a caller without the right key gets 401
with `WWW-Authenticate` before a byte of its body is read. A request with a wrong key counts
against its address (there is no key to count it against). The route reads the principal
from the request's state (`principal_of`).
"""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from graph.api.http.endpoint import wants_graphiql
from graph.api.http.ratelimit import RateLimiter, retry_after
from graph.api.http.refuse import send_refusal
from graph.auth import KeyStore, Principal
from graph.errors import Refusal

log = logging.getLogger(__name__)

# Where the gate stands: the API and the exports (not the browser pages, /health or /ready).
GATED = ("/graphql", "/export/")
PRINCIPAL = "partnergraph.principal"
CHALLENGE = {"WWW-Authenticate": "Bearer"}


def _gated(path: str) -> bool:
    return path == GATED[0] or path.startswith(GATED[1])


def _graphiql_page(request: Request) -> bool:
    """GET /graphql from a browser, for the GraphiQL page itself: a static page that knows
    nothing of the schema (what it asks next is gated like any request)."""
    return request.url.path == GATED[0] and wants_graphiql(request)


def api_key(request: Request) -> str | None:
    """`Authorization: Bearer <key>`, or `X-API-Key: <key>`."""
    auth = request.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return request.headers.get("x-api-key") or None


class Gate:
    """ASGI middleware: authenticate, then take a token; refuse (401, 429) before the route."""

    def __init__(
        self, app: ASGIApp, keys: KeyStore, limiter: RateLimiter, require_key: bool
    ) -> None:
        self.app = app
        self.keys, self.limiter, self.require_key = keys, limiter, require_key

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _gated(scope["path"]):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if _graphiql_page(request):
            await self.app(scope, receive, send)
            return
        principal = self.keys.authenticate(api_key(request))
        client = request.client.host if request.client else "unknown"
        if principal is not None and principal.key_id:
            bucket = f"key:{principal.key_id}"
        else:
            bucket = f"ip:{client}"
        wait = self.limiter.take(bucket)
        if wait > 0:
            message = f"too many requests: retry in {retry_after(wait)} s"
            headers = {"Retry-After": retry_after(wait)}
            await send_refusal(send, Refusal(429, "RATE_LIMITED", message, headers))
            return
        refusal = self._refusal(principal)
        if refusal is not None:
            log.info("refused %s %s from %s: %d", scope["method"], scope["path"], client, 401)
            await send_refusal(send, refusal)
            return
        assert principal is not None  # _refusal refuses None
        scope.setdefault("state", {})[PRINCIPAL] = principal
        await self.app(scope, receive, send)

    def _refusal(self, principal: Principal | None) -> Refusal | None:
        if principal is None:
            message = (
                "this API key is unknown or revoked: ask an admin for a key "
                "(`partnergraph keys create`)"
            )
            return Refusal(401, "UNAUTHENTICATED", message, CHALLENGE)
        if principal.role is None and self.require_key:
            message = "this server needs an API key for reading: send `Authorization: Bearer <key>`"
            return Refusal(401, "UNAUTHENTICATED", message, CHALLENGE)
        return None


def principal_of(request: Request) -> Principal:
    """Who the gate let through; a route behind no gate is a bug, refused rather than trusted."""
    principal = request.scope.get("state", {}).get(PRINCIPAL)
    if not isinstance(principal, Principal):
        raise RuntimeError(f"{request.url.path} is not behind the gate (graph/api/http/gate.py)")
    return principal
