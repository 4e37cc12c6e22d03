"""The load pipeline on the real Neo4j: idempotency, source replacement, resolution, atomicity."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest

from graph.cypher import schema as cypher_schema
from graph.errors import ConflictError, InputError
from graph.ingest.write import load
from graph.store import Store
from tests.integration.graphdata import bundle, cite, fingerprint, org

MOU = {
    "id": "mou-a-b",
    "kind": "mou",
    "title": "MoU between A and B",
    "signed": "2024-06-04",
    "parties": [{"organisation": "org-a"}, {"organisation": "org-b"}],
    "sources": cite(),
}


def _seed(**extra: Any) -> dict[str, Any]:
    return {
        "organisations": [org("org-a", "Alpha University"), org("org-b", "Beta Park", "KR")],
        "agreements": [MOU],
        **extra,
    }


async def test_loading_twice_changes_nothing(store: Store) -> None:
    await load([bundle("eco", **_seed())], store)
    first = await fingerprint(store)
    report = await load([bundle("eco", **_seed())], store)
    assert await fingerprint(store) == first
    assert report.nodes == {"Source": 1, "Organisation": 2, "Agreement": 1}


async def test_parties_and_provenance_are_written(store: Store) -> None:
    await load([bundle("eco", **_seed())], store)
    rows = await store.read(
        "MATCH (o:Organisation)-[r:PARTY_TO]->(a:Agreement {id: 'mou-a-b'}) "
        "RETURN o.id AS org, r.role AS role, r.origins AS origins, a.signed AS signed, "
        "a.sourceIds AS sources ORDER BY org"
    )
    assert [(r["org"], r["role"], r["origins"]) for r in rows] == [
        ("org-a", "party", ["eco"]),
        ("org-b", "party", ["eco"]),
    ]
    assert str(rows[0]["signed"]) == "2024-06-04"
    assert rows[0]["sources"] == ["src-a"]


async def test_reload_replaces_an_origins_facts_but_keeps_other_sources(store: Store) -> None:
    shared = org("org-a", "Alpha University", source="src-b")
    await load([bundle("eco", **_seed()), bundle("other", "src-b", organisations=[shared])], store)
    # The ecosystem drops the MoU and org-a; the other origin still asserts org-a.
    await load([bundle("eco", organisations=[org("org-b", "Beta Park", "KR")])], store)
    rows = await store.read(
        "MATCH (n:Organisation) RETURN n.id AS id, n.origins AS origins ORDER BY id"
    )
    assert rows == [{"id": "org-a", "origins": ["other"]}, {"id": "org-b", "origins": ["eco"]}]
    assert await store.read("MATCH (a:Agreement) RETURN a.id AS id") == []
    assert await store.read("MATCH ()-[r:PARTY_TO]->() RETURN count(r) AS n") == [{"n": 0}]


async def test_same_organisation_from_two_loaders_is_one_node(store: Store) -> None:
    seeds = org("university-of-tartu", "University of Tartu", identifiers={"ror": "03z77qz90"})
    registry = org(
        "ror-03z77qz90",
        "Tartu Ülikool",
        source="ror",
        identifiers={"ror": "https://ror.org/03z77qz90", "wikidata": "Q204181"},
        established=1632,
    )
    await load([bundle("seeds", organisations=[seeds])], store)
    report = await load([bundle("ror", "ror", priority=50, organisations=[registry])], store)
    assert report.merged_organisations == 1
    rows = await store.read(
        "MATCH (n:Organisation) RETURN n.id AS id, n.origins AS origins, n.names AS names, "
        "n.wikidata AS wikidata, n.established AS established, n.ids AS ids"
    )
    assert len(rows) == 1
    node = rows[0]
    assert node["id"] == "university-of-tartu"
    assert node["origins"] == ["ror", "seeds"]
    assert set(node["names"]) == {"University of Tartu", "Tartu Ülikool"}
    assert (node["wikidata"], node["established"]) == ("Q204181", 1632)
    assert node["ids"] == ["ror-03z77qz90", "university-of-tartu"]


async def test_name_and_country_resolve_across_unicode_forms(store: Store) -> None:
    nfc = org("tartu-uni", "Tartu Ülikool")
    nfd = org("ut-nfd", unicodedata.normalize("NFD", "TARTU ÜLIKOOL"), source="src-b")
    elsewhere = org("ut-kr", "Tartu Ülikool", "KR", source="src-b")
    await load([bundle("a", organisations=[nfc])], store)
    await load([bundle("b", "src-b", organisations=[nfd, elsewhere])], store)
    rows = await store.read("MATCH (n:Organisation) RETURN n.id AS id ORDER BY id")
    assert [r["id"] for r in rows] == ["tartu-uni", "ut-kr"]


async def test_contradicting_identifiers_are_never_merged(store: Store) -> None:
    active = org("mss", "Ministry of SMEs and Startups", "KR", identifiers={"ror": "022c4zk48"})
    withdrawn = org(
        "mss-dup",
        "Ministry of SMEs and Startups",
        "KR",
        identifiers={"ror": "03sws5s65"},
        status="withdrawn",
        relations=[{"type": "successor", "organisation": "mss"}],
    )
    await load([bundle("a", organisations=[active, withdrawn])], store)
    rows = await store.read(
        "MATCH (d:Organisation {id: 'mss-dup'})-[:SUCCEEDED_BY]->(s) RETURN s.id AS successor"
    )
    assert rows == [{"successor": "mss"}]


async def test_dangling_reference_is_refused_and_nothing_written(store: Store) -> None:
    await load([bundle("eco", **_seed())], store)
    before = await fingerprint(store)
    bad = dict(MOU, id="mou-x", parties=[{"organisation": "org-a"}, {"organisation": "nobody"}])
    with pytest.raises(InputError) as info:
        await load([bundle("eco", **_seed(agreements=[MOU, bad]))], store)
    (problem,) = info.value.problems
    assert (problem.id, problem.field) == ("mou-x", "parties[1].organisation")
    assert "unknown organisation 'nobody'" in problem.message
    assert await fingerprint(store) == before


async def test_reference_to_a_fact_already_in_the_graph_resolves(store: Store) -> None:
    await load([bundle("eco", **_seed())], store)
    project = {
        "id": "joint-rnd",
        "kind": "joint_rnd",
        "title": "Joint R&D",
        "agreement": "mou-a-b",
        "participants": [{"organisation": "org-a", "role": "partner"}],
        "sources": cite("src-b"),
    }
    await load([bundle("analyst", "src-b", projects=[project])], store)
    rows = await store.read(
        "MATCH (:Organisation {id: 'org-a'})-[:PARTICIPATES_IN]->(p)-[:RUNS_UNDER]->(a) "
        "RETURN p.id AS p, a.id AS a"
    )
    assert rows == [{"p": "joint-rnd", "a": "mou-a-b"}]


async def test_failure_midway_leaves_the_graph_as_it_was(store: Store) -> None:
    await load([bundle("eco", **_seed())], store)
    before = await fingerprint(store)

    class Crash:
        def start(self, total: int) -> None:
            pass

        def __call__(self, phase: str, rows: int) -> None:
            raise RuntimeError("the loader died after its first batch")

    bigger = _seed(organisations=[org(f"org-{i}", f"Org {i}") for i in range(50)])
    bigger["organisations"] += [org("org-a", "Alpha University"), org("org-b", "Beta", "KR")]
    with pytest.raises(RuntimeError):
        await load([bundle("eco", **bigger)], store, batch_size=5, progress=Crash())
    assert await fingerprint(store) == before


async def test_dry_run_writes_nothing(store: Store) -> None:
    report = await load([bundle("eco", **_seed())], store, dry_run=True)
    assert report.dry_run
    assert report.nodes["Organisation"] == 2
    assert await store.read(cypher_schema.COUNT_NODES) == [{"count": 0}]


async def test_citation_of_an_unknown_source_is_refused(store: Store) -> None:
    stray = org("org-z", "Zeta", source="nowhere")
    with pytest.raises(InputError) as info:
        await load([bundle("eco", organisations=[stray])], store)
    (problem,) = info.value.problems
    assert (problem.id, problem.field) == ("org-z", "sources")
    assert "unknown source 'nowhere'" in problem.message
    assert await store.read(cypher_schema.COUNT_NODES) == [{"count": 0}]


async def test_citation_of_a_source_already_in_the_graph_resolves(store: Store) -> None:
    await load([bundle("eco", **_seed())], store)
    later: dict[str, Any] = {"organisations": [org("org-c", "Gamma", source="src-a")]}
    await load([bundle("analyst", "src-b", **later)], store)
    rows = await store.read("MATCH (n:Organisation {id: 'org-c'}) RETURN n.sourceIds AS s")
    assert rows == [{"s": ["src-a"]}]


async def test_versions_count_changes_not_reloads(store: Store) -> None:
    await load([bundle("eco", **_seed())], store)
    await load([bundle("eco", **_seed())], store)
    changed = _seed(
        organisations=[
            org("org-a", "Alpha University", established=1900),
            org("org-b", "Beta Park", "KR"),
        ]
    )
    report = await load([bundle("eco", **changed)], store)
    assert report.versions["org-a"] == 2
    assert report.versions["org-b"] == 1


async def test_a_stale_expected_version_is_a_conflict_and_writes_nothing(store: Store) -> None:
    await load([bundle("eco", **_seed())], store)
    before = await fingerprint(store)
    with pytest.raises(ConflictError) as info:
        await load([bundle("eco", **_seed())], store, expected_versions={"org-a": 7})
    assert (info.value.expected, info.value.actual) == (7, 1)
    assert await fingerprint(store) == before
    await load([bundle("eco", **_seed())], store, expected_versions={"org-a": 1})
