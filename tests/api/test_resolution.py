"""Entity resolution by index look-ups: the plans Neo4j chooses; writers racing on one record."""

from __future__ import annotations

import asyncio
from typing import Any, LiteralString

import pytest
import strawberry

from graph.cypher import Label
from graph.cypher import resolve as cypher_resolve
from graph.cypher.resolve import ALIAS, NAME, ORIGIN, needle
from graph.ingest.plan import plan_load
from graph.store import Store
from loaders.sources import parse_path
from tests.api.mutating import execute
from tests.neo4j_test import ROOT

MSS = "ministry-of-smes-and-startups"
# Operators that read every node of a label (or of the graph): what resolution must not do.
SCANS = {
    "NodeByLabelScan",
    "AllNodesScan",
    "DirectedAllRelationshipsScan",
    "UndirectedAllRelationshipsScan",
}


def _operators(plan: Any) -> set[str]:
    name = str(plan["operatorType"]).split("@")[0]
    return {name, *(op for child in plan.get("children", []) for op in _operators(child))}


async def _plan(store: Store, query: LiteralString, params: dict[str, Any]) -> set[str]:
    async with store.driver.session(database=store.target.database) as session:
        result = await session.run("EXPLAIN " + query, params)
        summary = await result.consume()
    assert summary.plan is not None
    return _operators(summary.plan)


@pytest.mark.parametrize(
    ("query", "params", "seek"),
    [
        (
            cypher_resolve.ORGS_BY_ROR,
            {"values": ["https://ror.org/03z77qz90"]},
            "NodeUniqueIndexSeek",
        ),
        (cypher_resolve.ORGS_BY_WIKIDATA, {"values": ["Q13972"]}, "NodeIndexSeek"),
        (cypher_resolve.ORGS_BY_ID, {"values": [MSS]}, "NodeUniqueIndexSeek"),
        (
            cypher_resolve.ORGS_BY_KEY,
            {"values": [needle(NAME, "KR|ministry of smes and startups")]},
            "NodeIndexContainsScan",
        ),
        (
            cypher_resolve.NODES_OF_ORIGINS,
            {"needles": [needle(ORIGIN, "seed:people"), needle(ORIGIN, "seed:organisations")]},
            "NodeIndexContainsScan",
        ),
        (
            cypher_resolve.strip_rels(Label.ORGANISATION),
            {"ids": [MSS], "origins": ["o", "q"], "prefixes": ["p", "r"]},
            "NodeUniqueIndexSeek",
        ),
        (
            cypher_resolve.delete_unasserted_rels(Label.AGREEMENT),
            {"ids": ["a"]},
            "NodeUniqueIndexSeek",
        ),
    ],
)
async def test_resolution_reads_seek_an_index_and_scan_nothing(
    seeded: Store, query: LiteralString, params: dict[str, Any], seek: str
) -> None:
    operators = await _plan(seeded, query, params)
    assert any(op.startswith(seek) for op in operators), " ".join(sorted(operators))
    assert not {op.split("(")[0] for op in operators} & SCANS, operators


async def test_every_node_written_carries_its_lookup_keys(seeded: Store) -> None:
    rows = await seeded.read(cypher_resolve.ORGS_BY_ID, {"values": [MSS]})
    assert rows, "the seed graph has it"
    keys = await seeded.read(
        cypher_resolve.ORGS_BY_KEY, {"values": [needle(NAME, k) for k in rows[0]["nameKeys"]]}
    )
    assert MSS in {r["id"] for r in keys}
    # A key is matched whole: a prefix of an id is no alias of it.
    assert not await seeded.read(
        cypher_resolve.ORGS_BY_KEY, {"values": [needle(ALIAS, "ministry-of-smes")]}
    )


UPSERT = """mutation($v: Int, $desc: String) {
  upsertOrganisation(
    record: {id: "tartu-science-park", kind: "science_park", description: $desc,
             names: [{value: "Tartu Science Park", lang: "en"}], location: {country: "EE"}}
    source: {source: "desk-note-2026-11", title: "Agency desk note"}
    expectedVersion: $v
  ) { __typename ... on Upserted { version } ... on Conflict { actualVersion } }
}"""
READ = '{ node(id: "Organisation:tartu-science-park") { ... on Organisation { version } } }'
WRITERS = 8


async def test_writers_racing_on_one_version_get_one_success_and_conflicts(
    schema: strawberry.Schema, seeded: Store
) -> None:
    version = (await execute(schema, seeded, READ))["node"]["version"]
    answers = await asyncio.gather(
        *(execute(schema, seeded, UPSERT, v=version, desc=f"writer {i}") for i in range(WRITERS))
    )
    kinds = sorted(a["upsertOrganisation"]["__typename"] for a in answers if "errors" not in a)
    assert [a for a in answers if "errors" in a] == []
    assert kinds == ["Conflict"] * (WRITERS - 1) + ["Upserted"]
    conflicts = [a["upsertOrganisation"] for a in answers]
    assert {c["actualVersion"] for c in conflicts if "actualVersion" in c} == {version + 1}


async def test_a_reload_of_the_seeds_reads_the_graph_only_through_indexes(seeded: Store) -> None:
    """Every query planning a load runs (resolution, origins, claims, references) seeks an
    index; reading every organisation's keys, as resolution did before, fails this."""
    seen: dict[str, Any] = {}

    async def recording(query: LiteralString, params: Any = None) -> list[dict[str, Any]]:
        seen.setdefault(query, (query, dict(params or {})))
        return await seeded.read(query, params)

    plan = await plan_load(parse_path(ROOT / "seeds"), recording)
    assert not plan.problems
    # The look-ups with the origins' nodes in one query, every label's claims in another.
    assert len(seen) >= 2
    for query, params in seen.values():
        operators = await _plan(seeded, query, params)
        assert not {op.split("(")[0] for op in operators} & SCANS, (query, sorted(operators))
