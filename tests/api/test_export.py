"""Exports through the real ASGI app on the real Neo4j: every format parsed back, filters, refusals,
what anonymous readers may not see, CSV injection, and the streaming of a large export."""

from __future__ import annotations

import asyncio
import csv
import io
import textwrap
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
import networkx as nx
import orjson
import pytest
from starlette.applications import Starlette

from graph import memtrim
from graph.api.http.app import create_app
from graph.api.http.exports import TRIM_AFTER_S
from graph.dbserver import ServerInfo
from graph.export import graphrows as rows_module
from graph.export.chunks import CHUNK_BYTES
from graph.export.formats import output
from graph.export.graphrows import GraphRows
from graph.export.selection import KINDS, SHOWN_PER_FIELD, selection
from graph.ingest.write import load
from graph.model import Bundle
from graph.parsed import Parsed
from graph.settings import Settings
from graph.store import Store
from loaders.csvfile import parse_csv
from loaders.sources import parse_path
from tests.api.bulk import many_organisations
from tests.api.conftest import Run
from tests.integration.cli import ROOT
from tests.neo4j_test import target_of

STATS = "{ stats { nodes relationships } }"


@pytest.fixture
async def http(neo4j_server: ServerInfo) -> AsyncIterator[httpx.AsyncClient]:
    """The app as served (its lifespan opens the store), through httpx's ASGI transport."""
    app: Starlette = create_app(Settings(), target_of(neo4j_server))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://export") as client:
            yield client


async def stats(gql: Run) -> tuple[int, int]:
    data, _ = await gql(STATS)
    return data["stats"]["nodes"], data["stats"]["relationships"]


async def get(http: httpx.AsyncClient, path: str, **params: Any) -> httpx.Response:
    response = await http.get(path, params=params)
    assert response.status_code == 200, response.text
    return response


def csv_files(body: bytes) -> dict[str, list[dict[str, str]]]:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert sorted(archive.namelist()) == ["edges.csv", "nodes.csv"]
        return {
            name.removesuffix(".csv"): list(
                csv.DictReader(io.StringIO(archive.read(name).decode()))
            )
            for name in archive.namelist()
        }


# --- round trips on the seed graph ----------------------------------------------------------


async def test_graphml_parses_back_with_the_counts_of_stats(
    gql: Run, http: httpx.AsyncClient
) -> None:
    nodes, relationships = await stats(gql)
    response = await get(http, "/export/graphml")
    assert response.headers["content-type"].startswith("application/graphml+xml")
    assert "partnergraph.graphml" in response.headers["content-disposition"]
    graph = nx.read_graphml(io.BytesIO(response.content))
    assert (graph.number_of_nodes(), graph.number_of_edges()) == (nodes, relationships)
    assert nodes > 50
    assert relationships > 50
    org = graph.nodes["Organisation:ministry-of-smes-and-startups"]
    assert org["type"] == "Organisation"
    assert org["label"] == "Ministry of SMEs and Startups"
    assert org["country"] == "KR"
    assert "seed-article-2024-06-06" in org["sourceIds"]
    assert org["origins"]
    # Typed keys: numbers come back as numbers.
    typed = [d for _, d in graph.nodes(data=True) if "established" in d]
    assert typed
    assert all(isinstance(d["established"], int) for d in typed)


async def test_gexf_parses_back_with_the_counts_of_stats(gql: Run, http: httpx.AsyncClient) -> None:
    nodes, relationships = await stats(gql)
    response = await get(http, "/export/gexf")
    graph = nx.read_gexf(io.BytesIO(response.content), version="1.3")
    assert (graph.number_of_nodes(), graph.number_of_edges()) == (nodes, relationships)
    org = graph.nodes["Organisation:ministry-of-smes-and-startups"]
    assert (org["label"], org["country"], org["type"]) == (
        "Ministry of SMEs and Startups",
        "KR",
        "Organisation",
    )
    relationships_seen = {d["relationship"] for _, _, d in graph.edges(data=True)}
    assert {"PARTY_TO", "HOLDS_POSITION"} <= relationships_seen


