"""A CORDIS dump on the real Neo4j, asked through GraphQL: participants resolved to the seeds'
and ROR's organisations (by name in their country) or created by PIC, never to a namesake
abroad; projects with their agreement, roles and funding; the questions answer with them; a
reload changes nothing."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import httpx2 as httpx
import networkx as nx
import pytest

from graph.api.http.app import create_app
from graph.cypher import schema as cypher_schema
from graph.dbserver import ServerInfo
from graph.ingest.write import load
from graph.settings import Settings
from graph.store import Store
from loaders.sources import parse_path
from tests.api.conftest import Run
from tests.cordisdump import (
    ORG_HEADER,
    PARTICIPATIONS,
    PROJECT_HEADER,
    PROJECTS,
    participation_rows,
    table,
    tables,
    write_zip,
)
from tests.integration.graphdata import bundle, fingerprint, org
from tests.neo4j_test import ROOT, target_of

AUSTRALIAN = "University of New England"
# The shared data beside the main checkout, or beside the worktrees' folder.
ROR_SUBSET = [
    root / "shared" / "data" / "ror" / "ror-ee-kr-subset.jsonl" for root in ROOT.parents[:2]
]


@pytest.fixture(scope="session")
def ror_subset() -> Path:
    for path in ROR_SUBSET:
        if path.is_file():
            return path
    pytest.skip("ror-ee-kr-subset.jsonl is absent from ../shared/data/ror")


@pytest.fixture
async def cordis(seeded: Store, ror_subset: Path, tmp_path: Path) -> dict[str, int]:
    """Seeds, ROR's Estonian and Korean records, an Australian namesake, then the dump."""
    await load(parse_path(ror_subset), seeded)
    au = bundle("au-list", organisations=[org("une-au", AUSTRALIAN, "AU")])
    await load([au], seeded)
    (parsed,) = parse_path(write_zip(tmp_path / "cordis-HORIZONprojects-csv.zip"))
    assert parsed.problems == []
    report = await load([parsed], seeded)
    return report.resolved_names


PROJECT = """{ projects(where: {key: {eq: "cordis-101057001"}}) { edges { node {
  title acronym status start end programme fundingScheme topics
  budget { amount currency } contribution { amount currency }
  agreement { key kind signed status parties { role organisation { key } } }
  participants { role order contribution contributionCurrency ended
    organisation { key name country pic }
    provenance { where matchedName matchConfidence source { key } } } } } } }"""


