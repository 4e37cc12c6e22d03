"""The audit log and admin deletes: who changed what and when; a node removed with its edges."""

from __future__ import annotations

from typing import LiteralString

from graph.cypher.labels import Label, checked_label

AUDIT_WRITE: LiteralString = (
    "CREATE (:AuditEntry {id: randomUUID(), at: datetime(), actor: $actor, keyId: $keyId, "
    "role: $role, action: $action, target: $target, origin: $origin, version: $version})"
)
AUDIT_LOG: LiteralString = (
    "MATCH (a:AuditEntry) WHERE $target IS NULL OR a.target = $target "
    "WITH a ORDER BY a.at DESC, a.id LIMIT $first "
    "RETURN a {.id, .actor, .role, .action, .target, .origin, .version, .reason, .deletedName, "
    ".deletedOrigins, .deletedRelationships, at: toString(a.at)} AS entry"
)


def lock_for_delete(label: Label) -> LiteralString:
    """Write-lock the node first (the documented lost-update guard), then read it: the version
    checked and the snapshot audited are the ones deleted. The property dies with the node, or
    with the rolled-back transaction when the delete is refused."""
    name = checked_label(label)
    return (
        "MATCH (n:" + name + " {id: $id}) SET n._deleting = true "
        "RETURN n.version AS version, coalesce(n.name, n.title) AS name, "
        "coalesce(n.origins, []) AS origins"
    )


# Facts citing a source, other than the source node's own self-citation.
SOURCE_CITED_BY: LiteralString = (
    "CALL () { MATCH (n) WHERE $id IN n.sourceIds AND NOT (n:Source AND n.id = $id) "
    "RETURN count(n) AS nodes } "
    "CALL () { MATCH ()-[r]->() WHERE $id IN r.sourceIds RETURN count(r) AS relationships } "
    "RETURN nodes, relationships"
)


def detach_delete(label: Label) -> LiteralString:
    """Delete the node and every relationship it has, whichever origin asserted them."""
    name = checked_label(label)
    return (
        "MATCH (n:" + name + " {id: $id}) OPTIONAL MATCH (n)-[r]-() "
        "WITH n, count(DISTINCT r) AS relationships DETACH DELETE n RETURN relationships"
    )


AUDIT_DELETE: LiteralString = (
    "CREATE (:AuditEntry {id: randomUUID(), at: datetime(), actor: $actor, keyId: $keyId, "
    "role: $role, action: $action, target: $target, origin: $origin, version: $version, "
    "reason: $reason, deletedName: $name, deletedOrigins: $origins, "
    "deletedRelationships: $relationships})"
)
