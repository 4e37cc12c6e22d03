"""How execution errors reach clients: ours keep message and code, bugs are masked."""

from __future__ import annotations

import logging

import pytest
from graphql import GraphQLError

from graph.api.execution.masking import classify
from graph.errors import (
    CompileError,
    NotFoundError,
    PartnergraphError,
    StoreError,
    StoreTimeout,
    StoreUnavailable,
    UserError,
)


def _classified(original: Exception) -> GraphQLError:
    error = GraphQLError(str(original), original_error=original)
    classify(error)
    return error


@pytest.mark.parametrize(
    ("original", "code"),
    [
        (UserError("page too large"), "BAD_USER_INPUT"),
        (NotFoundError("Organisation", "org:x"), "NOT_FOUND"),
        (StoreTimeout("Neo4j stopped the query: it timed out"), "STORE_TIMEOUT"),
    ],
)
def test_our_errors_keep_their_message_and_code(original: PartnergraphError, code: str) -> None:
    error = _classified(original)
    assert error.message == original.message
    assert error.extensions == {"code": code}


@pytest.mark.parametrize(
    ("original", "code", "message"),
    [
        (
            CompileError("no spec for Organisation.secret"),
            "INTERNAL_SERVER_ERROR",
            "internal error",
        ),
        (KeyError("organisation"), "INTERNAL_SERVER_ERROR", "internal error"),
        (
            StoreError("Neo4j error Neo.ClientError.Statement.SyntaxError: MATCH (n"),
            "STORE_ERROR",
            "the database could not answer this request",
        ),
    ],
)
def test_bugs_and_database_errors_are_masked_and_logged(
    original: Exception, code: str, message: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="graph.api"):
        error = _classified(original)
    assert (error.message, error.extensions) == (message, {"code": code})
    assert caplog.records, "a masked error is logged in full for the operator"


def test_a_store_outage_says_unavailable() -> None:
    error = _classified(StoreUnavailable("store unavailable: Neo4j cannot be reached"))
    assert error.extensions == {"code": "STORE_UNAVAILABLE"}