def _by_org(participants: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {p["organisation"]["key"]: p for p in participants}


async def test_participants_resolve_by_name_in_their_country_or_by_pic(
    gql: Run, cordis: dict[str, int]
) -> None:
    data, _ = await gql(PROJECT)
    (edge,) = data["projects"]["edges"]
    node = edge["node"]
    people = _by_org(node["participants"])
    # TARTU ULIKOOL is the University of Tartu of the seeds and ROR (one node).
    ut = people["university-of-tartu"]
    assert (ut["role"], ut["order"], ut["contribution"]) == ("coordinator", 1, 2000000.0)
    (cited,) = ut["provenance"]
    assert cited["matchedName"] == "TARTU ULIKOOL"
    assert 0.85 <= cited["matchConfidence"] <= 1.0
    assert cited["where"] == "organization.csv line 2, project 101057001, PIC 999894237"
    assert cited["source"]["key"] == "cordis-horizonprojects-csv"
    # TalTech comes from ROR alone; its link is matched too.
    (taltech,) = [
        p
        for p in node["participants"]
        if p["organisation"]["name"] != "TARTU ULIKOOL" and p["order"] == 2
    ]
    assert taltech["organisation"]["country"] == "EE"
    assert taltech["provenance"][0]["matchedName"] == "TALLINNA TEHNIKAULIKOOL"
    # Unknown to the graph: a new organisation keyed by its PIC, linked without matching.
    new = people["pic-906000001"]
    assert new["organisation"]["pic"] == "906000001"
    assert new["provenance"][0]["matchedName"] is None
    # EL is Greece, UK the United Kingdom; the UK namesake is not the Australian university.
    assert people["pic-906000002"]["organisation"]["country"] == "GR"
    uk = people["pic-906000003"]
    assert (uk["organisation"]["country"], uk["role"]) == ("GB", "associated_partner")
    assert "une-au" not in people
    # TARTU ULIKOOL and TalTech linked; the Estonian company and the Greek university created;
    # the UK university created too, its Australian namesake a candidate the matcher refused.
    assert cordis == {"linked": 2, "created": 2, "unsure": 1}


async def test_organisations_are_found_by_their_pic(gql: Run, cordis: dict[str, int]) -> None:
    query = """query($w: OrganisationWhere) { organisations(where: $w) {
      totalCount edges { node { key name country pic } } } }"""
    data, _ = await gql(query, w={"pic": {"eq": "906000002"}})
    found = data["organisations"]
    assert found["totalCount"] == 1
    assert found["edges"][0]["node"] == {
        "key": "pic-906000002",
        "name": "ETHNIKO KAI KAPODISTRIAKO PANEPISTIMIO ATHINON",
        "country": "GR",
        "pic": "906000002",
    }
    data, _ = await gql(query, w={"pic": {"in": ["906000003", "906000001", "906000009"]}})
    keys = {e["node"]["key"]: e["node"]["country"] for e in data["organisations"]["edges"]}
    assert keys == {"pic-906000003": "GB", "pic-906000001": "EE"}
    # With another condition: the UK university by its PIC, not in Greece.
    data, _ = await gql(query, w={"pic": {"eq": "906000003"}, "country": {"eq": "GR"}})
    assert data["organisations"]["totalCount"] == 0
    # The look-up by identifier, as by a ROR id: a PIC as the portal prints it, or not a PIC.
    lookup = """query($v: String!) { organisationByIdentifier(scheme: PIC, value: $v) {
      key country } }"""
    data, _ = await gql(lookup, v="906000003")
    assert data["organisationByIdentifier"] == {"key": "pic-906000003", "country": "GB"}
    for missing in ("906000009", "9060000", "not a pic"):
        data, _ = await gql(lookup, v=missing)
        assert data["organisationByIdentifier"] is None


async def test_projects_carry_budget_programme_topics_and_their_agreement(
    gql: Run, cordis: dict[str, int]
) -> None:
    data, _ = await gql(PROJECT)
    node = data["projects"]["edges"][0]["node"]
    assert node["title"] == "AI healthcare bridge; Europe and Korea"
    assert (node["acronym"], node["status"], node["start"], node["end"]) == (
        "HEALTHBRIDGE",
        "ACTIVE",
        "2023-01-01",
        "2026-12-31",
    )
    assert (node["programme"], node["fundingScheme"]) == ("HORIZON", "HORIZON-RIA")
    assert node["budget"] == {"amount": 5000000.5, "currency": "EUR"}
    assert node["contribution"] == {"amount": 4800000.0, "currency": "EUR"}
    assert {"horizon-hlth-2022-tool-11-02", "digital-health"} <= set(node["topics"])
    agreement = node["agreement"]
    assert (agreement["key"], agreement["kind"], agreement["signed"]) == (
        "grant-agreement-101057001",
        "GRANT_AGREEMENT",
        "2022-11-15",
    )
    parties = {p["organisation"]["key"]: p["role"] for p in agreement["parties"]}
    # Beneficiaries sign; the associated partner does not.
    assert parties["university-of-tartu"] == "lead"
    assert "pic-906000003" not in parties
    assert len(parties) == 4


async def test_the_questions_answer_with_cordis_projects(gql: Run, cordis: dict[str, int]) -> None:
    data, _ = await gql(
        """{ collaborations(countries: ["EE", "GR"]) {
               organisation { key } partner { key } through { id } chain { via node { id } } }
             partners(organisation: "Organisation:pic-906000002") {
               organisation { key } reasons }
             timeline(countries: ["GR"]) { date kind title }
             organisation: node(id: "Organisation:university-of-tartu") { ... on Organisation {
               projects { role contribution project { key title acronym } } } } }"""
    )
    pairs = {
        frozenset((c["organisation"]["key"], c["partner"]["key"])) for c in data["collaborations"]
    }
    assert frozenset(("university-of-tartu", "pic-906000002")) in pairs
    through = {c["through"]["id"] for c in data["collaborations"]}
    assert through & {"Agreement:grant-agreement-952001", "Project:cordis-952001"}
    partners = {p["organisation"]["key"]: p["reasons"] for p in data["partners"]}
    assert "university-of-tartu" in partners
    projects = {p["project"]["key"]: p for p in data["organisation"]["projects"]}
    assert projects["cordis-952001"]["role"] == "coordinator"
    assert projects["cordis-952001"]["contribution"] == 600000.0
    assert any(t["title"].startswith("Grant agreement 952001") for t in data["timeline"])


async def test_exports_carry_projects_participations_and_matched_links(
    cordis: dict[str, int], neo4j_server: ServerInfo
) -> None:
    app = create_app(Settings(), target_of(neo4j_server))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://export") as http:
            response = await http.get("/export/graphml", params={"country": "EE,GR"})
    assert response.status_code == 200, response.text
    graph = nx.read_graphml(io.BytesIO(response.content))
    project = graph.nodes["Project:cordis-952001"]
    assert (project["programme"], project["fundingScheme"]) == ("H2020", "IA")
    edge = graph.edges["Organisation:pic-906000002", "Project:cordis-952001"]
    assert (edge["role"], edge["order"], edge["contributionAmount"]) == ("participant", 2, 400000.0)
    matched = graph.edges["Organisation:university-of-tartu", "Project:cordis-952001"]
    assert matched["matchedName"] == "TARTU ULIKOOL"
    assert "matchedName" not in edge or not edge["matchedName"]


def _page_query(script: str, name: str) -> str:
    """A page's GraphQL document as the explorer sends it (its fragments inlined)."""
    text = (ROOT / "graph" / "web" / "static" / script).read_text(encoding="utf-8")
    document = text.split(f"export const {name} = `", 1)[1].split("`;", 1)[0]
    api = (ROOT / "graph" / "web" / "static" / "api.js").read_text(encoding="utf-8")
    cite = api.split("export const CITE = `", 1)[1].split("`;", 1)[0]
    return document.replace("${CITE}", cite)


async def test_the_explorer_organisation_page_shows_projects_with_role_and_funding(
    gql: Run, cordis: dict[str, int]
) -> None:
    query = _page_query("org.js", "ORGANISATION")
    data, _ = await gql(query, id="Organisation:pic-906000002")
    node = data["node"]
    assert (node["name"], node["country"], node["pic"]) == (
        "ETHNIKO KAI KAPODISTRIAKO PANEPISTIMIO ATHINON",
        "GR",
        "906000002",
    )
    projects = {p["project"]["acronym"]: p for p in node["projects"]}
    assert projects["GRIDX"]["role"] == "participant"
    assert projects["GRIDX"]["contribution"] == 400000.0
    assert projects["GRIDX"]["contributionCurrency"] == "EUR"
    assert projects["GRIDX"]["project"]["programme"] == "H2020"
    assert projects["GRIDX"]["provenance"][0]["source"]["title"].startswith("CORDIS")
    assert {a["agreement"]["kind"] for a in node["agreements"]} == {"GRANT_AGREEMENT"}


async def test_project_facets_count_per_year_programme_and_country(
    gql: Run, cordis: dict[str, int]
) -> None:
    data, _ = await gql(
        """{ projectFacets(where: {key: {startsWith: "cordis-"}}) {
               total byYear { value count } byProgramme { value count }
               byCountry { value count } byStatus { value count } firstStart lastEnd } }"""
    )
    facets = data["projectFacets"]
    assert facets["total"] == 2
    assert facets["byYear"] == [{"value": "2020", "count": 1}, {"value": "2023", "count": 1}]
    assert facets["byProgramme"] == [
        {"value": "H2020", "count": 1},
        {"value": "HORIZON", "count": 1},
    ]
    countries = {b["value"]: b["count"] for b in facets["byCountry"]}
    # Each project once per country, however many participants it has there.
    assert countries == {"EE": 2, "GR": 2, "GB": 1}
    assert (facets["firstStart"], facets["lastEnd"]) == ("2020-03-01", "2026-12-31")


def _readme_query() -> str:
    """The README's startup question, as printed there."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## EU research projects: CORDIS", 1)[1]
    # Fenced `graphql cordis`: the seed-graph README test runs the plain `graphql` blocks only.
    return section.split("```graphql cordis\n", 1)[1].split("```", 1)[0]


async def test_the_readme_startup_question_answers_from_cordis(
    gql: Run, cordis: dict[str, int]
) -> None:
    data, _ = await gql(_readme_query())
    found = {e["node"]["name"]: e["node"] for e in data["organisations"]["edges"]}
    # The dump's three Estonian participants, beside the seeds' digital-health organisations.
    assert {
        "University of Tartu",
        "Tallinn University of Technology",
        "TERVISETEHNOLOOGIATE ARENDUSKESKUS AS",
    } <= set(found)
    assert "Health Founders" in found
    ut = {p["project"]["acronym"]: p for p in found["University of Tartu"]["projects"]}
    assert (ut["HEALTHBRIDGE"]["role"], ut["HEALTHBRIDGE"]["contribution"]) == (
        "coordinator",
        2000000.0,
    )
    partners_abroad = {
        p["organisation"]["country"] for p in ut["HEALTHBRIDGE"]["project"]["participants"]
    }
    assert {"GR", "GB"} <= partners_abroad
    suggested = {p["organisation"]["name"]: p["reasons"] for p in data["partners"]}
    assert "University of Tartu" in suggested
    # The seeds' own digital-health project counts too.
    years = {b["value"]: b["count"] for b in data["projectFacets"]["byYear"]}
    assert years["2023"] == 1
    assert {"value": "HORIZON", "count": 1} in data["projectFacets"]["byProgramme"]


@pytest.mark.parametrize("batched", [False, True], ids=["one transaction", "batched"])
async def test_a_reload_of_the_same_dump_changes_nothing(
    seeded: Store, cordis: dict[str, int], tmp_path: Path, batched: bool
) -> None:
    before = await fingerprint(seeded)
    (parsed,) = parse_path(write_zip(tmp_path / "cordis-HORIZONprojects-csv.zip"))
    report = await load([parsed], seeded, batched=batched)
    assert await fingerprint(seeded) == before
    # Created organisations are now known by their PIC; the matched ones are matched again.
    assert report.resolved_names == {"known": 3, "linked": 2}


ORG_PAGE = """query($id: ID!) { node(id: $id) { ... on Organisation {
  key name pic country names { value } provenance { where source { key } } } } }"""


async def test_a_participant_matched_by_name_gives_its_organisation_its_pic(
    gql: Run, cordis: dict[str, int]
) -> None:
    """Before: the University of Tartu had no PIC, so the look-up by the PIC CORDIS lists it
    under found nothing; now the match carries the PIC, cited to the row, and nothing else."""
    lookup = """query($v: String!) { organisationByIdentifier(scheme: PIC, value: $v) {
      key name } }"""
    data, _ = await gql(lookup, v="999894237")
    assert data["organisationByIdentifier"] == {
        "key": "university-of-tartu",
        "name": "University of Tartu",
    }
    data, _ = await gql(ORG_PAGE, id="Organisation:university-of-tartu")
    node = data["node"]
    assert (node["pic"], node["country"]) == ("999894237", "EE")
    # The row's registered name is not added: the next load scores the same names.
    assert "TARTU ULIKOOL" not in {n["value"] for n in node["names"]}
    cited = {(p["source"]["key"], p["where"]) for p in node["provenance"]}
    assert (
        "cordis-horizonprojects-csv",
        "organization.csv line 2, project 101057001, PIC 999894237",
    ) in cited
    query = """query($w: OrganisationWhere) { organisations(where: $w) {
      edges { node { key pic } } } }"""
    data, _ = await gql(query, w={"pic": {"in": ["999894237", "999842536"]}})
    found = {e["node"]["pic"]: e["node"]["key"] for e in data["organisations"]["edges"]}
    assert found["999894237"] == "university-of-tartu"
    assert len(found) == 2  # TalTech, from ROR alone, has its PIC too
    data, _ = await gql(query, w={"key": {"in": ["pic-999894237", "pic-999842536"]}})
    assert data["organisations"]["edges"] == []  # no node of their own


async def test_two_pics_matching_one_organisation_give_it_one_and_the_other_its_own_record(
    seeded: Store, ror_subset: Path, tmp_path: Path
) -> None:
    """The first PIC in the dump goes to the organisation; the second, a node of its own, as
    the next load would make it (a node with a PIC is no candidate for another). A reload of
    the same dump changes nothing."""
    await load(parse_path(ror_subset), seeded)
    rows = [
        (grant, "906000004", *rest) if (grant, pic) == ("952001", "999894237") else row
        for row in PARTICIPATIONS
        for grant, pic, *rest in [row]
    ]
    files = tables(organization_csv=table(ORG_HEADER, participation_rows(rows)))
    (parsed,) = parse_path(write_zip(tmp_path / "cordis-HORIZONprojects-csv.zip", files))
    assert parsed.problems == []
    report = await load([parsed], seeded)
    assert report.resolved_names == {"linked": 2, "created": 3, "unsure": 1}
    pics = await seeded.read(
        "MATCH (n:Organisation) WHERE n.pic IN $pics RETURN n.pic AS pic, n.id AS id",
        {"pics": ["999894237", "906000004"]},
    )
    assert {r["pic"]: r["id"] for r in pics} == {
        "999894237": "university-of-tartu",
        "906000004": "pic-906000004",
    }
    before = await fingerprint(seeded)
    (again,) = parse_path(write_zip(tmp_path / "cordis-HORIZONprojects-csv.zip", files))
    report = await load([again], seeded)
    assert report.resolved_names == {"known": 4, "linked": 2}
    assert await fingerprint(seeded) == before


async def test_an_organisation_holding_a_pic_is_passed_over_for_another(
    seeded: Store, cordis: dict[str, int], tmp_path: Path
) -> None:
    """A second dump (another origin) names the University of Tartu with another PIC: the
    organisation, which holds 999894237 since the first dump, is not that registration, so it
    becomes `pic-<PIC>`; TalTech, named with the PIC it holds, is linked again."""
    tartu = ("TARTU ULIKOOL", "UT", "HES", "Tartu", "EE", "1", "coordinator", "1")
    nkua = ("ETHNIKO KAI KAPODISTRIAKO PANEPISTIMIO ATHINON", "NKUA", "HES", "Athina", "EL")
    taltech = ("TALLINNA TEHNIKAULIKOOL", "", "HES", "Tallinn", "EE", "3", "participant", "1")
    rows: list[tuple[str, ...]] = [
        ("952001", "906000005", *tartu),
        ("952001", "906000002", *nkua, "2", "participant", "1"),
        ("952001", "999842536", *taltech),
    ]
    files = tables(
        project_csv=table(PROJECT_HEADER, PROJECTS[1:]),
        organization_csv=table(ORG_HEADER, participation_rows(rows)),
        euroSciVoc_csv=None,
        topics_csv=None,
    )
    dump = write_zip(tmp_path / "cordis-h2020projects-csv.zip", files)
    (parsed,) = parse_path(dump)
    assert parsed.problems == []
    report = await load([parsed], seeded)
    assert report.resolved_names == {"known": 1, "linked": 1, "created": 1}
    pics = await seeded.read(
        "MATCH (n:Organisation) WHERE n.pic IN $pics RETURN n.pic AS pic, n.id AS id",
        {"pics": ["999894237", "906000005", "999842536"]},
    )
    found = {r["pic"]: r["id"] for r in pics}
    assert found["999894237"] == "university-of-tartu"
    assert found["906000005"] == "pic-906000005"
    assert found["999842536"] != "pic-999842536"  # TalTech's own node, matched again
    before = await fingerprint(seeded)
    (again,) = parse_path(dump)
    report = await load([again], seeded)
    assert report.resolved_names == {"known": 2, "linked": 1}
    assert await fingerprint(seeded) == before


async def _graph_items(store: Store) -> dict[tuple[str, ...], dict[str, Any]]:
    """Every node by id and relationship by (start, type, end, key), with its properties."""
    nodes = await store.read(cypher_schema.FINGERPRINT_NODES)
    rels = await store.read(cypher_schema.FINGERPRINT_RELS)
    items: dict[tuple[str, ...], dict[str, Any]] = {(n["props"]["id"],): n["props"] for n in nodes}
    for r in rels:
        items[(r["start"], r["type"], r["end"], str(r["props"].get("key", "")))] = r["props"]
    return items


@pytest.mark.parametrize("batched", [False, True], ids=["one transaction", "batched"])
async def test_a_changed_row_updates_only_its_facts(
    seeded: Store, cordis: dict[str, int], tmp_path: Path, batched: bool
) -> None:
    """One participation's contribution and one project's title change in the dump: the reload
    changes that relationship and that project (its version goes up) and nothing else."""
    before = await _graph_items(seeded)
    rows = [
        (*row[:9], "450000") if row[:2] == ("952001", "906000002") else row
        for row in PARTICIPATIONS
    ]
    projects = [{**p, "title": "Smarter grids"} if p["id"] == "952001" else p for p in PROJECTS]
    files = tables(
        project_csv=table(PROJECT_HEADER, projects),
        organization_csv=table(ORG_HEADER, participation_rows(rows)),
    )
    (parsed,) = parse_path(write_zip(tmp_path / "cordis-HORIZONprojects-csv.zip", files))
    await load([parsed], seeded, batched=batched)
    after = await _graph_items(seeded)
    assert after.keys() == before.keys()
    changed = {key for key in before if before[key] != after[key]}
    participation = ("pic-906000002", "PARTICIPATES_IN", "cordis-952001", "participant")
    assert changed == {("cordis-952001",), participation}
    assert after[participation]["contributionAmount"] == 450000.0
    project = after[("cordis-952001",)]
    assert (project["title"], project["version"]) == (
        "Smarter grids",
        before[("cordis-952001",)]["version"] + 1,
    )
