"""Per-request context: the store view (own round-trip counters), the request, who asks."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from graph.auth import ANONYMOUS, Principal
from graph.store import Store


@dataclass(slots=True)
class Context:
    store: Store
    request: Request | None = None
    principal: Principal = ANONYMOUS
    # Writes run every statement and roll back (graph/api/http/rehearsal.py): nothing written.
    rehearsal: bool = False
