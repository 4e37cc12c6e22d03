"""The write path's Cypher: node and relationship upserts, origin stripping, locks, look-ups."""

from __future__ import annotations

from typing import LiteralString

from graph.cypher.names import Label, RelType, checked_label, checked_type
from graph.cypher.nametext import assignment as name_text
from graph.cypher.resolve import lookup_value


def merge_nodes(label: Label) -> LiteralString:
    """Upsert a batch of nodes; `props` is the node's full, merged property map."""
    name = checked_label(label)
    return (
        "UNWIND $rows AS row MERGE (n:" + name + " {id: row.id}) SET n = row.props "
        "SET n.lookup = " + lookup_value(label) + name_text(label)
    )


# Write-locks node `n` for the rest of the transaction: the property is set and removed, only
# the lock stays (Neo4j reads are read-committed; a write lock is what orders two writers).
_LOCK: LiteralString = "SET n._locked = true REMOVE n._locked "


def stale_nodes(label: Label) -> LiteralString:
    """Of rows built from claims read earlier (`was`: the version then, null for a node that
    did not exist), the nodes another write changed since: each existing node write-locked
    first (set and removed), so none changes again before this transaction commits."""
    name = checked_label(label)
    return (
        "UNWIND $rows AS row MATCH (n:"
        + name
        + " {id: row.id}) "
        + _LOCK
        + "WITH n, row WHERE row.was IS NULL OR coalesce(n.version, 0) <> row.was "
        "RETURN n.id AS id"
    )


def delete_nodes(label: Label) -> LiteralString:
    name = checked_label(label)
    return "UNWIND $ids AS id MATCH (n:" + name + " {id: id}) DETACH DELETE n"


def merge_rels(rel_type: RelType, start: Label, end: Label) -> LiteralString:
    """Upsert a batch of relationships for one origin (already stripped of that origin)."""
    t, a, b = checked_type(rel_type), checked_label(start), checked_label(end)
    return (
        "UNWIND $rows AS row "
        "MATCH (a:" + a + " {id: row.start}) MATCH (b:" + b + " {id: row.end}) "
        "MERGE (a)-[r:" + t + " {key: row.key}]->(b) "
        # Asserted by no other origin (new, or this origin's own, stripped above): its
        # properties are exactly this row's, so a property the rewrite leaves out goes.
        # Shared with other origins, the row's properties are merged in (last write wins).
        "FOREACH (_ IN CASE WHEN coalesce(r.origins, []) = [] THEN [1] ELSE [] END | "
        "SET r = {key: row.key}) "
        "SET r += row.props, "
        # A streamed load may assert one relationship from two of its chunks: once each.
        "r.origins = [o IN coalesce(r.origins, []) WHERE o <> $origin] + $origin, "
        "r.provenance = coalesce(r.provenance, []) "
        "+ [p IN row.provenance WHERE NOT p IN coalesce(r.provenance, [])], "
        "r.sourceIds = coalesce(r.sourceIds, []) "
        "+ [s IN row.sourceIds WHERE NOT s IN coalesce(r.sourceIds, [])] "
        "RETURN count(r) AS written"
    )


def node_claims(label: Label) -> LiteralString:
    """Claims of the nodes a load touches (by id, through the label's unique index)."""
    name = checked_label(label)
    return (
        "UNWIND $ids AS id MATCH (n:" + name + " {id: id}) "
        "RETURN n.id AS id, n.claims AS claims, n.version AS version"
    )


def locked_claims(label: Label) -> LiteralString:
    """`node_claims`, each node write-locked before its claims and version are read: Neo4j
    reads are read-committed, so two writers would otherwise read the same version and both
    write version + 1 (a lost update). The property is set and removed: only the lock stays.
    One query, not a lock and then a read: an API write's round trips are its latency."""
    name = checked_label(label)
    return (
        "UNWIND $ids AS id MATCH (n:" + name + " {id: id}) " + _LOCK + "RETURN n.id AS id, "
        "n.claims AS claims, n.version AS version"
    )


def existing_ids(label: Label) -> LiteralString:
    """Which of `$ids` already name a node of this label (references outside the load)."""
    name = checked_label(label)
    return "UNWIND $ids AS ref MATCH (n:" + name + " {id: ref}) RETURN ref, n.id AS id"


def node_origins(label: Label) -> LiteralString:
    name = checked_label(label)
    return "MATCH (n:" + name + " {id: $id}) RETURN n.origins AS origins"


def rel_origins(rel_type: RelType, start: Label, end: Label) -> LiteralString:
    t, a, b = checked_type(rel_type), checked_label(start), checked_label(end)
    return (
        "MATCH (:" + a + " {id: $start})-[r:" + t + "]->(:" + b + " {id: $end}) "
        "RETURN r.origins AS origins"
    )
