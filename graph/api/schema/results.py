"""What every mutation shares: the role check, and the typed results a write can end with."""

from __future__ import annotations

import strawberry

from graph.api.schema.context import Context
from graph.auth import Role
from graph.errors import Forbidden
from graph.ingest.audit import Audit

Info = strawberry.Info[Context, None]


def require(info: Info, role: Role) -> None:
    """Decided before any Cypher runs."""
    principal = info.context.principal
    if not principal.may(role):
        who = "an anonymous client" if principal.role is None else f"a {principal.role} key"
        raise Forbidden(f"this needs a key with the {role} role; the request came from {who}")


def audit_of(info: Info, action: str, target: str, origin: str) -> Audit:
    """The audit entry of this request's write: who (the key's principal) did what."""
    principal = info.context.principal
    role = principal.role.value if principal.role else None
    return Audit(principal.name, principal.key_id, role, action, target, origin)


@strawberry.type(description="Where a problem is in the input, and what is wrong.")
class InputProblem:
    field: str | None
    message: str


@strawberry.type(description="The input was refused; nothing was written.")
class ValidationFailed:
    problems: list[InputProblem]


@strawberry.type(description="The record changed since the client read it; nothing was written.")
class Conflict:
    id: strawberry.ID
    expected_version: int
    actual_version: int | None
    message: str


@strawberry.type(description="No such record.")
class NotFound:
    id: strawberry.ID
    message: str
