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


@pytest.mark.parametrize(
    "code",
    [
        "Neo.ClientError.Cluster.NotALeader",
        "Neo.ClientError.General.ForbiddenOnReadOnlyDatabase",
        "Neo.TransientError.Cluster.ReplicationFailure",
    ],
)
def test_cluster_transients_say_nothing_was_written(code: str) -> None:
    """A leader switch mid-load: the CLI exits 3 (StoreUnavailable) and says to run it again;
    these were plain database errors (exit 1) before."""
    error = _wrap(nx.Neo4jError._hydrate_neo4j(code=code, message="x"), "neo4j://h:7687")
    assert isinstance(error, StoreUnavailable)
    assert "nothing was written; run it again" in error.message


def test_out_of_transaction_memory_keeps_its_advice() -> None:
    """Transient for the driver, but running it again would fail the same way."""
    code = "Neo.TransientError.General.MemoryPoolOutOfMemoryError"
    error = _wrap(nx.Neo4jError._hydrate_neo4j(code=code, message="x"), "bolt://h:7687")
    assert not isinstance(error, StoreUnavailable)
    assert "transaction memory" in error.message
