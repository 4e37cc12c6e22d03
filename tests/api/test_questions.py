"""Questions the three user groups ask of the seed ecosystem, through the GraphQL API."""

from __future__ import annotations

import re

import strawberry

from graph.api.execution.limits.rules import Limits
from graph.store import Store
from tests.api.conftest import Run, runner
from tests.neo4j_test import ROOT

# --- Agencies: partnership networks ---------------------------------------------------------


async def test_estonian_bodies_with_an_mou_with_a_korean_one_and_what_it_covers(gql: Run) -> None:
    data, trips = await gql(
        """{ organisations(where: {country: {eq: "EE"}, agreements: {some: {kind: {eq: MOU},
               parties: {some: {country: {eq: "KR"}}}}}}) {
             totalCount
             edges { node { name agreements { agreement { key topics purpose } } } } } }"""
    )
    conn = data["organisations"]
    assert conn["totalCount"] == 3
    names = [e["node"]["name"] for e in conn["edges"]]
    assert names == [
        "Estonian Business and Innovation Agency",
        "Tartu City Government",
        "Tartu Science Park",
    ]
    tsp = conn["edges"][2]["node"]["agreements"][0]["agreement"]
    assert tsp["key"] == "mou-gwtp-tsp-2024-06-04"
    assert "talent-development" in tsp["topics"]
    assert trips == 1


async def test_who_signed_the_june_mou_on_behalf_of_whom(gql: Run) -> None:
    data, _ = await gql(
        """{ agreements(where: {signed: {eq: "2024-06-04"}}) { edges { node {
             signatories { title person { name names { value lang } }
             onBehalfOf { name } } } } } }"""
    )
    (edge,) = data["agreements"]["edges"]
    signed = {s["person"]["name"]: s["onBehalfOf"]["name"] for s in edge["node"]["signatories"]}
    assert signed == {
        "Andrus Kurvits": "Tartu Science Park",
        "HEO Jang-hyeon": "Gangwon Technopark",
    }
    heo = next(s for s in edge["node"]["signatories"] if s["person"]["name"].startswith("HEO"))
    assert {"value": "허장현", "lang": "ko"} in heo["person"]["names"]


async def test_agreements_after_2024_with_a_korean_party(gql: Run) -> None:
    data, _ = await gql(
        """{ organisations(where: {agreements: {some: {signed: {gt: "2024-07-01"},
               parties: {some: {country: {eq: "KR"}}}}}}, orderBy: {field: NAME}) {
             edges { node { key } } } }"""
    )
    keys = [e["node"]["key"] for e in data["organisations"]["edges"]]
    assert keys == [
        "estonian-business-and-innovation-agency",
        "gangwon-state",
        "tartu-city-government",
    ]


async def test_who_took_part_in_the_tallinn_talks(gql: Run) -> None:
    data, _ = await gql(
        """{ events(where: {date: {eq: "2024-06-03"}, kind: {eq: TALKS}}) { edges { node {
             place { city country }
             participants { role organisation { name } person { name } } } } } }"""
    )
    (edge,) = data["events"]["edges"]
    node = edge["node"]
    assert node["place"] == {"city": "Tallinn", "country": "EE"}
    orgs = {p["organisation"]["name"] for p in node["participants"] if p["organisation"]}
    people = {p["person"]["name"] for p in node["participants"] if p["person"]}
    assert orgs == {"Ministry of SMEs and Startups", "Ministry of Social Affairs"}
    assert people == {"KIM Hong-ju", "Jaanika Merilo"}


async def test_every_fact_answers_where_it_comes_from(gql: Run) -> None:
    data, _ = await gql(
        """{ node(id: "Agreement:mou-gwtp-tsp-2024-06-04") { ... on Agreement {
             provenance { origin where verified source { title url published } }
             parties { provenance { source { key } } } } } }"""
    )
    node = data["node"]
    titles = {c["source"]["title"] for c in node["provenance"]}
    assert "South Korea and Estonia to collaborate in healthcare through use of AI" in titles
    assert all(c["origin"] == "korea-estonia-ai-healthcare" for c in node["provenance"])
    assert all(p["provenance"][0]["source"]["key"] for p in node["parties"])


# --- Startups: partners abroad -------------------------------------------------------------


async def test_estonian_accelerators_universities_companies_in_ai_healthcare(gql: Run) -> None:
    data, _ = await gql(
        """{ organisations(where: {country: {eq: "EE"},
               kind: {in: [ACCELERATOR, UNIVERSITY, COMPANY, SCIENCE_PARK]},
               OR: [{topics: {includesAny: ["ai-healthcare", "health-tech", "digital-health"]}}]}) {
             edges { node { name kind website email } } } }"""
    )
    names = {e["node"]["name"] for e in data["organisations"]["edges"]}
    assert {"Health Founders", "University of Tartu", "Tartu Science Park"} <= names
    websites = {e["node"]["name"]: e["node"]["website"] for e in data["organisations"]["edges"]}
    assert websites["Health Founders"] == "https://hfe.ee/"


