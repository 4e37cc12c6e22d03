"""The write path's Cypher: node and relationship upserts, origin stripping, locks, look-ups."""

from __future__ import annotations

from typing import LiteralString

from graph.cypher.names import Label, RelType, checked_label, checked_type


def merge_nodes(label: Label) -> LiteralString:
    """Upsert a batch of nodes; `props` is the node's full, merged property map."""
    name = checked_label(label)
    return "UNWIND $rows AS row MERGE (n:" + name + " {id: row.id}) SET n = row.props"


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
        "r.origins = coalesce(r.origins, []) + $origin, "
        "r.provenance = coalesce(r.provenance, []) + row.provenance, "
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


def lock_nodes(label: Label) -> LiteralString:
    """Write-lock the nodes a load rewrites, before it reads their claims and versions: Neo4j
    reads are read-committed, so two writers would otherwise read the same version and both
    write version + 1 (a lost update). The property is set and removed: only the lock stays."""
    name = checked_label(label)
    return "UNWIND $ids AS id MATCH (n:" + name + " {id: id}) SET n._locked = true REMOVE n._locked"


def existing_ids(label: Label) -> LiteralString:
    """Which of `$ids` already name a node of this label (references outside the load)."""
    name = checked_label(label)
    return "UNWIND $ids AS ref MATCH (n:" + name + " {id: ref}) RETURN ref, n.id AS id"


# Every node an origin asserted before this load (ids only: the claims are fetched per label).
ORIGIN_NODES: LiteralString = (
    "MATCH (n) WHERE $origin IN n.origins RETURN n.id AS id, labels(n)[0] AS label"
)
STRIP_RELS: LiteralString = (
    "MATCH ()-[r]->() WHERE $origin IN r.origins "
    "SET r.origins = [o IN r.origins WHERE o <> $origin], "
    "r.provenance = [p IN r.provenance WHERE NOT p STARTS WITH $prefix] "
    # Keep the ids of sources some remaining citation still names (entries are compact JSON).
    "WITH r SET r.sourceIds = [s IN coalesce(r.sourceIds, []) "
    "WHERE any(p IN r.provenance WHERE p CONTAINS '\"source\":\"' + s + '\"')]"
)
DELETE_UNASSERTED_RELS: LiteralString = (
    "MATCH ()-[r]->() WHERE r.origins = [] DELETE r RETURN count(r) AS deleted"
)
# Entity resolution reads every organisation's keys once and matches in memory: list-valued
# name keys have no index in Neo4j 5, and one scan beats a scan per incoming name.
ORG_KEYS: LiteralString = (
    "MATCH (n:Organisation) RETURN n.id AS id, n.ror AS ror, n.wikidata AS wikidata, "
    "n.nameKeys AS nameKeys, n.status AS status, n.ids AS ids"
)


ORG_BY_ALIAS: LiteralString = (
    "MATCH (n:Organisation) WHERE n.id = $id OR $id IN n.ids RETURN n.id AS id "
    "ORDER BY n.id = $id DESC LIMIT 1"
)


def node_origins(label: Label) -> LiteralString:
    name = checked_label(label)
    return "MATCH (n:" + name + " {id: $id}) RETURN n.origins AS origins"


def rel_origins(rel_type: RelType, start: Label, end: Label) -> LiteralString:
    t, a, b = checked_type(rel_type), checked_label(start), checked_label(end)
    return (
        "MATCH (:" + a + " {id: $start})-[r:" + t + "]->(:" + b + " {id: $end}) "
        "RETURN r.origins AS origins"
    )
