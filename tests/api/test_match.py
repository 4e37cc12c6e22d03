"""`match` through GraphQL: on the seed graph, and on ROR fixture records loaded into Neo4j."""

from __future__ import annotations

import csv
import io
import threading
from typing import Any

import pytest
import strawberry

from graph.api.schema.match import current_index
from graph.ingest.write import load
from graph.match import NameIndex
from graph.match import cache as cache_module
from graph.match.cache import IndexCache, index_cache
from graph.match.command import match_csv
from graph.match.record import from_organisation, from_row
from graph.store import Store
from loaders.ror import parse_ror
from loaders.sources import parse_path
from tests.api.conftest import Run, runner
from tests.api.mutating import execute
from tests.neo4j_test import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "ror"
QUERY = """query ($a: String!, $c: String) { match(affiliation: $a, country: $c) {
    organisation { key name } confidence chosen reasons { kind part value } } }"""


@pytest.fixture(autouse=True)
async def fresh_index(session_store: Store) -> None:
    # Tests share one driver, so one cache, and each test loads its own graph: check the
    # graph on every request (the app checks at most every few seconds).
    index_cache(session_store).recheck_s = 0.0


def _chosen(data: dict[str, object]) -> list[str]:
    matches = data["match"]
    assert isinstance(matches, list)
    return [m["organisation"]["key"] for m in matches if m["chosen"]]


async def test_a_department_of_the_university_of_tartu_chooses_the_university(gql: Run) -> None:
    data, trips = await gql(QUERY, a="Dept. of Computer Science, Univ. of Tartu, Estonia")
    assert _chosen(data) == ["university-of-tartu"]
    top = data["match"][0]
    assert top["confidence"] >= 0.75
    kinds = {(r["kind"], r["value"]) for r in top["reasons"]}
    assert ("name", "University of Tartu") in kinds
    assert ("country", "EE") in kinds
    # Once built, the index is reused: the fingerprint, then the candidates' projection.
    _, trips = await gql(QUERY, a="University of Tartu")
    assert trips == 2


async def test_a_string_naming_no_organisation_chooses_none(gql: Run) -> None:
    data, _ = await gql(QUERY, a="Acme Widgets GmbH, 12 Main Street, Berlin, Germany")
    assert _chosen(data) == []


async def test_an_acronym_is_a_candidate_only_in_its_country(gql: Run) -> None:
    data, _ = await gql(QUERY, a="MSS", c="KR")
    (top,) = data["match"]
    assert top["organisation"]["key"] == "ministry-of-smes-and-startups"
    assert {r["kind"] for r in top["reasons"]} == {"acronym", "country"}
    # A bare acronym is thin evidence: proposed, but not sure enough to be chosen.
    assert not top["chosen"]
    data, _ = await gql(QUERY, a="MSS")
    assert data["match"] == []
    data, _ = await gql(QUERY, a="MSS, Tallinn, Estonia")
    assert data["match"] == []


async def test_a_bad_country_is_refused(gql: Run) -> None:
    with pytest.raises(AssertionError, match="ISO 3166-1 alpha-2"):
        await gql(QUERY, a="University of Tartu", c="Estonia")


async def test_a_write_updates_the_index_without_rebuilding_it(
    schema: strawberry.Schema, store: Store
) -> None:
    run = runner(schema, store)
    await load(parse_path(FIXTURES / "v1.jsonl"), store)
    data, _ = await run(QUERY, a="Example University of Technology, Tallinn, Estonia")
    assert _chosen(data) == []
    cache = index_cache(store)
    builds, deltas = cache.builds, cache.deltas
    await load(parse_path(FIXTURES / "v2.jsonl"), store)
    assert cache.pending, "the load told the index what it changed"
    data, _ = await run(QUERY, a="Example University of Technology, Tallinn, Estonia")
    assert _chosen(data) == ["ror-0aaaaaa42"]
    # The write's own organisations were re-read and replaced; nothing was rebuilt.
    assert (cache.builds, cache.deltas) == (builds, deltas + 1)


