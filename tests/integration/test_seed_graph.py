"""The seed ecosystem in the real Neo4j: the facts users ask about, checked with Cypher."""

from __future__ import annotations

import orjson
import pytest

from graph.ingest.write import load
from graph.store import Store
from loaders.sources import parse_path
from tests.integration.graphdata import fingerprint
from tests.neo4j_test import ROOT

SEEDS = ROOT / "seeds"


@pytest.fixture
async def seeded(store: Store) -> Store:
    await load(parse_path(SEEDS), store)
    return store


async def test_reloading_the_seeds_changes_nothing(seeded: Store) -> None:
    before = await fingerprint(seeded)
    await load(parse_path(SEEDS), seeded)
    assert await fingerprint(seeded) == before


async def test_who_signed_the_june_mou_for_whom_about_what(seeded: Store) -> None:
    rows = await seeded.read(
        "MATCH (p:Person)-[s:SIGNED]->(a:Agreement {kind: 'mou'}) "
        "WHERE a.signed = date('2024-06-04') "
        "MATCH (o:Organisation {id: s.onBehalfOf})-[:PARTY_TO]->(a) "
        "RETURN p.name AS person, o.name AS org, o.country AS country, a.topics AS topics "
        "ORDER BY country"
    )
    assert [(r["person"], r["org"], r["country"]) for r in rows] == [
        ("Andrus Kurvits", "Tartu Science Park", "EE"),
        ("HEO Jang-hyeon", "Gangwon Technopark", "KR"),
    ]
    assert "ai-healthcare" in rows[0]["topics"]
    assert "talent-development" in rows[0]["topics"]


async def test_signatories_are_found_by_any_spelling(seeded: Store) -> None:
    rows = await seeded.read(
        "MATCH (p:Person) WHERE any(n IN p.names WHERE n IN $spellings) RETURN p.id AS id",
        {"spellings": ["Hur Jang-hyun", "허장현"]},
    )
    assert rows == [{"id": "heo-jang-hyeon"}]


async def test_which_data_set_covers_over_200000_people_and_who_holds_it(seeded: Store) -> None:
    rows = await seeded.read(
        "MATCH (h:Organisation)-[:HOLDS_DATA]->(d:Dataset) "
        "WHERE d.individuals >= 200000 AND 'genomic' IN d.modalities "
        "OPTIONAL MATCH (h)-[:CHILD_OF*1..3]->(parent:Organisation) "
        "RETURN d.id AS dataset, h.name AS holder, d.accessRights AS access, "
        "collect(parent.name) AS parents"
    )
    assert len(rows) == 1
    assert rows[0]["dataset"] == "estonian-biobank-genomic-data"
    assert rows[0]["access"] == "restricted"
    assert "University of Tartu" in rows[0]["parents"]


async def test_who_took_part_in_the_tallinn_talks(seeded: Store) -> None:
    rows = await seeded.read(
        "MATCH (e:Event {date: date('2024-06-03'), placeCity: 'Tallinn'})"
        "<-[:PARTICIPATED_IN]-(x) "
        "RETURN e.kind AS kind, collect(x.name) AS who"
    )
    talks = {name for row in rows for name in row["who"]}
    assert {"Ministry of SMEs and Startups", "KIM Hong-ju", "Jaanika Merilo"} <= talks


async def test_estonian_bodies_with_an_mou_with_a_korean_one(seeded: Store) -> None:
    rows = await seeded.read(
        "MATCH (ee:Organisation {country: 'EE'})-[:PARTY_TO]->(a:Agreement {kind: 'mou'})"
        "<-[:PARTY_TO]-(kr:Organisation {country: 'KR'}) "
        "RETURN DISTINCT ee.name AS ee, a.id AS mou ORDER BY ee"
    )
    assert [r["ee"] for r in rows] == [
        "Estonian Business and Innovation Agency",
        "Tartu City Government",
        "Tartu Science Park",
    ]


async def test_every_fact_is_traceable_to_a_declared_source(seeded: Store) -> None:
    untraced = await seeded.read(
        "MATCH (n) WHERE size(coalesce(n.provenance, [])) = 0 RETURN n.id AS id "
        "UNION MATCH ()-[r]->() WHERE size(coalesce(r.provenance, [])) = 0 RETURN r.key AS id"
    )
    assert untraced == []
    cited = await seeded.read(
        "MATCH (n) UNWIND n.provenance AS p RETURN collect(DISTINCT p) AS entries "
    )
    sources = {r["id"] for r in await seeded.read("MATCH (s:Source) RETURN s.id AS id")}
    for entry in cited[0]["entries"]:
        assert orjson.loads(entry)["source"] in sources


async def test_unverified_facts_are_marked(seeded: Store) -> None:
    rows = await seeded.read(
        "MATCH (o:Organisation {id: 'estonian-ministry-of-social-affairs'}) "
        "RETURN o.provenance AS provenance"
    )
    flags = [orjson.loads(p)["verified"] for p in rows[0]["provenance"]]
    assert True in flags
    assert False in flags


async def test_a_link_cites_the_sources_that_state_it_not_its_records(seeded: Store) -> None:
    rows = await seeded.read(
        "MATCH (:Organisation {id: 'tartu-science-park'})-[r:FOUNDED_BY]->(f:Organisation) "
        "RETURN f.id AS founder, r.sourceIds AS sources ORDER BY founder"
    )
    assert [r["founder"] for r in rows] == [
        "estonian-university-of-life-sciences",
        "tartu-city-government",
        "tartu-county",
        "university-of-tartu",
    ]
    # The seed article, a source of the park's record, does not name its founders.
    assert all(r["sources"] == ["public-facts", "teaduspark-ee"] for r in rows), rows
    (park,) = await seeded.read(
        "MATCH (n:Organisation {id: 'tartu-science-park'}) RETURN n.sourceIds AS sources"
    )
    assert "seed-article-2024-06-06" in park["sources"]
    # A link without its own citation still cites its record's sources.
    (party,) = await seeded.read(
        "MATCH (:Organisation {id: 'gangwon-technopark'})-[r:PARTY_TO]->"
        "(:Agreement {id: 'mou-gwtp-tsp-2024-06-04'}) RETURN r.sourceIds AS sources"
    )
    assert "seed-article-2024-06-06" in party["sources"]
