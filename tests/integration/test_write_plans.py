"""The write path's queries find each node through an index, whatever the graph's size: read
from Neo4j's EXPLAIN plans of the Cypher a streamed or batched load sends, batch after batch."""

from __future__ import annotations

from typing import Any, LiteralString

import pytest

from graph.cypher import Label, RelType
from graph.cypher import load as cypher_load
from graph.cypher import loadmark as cypher_loadmark
from graph.cypher import match as cypher_match
from graph.cypher import resolve as cypher_resolve
from graph.store import Store

# Operators that read every node of a label, or every node or relationship of the graph.
SCANS = ("NodeByLabelScan", "AllNodesScan", "AllRelationshipsScan")
ROW = {"id": "x", "props": {"id": "x"}}
REL = {"start": "a", "end": "b", "key": "", "props": {}, "provenance": [], "sourceIds": []}


async def _plan(
    store: Store, query: LiteralString, params: dict[str, Any]
) -> list[tuple[str, str]]:
    """Each operator of the query's plan: its type and its arguments (the label, the index)."""
    async with store.driver.session(database=store.target.database) as session:
        summary = await (await session.run("EXPLAIN " + query, params)).consume()
    assert summary.plan is not None
    found, stack = [], [summary.plan]
    while stack:
        operator = stack.pop()
        found.append((str(operator["operatorType"]), str(operator.get("args", {}))))
        stack += operator.get("children", [])
    return found


async def _operators(store: Store, query: LiteralString, params: dict[str, Any]) -> list[str]:
    return [operator for operator, _ in await _plan(store, query, params)]


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
    (
        "claims of two labels, locked",
        cypher_load.claims_of((Label.ORGANISATION, Label.SOURCE), lock=True),
        {"ids": {"Organisation": ["x"], "Source": ["s"]}},
    ),
    ("codes of chosen organisations", cypher_match.CODES_BY_ID, {"ids": ["x"]}),
    ("mark", cypher_loadmark.MARK, {"origins": ["o"]}),
    ("unmark", cypher_loadmark.UNMARK, {"origins": ["o"]}),
]


@pytest.mark.parametrize(("name", "query", "params"), WRITES, ids=[w[0] for w in WRITES])
async def test_each_write_seeks_its_nodes_by_index(
    store: Store, name: str, query: LiteralString, params: dict[str, Any]
) -> None:
    operators = await _operators(store, query, params)
    assert not [op for op in operators if op.split("(")[0].split("@")[0] in SCANS], operators
    assert any("IndexSeek" in op for op in operators), operators


# An API write's look-ups and its one write statement (graph.cypher.resolve, graph.cypher.load):
# each part seeks what it reads through the index named, on a graph of any size.
ONE_WRITE_PARAMS: dict[str, Any] = {
    "ids": {"Organisation": ["x"], "Source": ["s"]},
    "origins": ["o"],
    "prefixes": ["p"],
    "nodes": {"Organisation": [ROW]},
    "deletes": {"Source": ["s"]},
    "rels": {"PARTY_TO_Organisation_Agreement": [REL]},
    "relOrigin": "o",
    "actor": "a",
    "keyId": None,
    "role": "editor",
    "action": "upsertOrganisation",
    "target": "Organisation:x",
    "origin": "o",
    "version": 1,
}
RESOLUTION_PARAMS = {
    "rors": ["r"],
    "wikidata": ["w"],
    "ids": ["x"],
    "keys": ["k"],
    "needles": ["o"],
}


async def test_an_api_writes_look_ups_seek_every_key_by_its_index(store: Store) -> None:
    operators = await _operators(store, cypher_resolve.ORGS_AND_ORIGINS, RESOLUTION_PARAMS)
    assert not [op for op in operators if op.split("(")[0].split("@")[0] in SCANS], operators
    seeks = [op.split("@")[0] for op in operators]
    # ROR, Wikidata id and id by their range and unique indexes; name keys, aliases and the
    # seven labels' origins by the `lookup` text indexes.
    assert seeks.count("NodeUniqueIndexSeek") + seeks.count("NodeIndexSeek") >= 3, operators
    assert seeks.count("NodeIndexContainsScan") == 1 + 7, operators


async def test_an_api_writes_one_statement_seeks_its_nodes_by_index(store: Store) -> None:
    query = cypher_load.one_write(
        (Label.ORGANISATION, Label.SOURCE),
        (Label.ORGANISATION,),
        (Label.SOURCE,),
        ((RelType.PARTY_TO, Label.ORGANISATION, Label.AGREEMENT),),
        True,
    )
    operators = await _operators(store, query, ONE_WRITE_PARAMS)
    assert not [op for op in operators if op.split("(")[0].split("@")[0] in SCANS], operators
    seeks = [op.split("@")[0] for op in operators]
    # Strip and the unasserted delete: each label's unique index, twice; the node upsert's MERGE,
    # the delete and both relationship ends: the unique index too.
    unique_seeks = [op for op in seeks if op.startswith("NodeUniqueIndexSeek")]
    assert len(unique_seeks) >= 2 * 2 + 1 + 2, operators


# A file load's digest, read before and left after (graph.ingest.unchanged): the units by index,
# and one pass over the organisations, the fingerprint the digest is only valid with.
@pytest.mark.parametrize(
    ("query", "params"),
    [
        (cypher_loadmark.LOADED, {"digests": ["d"]}),
        (
            cypher_loadmark.FINISHED,
            {"units": [{"origin": "o", "digest": "d", "units": ["o"]}]},
        ),
    ],
    ids=["loaded", "finished"],
)
async def test_a_digest_is_read_and_left_by_index_beside_the_fingerprint(
    store: Store, query: LiteralString, params: dict[str, Any]
) -> None:
    found = [(op.split("@")[0], args) for op, args in await _plan(store, query, params)]
    scans = [details for op, details in found if op in SCANS]
    assert len(scans) == 1, found
    assert ":Organisation" in scans[0], found
    seeks = " ".join(details for op, details in found if "IndexSeek" in op)
    assert ":LoadedUnit" in seeks, found
    assert ":IncompleteLoad" in seeks, found