async def test_csv_zip_reads_back_with_the_counts_of_stats(
    gql: Run, http: httpx.AsyncClient
) -> None:
    nodes, relationships = await stats(gql)
    response = await get(http, "/export/csv")
    assert response.headers["content-type"] == "application/zip"
    files = csv_files(response.content)
    assert (len(files["nodes"]), len(files["edges"])) == (nodes, relationships)
    ids = {row["id"] for row in files["nodes"]}
    assert all(row["source"] in ids and row["target"] in ids for row in files["edges"])
    party = next(row for row in files["edges"] if row["relationship"] == "PARTY_TO")
    assert party["role"]
    assert party["sourceIds"]
    assert party["origins"]


async def test_csv_one_file_by_parameter(gql: Run, http: httpx.AsyncClient) -> None:
    nodes, relationships = await stats(gql)
    for part, count in (("nodes", nodes), ("edges", relationships)):
        response = await get(http, "/export/csv", file=part)
        assert response.headers["content-type"].startswith("text/csv")
        assert f"partnergraph-{part}.csv" in response.headers["content-disposition"]
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert len(rows) == count


async def test_jsonld_is_json_with_context_schema_org_and_prov(
    gql: Run, http: httpx.AsyncClient
) -> None:
    nodes, relationships = await stats(gql)
    response = await get(http, "/export/jsonld")
    assert response.headers["content-type"].startswith("application/ld+json")
    doc = orjson.loads(response.content)
    assert doc["@context"]["schema"] == "https://schema.org/"
    assert doc["@context"]["prov"] == "http://www.w3.org/ns/prov#"
    assert doc["prov:generatedAtTime"].endswith("Z")
    items = doc["@graph"]
    entities = [i for i in items if "@id" in i]
    links = [i for i in items if "from" in i]
    assert (len(entities), len(links)) == (nodes, relationships)
    by_id = {e["@id"]: e for e in entities}
    org = by_id["urn:partnergraph:Organisation:ministry-of-smes-and-startups"]
    assert org["@type"] == ["Organization"]
    assert org["name"] == "Ministry of SMEs and Startups"
    assert "https://ror.org/022c4zk48" in org["sameAs"]
    assert "urn:partnergraph:Source:seed-article-2024-06-06" in org["prov:wasDerivedFrom"]
    assert {t for e in entities for t in e["@type"]} >= {"Organization", "Person", "Event"}
    # Every link's ends are entities of the document, and every source it cites is one too.
    assert all(link["from"] in by_id and link["to"] in by_id for link in links)
    cited = {s for item in items for s in item.get("prov:wasDerivedFrom", [])}
    assert cited <= set(by_id)


# --- filters ---------------------------------------------------------------------------------


async def test_country_filter_keeps_the_country_and_an_induced_subgraph(
    seeded: Store, http: httpx.AsyncClient
) -> None:
    files = csv_files((await get(http, "/export/csv", country="EE")).content)
    orgs = [r for r in files["nodes"] if r["type"] == "Organisation"]
    assert orgs
    assert all(r["country"] == "EE" for r in orgs)
    ids = {r["id"] for r in files["nodes"]}
    assert files["edges"]
    assert all(e["source"] in ids and e["target"] in ids for e in files["edges"])
    everything = csv_files((await get(http, "/export/csv")).content)
    assert len(files["nodes"]) < len(everything["nodes"])
    # People count as of the country of an organisation they hold a position at.
    people = {r["id"] for r in files["nodes"] if r["type"] == "Person"}
    positions = {e["source"] for e in files["edges"] if e["relationship"] == "HOLDS_POSITION"}
    assert people
    assert people == positions


async def test_kind_type_and_topic_filters(seeded: Store, http: httpx.AsyncClient) -> None:
    files = csv_files((await get(http, "/export/csv", kind="ministry,university")).content)
    assert files["nodes"]
    assert {r["kind"] for r in files["nodes"]} <= {"ministry", "university"}
    files = csv_files((await get(http, "/export/csv", type="Organisation,agreement")).content)
    assert {r["type"] for r in files["nodes"]} == {"Organisation", "Agreement"}
    kinds = {e["relationship"] for e in files["edges"]}
    assert "PARTY_TO" in kinds
    assert kinds <= {"PARTY_TO", "CHILD_OF", "SUCCEEDED_BY", "RELATED_TO", "FOUNDED_BY"}
    files = csv_files((await get(http, "/export/csv", topic="ai-healthcare")).content)
    assert files["nodes"]
    assert all("ai-healthcare" in r["topics"].split("; ") for r in files["nodes"])