async def test_ror_fixture_records_through_graphql(schema: strawberry.Schema, store: Store) -> None:
    await load(parse_path(FIXTURES / "v2.jsonl") + parse_path(FIXTURES / "v1.jsonl"), store)
    run = runner(schema, store)
    # A unit named by its own name is meant over its parent named beside it.
    data, _ = await run(
        QUERY,
        a="Tallinn-Gangwon Digital Health Centre, Example University of Technology, "
        "Chuncheon, Korea",
    )
    assert _chosen(data) == ["ror-0bbbbbb17"]
    # The withdrawn record's name leads to its successor.
    data, _ = await run(QUERY, a="Ministry of Small Examples, Sejong, Korea")
    assert _chosen(data) == ["ror-0dddddd64"]
    # Non-English names and acronyms in their country.
    data, _ = await run(QUERY, a="Näidise Tehnikaülikool, Tallinn")
    assert _chosen(data) == ["ror-0aaaaaa42"]
    data, _ = await run(QUERY, a="EUT, Tallinn, Estonia")
    assert _chosen(data) == ["ror-0aaaaaa42"]
    data, _ = await run(QUERY, a="EUT, Seoul, South Korea")
    assert _chosen(data) == []
    # Two affiliations in one string: both chosen.
    data, _ = await run(
        QUERY, a="Example State University; Example University of Technology, Estonia"
    )
    assert sorted(_chosen(data)) == ["ror-0aaaaaa42", "ror-0kkkkkk11"]


async def test_the_index_from_neo4j_rows_is_the_index_from_the_parsed_records(
    store: Store,
) -> None:
    parsed = parse_path(FIXTURES / "v2.jsonl") + parse_path(FIXTURES / "v1.jsonl")
    await load(parsed, store)
    from_graph = await current_index(store)
    records = [
        from_organisation(o)
        for path in ("v2.jsonl", "v1.jsonl")
        for o in parse_ror(FIXTURES / path).bundle.organisations
    ]
    from_parsed = NameIndex(records)
    assert set(from_graph.records) == set(from_parsed.records)
    assert from_graph.phrases.keys() == from_parsed.phrases.keys()
    assert from_graph.acronyms.keys() == from_parsed.acronyms.keys()
    assert from_graph.current("ror-0cccccc89") == from_parsed.current("ror-0cccccc89")
    assert from_graph.ancestors("ror-0bbbbbb17") == {"ror-0aaaaaa42"}


async def test_the_csv_command_writes_the_columns(store: Store) -> None:
    await load(parse_path(FIXTURES / "v2.jsonl"), store)
    index = await current_index(store)
    source = io.StringIO(
        'id,affiliation\n1,"Dept of Physics, Example University of Technology, Estonia"\n'
        "2,Nowhere Bakery\n"
    )
    out = io.StringIO()
    assert match_csv(index, source, out, "affiliation", None, "in.csv") == 1
    header, first, second = csv.reader(io.StringIO(out.getvalue()))
    assert header == [
        "id",
        "affiliation",
        "match_id",
        "match_ror",
        "match_name",
        "match_confidence",
        "match_reason",
    ]
    assert first[2:5] == ["ror-0aaaaaa42", "0aaaaaa42", "Example University of Technology"]
    assert "name 'Example University of Technology'" in first[6] or "name" in first[6]
    assert second[:5] == ["2", "Nowhere Bakery", "", "", ""]


UPSERT_NAME = """mutation {
  upsertOrganisation(
    record: {id: "tartu-biobank-lab", kind: "research_institute",
             names: [{value: "Estonian Biobank Genome Laboratory", lang: "en"}],
             location: {country: "EE", city: "Tartu"}}
    source: {source: "desk-note-2026-11", title: "Agency desk note"}
  ) { __typename } }"""


async def test_an_api_write_is_matched_next_without_a_rebuild(
    schema: strawberry.Schema, seeded: Store, gql: Run
) -> None:
    await gql(QUERY, a="University of Tartu")  # the index is built
    cache = index_cache(seeded)
    builds = cache.builds
    answer = await execute(schema, seeded, UPSERT_NAME)
    assert answer["upsertOrganisation"]["__typename"] == "Upserted"
    data, _ = await gql(QUERY, a="Estonian Biobank Genome Laboratory, Tartu, Estonia")
    assert _chosen(data) == ["tartu-biobank-lab"]
    assert cache.builds == builds


async def test_the_index_is_built_off_the_event_loop(
    seeded: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    loop_thread = threading.get_ident()
    threads: set[int] = set()
    original = from_row

    def recording(row: Any) -> Any:
        threads.add(threading.get_ident())
        return original(row)

    monkeypatch.setattr(cache_module, "from_row", recording)
    index = await IndexCache(recheck_s=60).get(seeded)
    assert len(index) > 10
    # Every organisation was decoded (and indexed) in a worker thread, none on the loop.
    assert threads
    assert loop_thread not in threads
