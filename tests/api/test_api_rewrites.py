"""Writing a record or link again replaces what that write said before, and only that."""

from __future__ import annotations

import strawberry

from graph.store import Store
from tests.api.mutating import execute

UPSERT = """mutation($source: CitationInput!, $description: String) {
  upsertOrganisation(
    record: {id: "tartu-biotech-park", kind: "science_park",
             names: [{value: "Tartu Biotechnology Park", lang: "en"}],
             location: {country: "EE"}, description: $description}
    source: $source
  ) { __typename ... on ValidationFailed { problems { field message } } }
}"""
DESK_NOTE = {"source": "desk-note-2026-11", "title": "Agency desk note", "where": "item 3"}
BY_ID = {"source": "desk-note-2026-11", "where": "item 4"}
CITED = """{ node(id: "Organisation:tartu-biotech-park") { ... on Organisation {
  description provenance { source { key title } } } } }"""


async def test_a_source_described_once_stays_for_writes_that_cite_it_by_id(
    schema: strawberry.Schema, seeded: Store
) -> None:
    first = await execute(schema, seeded, UPSERT, source=DESK_NOTE, description="one")
    assert first["upsertOrganisation"]["__typename"] == "Upserted"
    # The same record rewritten, citing the source by id only: it used to delete the source
    # (no longer asserted by the record's origin) and leave the citation dangling.
    again = await execute(schema, seeded, UPSERT, source=BY_ID, description="two")
    assert again["upsertOrganisation"]["__typename"] == "Upserted"
    node = (await execute(schema, seeded, CITED))["node"]
    assert node["description"] == "two"
    assert {"key": "desk-note-2026-11", "title": "Agency desk note"} in [
        c["source"] for c in node["provenance"]
    ]
    # And a third write citing it by id still finds it.
    third = await execute(schema, seeded, UPSERT, source=BY_ID, description="three")
    assert third["upsertOrganisation"]["__typename"] == "Upserted"


LINK = """mutation($start: Date) {
  link(kind: POSITION, from: "Person:heo-jang-hyeon", to: "Organisation:tartu-science-park",
       title: "Visiting adviser", start: $start,
       source: {source: "desk-note-2026-11", title: "Agency desk note"}) { __typename }
}"""
POSITION = (
    "MATCH (:Person {id: 'heo-jang-hyeon'})-[r:HOLDS_POSITION]->"
    "(:Organisation {id: 'tartu-science-park'}) RETURN properties(r) AS props"
)


async def test_a_link_written_again_without_a_property_loses_it(
    schema: strawberry.Schema, seeded: Store
) -> None:
    await execute(schema, seeded, LINK, start="2025-03-01")
    (before,) = await seeded.read(POSITION)
    assert str(before["props"]["start"]) == "2025-03-01"
    await execute(schema, seeded, LINK, start=None)
    (after,) = await seeded.read(POSITION)
    assert "start" not in after["props"]
    assert after["props"]["title"] == "Visiting adviser"
    assert after["props"]["origins"] == before["props"]["origins"]