async def test_neighbourhood_of_an_organisation(seeded: Store, http: httpx.AsyncClient) -> None:
    centre = "Organisation:ministry-of-smes-and-startups"
    one = csv_files(
        (await get(http, "/export/csv", around="ministry-of-smes-and-startups")).content
    )
    ids = {r["id"] for r in one["nodes"]}
    assert centre in ids
    # At depth 1 every node other than the centre is tied to it directly.
    touching = {e["source"] for e in one["edges"] if e["target"] == centre}
    touching |= {e["target"] for e in one["edges"] if e["source"] == centre}
    assert ids - {centre} == touching - {centre}
    two = csv_files((await get(http, "/export/csv", around=centre, depth="2")).content)
    assert ids < {r["id"] for r in two["nodes"]}


@pytest.mark.parametrize("fmt", ["csv", "graphml", "gexf", "jsonld"])
async def test_a_filter_matching_nothing_gives_valid_empty_files(
    seeded: Store, http: httpx.AsyncClient, fmt: str
) -> None:
    response = await get(http, f"/export/{fmt}", country="FJ")  # valid, not in the seeds
    body = response.content
    if fmt == "csv":
        files = csv_files(body)
        assert files == {"nodes": [], "edges": []}
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            assert archive.read("nodes.csv").decode().startswith("id,label,type,key,")
    elif fmt == "graphml":
        graph = nx.read_graphml(io.BytesIO(body))
        assert (graph.number_of_nodes(), graph.number_of_edges()) == (0, 0)
    elif fmt == "gexf":
        graph = nx.read_gexf(io.BytesIO(body), version="1.3")
        assert (graph.number_of_nodes(), graph.number_of_edges()) == (0, 0)
    else:
        doc = orjson.loads(body)
        assert doc["@graph"] == []
        assert "@context" in doc


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"country": "XX"}, "country"),
        ({"country": "EE,Estonia"}, "country"),
        ({"kind": "banana"}, "kind"),
        ({"type": "Planet"}, "type"),
        ({"topic": "AI Health!"}, "topic"),
        ({"around": "ministry-of-smes-and-startups", "depth": "9"}, "depth"),
        ({"around": "ministry-of-smes-and-startups", "depth": "two"}, "depth"),
        ({"depth": "2"}, "depth"),
        ({"around": "no-such-organisation"}, "around"),
        ({"file": "nodes"}, "file"),  # CSV only: asked of GraphML below
    ],
)
async def test_bad_filter_values_get_422(
    seeded: Store, http: httpx.AsyncClient, params: dict[str, str], field: str
) -> None:
    fmt = "graphml" if field == "file" else "csv"
    response = await http.get(f"/export/{fmt}", params=params)
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert [e["extensions"]["field"] for e in errors] == [field]
    assert all(e["extensions"]["code"] == "BAD_EXPORT_FILTER" for e in errors)
    assert errors[0]["message"]


async def test_every_bad_value_is_reported_at_once(seeded: Store, http: httpx.AsyncClient) -> None:
    response = await http.get("/export/csv", params={"country": "XX", "kind": "banana"})
    assert response.status_code == 422
    assert [e["extensions"]["field"] for e in response.json()["errors"]] == ["country", "kind"]


async def test_an_error_reply_reports_each_bad_value_once_and_is_capped(
    seeded: Store, http: httpx.AsyncClient
) -> None:
    """Before: `kind=a,a,...` (15,000 values, a 30 KB URL) was answered an 8.4 MB 422."""
    response = await http.get("/export/csv", params={"kind": ",".join(["a"] * 15_000)})
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["message"].startswith("unknown kind 'a'")
    # Distinct bad values: the first few, then how many more, in a reply of a few KB.
    many = ",".join(f"bad{i}" for i in range(5_000))
    response = await http.get("/export/csv", params={"kind": many, "topic": "Not A Topic"})
    assert response.status_code == 422
    assert len(response.content) < 5_000
    errors = response.json()["errors"]
    kinds = [e["message"] for e in errors if e["extensions"]["field"] == "kind"]
    assert kinds[:SHOWN_PER_FIELD] == [
        f"unknown kind 'bad{i}'; one of: {', '.join(sorted(KINDS))}" for i in range(SHOWN_PER_FIELD)
    ]
    assert kinds[SHOWN_PER_FIELD:] == [
        f"... and {5_000 - SHOWN_PER_FIELD} more bad `kind` value(s)"
    ]
    assert [e["extensions"]["field"] for e in errors].count("topic") == 1


