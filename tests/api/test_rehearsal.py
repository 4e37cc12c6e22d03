"""The write rehearsal at start-up (graph/api/http/rehearsal.py), on the real Neo4j.

It must write nothing, and it must send Neo4j the very statements a real write of the same shape
sends: Neo4j caches plans by statement text, so only then does it spare the first real write
the planning.
"""

from __future__ import annotations

from typing import Any, LiteralString

import pytest
import strawberry

from graph.api.http.rehearsal import UPSERTS, rehearse
from graph.store import Store, WriteTx
from tests.api.executing import executor_of
from tests.api.mutating import execute

COUNTS: LiteralString = (
    "MATCH (n) WITH labels(n)[0] AS label, count(n) AS nodes RETURN label, nodes ORDER BY label"
)


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The text of every statement run in a write transaction, in order (they still run)."""
    sent: list[str] = []
    run = WriteTx.run

    async def recorded(self: WriteTx, query: LiteralString, params: Any = None) -> Any:
        sent.append(query)
        return await run(self, query, params)

    monkeypatch.setattr(WriteTx, "run", recorded)
    return sent


async def test_a_rehearsal_writes_nothing(schema: strawberry.Schema, seeded: Store) -> None:
    before = await seeded.read(COUNTS)
    relationships = await seeded.read("MATCH ()-[r]->() RETURN count(r) AS n")
    took = await rehearse(executor_of(schema), seeded)
    assert took is not None  # it ran: Neo4j answered
    assert await seeded.read(COUNTS) == before  # AuditEntry included
    assert await seeded.read("MATCH ()-[r]->() RETURN count(r) AS n") == relationships
    left = await seeded.read(
        "MATCH (n) WHERE n.id STARTS WITH 'partnergraph-rehearsal-' RETURN count(n) AS n"
    )
    assert left == [{"n": 0}]


async def test_a_rehearsal_sends_the_statements_of_a_real_write_of_its_shape(
    schema: strawberry.Schema, seeded: Store, statements: list[str]
) -> None:
    await rehearse(executor_of(schema), seeded)
    rehearsed = list(statements)
    assert len(rehearsed) >= 2 * len(UPSERTS)
    real: list[list[str]] = []
    # A new organisation citing a new source, then another citing that source again (known and
    # unchanged by then): both must be planned by the rehearsal's one statement.
    for n in range(2):
        statements.clear()
        done = await execute(
            schema,
            seeded,
            UPSERTS[0],
            id=f"rehearsal-test-{n}",
            name=f"Rehearsal Test Company {n}",
            source="rehearsal-test-source",
        )
        assert done == {"upsertOrganisation": {"__typename": "Upserted"}}
        real.append(list(statements))
    assert real[0] == real[1]
    assert set(real[0]) <= set(rehearsed)
