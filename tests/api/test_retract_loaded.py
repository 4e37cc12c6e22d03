"""Retracting a record only loads assert: it exists, so the answer says the API asserted nothing."""

from __future__ import annotations

import strawberry

from graph.store import Store
from tests.api.mutating import execute
from tests.integration.graphdata import fingerprint

RETRACT = (
    """mutation($id: ID!) { retract(id: $id) { __typename ... on NotFound { id message } } }"""
)


async def test_retract_of_a_record_the_api_never_asserted_says_so(
    schema: strawberry.Schema, seeded: Store
) -> None:
    before = await fingerprint(seeded)
    answer = await execute(schema, seeded, RETRACT, id="Organisation:university-of-tartu")
    result = answer["retract"]
    assert result["__typename"] == "NotFound"
    message = result["message"]
    assert message.startswith("the API asserted nothing about Organisation 'university-of-tartu'")
    assert "asserted by korea-estonia" in message, message
    assert "no Organisation with id" not in message
    assert await fingerprint(seeded) == before


async def test_retract_of_an_absent_record_still_says_there_is_none(
    schema: strawberry.Schema, seeded: Store
) -> None:
    answer = await execute(schema, seeded, RETRACT, id="Organisation:no-such-organisation")
    assert answer["retract"]["message"].startswith("no Organisation with id 'no-such-organisation'")
