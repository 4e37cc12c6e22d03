"""Nested list estimates for the cost limit, from the graph's own statistics.

The fixed fan-out table of the kinds (graph/kinds/specs.py) guesses for the worst graph: 50
children per organisation counts "100 organisations with children and grandchildren" as 250k
rows, though on ROR's 51k organisations the answer has a few hundred. Neo4j's count store knows
how many relationships of each type start at each label; their mean per node is what a nested
list yields on average. The estimate is that mean, doubled for skew, at least 1, and at most the
largest degree the type has (and NESTED_LIMIT, the compiler's cap). A graph where every
organisation really has a hundred partners still multiplies out to millions and is refused.

The figures are read from Neo4j in the background, at most once per REFRESH_S, so a request
never waits for them; until they first arrive, the fixed table applies. The counts come from
Neo4j's count store, in constant time; the largest degree is a pass over the label (a second
per list at a million organisations, and an organisation has a dozen lists), so it is read
again only when the list's relationships changed by more than LARGEST_DRIFT since, or after
LARGEST_REFRESH_S: a big graph is not scanned a dozen times a minute by an idle server.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from graph.api.compile.compiler import NESTED_LIMIT
from graph.cypher import Label, RelType
from graph.cypher import schema as cypher_schema
from graph.errors import PartnergraphError
from graph.kinds import KINDS, EdgeRel, Rel
from graph.store import Store

log = logging.getLogger(__name__)

REFRESH_S = 60.0
LARGEST_REFRESH_S = 3600.0
LARGEST_DRIFT = 0.1
SKEW = 2.0

Key = tuple[str, str]  # (GraphQL type, list field)
_Pair = tuple[Label, RelType, bool | None]


def _lists() -> dict[Key, _Pair]:
    """Every relationship list field of every kind, with what it walks."""
    out: dict[Key, _Pair] = {}
    for name, kind in KINDS.items():
        for field_name, rel in kind.relationships.items():
            if isinstance(rel, Rel) and not rel.many:
                continue
            if isinstance(rel, Rel | EdgeRel):
                out[(name, field_name)] = (kind.label, rel.type, rel.outgoing)
    return out


LISTS = _lists()
PAIRS = sorted(set(LISTS.values()), key=str)
COUNTS = {pair: cypher_schema.degree_counts(*pair) for pair in PAIRS}
LARGEST = {pair: cypher_schema.degree_largest(*pair) for pair in PAIRS}


@dataclass(frozen=True, slots=True)
class _Largest:
    degree: int
    relationships: int  # the list's relationships when it was read
    read_at: float

    def stale(self, relationships: int, now: float) -> bool:
        drift = abs(relationships - self.relationships) > LARGEST_DRIFT * self.relationships
        return drift or now - self.read_at >= LARGEST_REFRESH_S


def estimate(nodes: int, relationships: int, largest: int) -> int:
    """Rows per parent of one nested list, from its label's and type's counts."""
    if nodes <= 0 or relationships <= 0:
        return 1
    mean = relationships / nodes
    return max(1, min(math.ceil(mean * SKEW), max(largest, 1), NESTED_LIMIT))


@dataclass(slots=True)
class Degrees:
    """The current estimates; `refresh` keeps them at most REFRESH_S old."""

    estimates: dict[Key, int] = field(default_factory=dict)
    read_at: float = -math.inf
    _task: asyncio.Task[None] | None = None
    _largest: dict[_Pair, _Largest] = field(default_factory=dict)
    largest_reads: int = 0  # passes over a label so far (tests read it)

    def current(self) -> Mapping[Key, int]:
        return self.estimates

    def refresh(self, store: Store) -> None:
        """Start a background read when the figures are old; returns at once."""
        if time.monotonic() - self.read_at < REFRESH_S:
            return
        if self._task is not None and not self._task.done():
            return
        # Marked read now: a failed read is retried after REFRESH_S, not on every request.
        self.read_at = time.monotonic()
        # A view of its own: the request's round-trip counters are not this read's.
        self._task = asyncio.create_task(self.read(store.view()))

    async def stop(self) -> None:
        """End a read under way: the app's shutdown calls this before the store closes, else
        the read went on against a closed driver and logged a failure at every shutdown."""
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            # The store's reads are shielded: the one in flight finishes in the background and
            # returns its connection, which closing the store waits for (graph/store.py).
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def read(self, store: Store) -> None:
        by_pair: dict[_Pair, int] = {}
        try:
            for pair in PAIRS:
                by_pair[pair] = await self._estimate(store, pair)
        except PartnergraphError as exc:
            log.warning("could not read the graph's degree statistics: %s", exc)
            return
        except Exception as exc:  # a background task: nobody else would see it fail
            # The class only: a driver's message can carry query text or addresses.
            log.warning("could not read the graph's degree statistics: %s", type(exc).__name__)
            return
        self.estimates = {key: by_pair[pair] for key, pair in LISTS.items()}

    async def _estimate(self, store: Store, pair: _Pair) -> int:
        [row] = await store.read(COUNTS[pair])
        nodes, relationships = int(row["nodes"]), int(row["relationships"])
        now = time.monotonic()
        known = self._largest.get(pair)
        if known is None or known.stale(relationships, now):
            [top] = await store.read(LARGEST[pair])
            self.largest_reads += 1
            known = self._largest[pair] = _Largest(int(top["largest"] or 0), relationships, now)
        return estimate(nodes, relationships, known.degree)
