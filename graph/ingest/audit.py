"""Who made an API write and what it was: kept as an AuditEntry in the write's own transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Audit:
    actor: str
    key_id: str | None
    role: str | None
    action: str  # "upsertOrganisation", "retract", "link", "unlink", "delete"
    target: str  # "<Type>:<id>" as the API names it
    origin: str  # the load unit written

    def params(self, versions: dict[str, int]) -> dict[str, Any]:
        """The AUDIT_WRITE parameters; the version is the target's after the write, if any."""
        return {
            "actor": self.actor,
            "keyId": self.key_id,
            "role": self.role,
            "action": self.action,
            "target": self.target,
            "origin": self.origin,
            "version": versions.get(self.target.partition(":")[2]),
        }
