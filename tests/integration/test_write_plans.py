"""The write path's queries find each node through an index, whatever the graph's size: read
from Neo4j's EXPLAIN plans of the Cypher a streamed or batched load sends, batch after batch."""

from __future__ import annotations

from typing import Any, LiteralString

import pytest

from graph.cypher import Label, RelType
from graph.cypher import load as cypher_load
from graph.cypher import loadmark as cypher_loadmark
from graph.cypher import match as cypher_match
from graph.store import Store

# Operators that read every node of a label, or every node or relationship of the graph.
SCANS = ("NodeByLabelScan", "AllNodesScan", "AllRelationshipsScan")
ROW = {"id": "x", "props": {"id": "x"}}
REL = {"start": "a", "end": "b", "key": "", "props": {}, "provenance": [], "sourceIds": []}


async def _operators(store: Store, query: LiteralString, params: dict[str, Any]) -> list[str]:
    async with store.driver.session(database=store.target.database) as session:
        summary = await (await session.run("EXPLAIN " + query, params)).consume()
    assert summary.plan is not None
    names, stack = [], [summary.plan]
    while stack:
        operator = stack.pop()
        names.append(str(operator["operatorType"]))
        stack += operator.get("children", [])
    return names


WRITES: list[tuple[str, LiteralString, dict[str, Any]]] = [
    *[(f"nodes {label.value}", cypher_load.merge_nodes(label), {"rows": [ROW]}) for label in Label],
    *[(f"claims {label.value}", cypher_load.node_claims(label), {"ids": ["x"]}) for label in Label],
    *[
        (f"locked claims {label.value}", cypher_load.locked_claims(label), {"ids": ["x"]})
        for label in Label
    ],
    *[
        (f"stale {label.value}", cypher_load.stale_nodes(label), {"rows": [{"id": "x", "was": 1}]})
        for label in Label
    ],
    (
        "participations",
        cypher_load.merge_rels(RelType.PARTICIPATES_IN, Label.ORGANISATION, Label.PROJECT),
        {"rows": [REL], "origin": "o"},
    ),
    (
        "positions",
        cypher_load.merge_rels(RelType.HOLDS_POSITION, Label.PERSON, Label.ORGANISATION),
        {"rows": [REL], "origin": "o"},
    ),
    ("codes of chosen organisations", cypher_match.CODES_BY_ID, {"ids": ["x"]}),
    ("mark", cypher_loadmark.MARK, {"origins": ["o"]}),
    ("unmark", cypher_loadmark.UNMARK, {"origins": ["o"]}),
    ("digest", cypher_loadmark.DIGEST, {"origin": "o"}),
    ("unmark with digest", cypher_loadmark.UNMARK_DIGEST, {"origin": "o", "digest": "d"}),
]


@pytest.mark.parametrize(("name", "query", "params"), WRITES, ids=[w[0] for w in WRITES])
async def test_each_write_seeks_its_nodes_by_index(
    store: Store, name: str, query: LiteralString, params: dict[str, Any]
) -> None:
    operators = await _operators(store, query, params)
    assert not [op for op in operators if op.split("(")[0].split("@")[0] in SCANS], operators
    assert any("IndexSeek" in op for op in operators), operators
