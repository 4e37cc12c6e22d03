"""ROR in the real Neo4j: the Estonia/Korea extract and the seeds, resolved into one graph."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from graph.api.schema.context import Context
from graph.ingest.write import load
from graph.store import Store
from loaders.sources import parse_path
from tests.api.executing import default_executor
from tests.integration.graphdata import fingerprint
from tests.neo4j_test import ROOT


async def _load_both(store: Store, shared_ror: Path) -> None:
    units = parse_path(ROOT / "seeds") + parse_path(shared_ror / "ror-ee-kr-subset.jsonl")
    await load(units, store)


async def test_university_of_tartu_is_one_node_with_both_sources(
    store: Store, shared_ror: Path
) -> None:
    await _load_both(store, shared_ror)
    rows = await store.read(
        "MATCH (n:Organisation) WHERE n.ror = '03z77qz90' OR 'Tartu Ülikool' IN n.names "
        "RETURN n.id AS id, n.origins AS origins, n.provenance AS provenance"
    )
    assert len(rows) == 1
    node = rows[0]
    assert node["id"] == "university-of-tartu"
    assert node["origins"] == ["korea-estonia-ai-healthcare", "ror:ror-ee-kr-subset.jsonl"]
    sources = {orjson.loads(p)["source"] for p in node["provenance"]}
    assert {"ror", "seed-article-2024-06-06"} <= sources


async def test_withdrawn_duplicate_points_to_its_successor(store: Store, shared_ror: Path) -> None:
    await _load_both(store, shared_ror)
    rows = await store.read(
        "MATCH (d:Organisation {ror: '03sws5s65'})-[:SUCCEEDED_BY]->(s:Organisation) "
        "RETURN d.status AS status, s.id AS successor, s.ror AS ror"
    )
    assert rows == [
        {"status": "withdrawn", "successor": "ministry-of-smes-and-startups", "ror": "022c4zk48"}
    ]


async def test_loading_seeds_and_ror_twice_changes_nothing(store: Store, shared_ror: Path) -> None:
    await _load_both(store, shared_ror)
    before = await fingerprint(store)
    await _load_both(store, shared_ror)
    assert await fingerprint(store) == before
    count = await store.read("MATCH (n:Organisation) WHERE n.ror IS NOT NULL RETURN count(n) AS n")
    assert count == [{"n": 813}]


async def test_units_of_a_withdrawn_duplicate_hang_under_its_successor(
    store: Store, shared_ror: Path
) -> None:
    await _load_both(store, shared_ror)
    data = await _gql(
        store,
        """{ organisations(first: 50, where: {parents: {some: {key: {eq:
               "ministry-of-smes-and-startups"}}}}) { edges { node { key ror } } } }""",
    )
    units = {e["node"]["ror"] for e in data["organisations"]["edges"]}
    assert "02kxx1z36" in units  # TIPA: ROR says so only on the withdrawn duplicate
    withdrawn = await _gql(
        store,
        """{ organisations(where: {children: {some: {ror: {eq: "02kxx1z36"}}}}) {
               edges { node { key status } } } }""",
    )
    assert [e["node"] for e in withdrawn["organisations"]["edges"]] == [
        {"key": "ministry-of-smes-and-startups", "status": "ACTIVE"}
    ]


async def test_search_ranks_the_live_record_before_its_withdrawn_duplicate(
    store: Store, shared_ror: Path
) -> None:
    await _load_both(store, shared_ror)
    query = """{ search(text: "중소벤처기업부") {
        edges { score node { ... on Organisation { key status } } } } }"""
    data = await _gql(store, query)
    hits = [h["node"] for h in data["search"]["edges"]]
    assert hits[0] == {"key": "ministry-of-smes-and-startups", "status": "ACTIVE"}
    assert {"key": "ror-03sws5s65", "status": "WITHDRAWN"} in hits[1:]
    # Ranked, not merely ordered by id on a tie: the two share every name.
    score = {h["node"]["key"]: h["score"] for h in data["search"]["edges"]}
    assert score["ministry-of-smes-and-startups"] > score["ror-03sws5s65"]


async def _gql(store: Store, query: str) -> dict[str, Any]:
    result = await default_executor().run(query, Context(store=store.view()))
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data
