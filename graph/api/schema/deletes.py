"""Delete for admins over GraphQL: the answer types; the delete itself is graph/ingest/delete.py."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from graph.api.compile.tables import TYPES
from graph.api.schema.relay_ids import split_id
from graph.api.schema.results import (
    Conflict,
    Info,
    InputProblem,
    NotFound,
    ValidationFailed,
    audit_of,
    require,
)
from graph.auth import Role
from graph.errors import ConflictError, NotFoundError, StillCitedError
from graph.ingest.delete import DELETE_ORIGIN, delete_node

DELETABLE = ("Organisation", "Person", "Agreement", "Event", "Dataset", "Project", "Source")
MAX_REASON = 2000


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


async def delete(
    info: Info, global_id: str, expected_version: int | None, reason: str
) -> Deleted | NotFound | Conflict | StillCited | ValidationFailed:
    require(info, Role.ADMIN)
    if info.context.rehearsal:  # a delete is no load: it could not be rolled back afterwards
        raise RuntimeError("a delete cannot be rehearsed")
    type_name, key = split_id(global_id, *DELETABLE)  # a bad id is the client's error
    reason = reason.strip()
    if not reason or len(reason) > MAX_REASON:
        problem = f"say why, in 1 to {MAX_REASON} characters: the audit log keeps it"
        return ValidationFailed(problems=[InputProblem(field="reason", message=problem)])
    target = f"{type_name}:{key}"
    try:
        removed = await delete_node(
            info.context.store,
            TYPES[type_name].label,
            key,
            reason=reason,
            audit=audit_of(info, "delete", target, DELETE_ORIGIN),
            expected_version=expected_version,
        )
    except NotFoundError:
        message = f"no {type_name} with id {key!r} (ids are exact here: no aliases, no names)"
        return NotFound(id=strawberry.ID(global_id), message=message)
    except ConflictError as exc:
        return Conflict(
            id=strawberry.ID(global_id),
            expected_version=exc.expected,
            actual_version=exc.actual,
            message=f"{global_id} is at version {exc.actual}, not {exc.expected}: "
            "read it again and decide again",
        )
    except StillCitedError as exc:
        return StillCited(
            id=strawberry.ID(global_id),
            nodes=exc.nodes,
            relationships=exc.relationships,
            message=exc.message,
        )
    return Deleted(
        id=strawberry.ID(target),
        kind=type_name,
        name=removed.name,
        origins=removed.origins,
        version=removed.version,
        relationships_deleted=removed.relationships,
    )


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
