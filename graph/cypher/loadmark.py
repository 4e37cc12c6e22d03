"""The marks of load units: unfinished batched loads, and the digest of finished file loads."""

from __future__ import annotations

from typing import LiteralString

from graph.cypher.match import FINGERPRINT_PARTS, FINGERPRINT_VALUE

# One node per unfinished load unit, by origin: written before a batched load's first batch,
# removed with its last; what `stats`, GraphQL's `stats` and the explorer show as incomplete.
CONSTRAINT: LiteralString = (
    "CREATE CONSTRAINT incomplete_load_origin IF NOT EXISTS "
    "FOR (n:IncompleteLoad) REQUIRE n.origin IS UNIQUE"
)
# One node per unit whose load from a file finished: the digest of the file (the units it made,
# `units`), and the organisations' fingerprint after the load (graph.cypher.match). A load of
# the same file, with no incomplete mark and the same fingerprint, has nothing to write
# (graph.ingest.unchanged). Every other write of the unit (marking it, a load of it without a
# digest) removes the node first, and so does any delete (FORGET).
DIGEST_CONSTRAINT: LiteralString = (
    "CREATE CONSTRAINT loaded_unit_origin IF NOT EXISTS "
    "FOR (n:LoadedUnit) REQUIRE n.origin IS UNIQUE"
)
DIGEST_INDEX: LiteralString = (
    "CREATE INDEX loaded_unit_digest IF NOT EXISTS FOR (n:LoadedUnit) ON (n.digest)"
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
# A file load's last write: each unit's mark goes and its file's digest stays (`$units`: maps of
# origin, digest and the origins the file made), with the fingerprint of the organisations as
# this transaction sees them, its own writes included.
FINISHED: LiteralString = (
    FINGERPRINT_PARTS + "WITH " + FINGERPRINT_VALUE + " AS fingerprint "
    "UNWIND $units AS u "
    "CALL (u) { OPTIONAL MATCH (m:IncompleteLoad {origin: u.origin}) DELETE m } "
    "MERGE (d:LoadedUnit {origin: u.origin}) "
    "SET d.digest = u.digest, d.units = u.units, d.fingerprint = fingerprint, "
    "d.loaded = datetime()"
)
# The units finished from files of these digests, with their marks, and the organisations'
# fingerprint now: whether a load of the files has anything to write.
LOADED: LiteralString = (
    FINGERPRINT_PARTS + "WITH " + FINGERPRINT_VALUE + " AS fingerprint "
    "OPTIONAL MATCH (d:LoadedUnit) WHERE d.digest IN $digests "
    "OPTIONAL MATCH (m:IncompleteLoad {origin: d.origin}) "
    "RETURN fingerprint, collect(CASE WHEN d IS NOT NULL THEN {origin: d.origin, "
    "digest: d.digest, units: d.units, fingerprint: d.fingerprint, "
    "incomplete: m IS NOT NULL} END) AS loaded"
)
# A delete takes facts out whichever units asserted them: a reload of any of them writes again.
FORGET: LiteralString = "MATCH (d:LoadedUnit) DELETE d"
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
