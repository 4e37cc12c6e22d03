"""What the mutation tests share: the principals, a source, the delete mutation, and `execute`."""

from __future__ import annotations

from typing import Any

import strawberry

from graph.api.schema.context import Context
from graph.auth import Principal, Role
from graph.store import Store
from tests.api.executing import executor_of

EDITOR = Principal(name="agency-desk", role=Role.EDITOR, key_id="k1")

SOURCE = {"source": "desk-note-2026-11", "title": "Agency desk note", "where": "item 3"}

ADMIN = Principal(name="data-steward", role=Role.ADMIN, key_id="k9")
DELETE = """
mutation($id: ID!, $reason: String!, $v: Int) {
  delete(id: $id, reason: $reason, expectedVersion: $v) {
    __typename
    ... on Deleted { id kind name origins version relationshipsDeleted }
    ... on NotFound { message }
    ... on Conflict { expectedVersion actualVersion }
    ... on StillCited { nodes relationships message }
    ... on ValidationFailed { problems { field message } }
  }
}"""


async def execute(
    schema: strawberry.Schema, store: Store, query: str, principal: Principal = EDITOR, **v: Any
) -> dict[str, Any]:
    result = await executor_of(schema).run(
        query, Context(store=store.view(), principal=principal), v
    )
    if result.errors:
        return {"errors": [(e.message, (e.extensions or {}).get("code")) for e in result.errors]}
    assert result.data is not None
    return result.data
