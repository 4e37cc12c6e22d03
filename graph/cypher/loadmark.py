"""The marks of load units whose batched load has not committed its last batch yet."""

from __future__ import annotations

from typing import LiteralString

# One node per unfinished load unit, by origin: written before a batched load's first batch,
# removed with its last; what `stats`, GraphQL's `stats` and the explorer show as incomplete.
CONSTRAINT: LiteralString = (
    "CREATE CONSTRAINT incomplete_load_origin IF NOT EXISTS "
    "FOR (n:IncompleteLoad) REQUIRE n.origin IS UNIQUE"
)
MARK: LiteralString = (
    "UNWIND $origins AS o MERGE (m:IncompleteLoad {origin: o}) "
    "SET m.started = coalesce(m.started, datetime()), m.attempts = coalesce(m.attempts, 0) + 1"
)
UNMARK: LiteralString = "UNWIND $origins AS o MATCH (m:IncompleteLoad {origin: o}) DELETE m"
INCOMPLETE: LiteralString = (
    "MATCH (m:IncompleteLoad) RETURN m.origin AS origin, toString(m.started) AS started, "
    "m.attempts AS attempts ORDER BY origin"
)
# GraphQL's `stats` in one round trip: the counts (from the count store) and the marks. The
# marks are the loader's bookkeeping, not the graph's nodes: they are not counted.
STATS_AND_MARKS: LiteralString = (
    "CALL () { MATCH (n) RETURN count(n) AS nodes } "
    "CALL () { MATCH ()-[r]->() RETURN count(r) AS relationships } "
    "CALL () { MATCH (m:IncompleteLoad) WITH m ORDER BY m.origin "
    "RETURN collect(m.origin) AS incomplete } "
    "RETURN nodes - size(incomplete) AS nodes, relationships, incomplete"
)
