"""Per-request context: the store view (with its own round-trip counters) and the request."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from graph.store import Store


@dataclass(slots=True)
class Context:
    store: Store
    request: Request | None = None
