"""The marks of load units: unfinished batched loads, and the digest of finished streamed ones."""

from __future__ import annotations

from typing import LiteralString

# One node per unfinished load unit, by origin: written before a batched load's first batch,
# removed with its last; what `stats`, GraphQL's `stats` and the explorer show as incomplete.
CONSTRAINT: LiteralString = (
    "CREATE CONSTRAINT incomplete_load_origin IF NOT EXISTS "
    "FOR (n:IncompleteLoad) REQUIRE n.origin IS UNIQUE"
)
# One node per unit whose streamed load finished: the digest of the file it loaded. A load of
# the same file (same digest, no incomplete mark) has nothing to write. Every other write of
# the unit (marking it, any load of it by another path) removes the digest first.
DIGEST_CONSTRAINT: LiteralString = (
    "CREATE CONSTRAINT loaded_unit_origin IF NOT EXISTS "
    "FOR (n:LoadedUnit) REQUIRE n.origin IS UNIQUE"
)
MARK: LiteralString = (
    "UNWIND $origins AS o MERGE (m:IncompleteLoad {origin: o}) "
    "SET m.started = coalesce(m.started, datetime()), m.attempts = coalesce(m.attempts, 0) + 1 "
    "WITH o OPTIONAL MATCH (d:LoadedUnit {origin: o}) DELETE d"
)
UNMARK: LiteralString = (
    "UNWIND $origins AS o OPTIONAL MATCH (m:IncompleteLoad {origin: o}) "
    "OPTIONAL MATCH (d:LoadedUnit {origin: o}) DELETE m, d"
)
# The streamed load's last write: the mark goes and the file's digest stays, in one transaction.
UNMARK_DIGEST: LiteralString = (
    "OPTIONAL MATCH (m:IncompleteLoad {origin: $origin}) DELETE m "
    "WITH count(*) AS _ MERGE (d:LoadedUnit {origin: $origin}) "
    "SET d.digest = $digest, d.loaded = datetime()"
)
# The digest of the unit's last finished streamed load, and whether a load of it is unfinished.
DIGEST: LiteralString = (
    "OPTIONAL MATCH (d:LoadedUnit {origin: $origin}) "
    "OPTIONAL MATCH (m:IncompleteLoad {origin: $origin}) "
    "RETURN d.digest AS digest, m IS NOT NULL AS incomplete"
)
INCOMPLETE: LiteralString = (
    "MATCH (m:IncompleteLoad) RETURN m.origin AS origin, toString(m.started) AS started, "
    "m.attempts AS attempts ORDER BY origin"
)
# GraphQL's `stats` in one round trip: the counts (from the count store) and the marks. The
# marks are the loader's bookkeeping, not the graph's nodes: they are not counted.
STATS_AND_MARKS: LiteralString = (
    "CALL () { MATCH (n) RETURN count(n) AS nodes } "
    "CALL () { MATCH ()-[r]->() RETURN count(r) AS relationships } "
    "CALL () { MATCH (d:LoadedUnit) RETURN count(d) AS digests } "
    "CALL () { MATCH (m:IncompleteLoad) WITH m ORDER BY m.origin "
    "RETURN collect(m.origin) AS incomplete } "
    "RETURN nodes - size(incomplete) - digests AS nodes, relationships, incomplete"
)
