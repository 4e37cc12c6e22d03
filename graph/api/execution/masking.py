"""Errors as users see them: what was wrong and how to fix it; never Cypher, traces or secrets."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from graph.errors import (
    InternalError,
    PartnergraphError,
    StoreError,
    StoreTimeout,
    StoreUnavailable,
    UserError,
)

log = logging.getLogger(__name__)


def classify(error: GraphQLError) -> None:
    """Give an execution error its `extensions.code`; mask anything unexpected."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return  # a GraphQL error proper (validation, coercion): its message is for the user
    if isinstance(original, StoreUnavailable):
        error.extensions = {"code": "STORE_UNAVAILABLE"}
    elif isinstance(original, StoreTimeout):
        # The query asked too much, not a fault to trace: one line, and the client is told it
        # timed out (HTTP 504, graph/api/http/endpoint.py) rather than "database error".
        log.warning("a query ran past Neo4j's time limit: %s", original.message)
        error.message = original.message
        error.extensions = {"code": original.code}
    elif isinstance(original, UserError):
        error.extensions = {"code": original.code}
    elif isinstance(original, StoreError):
        log.error("store error: %s", original.message, exc_info=original)
        error.message = "the database could not answer this request"
        error.extensions = {"code": "STORE_ERROR"}
    elif isinstance(original, PartnergraphError) and not isinstance(original, InternalError):
        error.extensions = {"code": original.code}
    else:
        log.error("internal error", exc_info=original)
        error.message = "internal error"
        error.extensions = {"code": "INTERNAL_SERVER_ERROR"}


class ErrorCodes(SchemaExtension):
    """Classifies every execution error before the response is built."""

    def on_execute(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        for error in (result.errors if result is not None else None) or []:
            classify(error)
