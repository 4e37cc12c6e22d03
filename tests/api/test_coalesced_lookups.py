"""Concurrent look-ups on the real Neo4j: read together (graph/coalesce.py), answered as alone.

Requests run concurrently through the app's Executor, as the server runs them; each must get
exactly the answer it gets when asked alone, while the store sends fewer reads than look-ups.
"""

from __future__ import annotations

import asyncio
from typing import Any

import strawberry

from graph.store import Store
from tests.api.mutating import SOURCE, execute

NODE = "query($id: ID!) { node(id: $id) { ... on Organisation { key name country ror } } }"
BY_ROR = "query($v: String!) { organisationByIdentifier(scheme: ROR, value: $v) { key name ror } }"
UPSERT = """
mutation($record: JSON!, $source: CitationInput!) {
  upsertOrganisation(record: $record, source: $source) { __typename }
}"""


async def _organisations(schema: strawberry.Schema, store: Store) -> list[dict[str, Any]]:
    data = await execute(
        schema, store, "{ organisations(first: 40) { edges { node { id key ror } } } }"
    )
    return [edge["node"] for edge in data["organisations"]["edges"]]


async def test_concurrent_lookups_by_key_share_reads_and_each_gets_its_own(
    schema: strawberry.Schema, seeded: Store
) -> None:
    orgs = await _organisations(schema, seeded)
    assert len(orgs) >= 20
    ids = [o["id"] for o in orgs] + ["Organisation:no-such-organisation", orgs[0]["id"]]
    alone = [await execute(schema, seeded, NODE, id=i) for i in ids]
    before = seeded.lookups.reads
    together = await asyncio.gather(*(execute(schema, seeded, NODE, id=i) for i in ids))
    assert together == alone
    assert alone[-2] == {"node": None}
    assert [a["node"]["key"] for a in alone[:-2]] == [o["key"] for o in orgs]
    assert 0 < seeded.lookups.reads - before < len(ids)


async def test_concurrent_lookups_by_identifier_share_reads_and_each_gets_its_own(
    schema: strawberry.Schema, seeded: Store
) -> None:
    rors = [o["ror"] for o in await _organisations(schema, seeded) if o["ror"]]
    assert len(rors) >= 3
    values = [*rors, "https://ror.org/000000000", rors[0]]
    alone = [await execute(schema, seeded, BY_ROR, v=v) for v in values]
    before = seeded.lookups.reads
    together = await asyncio.gather(*(execute(schema, seeded, BY_ROR, v=v) for v in values))
    assert together == alone
    assert alone[-2] == {"organisationByIdentifier": None}
    assert all(a["organisationByIdentifier"]["ror"] == v for a, v in zip(alone, rors, strict=False))
    assert 0 < seeded.lookups.reads - before < len(values)


async def test_a_lookup_asked_after_a_write_sees_it_while_others_are_in_flight(
    schema: strawberry.Schema, seeded: Store
) -> None:
    orgs = await _organisations(schema, seeded)

    async def busy() -> None:  # look-ups of the same shape, in flight the whole time
        for _ in range(5):
            await asyncio.gather(*(execute(schema, seeded, NODE, id=o["id"]) for o in orgs))

    async def write_then_read(n: int) -> dict[str, Any]:
        record = {
            "id": f"coalesce-test-{n}",
            "kind": "company",
            "names": [{"value": f"Coalesce Test {n}", "lang": "en"}],
            "location": {"country": "EE"},
        }
        done = await execute(schema, seeded, UPSERT, record=record, source=SOURCE)
        assert done["upsertOrganisation"]["__typename"] == "Upserted"
        return await execute(schema, seeded, NODE, id=f"Organisation:coalesce-test-{n}")

    background = asyncio.create_task(busy())
    seen = [await write_then_read(n) for n in range(5)]
    await background
    assert [s["node"]["name"] if s["node"] else None for s in seen] == [
        f"Coalesce Test {n}" for n in range(5)
    ]
