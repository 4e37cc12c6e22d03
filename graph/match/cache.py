"""The index of one app: built once in a worker thread, then kept current by each write's delta.

A write in this process (the API's mutations, a load run by the app) reports the organisations
it touched (`written`); the next `get` re-reads those few by id and replaces their entries.
Writes by another process (a `partnergraph load` from a shell) are seen by the graph's
fingerprint, checked at most every RECHECK_S: then the index is rebuilt in a worker thread.
The event loop never builds the index nor decodes the graph's organisations.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from typing import Any

import neo4j

from graph.cypher import match as cypher_match
from graph.match.index import NameIndex
from graph.match.record import from_row
from graph.store import Store

# How often a request may check whether another process changed the graph: the fingerprint
# is one pass over the organisations' versions in Neo4j, cheap but not free for every request.
RECHECK_S = 5.0
# A delta bigger than this is a load: rebuilding in a thread beats replacing entries on the loop.
MAX_DELTA = 2000


def build(store: Store) -> NameIndex:
    """The index of every organisation, read through the sync driver. Blocking: a thread's."""
    columns = cypher_match.ORGANISATION_COLUMNS
    records = (
        from_row(dict(zip(columns, values, strict=True)))
        for values in store.stream_blocking(cypher_match.ORGANISATIONS, fetch_size=5000)
    )
    return NameIndex(records)


class IndexCache:
    """The name index, the fingerprint of the graph it was built from, and pending deltas."""

    def __init__(self, recheck_s: float = RECHECK_S) -> None:
        self.recheck_s = recheck_s
        self.index: NameIndex | None = None
        self.fingerprint: tuple[Any, ...] | None = None
        self.checked_at = float("-inf")
        self.builds = 0
        self.deltas = 0
        self.pending: set[str] = set()
        self.stale = False  # a write too big for a delta: rebuild
        self._lock = asyncio.Lock()

    def written(self, organisations: set[str]) -> None:
        """A write in this process changed (or deleted) these organisations."""
        if self.stale or len(self.pending) + len(organisations) > MAX_DELTA:
            self.stale = True
            self.pending.clear()
        else:
            self.pending |= organisations

    async def _fingerprint(self, store: Store) -> tuple[Any, ...]:
        rows = await store.read(cypher_match.FINGERPRINT)
        return tuple(rows[0].values()) if rows else ()

    async def get(self, store: Store) -> NameIndex:
        fresh = time.monotonic() - self.checked_at < self.recheck_s
        if self.index is not None and fresh and not self.pending and not self.stale:
            return self.index
        async with self._lock:  # one refresh at a time; the others wait for it and reuse it
            if self.index is None or self.stale:
                await self._rebuild(store)
            if self.pending:
                await self._apply(store)
            if time.monotonic() - self.checked_at >= self.recheck_s:
                if await self._fingerprint(store) != self.fingerprint:
                    await self._rebuild(store)  # another process wrote
                self.checked_at = time.monotonic()
            assert self.index is not None
            return self.index

    async def _rebuild(self, store: Store) -> None:
        self.pending.clear()
        self.stale = False
        # Read before building: a write during the build changes it, and is caught next time.
        fingerprint = await self._fingerprint(store)
        self.index = await asyncio.to_thread(build, store)
        self.fingerprint = fingerprint
        self.checked_at = time.monotonic()
        self.builds += 1

    async def _apply(self, store: Store) -> None:
        ids, self.pending = sorted(self.pending), set()
        rows = await store.read(cypher_match.ORGANISATIONS_BY_ID, {"ids": ids})
        records = [from_row(row) for row in rows]
        assert self.index is not None
        self.index.update(records, removed=set(ids) - {r.id for r in records})
        self.deltas += 1
        # The graph now is what the index holds, up to writes of other processes meanwhile.
        self.fingerprint = await self._fingerprint(store)


# One index per driver: an app's Store views share its driver, and the cache goes with the
# driver (tests open several apps in one process).
_CACHES: weakref.WeakKeyDictionary[neo4j.AsyncDriver, IndexCache] = weakref.WeakKeyDictionary()


def index_cache(store: Store) -> IndexCache:
    cache = _CACHES.get(store.driver)
    if cache is None:
        cache = _CACHES[store.driver] = IndexCache()
    return cache


def written(store: Store, organisations: set[str]) -> None:
    """Tell the store's index (if it has one) which organisations a write changed."""
    cache = _CACHES.get(store.driver)
    if cache is not None and organisations:
        cache.written(organisations)