async def test_unknown_format_and_parameter_get_422(seeded: Store, http: httpx.AsyncClient) -> None:
    response = await http.get("/export/xlsx")
    assert response.status_code == 422
    assert "graphml" in response.json()["errors"][0]["message"]
    response = await http.get("/export/csv", params={"contry": "EE"})
    assert response.status_code == 422
    assert "contry" in response.json()["errors"][0]["message"]


# --- what anonymous readers may see; provenance quotes; CSV injection ------------------------

HOSTILE = ['=HYPERLINK("http://x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)"]


def _bundle() -> Bundle:
    cite = [{"source": "src", "where": "page 2", "quote": "=1+1 signed in Tallinn"}]
    return Bundle.model_validate(
        {
            "origin": "export-test",
            "sources": [{"id": "src", "title": "@a source"}],
            "organisations": [
                {
                    "id": f"org-{i}",
                    "kind": "university",
                    "names": [{"value": name}],
                    "location": {"country": "EE", "lat": -58.5},
                    "description": name,
                    "sources": cite,
                }
                for i, name in enumerate(HOSTILE)
            ],
            "people": [
                {
                    "id": "person",
                    "names": [{"value": "A Person"}],
                    "email": "secret@example.org",
                    "phone": "+372 555 0000",
                    "positions": [{"organisation": "org-0", "title": "-head"}],
                    "sources": cite,
                }
            ],
            "datasets": [
                {
                    "id": f"data-{rights}",
                    "title": f"Data {rights}",
                    "holder": "org-1",
                    "modalities": ["ehr"],
                    "access": {"rights": rights, "contact": f"contact-{rights}@example.org"},
                    "sources": cite,
                }
                for rights in ("public", "restricted")
            ],
        }
    )


@pytest.fixture
async def hostile(store: Store) -> Store:
    await load([Parsed(_bundle())], store)
    return store


async def test_csv_cells_that_could_run_as_formulas_are_neutralised(
    hostile: Store, http: httpx.AsyncClient
) -> None:
    files = csv_files((await get(http, "/export/csv")).content)
    names = {r["key"]: r["name"] for r in files["nodes"] if r["type"] == "Organisation"}
    assert sorted(names.values()) == sorted("'" + h for h in HOSTILE)
    assert all(
        r["description"].startswith("'") for r in files["nodes"] if r["type"] == "Organisation"
    )
    source = next(r for r in files["nodes"] if r["type"] == "Source")
    assert source["label"] == "'@a source"
    assert source["title"] == "'@a source"
    position = next(e for e in files["edges"] if e["relationship"] == "HOLDS_POSITION")
    assert position["title"] == "'-head"
    assert position["key"] == "'-head"
    # Numbers are numbers, not formulas: a negative latitude stays as it is.
    assert {r["lat"] for r in files["nodes"] if r["type"] == "Organisation"} == {"-58.5"}
    # Nothing anywhere starts with a formula character unquoted.
    for rows in files.values():
        for row in rows:
            for column, cell in row.items():
                if column != "lat":
                    assert not cell.startswith(("=", "+", "-", "@")), (column, cell)


async def test_exports_hide_what_anonymous_readers_may_not_see(
    hostile: Store, http: httpx.AsyncClient
) -> None:
    for fmt in ("csv", "graphml", "gexf", "jsonld"):
        params = {"file": "nodes"} if fmt == "csv" else {}  # the zip is deflated
        body = (await get(http, f"/export/{fmt}", **params)).content
        assert b"secret@example.org" not in body, fmt
        assert b"555 0000" not in body, fmt
        assert b"contact-restricted@example.org" not in body, fmt
        # The contact of a public data set is public, as in the API.
        assert b"contact-public@example.org" in body, fmt


async def test_quotes_and_places_of_citations_are_kept(
    hostile: Store, http: httpx.AsyncClient
) -> None:
    files = csv_files((await get(http, "/export/csv")).content)
    org = next(r for r in files["nodes"] if r["key"] == "org-0")
    assert org["quotes"] == 'src: "=1+1 signed in Tallinn"'  # starts with a letter: not quoted
    assert org["sourceIds"] == "src"
    assert org["origins"] == "export-test"
    doc = orjson.loads((await get(http, "/export/jsonld")).content)
    entity = next(i for i in doc["@graph"] if i.get("key") == "org-0")
    assert entity["prov:qualifiedDerivation"] == [
        {
            "@type": "prov:Derivation",
            "prov:entity": "urn:partnergraph:Source:src",
            "where": "page 2",
            "quote": "=1+1 signed in Tallinn",
        }
    ]


# --- links made by matching a name ----------------------------------------------------------

# One agreement: Tartu Science Park by id, the University of Tartu by a name the matcher resolves.
NAMED = """
id,kind,title,signed,parties,parties_by_name,source,where
mou-ut-tsp,mou,UT-TSP MoU,2024-06-04,tartu-science-park,Univ. of Tartu:lead,public-facts,row 1
"""
UT, TSP, MOU = (
    "Organisation:university-of-tartu",
    "Organisation:tartu-science-park",
    "Agreement:mou-ut-tsp",
)


def edge_data(graph: nx.Graph[Any], start: str, end: str) -> dict[str, Any]:
    """The one edge start -> end (networkx reads a multigraph when the file has parallel edges)."""
    data: dict[str, Any] = graph.get_edge_data(start, end)
    if graph.is_multigraph():
        (only,) = data.values()
        return dict(only)
    return data


@pytest.fixture
async def named(store: Store, tmp_path: Path) -> Store:
    await load(parse_path(ROOT / "seeds"), store)
    path = tmp_path / "agreements.csv"
    path.write_text(textwrap.dedent(NAMED).lstrip("\n"), encoding="utf-8")
    parsed = parse_csv([path])
    assert parsed.problems == []
    await load([parsed], store)
    return store


async def test_a_matched_link_carries_its_name_and_confidence_in_every_format(
    named: Store, http: httpx.AsyncClient
) -> None:
    edges = csv_files((await get(http, "/export/csv")).content)["edges"]
    by_end = {r["source"]: r for r in edges if r["target"] == MOU}
    assert by_end[UT]["matchedName"] == "Univ. of Tartu"
    confidence = float(by_end[UT]["matchConfidence"])
    assert 0.85 <= confidence <= 1.0
    assert (by_end[TSP]["matchedName"], by_end[TSP]["matchConfidence"]) == ("", "")
    # The seed graph's links are all by id: no other row has a match.
    assert [r["source"] for r in edges if r["matchedName"] or r["matchConfidence"]] == [UT]

    graphml = nx.read_graphml(io.BytesIO((await get(http, "/export/graphml")).content))
    ut_edge = edge_data(graphml, UT, MOU)
    assert ut_edge["matchedName"] == "Univ. of Tartu"
    assert ut_edge["matchConfidence"] == confidence  # a double, read back as a float
    tsp_edge = edge_data(graphml, TSP, MOU)
    assert "matchedName" not in tsp_edge
    assert "matchConfidence" not in tsp_edge

    gexf = nx.read_gexf(io.BytesIO((await get(http, "/export/gexf")).content), version="1.3")
    ut_gexf = edge_data(gexf, UT, MOU)
    assert (ut_gexf["matchedName"], ut_gexf["matchConfidence"]) == ("Univ. of Tartu", confidence)
    assert "matchedName" not in edge_data(gexf, TSP, MOU)

    doc = orjson.loads((await get(http, "/export/jsonld")).content)
    assert doc["@context"]["matchConfidence"] == {"@type": "xsd:double"}
    links = {
        i["from"]: i
        for i in doc["@graph"]
        if i.get("@type") == "PARTY_TO" and i["to"] == "urn:partnergraph:" + MOU
    }
    assert links["urn:partnergraph:" + UT]["prov:qualifiedDerivation"] == [
        {
            "@type": "prov:Derivation",
            "prov:entity": "urn:partnergraph:Source:public-facts",
            "where": "row 1",
            "matchedName": "Univ. of Tartu",
            "matchConfidence": confidence,
        }
    ]
    (by_id,) = links["urn:partnergraph:" + TSP]["prov:qualifiedDerivation"]
    assert "matchedName" not in by_id
    assert "matchConfidence" not in by_id


# --- streaming -------------------------------------------------------------------------------


async def test_dates_are_written_in_iso_8601_in_every_format(
    named: Store, http: httpx.AsyncClient
) -> None:
    # Neo4j gives dates as its own type, which neither str() of every kind nor orjson writes.
    nodes = csv_files((await get(http, "/export/csv")).content)["nodes"]
    assert {r["id"]: r["signed"] for r in nodes}[MOU] == "2024-06-04"
    graphml = nx.read_graphml(io.BytesIO((await get(http, "/export/graphml")).content))
    assert graphml.nodes[MOU]["signed"] == "2024-06-04"
    gexf = nx.read_gexf(io.BytesIO((await get(http, "/export/gexf")).content), version="1.3")
    assert gexf.nodes[MOU]["signed"] == "2024-06-04"
    doc = orjson.loads((await get(http, "/export/jsonld")).content)
    (agreement,) = [i for i in doc["@graph"] if i.get("@id") == "urn:partnergraph:" + MOU]
    assert agreement["signed"] == "2024-06-04"


async def test_a_large_export_streams_in_bounded_chunks(store: Store) -> None:
    count = 4000
    await many_organisations(store, count)
    view = store.view()
    chunks: list[bytes] = []
    trips_at_first_chunk = None
    async for chunk in output("graphml").write(GraphRows(view, selection())):
        if trips_at_first_chunk is None:
            trips_at_first_chunk = view.stats.round_trips
        chunks.append(chunk)
    sizes = [len(c) for c in chunks]
    # The first chunk left before the first query had been read to its end: rows are not
    # gathered first and written after.
    assert trips_at_first_chunk == 0
    assert sum(sizes) > 20 * CHUNK_BYTES
    assert len(sizes) > 20
    # Every chunk but the last is one chunk's worth and at most one row more.
    assert all(CHUNK_BYTES <= size < CHUNK_BYTES + 4096 for size in sizes[:-1])
    graph = nx.read_graphml(io.BytesIO(b"".join(chunks)))
    assert graph.number_of_nodes() == count + 1  # and the source


EXPORT_READS = (
    "SHOW TRANSACTIONS YIELD currentQuery "
    "WHERE currentQuery CONTAINS 'AS chosen' AND NOT currentQuery STARTS WITH 'SHOW' "
    "RETURN count(*) AS n"
)


async def _export_reads(store: Store) -> int:
    return int((await store.read(EXPORT_READS))[0]["n"])


async def test_an_export_left_after_its_first_chunk_stops_reading_neo4j(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small batches, so that the 4,000 rows cannot all be read ahead while one chunk is taken.
    monkeypatch.setattr(rows_module, "BATCH", 20)
    await many_organisations(store, 4000)
    chunks = output("graphml").write(GraphRows(store.view(), selection()))
    await anext(chunks)
    await asyncio.sleep(0.3)  # the threads read and write ahead until they wait for room
    assert await _export_reads(store) == 1  # the read is open, held at its read-ahead depth
    await chunks.aclose()  # as the server does when the client goes away
    for _ in range(100):
        if await _export_reads(store) == 0:
            break
        await asyncio.sleep(0.05)
    assert await _export_reads(store) == 0


async def test_the_last_export_to_end_returns_freed_memory(
    seeded: Store, http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After 16 parallel exports the server kept ~110 MB that glibc held freed
    (bench/exportmemory.py); the last export to end trims it (graph/memtrim.py)."""
    trims: list[int] = []

    def recorded() -> bool:
        trims.append(1)
        return True

    monkeypatch.setattr(memtrim, "trim", recorded)
    await get(http, "/export/graphml")
    deadline = asyncio.get_running_loop().time() + 30
    while not trims:
        assert asyncio.get_running_loop().time() < deadline, "no trim after the export"
        await asyncio.sleep(0.1)
    assert trims == [1]
    # A refused export (a bad filter) never held a slot: nothing to give back.
    refused = await http.get("/export/graphml", params={"depth": "9"})
    assert refused.status_code == 422
    await asyncio.sleep(TRIM_AFTER_S + 0.5)
    assert trims == [1]
