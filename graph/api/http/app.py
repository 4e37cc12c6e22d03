"""The Starlette app: GraphQL at /graphql, liveness at /health, Neo4j readiness at /ready."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from graph.api.execution.limits.rules import Limits
from graph.api.http.bodydeadline import BodyDeadline
from graph.api.http.endpoint import DEBUG_HEADER, GraphQLEndpoint
from graph.api.http.exports import export_route
from graph.api.http.exportslots import ExportSlots
from graph.api.http.gate import Gate, principal_of
from graph.api.http.headerdeadline import SEND_TIMEOUT
from graph.api.http.pages import routes as web_routes
from graph.api.http.perclient import PerClientLimit
from graph.api.http.ratelimit import RateLimiter
from graph.api.http.rehearsal import rehearse
from graph.api.schema.build import build_schema
from graph.api.schema.context import Context
from graph.auth import KeyStore, keys_file
from graph.errors import StoreError, StoreUnavailable
from graph.settings import Settings
from graph.store import Store, Target

log = logging.getLogger(__name__)


class _Stores:
    """The app's one Store, opened by the lifespan; None until start-up has run."""

    store: Store | None = None

    def get(self) -> Store:
        if self.store is None:
            raise StoreUnavailable("store unavailable: the app has not finished starting")
        return self.store


def create_app(settings: Settings, target: Target) -> Starlette:
    """The app owns one driver for its lifetime, opened at start-up and closed at shutdown."""
    stores = _Stores()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, float]]:
        # The API starts even when Neo4j is down: /ready says so, and the driver reconnects by
        # itself when Neo4j comes back, without a restart.
        stores.store = await Store.open(target, timeout_s=settings.neo4j_timeout_s, verify=False)
        rehearsal: asyncio.Task[float | None] | None = None
        try:
            await stores.store.verify()
            await stores.store.setup_schema()
            # In the background: the app serves meanwhile (graph/api/http/rehearsal.py).
            # `graphql` is made below, before the app can start.
            rehearsal = asyncio.create_task(rehearse(graphql.executor, stores.store))
        except StoreError as exc:
            log.warning("starting without Neo4j: %s", exc.message)
        try:
            # For the protocol (graph/api/http/headerdeadline.py): the server reads it there.
            yield {SEND_TIMEOUT: settings.send_timeout_s}
        finally:
            if rehearsal is not None:
                rehearsal.cancel()
                await asyncio.gather(rehearsal, return_exceptions=True)
            await graphql.executor.degrees.stop()
            await stores.store.close()
            stores.store = None

    keys = KeyStore(keys_file(settings))
    limiter = RateLimiter(settings.rate_per_second, settings.rate_burst)

    def context(request: Request) -> Context:
        """The store and who asks (decided by the gate, before the body was read)."""
        return Context(store=stores.get().view(), request=request, principal=principal_of(request))

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def ready(request: Request) -> Response:
        try:
            await stores.get().verify()
        except StoreError as exc:
            return JSONResponse({"status": "unavailable", "error": exc.message}, status_code=503)
        return JSONResponse({"status": "ready"})

    # Outermost first: a client over its share is refused before its body is even awaited.
    # The gate is innermost, so that CORS answers preflights (which carry no key) and adds its
    # headers to the gate's refusals.
    middleware = [
        Middleware(PerClientLimit, max_in_flight=settings.max_client_requests),
        Middleware(BodyDeadline, timeout_s=settings.body_timeout_s),
        Middleware(GZipMiddleware, minimum_size=1024),
    ]
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origins,
                allow_methods=["GET", "POST"],
                allow_headers=["Content-Type", "Authorization", "X-API-Key", DEBUG_HEADER],
                # Browsers hide other headers from scripts; clients need this one to back off.
                expose_headers=["Retry-After"],
            )
        )
    middleware.append(
        Middleware(Gate, keys=keys, limiter=limiter, require_key=settings.require_key_for_reads)
    )
    graphql = GraphQLEndpoint(build_schema(), Limits.from_settings(settings), context)
    routes = [
        Route("/health", health),
        Route("/ready", ready),
        Route("/graphql", graphql.endpoint, methods=["GET", "POST"]),
        *web_routes(),
        export_route(context, ExportSlots(settings.max_exports, settings.max_client_exports)),
    ]
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
