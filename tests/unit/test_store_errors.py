"""Driver errors as users see them: what happened and what to do, and the right class for HTTP."""

from __future__ import annotations

import pytest
from neo4j import exceptions as nx

from graph.errors import StoreError, StoreUnavailable
from graph.store import _wrap


@pytest.mark.parametrize(
    "code",
    [
        "Neo.TransientError.General.DatabaseUnavailable",
        "Neo.TransientError.Database.DatabaseUnavailable",
        "Neo.TransientError.Transaction.LockClientStopped",
    ],
)
def test_neo4j_going_away_is_unavailable(code: str) -> None:
    """Answered while Neo4j shuts down: the API must say 503 and Retry-After, not 200."""
    error = _wrap(nx.Neo4jError._hydrate_neo4j(code=code, message="x"), "bolt://h:7687")
    assert isinstance(error, StoreUnavailable)
    assert "try again" in error.message


def test_other_database_errors_stay_database_errors() -> None:
    code = "Neo.DatabaseError.Statement.ExecutionFailed"
    error = _wrap(nx.Neo4jError._hydrate_neo4j(code=code, message="x"), "bolt://h:7687")
    assert type(error) is StoreError
    assert code in error.message
