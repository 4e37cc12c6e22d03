"""Entity resolution by index look-ups: the plans Neo4j chooses, and writers racing on one record."""

from __future__ import annotations

import asyncio
from typing import Any, LiteralString

import pytest
import strawberry

from graph.cypher import Label
from graph.cypher import resolve as cypher_resolve
from graph.cypher.resolve import ALIAS, NAME, ORIGIN, needle
from graph.store import Store
from tests.api.mutating import execute

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
        (cypher_resolve.ORGS_BY_ID, {"values": ["ministry-of-smes-and-startups"]}, "NodeUniqueIndexSeek"),
        (
            cypher_resolve.ORGS_BY_KEY,
            {"values": [needle(NAME, "KR|ministry of smes and startups")]},
            "NodeIndexContainsScan",
        ),
        (
            cypher_resolve.ORG_BY_ALIAS,
            {"id": "ministry-of-smes-and-startups", "needle": needle(ALIAS, "ministry-of-smes-and-startups")},
            "NodeIndexContainsScan",
        ),
        (
            cypher_resolve.nodes_of_origin(Label.PERSON),
            {"needle": needle(ORIGIN, "seed:people")},
            "NodeIndexContainsScan",
        ),
        (
            cypher_resolve.strip_rels(Label.ORGANISATION),
            {"ids": ["ministry-of-smes-and-startups"], "origin": "o", "prefix": "p"},
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
    rows = await seeded.read(cypher_resolve.ORGS_BY_ID, {"values": ["ministry-of-smes-and-startups"]})
    assert rows, "the seed graph has tartu-uni"
    keys = await seeded.read(
        cypher_resolve.ORGS_BY_KEY, {"values": [needle(NAME, k) for k in rows[0]["nameKeys"]]}
    )
    assert "ministry-of-smes-and-startups" in {r["id"] for r in keys}
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
