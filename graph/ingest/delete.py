"""Deleting a node outright: it and every relationship it has, whatever origin asserted them.

Unlike a retraction, which withdraws one load unit's assertions, a delete removes the fact from
the graph. It is not a tombstone: the load units that asserted the node still do, so reloading
one brings it back (a delete forgets the digests that let an unchanged file's reload skip).
A source that facts still cite is refused (their citations would dangle).

Everything happens in one managed transaction (run again whole on a transient error): the node
is write-locked first, so the version checked and the snapshot audited are those of what is
deleted; the audit entry keeps who, when, why and
what (id, kind, name or title, origins, relationships removed) but not the node's other
properties, so deleting a person does not leave their contact details behind in the log.
"""

from __future__ import annotations

from dataclasses import dataclass

from graph.cypher import Label
from graph.cypher import audit as cypher_audit
from graph.cypher import loadmark as cypher_loadmark
from graph.errors import ConflictError, NotFoundError, StillCitedError
from graph.ingest.audit import Audit
from graph.match.cache import written as matcher_written
from graph.store import Store, WriteTx

DELETE_ORIGIN = "api:delete"  # the audit entry's origin: a delete is no load unit's assertion


@dataclass(frozen=True, slots=True)
class Removed:
    """What went, as the audit entry keeps it."""

    name: str | None
    origins: list[str]
    version: int | None
    relationships: int


async def delete_node(
    store: Store,
    label: Label,
    node_id: str,
    *,
    reason: str,
    audit: Audit,
    expected_version: int | None = None,
) -> Removed:
    """Delete one node and its relationships, audited; raises NotFoundError, ConflictError or
    StillCitedError (then nothing was written). A managed transaction: a transient failure
    (a cluster's leader switch, a broken deadlock) runs it again from the lock."""

    async def work(tx: WriteTx) -> Removed:
        rows = await tx.run(cypher_audit.lock_for_delete(label), {"id": node_id})
        if not rows:
            raise NotFoundError(label.value, node_id)
        node = rows[0]
        if expected_version is not None and node["version"] != expected_version:
            raise ConflictError(node_id, expected_version, node["version"])
        if label is Label.SOURCE:
            (cited,) = await tx.run(cypher_audit.SOURCE_CITED_BY, {"id": node_id})
            if cited["nodes"] or cited["relationships"]:
                raise StillCitedError(node_id, cited["nodes"], cited["relationships"])
        (detached,) = await tx.run(cypher_audit.detach_delete(label), {"id": node_id})
        removed = Removed(
            name=node["name"],
            origins=list(node["origins"]),
            version=node["version"],
            relationships=detached["relationships"],
        )
        params = audit.params({})
        params.update(
            version=removed.version,
            reason=reason,
            name=removed.name,
            origins=removed.origins,
            relationships=removed.relationships,
        )
        await tx.run(cypher_audit.AUDIT_DELETE, params)
        # Reloading any unit that asserted the node or one of its relationships brings them
        # back: none may be skipped as unchanged (graph.ingest.unchanged).
        await tx.run(cypher_loadmark.FORGET)
        return removed

    removed = await store.write_transaction(work)
    if label is Label.ORGANISATION:
        matcher_written(store, {node_id})
    return removed
