"""`partnergraph export` as a real subprocess on the seed graph: the files parse back (networkx for
GraphML and GEXF, csv, JSON) with the counts of `stats`; a filter matching nothing writes valid
empty files and exits 0; a bad filter value exits 2 and writes nothing."""

from __future__ import annotations

import csv
from pathlib import Path

import networkx as nx
import orjson
import pytest

from graph.cypher import schema as cypher_schema
from graph.dbserver import ServerInfo
from graph.ingest.write import load
from graph.store import Store
from loaders.sources import parse_path
from tests.integration.cli import ROOT, CliRun, run_cli

EXIT_OK, EXIT_INVALID = 0, 2


@pytest.fixture
async def seeds(store: Store) -> tuple[int, int]:
    """The seed ecosystem loaded; (nodes, relationships) as the API's `stats` counts them."""
    await load(parse_path(ROOT / "seeds"), store)
    row = (await store.read(cypher_schema.STATS))[0]
    assert row["nodes"] > 50
    assert row["relationships"] > 50
    return row["nodes"], row["relationships"]


async def export(at: ServerInfo, *args: str | Path) -> CliRun:
    run = await run_cli(at, "export", *args)
    assert run.code == EXIT_OK, run.stderr
    return run


def listed(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as file:
        reader = csv.DictReader(file)
        return list(reader.fieldnames or []), list(reader)


async def test_graphml_and_gexf_parse_back_with_the_counts_of_stats(
    seeds: tuple[int, int], neo4j_server: ServerInfo, tmp_path: Path
) -> None:
    graphml, gexf = tmp_path / "seeds.graphml", tmp_path / "seeds.gexf"
    run = await export(neo4j_server, "graphml", "-o", graphml)
    assert f"wrote {graphml}" in run.stderr
    await export(neo4j_server, "gexf", "--output", gexf)
    for graph in (nx.read_graphml(graphml), nx.read_gexf(gexf, version="1.3")):
        assert (graph.number_of_nodes(), graph.number_of_edges()) == seeds
        assert graph.nodes["Organisation:gangwon-technopark"]["label"] == "Gangwon Technopark"
    # Written beside the target and renamed: no partial file is left behind.
    assert listed(tmp_path) == ["seeds.gexf", "seeds.graphml"]


async def test_csv_nodes_and_edges_hold_the_counts_of_stats(
    seeds: tuple[int, int], neo4j_server: ServerInfo, tmp_path: Path
) -> None:
    folder = tmp_path / "out"
    await export(neo4j_server, "csv", "-o", folder)
    assert listed(folder) == ["edges.csv", "nodes.csv"]
    _, nodes = read_csv(folder / "nodes.csv")
    _, edges = read_csv(folder / "edges.csv")
    assert (len(nodes), len(edges)) == seeds
    ids = {row["id"] for row in nodes}
    assert len(ids) == len(nodes)
    assert {row["source"] for row in edges} | {row["target"] for row in edges} <= ids
    mou = [
        row
        for row in edges
        if row["relationship"] == "PARTY_TO"
        and row["target"] == "Agreement:mou-gwtp-tsp-2024-06-04"
    ]
    assert {row["source"] for row in mou} == {
        "Organisation:gangwon-technopark",
        "Organisation:tartu-science-park",
    }
    assert all(row["sourceIds"] for row in mou)  # provenance travels with each row


async def test_a_filter_matching_nothing_writes_valid_empty_files(
    seeds: tuple[int, int], neo4j_server: ServerInfo, tmp_path: Path
) -> None:
    nothing = ("--country", "FJ")  # a valid code no seed record has
    await export(neo4j_server, "csv", *nothing, "-o", tmp_path / "csv")
    for part, first in (("nodes", "id"), ("edges", "source")):
        header, rows = read_csv(tmp_path / "csv" / f"{part}.csv")
        assert rows == []
        assert header[0] == first
    await export(neo4j_server, "graphml", *nothing, "-o", tmp_path / "empty.graphml")
    await export(neo4j_server, "gexf", *nothing, "-o", tmp_path / "empty.gexf")
    for graph in (
        nx.read_graphml(tmp_path / "empty.graphml"),
        nx.read_gexf(tmp_path / "empty.gexf", version="1.3"),
    ):
        assert (graph.number_of_nodes(), graph.number_of_edges()) == (0, 0)
    await export(neo4j_server, "jsonld", *nothing, "-o", tmp_path / "empty.jsonld")
    doc = orjson.loads((tmp_path / "empty.jsonld").read_bytes())
    assert doc["@graph"] == []
    assert "@context" in doc


async def test_a_bad_filter_value_exits_2_and_writes_nothing(
    seeds: tuple[int, int], neo4j_server: ServerInfo, tmp_path: Path
) -> None:
    target = tmp_path / "bad.graphml"
    run = await run_cli(neo4j_server, "export", "graphml", "--country", "XX", "-o", target)
    assert run.code == EXIT_INVALID
    assert "country" in run.stderr
    assert "Traceback" not in run.stderr
    assert listed(tmp_path) == []