async def test_search_finds_names_in_any_language_and_without_diacritics(gql: Run) -> None:
    for text in ("Tartu Ulikool", "Tartu Ülikool", "타르투"):
        data, _ = await gql(
            "query($t: String!) { search(text: $t) { edges { score node { id } } } }", t=text
        )
        ids = [e["node"]["id"] for e in data["search"]["edges"]]
        assert ids[0] == "Organisation:university-of-tartu", text


async def test_search_for_a_person_by_another_spelling(gql: Run) -> None:
    data, _ = await gql(
        """{ search(text: "Janika Merilo", kinds: [PERSON]) { edges { node {
             ... on Person { key positions { title organisation { name } } } } } } }"""
    )
    first = data["search"]["edges"][0]["node"]
    assert first["key"] == "jaanika-merilo"


async def test_lookup_by_ror_id_in_any_spelling(gql: Run) -> None:
    for value in ("03z77qz90", "https://ror.org/03z77qz90"):
        data, _ = await gql(
            "query($v: String!) { organisationByIdentifier(scheme: ROR, value: $v) { key } }",
            v=value,
        )
        assert data["organisationByIdentifier"] == {"key": "university-of-tartu"}


async def test_which_data_set_covers_over_200000_people_and_how_to_get_access(gql: Run) -> None:
    data, _ = await gql(
        """{ datasets(where: {individuals: {gte: 200000}, modalities: {includes: "genomic"}}) {
             edges { node { title individuals holder { name parents { organisation { name } } }
                            access { rights conditions body { key name } } } } } }"""
    )
    (edge,) = data["datasets"]["edges"]
    node = edge["node"]
    assert node["individuals"] >= 200000
    assert node["access"]["rights"] == "RESTRICTED"
    assert node["access"]["conditions"]
    # Whom to apply to: the health data access body (the GOVERNS_ACCESS relationship).
    assert node["access"]["body"] == {
        "key": "estonian-genome-centre",
        "name": "Estonian Genome Centre",
    }


# --- Analysts: counts, timelines, networks ----------------------------------------------------


async def test_agreements_in_date_order_with_their_parties(gql: Run) -> None:
    data, trips = await gql(
        """{ agreements(orderBy: {field: SIGNED}) { totalCount edges { node { signed
             parties { organisation { country } } } } } }"""
    )
    signed = [e["node"]["signed"] for e in data["agreements"]["edges"]]
    assert signed == ["2024-06-04", "2024-12-09"]
    assert data["agreements"]["totalCount"] == 2
    assert trips == 1


async def test_organisations_sorted_by_number_of_agreements(gql: Run) -> None:
    data, _ = await gql(
        """{ organisations(orderBy: {field: AGREEMENT_COUNT, direction: DESC}, first: 5) {
             edges { node { key agreements { role } } } } }"""
    )
    counts = [len(e["node"]["agreements"]) for e in data["organisations"]["edges"]]
    assert counts == sorted(counts, reverse=True)
    assert counts[0] == 1


async def test_programme_with_budget_period_and_participants(gql: Run) -> None:
    data, _ = await gql(
        """{ projects(where: {kind: {eq: SPECIAL_ZONE}}) { edges { node { title start end
             budget { amount currency } participants { role organisation { name } } } } } }"""
    )
    (edge,) = data["projects"]["edges"]
    node = edge["node"]
    assert node["budget"] == {"amount": 12.6e9, "currency": "KRW"}
    assert (node["start"], node["end"]) == ("2024-06-01", "2028-05-31")
    operators = {p["organisation"]["name"] for p in node["participants"] if p["role"] == "operator"}
    assert operators == {"Gangwon Technopark"}


async def test_nested_query_of_depth_four_costs_one_round_trip(
    schema: strawberry.Schema, seeded: Store
) -> None:
    # Twelve levels and ~53 million estimated rows: production refuses it (depth 10, cost
    # 250,000), and the limits are not what this test is about; the compiler's one query is.
    gql = runner(schema, seeded, Limits(max_depth=12, max_cost=100_000_000))
    _, trips = await gql(
        """{ organisations(first: 50) { edges { node { name
             agreements { agreement { title
               parties { organisation { name
                 people { person { name signatures { agreement { title } } } } } }
               signatories { person { name } onBehalfOf { name } } } } } } } }"""
    )
    assert trips == 1


async def test_node_works_for_every_type(gql: Run) -> None:
    ids = [
        "Organisation:university-of-tartu",
        "Person:andrus-kurvits",
        "Agreement:mou-gwtp-tsp-2024-06-04",
        "Event:talks-mss-msa-tallinn-2024-06-03",
        "Dataset:estonian-biobank-genomic-data",
        "Project:gangwon-ai-healthcare-special-zone",
        "Source:seed-article-2024-06-06",
        "Organisation:nobody",
    ]
    data, trips = await gql("query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }", ids=ids)
    got = [n and n["id"] for n in data["nodes"]]
    assert got == [*ids[:-1], None]
    assert [n["__typename"] for n in data["nodes"][:-1]] == [i.split(":")[0] for i in ids[:-1]]
    assert trips == 1


async def test_the_readme_examples_run_and_answer(gql: Run) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```graphql\n(.*?)```", readme, flags=re.DOTALL)
    blocks = [b for b in blocks if not b.lstrip().startswith("mutation")]
    assert len(blocks) == 3
    for block in blocks:
        data, _ = await gql(block)
        assert all(value for value in data.values()), block
