"""A big graph for read benchmarks: the loaded organisations copied inside Neo4j.

bench.peer --copies N: after the ROR dump is loaded (51,370 organisations through the real
loader), every organisation is copied N times with all its properties (what the loader wrote:
names, nameText, country, kind, status, dates, claims), as `<key>-copy-<i>`, and the
relationships between organisations are copied between the copies of their ends. With N = 19
the graph holds about a million organisations, each index a million entries, which is what a
look-up, a count or a filter reads at that size. The copies' ROR ids are dropped (a ROR id is
unique); other identifiers stay. This makes the graph, not the loader's speed, the subject:
loads are measured by bench.scaleload.
"""

from __future__ import annotations

import re
from typing import LiteralString

from graph.store import Store

_TYPE = re.compile(r"[A-Z][A-Z_]*")
BATCH = 500  # originals per transaction: N copies of each

NODES: LiteralString = (
    "MATCH (n:Organisation) WHERE n.benchCopy IS NULL "
    "CALL (n) { UNWIND range(1, $copies) AS i "
    # One map, the ROR id left out of it: set one by one, the copy would hold its
    # original's ROR id for a moment, which the uniqueness constraint refuses.
    "CREATE (m:Organisation) SET m = n {.*, id: n.id + '-copy-' + i, ror: null, benchCopy: i} "
    "} IN TRANSACTIONS OF " + str(BATCH) + " ROWS"
)
TYPES: LiteralString = (
    "MATCH (:Organisation)-[r]->(:Organisation) RETURN DISTINCT type(r) AS type ORDER BY type"
)
COUNT: LiteralString = "MATCH (n:Organisation) RETURN count(n) AS n"


def _relationships(rel_type: str) -> LiteralString:
    if not _TYPE.fullmatch(rel_type):
        raise ValueError(f"not a relationship type: {rel_type!r}")
    # The type was checked just above: a bare identifier.
    return (
        f"MATCH (a:Organisation)-[r:{rel_type}]->(b:Organisation) "
        "WHERE a.benchCopy IS NULL AND b.benchCopy IS NULL "
        "CALL (a, r, b) { UNWIND range(1, $copies) AS i "
        "MATCH (a2:Organisation {id: a.id + '-copy-' + i}), "
        "(b2:Organisation {id: b.id + '-copy-' + i}) "
        f"CREATE (a2)-[r2:{rel_type}]->(b2) SET r2 = properties(r) "
        f"}} IN TRANSACTIONS OF {BATCH} ROWS"
    )


async def replicate(store: Store, copies: int) -> int:
    """Copy every organisation and the relationships between them `copies` times; returns
    the number of organisations then in the graph."""
    if copies <= 0:
        raise ValueError("copies must be positive")
    await store.run_batched(NODES, {"copies": copies})
    for row in await store.read(TYPES):
        await store.run_batched(_relationships(row["type"]), {"copies": copies})
    (row,) = await store.read(COUNT)
    return int(row["n"])
