"""Optimistic concurrency from a client's point of view: read `version`, send it back."""

from __future__ import annotations

import strawberry

from graph.store import Store
from tests.api.mutating import execute

READ = '{ node(id: "Organisation:tartu-science-park") { ... on Organisation { version name } } }'
UPSERT = """mutation($v: Int) {
  upsertOrganisation(
    record: {id: "tartu-science-park", kind: "science_park",
             names: [{value: "Tartu Science Park", lang: "en"}], location: {country: "EE"},
             topics: ["ai-healthcare"]}
    source: {source: "desk-note-2026-11", title: "Agency desk note"}
    expectedVersion: $v
  ) { __typename ... on Upserted { version } ... on Conflict { actualVersion } }
}"""


async def test_the_version_a_client_reads_is_the_one_a_write_checks(
    schema: strawberry.Schema, seeded: Store
) -> None:
    read = (await execute(schema, seeded, READ))["node"]["version"]
    assert read >= 1
    first = (await execute(schema, seeded, UPSERT, v=read))["upsertOrganisation"]
    assert first == {"__typename": "Upserted", "version": read + 1}
    assert (await execute(schema, seeded, READ))["node"]["version"] == read + 1
    # A second client still holding the old version loses, and learns the current one.
    stale = (await execute(schema, seeded, UPSERT, v=read))["upsertOrganisation"]
    assert stale == {"__typename": "Conflict", "actualVersion": read + 1}
