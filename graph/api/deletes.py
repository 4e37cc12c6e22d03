"""Delete for admins: a node and all its relationships, whatever origin asserted them, audited.

Unlike `retract`, which withdraws only what the API said, a delete removes the fact from the
graph outright. It is not a tombstone: the load units that asserted the node still do, so
reloading one of them (a seed directory, a ROR dump) brings the node back. Removing it for good
means removing it from that source. A source that facts still cite is not deleted (their
citations would dangle); the answer says how many facts cite it.

Everything happens in one transaction: the node is write-locked first, so the version checked
and the snapshot audited are those of what is deleted; the audit entry keeps who, when, why and
what (id, kind, name or title, origins, relationships removed) but not the node's other
properties, so deleting a person does not leave their contact details behind in the log.
"""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from graph.api.questions import split_id
from graph.api.results import (
    Conflict,
    Info,
    InputProblem,
    NotFound,
    ValidationFailed,
    require,
)
from graph.api.specs import TYPES
from graph.auth import Role
from graph.cypher import audit as cypher_audit
from graph.store import WriteTx

DELETABLE = ("Organisation", "Person", "Agreement", "Event", "Dataset", "Project", "Source")
MAX_REASON = 2000
DELETE_ORIGIN = "api:delete"  # the audit entry's origin: a delete is no load unit's assertion


@strawberry.type(description="Deleted, with every relationship it had; also what the audit keeps.")
class Deleted:
    id: strawberry.ID
    kind: str
    name: str | None = strawberry.field(description="Its name, or title.")
    origins: list[str] = strawberry.field(
        description="Load units that had asserted it: reloading one of them brings it back."
    )
    version: int | None = strawberry.field(description="The version it had when deleted.")
    relationships_deleted: int


@strawberry.type(description="Facts still cite this source, so it stays; nothing was written.")
class StillCited:
    id: strawberry.ID
    nodes: int = strawberry.field(description="Nodes citing it.")
    relationships: int = strawberry.field(description="Relationships citing it.")
    message: str


DeleteResult = Annotated[
    Deleted | NotFound | Conflict | StillCited | ValidationFailed, strawberry.union("DeleteResult")
]


class _Refused(Exception):
    """Raised inside the transaction so that it rolls back; carries the client's answer."""

    def __init__(self, result: NotFound | Conflict | StillCited) -> None:
        super().__init__(type(result).__name__)
        self.result = result


async def _delete_in(
    tx: WriteTx, info: Info, global_id: str, expected_version: int | None, reason: str
) -> Deleted:
    type_name, key = split_id(global_id)
    label = TYPES[type_name].label
    rows = await tx.run(cypher_audit.lock_for_delete(label), {"id": key})
    if not rows:
        message = f"no {type_name} with id {key!r} (ids are exact here: no aliases, no names)"
        raise _Refused(NotFound(id=strawberry.ID(global_id), message=message))
    node = rows[0]
    if expected_version is not None and node["version"] != expected_version:
        raise _Refused(
            Conflict(
                id=strawberry.ID(global_id),
                expected_version=expected_version,
                actual_version=node["version"],
                message=f"{global_id} is at version {node['version']}, not {expected_version}: "
                "read it again and decide again",
            )
        )
    if type_name == "Source":
        (cited,) = await tx.run(cypher_audit.SOURCE_CITED_BY, {"id": key})
        if cited["nodes"] or cited["relationships"]:
            raise _Refused(
                StillCited(
                    id=strawberry.ID(global_id),
                    nodes=cited["nodes"],
                    relationships=cited["relationships"],
                    message=f"source {key!r} is cited by {cited['nodes']} node(s) and "
                    f"{cited['relationships']} relationship(s): delete or re-cite those first",
                )
            )
    (removed,) = await tx.run(cypher_audit.detach_delete(label), {"id": key})
    deleted = Deleted(
        id=strawberry.ID(global_id),
        kind=type_name,
        name=node["name"],
        origins=list(node["origins"]),
        version=node["version"],
        relationships_deleted=removed["relationships"],
    )
    principal = info.context.principal
    await tx.run(
        cypher_audit.AUDIT_DELETE,
        {
            "actor": principal.name,
            "keyId": principal.key_id,
            "role": principal.role.value if principal.role else None,
            "target": global_id,
            "origin": DELETE_ORIGIN,
            "version": deleted.version,
            "reason": reason,
            "name": deleted.name,
            "origins": deleted.origins,
            "relationships": deleted.relationships_deleted,
        },
    )
    return deleted


async def delete(
    info: Info, global_id: str, expected_version: int | None, reason: str
) -> Deleted | NotFound | Conflict | StillCited | ValidationFailed:
    require(info, Role.ADMIN)
    split_id(global_id, *DELETABLE)  # a bad id is the client's error, before any Cypher
    reason = reason.strip()
    if not reason or len(reason) > MAX_REASON:
        problem = f"say why, in 1 to {MAX_REASON} characters: the audit log keeps it"
        return ValidationFailed(problems=[InputProblem(field="reason", message=problem)])
    try:
        async with info.context.store.transaction() as tx:
            return await _delete_in(tx, info, global_id, expected_version, reason)
    except _Refused as refused:
        return refused.result


def deleted_of(entry: dict[str, Any]) -> Deleted | None:
    """What an audit entry of a delete kept, as the mutation answered it."""
    if entry.get("action") != "delete":
        return None
    type_name = str(entry["target"]).partition(":")[0]
    return Deleted(
        id=strawberry.ID(entry["target"]),
        kind=type_name,
        name=entry.get("deletedName"),
        origins=list(entry.get("deletedOrigins") or []),
        version=entry.get("version"),
        relationships_deleted=int(entry.get("deletedRelationships") or 0),
    )
