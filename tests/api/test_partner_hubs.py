"""`partners` around a hub: the right answer on a known structure, and work that stays bounded.

The graph is loaded through the loaders: a hub with thousands of agreements (each with a filler
organisation abroad), a few organisations with known links to it, and a second hub behind it
whose own agreements make the far neighbourhood as large as a test wants.
"""

from __future__ import annotations

from typing import Any, LiteralString

import pytest
import strawberry

from graph.api.schema.context import Context
from graph.cypher import partners
from graph.ingest.write import load
from graph.store import Params, Row, Store
from tests.api.executing import executor_of
from tests.integration.graphdata import bundle, cite, org

NEAR = 2000  # agreements of the hub with fillers: the hub's few thousand relationships
FAR = 600  # agreements of the second hub with fillers, per load of `_far`
QUERY = """query($id: ID!, $country: String, $first: Int!) {
  partners(organisation: $id, country: $country, first: $first) {
    score distance sharedProjects sharedAgreements mouChain sharedTopics
    organisation { key } } }"""


def _agreement(id: str, *parties: str, signed: str = "2024-01-01") -> dict[str, Any]:
    return {
        "id": id,
        "kind": "mou",
        "title": f"Agreement {id}",
        "signed": signed,
        "parties": [{"organisation": p} for p in parties],
        "sources": cite(),
    }


def _project(id: str, *members: str) -> dict[str, Any]:
    return {
        "id": id,
        "kind": "joint_rnd",
        "title": f"Project {id}",
        "participants": [{"organisation": m} for m in members],
        "sources": cite(),
    }


async def _known(store: Store) -> None:
    organisations = [
        org("hub", "Hub Technopark", "KR", topics=["ai-healthcare", "genomics"]),
        org("a", "A Park", "EE", topics=["ai-healthcare"]),
        org("b", "B Ministry", "EE"),
        org("c", "C University", "EE", topics=["ai-healthcare", "genomics"]),
        org("d", "D Biobank", "EE", topics=["genomics"]),
        org("e", "E Agency", "EE"),  # linked to nothing, sharing nothing: never a candidate
        org("hub2", "Second Hub", "US"),
        *(org(f"f-{i:04d}", f"Filler {i}", "US") for i in range(NEAR)),
    ]
    agreements = [
        _agreement("s1", "hub", "b"),
        _agreement("s2", "b", "c"),
        *(_agreement(f"x{i}", "hub", "hub2") for i in range(3)),
        *(_agreement(f"fa-{i:04d}", "hub", f"f-{i:04d}", signed="2020-01-01") for i in range(NEAR)),
    ]
    projects = [_project("p1", "hub", "a"), _project("p2", "hub", "a")]
    await load(
        [
            bundle(
                "known",
                organisations=organisations,
                agreements=agreements,
                projects=projects,
            )
        ],
        store,
    )


async def _far(store: Store, part: int) -> None:
    """FAR more organisations behind the second hub: 4 hops from the hub, through MoU chains."""
    ids = [f"g{part}-{i:04d}" for i in range(FAR)]
    await load(
        [
            bundle(
                f"far-{part}",
                organisations=[org(i, f"Far {i}", "US") for i in ids],
                agreements=[_agreement(f"ga-{i}", "hub2", i) for i in ids],
            )
        ],
        store,
    )


class _Recording(Store):
    """The store, keeping the reads it runs, to profile the very query `partners` compiled."""

    reads: list[tuple[LiteralString, Params | None]]

    async def read_values(self, query: LiteralString, params: Params | None = None) -> list[Row]:
        self.reads.append((query, params))
        return await super().read_values(query, params)


def _db_hits(plan: Any) -> int:
    return int(plan.get("dbHits", 0)) + sum(_db_hits(c) for c in plan.get("children", []))


async def _ask(
    schema: strawberry.Schema, store: Store, country: str | None = None, first: int = 10
) -> tuple[list[dict[str, Any]], int]:
    """The suggestions for the hub, and the database hits of the one query that found them."""
    recording = _Recording(driver=store.driver, target=store.target, timeout_s=store.timeout_s)
    recording.reads = []
    variables = {"id": "Organisation:hub", "country": country, "first": first}
    result = await executor_of(schema).run(QUERY, Context(store=recording), variables)
    assert result.errors is None, result.errors
    assert result.data is not None
    [(query, params)] = recording.reads
    async with store.driver.session(database=store.target.database) as session:
        summary = await (await session.run("PROFILE " + query, dict(params or {}))).consume()
    assert summary.profile is not None
    return result.data["partners"], _db_hits(summary.profile)


def _row(s: dict[str, Any]) -> tuple[Any, ...]:
    return (
        s["organisation"]["key"],
        s["score"],
        s["distance"],
        s["sharedProjects"],
        s["sharedAgreements"],
        s["mouChain"],
        s["sharedTopics"],
    )


async def test_partners_of_a_hub_are_exact_on_a_known_structure(
    schema: strawberry.Schema, store: Store
) -> None:
    await _known(store)
    await _far(store, 0)
    abroad, _ = await _ask(schema, store, country="EE")
    # a: 2 projects (3 each), 2 hops (1.5), 1 topic; c: an MoU chain through b (2), 4 hops
    # (0.5), 2 topics; b: 1 agreement (2), 2 hops (1.5); d: 1 topic only; e: nothing.
    assert [_row(s) for s in abroad] == [
        ("a", 8.5, 2, 2, 0, 0, ["ai-healthcare"]),
        ("c", 4.5, 4, 0, 0, 1, ["ai-healthcare", "genomics"]),
        ("b", 3.5, 2, 0, 1, 0, []),
        ("d", 1.0, None, 0, 0, 0, ["genomics"]),
    ]
    anywhere, _ = await _ask(schema, store, first=6)
    # Abroad too: the second hub (3 agreements, 2 hops), then the organisations behind it: an
    # MoU chain through each of those 3 agreements, 4 hops; the fillers (2 + 1.5) come after.
    assert [_row(s) for s in anywhere] == [
        ("a", 8.5, 2, 2, 0, 0, ["ai-healthcare"]),
        ("hub2", 7.5, 2, 0, 3, 0, []),
        *((f"g0-{i:04d}", 6.5, 4, 0, 0, 3, []) for i in range(4)),
    ]


async def test_partners_of_a_hub_do_bounded_work(
    schema: strawberry.Schema, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Bounds small enough for a test graph to exceed them: they are parameters of the query.
    monkeypatch.setattr(partners, "NODES_PER_HOP", 100)
    monkeypatch.setattr(partners, "LINKS_PER_HOP", 300)
    monkeypatch.setattr(partners, "CHAIN_PARTNERS", 5)
    monkeypatch.setattr(partners, "CHAIN_LINKS", 100)
    await _known(store)
    await _far(store, 0)
    before, hits = await _ask(schema, store, country="EE")
    await _far(store, 1)  # twice as many organisations behind the second hub
    after, hits_after = await _ask(schema, store, country="EE")
    # What is counted in full stays exact whatever the bounds.
    assert _row(before[0]) == _row(after[0]) == ("a", 8.5, 2, 2, 0, 0, ["ai-healthcare"])
    # The far neighbourhood grew by 1,200 nodes and 1,200 relationships; an unbounded walk
    # would read them all (several hits each), the bounded one does not notice them.
    assert hits_after - hits < 200, (hits, hits_after)
    # What remains grows with the hub's own links only (read in full: shared agreements are
    # counted exactly, and the walk starts from the most recent): about 21 hits per link here.
    assert hits < 40 * NEAR, hits
