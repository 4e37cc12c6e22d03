"""Driver errors as users see them: what happened and what to do, and the right class for HTTP."""

from __future__ import annotations

import pytest
from neo4j import exceptions as nx

from graph.errors import StoreBusy, StoreError, StoreUnavailable
from graph.store import _wrap


@pytest.mark.parametrize(
    ("code", "busy"),
    [
        ("Neo.TransientError.General.DatabaseUnavailable", False),
        ("Neo.TransientError.Database.DatabaseUnavailable", False),
        ("Neo.TransientError.Transaction.LockClientStopped", True),
        ("Neo.TransientError.Transaction.DeadlockDetected", True),
    ],
)
def test_transient_conditions_say_try_again(code: str, busy: bool) -> None:
    """Neo4j going away, or a lock wait it broke: the API says 503 and Retry-After (not a 200
    with a database error), and loads retry what is only busy."""
    error = _wrap(nx.Neo4jError._hydrate_neo4j(code=code, message="x"), "bolt://h:7687")
    assert isinstance(error, StoreUnavailable)
    assert isinstance(error, StoreBusy) is busy
    assert "try again" in error.message


def test_other_database_errors_stay_database_errors() -> None:
    code = "Neo.DatabaseError.Statement.ExecutionFailed"
    error = _wrap(nx.Neo4jError._hydrate_neo4j(code=code, message="x"), "bolt://h:7687")
    assert type(error) is StoreError
    assert code in error.message
