"""The index of one app, built lazily from the graph and rebuilt when the graph changed."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, LiteralString

from graph.cypher import match as cypher_match
from graph.match.index import NameIndex
from graph.match.record import from_row

Read = Callable[[LiteralString], Awaitable[list[dict[str, Any]]]]

# How often a request may check whether the graph changed. The graph keeps no load counter,
# so the check is a fingerprint query (one scan of the organisations): cheap, but not free for
# every request of a CSV of 10,000 strings. A load is seen at most this long after it commits.
RECHECK_S = 5.0


class IndexCache:
    """The name index and the fingerprint of the graph it was built from."""

    def __init__(self, recheck_s: float = RECHECK_S) -> None:
        self.recheck_s = recheck_s
        self.index: NameIndex | None = None
        self.fingerprint: tuple[Any, ...] | None = None
        self.checked_at = float("-inf")
        self.builds = 0
        self._lock = asyncio.Lock()

    async def get(self, read: Read) -> NameIndex:
        if self.index is not None and time.monotonic() - self.checked_at < self.recheck_s:
            return self.index
        async with self._lock:  # one build at a time; the others wait for it and reuse it
            if self.index is not None and time.monotonic() - self.checked_at < self.recheck_s:
                return self.index
            rows = await read(cypher_match.FINGERPRINT)
            fingerprint = tuple(rows[0].values()) if rows else ()
            if self.index is None or fingerprint != self.fingerprint:
                records = [from_row(row) for row in await read(cypher_match.ORGANISATIONS)]
                # Building takes seconds for a 50,000-organisation graph: off the event loop.
                self.index = await asyncio.to_thread(NameIndex, records)
                self.fingerprint = fingerprint
                self.builds += 1
            self.checked_at = time.monotonic()
            return self.index
