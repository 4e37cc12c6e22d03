"""Caps on the exports running at once: per client address and in all; 429 or 503 past them.

Each export holds two threads and a connection of the sync driver (graph/store.py) for as long
as it streams, and a client that reads slowly keeps all three. Before these caps, about 100
exports whose clients never read (64 from one address, 40 from another) took every connection
of that driver's pool (100), and a small export from a third address waited 31 s and failed.
The total cap stays below the pool (graph/settings.py bounds it), so an export never waits for
a connection; the API's own reads go through the async driver, whose pool exports never use.
A slot is held until the answer's last byte is sent, or until the client goes (the export's
threads stop then, graph/threads.py), or until it has read nothing for the send deadline
(graph/api/http/headerdeadline.py drops it, which is the client going).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graph.errors import ConfigError, Refusal

# When to try again: an export of the whole ROR graph takes about 5 s.
RETRY_AFTER_S = 5


@dataclass(slots=True)
class ExportSlots:
    """At most `total` exports at once, and `per_client` from one address."""

    total: int
    per_client: int
    running: dict[str, int] = field(default_factory=dict)  # addresses with an export running

    def __post_init__(self) -> None:
        if self.total < 1 or self.per_client < 1:
            raise ConfigError("the export caps must be at least 1")

    @property
    def in_use(self) -> int:
        return sum(self.running.values())

    def take(self, client: str) -> None:
        """A slot for `client`, or Refusal: 429 when it has its share, 503 when all are taken."""
        mine = self.running.get(client, 0)
        retry = {"Retry-After": str(RETRY_AFTER_S)}
        if mine >= self.per_client:
            message = (
                f"this address has {mine} exports running, the most one client may have: "
                f"wait for one to finish (retry in {RETRY_AFTER_S} s)"
            )
            raise Refusal(429, "TOO_MANY_EXPORTS", message, retry)
        if self.in_use >= self.total:
            message = (
                f"the server is running {self.total} exports, the most it runs at once: "
                f"retry in {RETRY_AFTER_S} s"
            )
            raise Refusal(503, "EXPORTS_BUSY", message, retry)
        self.running[client] = mine + 1

    def give_back(self, client: str) -> None:
        left = self.running[client] - 1
        if left:
            self.running[client] = left
        else:
            del self.running[client]
