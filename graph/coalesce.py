"""Concurrent look-ups of one shape read together: one round trip for every key asked meanwhile.

Under load, most API requests are look-ups of one node by key or identifier, each with the same
compiled Cypher (`... WHERE n.id IN $keys ...`) and other parameters, only the keys differing. A
round trip costs this process a driver session, the Bolt messages and their socket I/O, and Neo4j
a transaction, whatever the number of keys; the index seek per key is the small part. So
look-ups of the same query and other parameters share a read (a DataLoader across requests).

Decisions:

- No waiting to gather: a look-up whose shape has no read in flight is read at once, alone, in
  its caller's task (no task, future or shield more than a plain read), so one client sees no
  added latency. Only look-ups that arrive while a read of their shape is in flight gather,
  into the next read, sent as soon as the one in flight returns: they wait at most one round
  trip more, and the busier the server, the more look-ups each read carries.
- Never a read that began earlier: a look-up joins only a read not yet sent, so it sees every
  write committed before it was asked (the store's bookmarks are taken when the read is sent).
- Each caller gets the rows of its own keys (the query returns the key as its `key` column); an
  error of the shared read is every caller's error, as it would have been each one's.
- A caller cancelled while waiting leaves the read to finish for the others (it is shielded).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, LiteralString

import orjson

Row = dict[str, Any]
Read = Callable[[LiteralString, dict[str, Any]], Awaitable[list[Row]]]

# About the most keys one read carries (the API's page size): a full one starts another read.
MAX_KEYS = 1000
KEY_COLUMN = "key"


@dataclass
class _Batch:
    read: Read
    query: LiteralString
    params: dict[str, Any]
    keys_param: str
    keys: dict[Hashable, None] = field(default_factory=dict)  # ordered, without repeats
    rows: asyncio.Future[list[Row]] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class Coalescer:
    """One per store (shared by its per-request views): look-ups of a shape, read together."""

    def __init__(self) -> None:
        self._waiting: dict[Hashable, _Batch] = {}  # the next read of a shape, not yet sent
        self._busy: set[Hashable] = set()  # shapes with a read in flight
        self._tasks: set[asyncio.Task[None]] = set()
        self.reads = 0  # reads sent, for tests and benchmarks
        self.lookups = 0  # look-ups they answered

    async def rows(
        self,
        read: Read,
        query: LiteralString,
        params: dict[str, Any],
        keys_param: str,
        keys: Sequence[Hashable],
    ) -> list[Row]:
        """The rows of `query` for `keys` (passed as `$<keys_param>`; each row's `key` one of
        them), read with the concurrent look-ups of the same query and other parameters."""
        others = {name: value for name, value in params.items() if name != keys_param}
        try:
            shape: Hashable = (query, keys_param, orjson.dumps(others, option=orjson.OPT_SORT_KEYS))
        except TypeError:  # a parameter JSON cannot tell apart: read alone
            return await read(query, {**others, keys_param: list(keys)})
        self.lookups += 1
        if shape not in self._busy:
            # Nothing of its shape in flight: read at once, in the caller's own task.
            self._busy.add(shape)
            self.reads += 1
            try:
                return await read(query, {**others, keys_param: list(keys)})
            finally:
                self._next(shape)
        batch = self._waiting.get(shape)
        if batch is not None and len(batch.keys) >= MAX_KEYS:
            # Full: sent now, beside the read in flight, rather than grown without bound.
            del self._waiting[shape]
            self._send(shape, batch, then_next=False)
            batch = None
        if batch is None:
            batch = self._waiting[shape] = _Batch(read, query, others, keys_param)
            batch.rows.add_done_callback(_retrieved)
        batch.keys.update(dict.fromkeys(keys))
        rows = await asyncio.shield(batch.rows)
        mine = set(keys)
        return [row for row in rows if row[KEY_COLUMN] in mine]

    def _next(self, shape: Hashable) -> None:
        """A read of `shape` returned: send the look-ups that gathered meanwhile, if any."""
        waiting = self._waiting.pop(shape, None)
        if waiting is None:
            self._busy.discard(shape)
        else:
            self._send(shape, waiting, then_next=True)

    def _send(self, shape: Hashable, batch: _Batch, *, then_next: bool) -> None:
        task = asyncio.create_task(self._run(shape, batch, then_next=then_next))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, shape: Hashable, batch: _Batch, *, then_next: bool) -> None:
        # Sent on the loop's next turn: look-ups asked in this turn join it first.
        self.reads += 1
        try:
            rows = await batch.read(
                batch.query, {**batch.params, batch.keys_param: list(batch.keys)}
            )
        except BaseException as exc:  # every caller's error, as it would have been each one's
            if not batch.rows.done():
                batch.rows.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
        else:
            batch.rows.set_result(rows)
        finally:
            if then_next:
                self._next(shape)


def _retrieved(rows: asyncio.Future[list[Row]]) -> None:
    """Marks a shared read's error as seen: its callers may all have been cancelled."""
    if not rows.cancelled():
        rows.exception()
