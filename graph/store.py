"""The only module that talks to Neo4j: one async driver, routed reads, atomic writes; and a
sync driver for the exports' long reads, which run in worker threads.

Every query and session of both drivers shares one bookmark manager (`Store.bookmarks`): on a
cluster, a read follows every write this process was told had committed (read-your-writes),
whichever driver, session or query path either went through."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Hashable,
    Iterator,
    Mapping,
    Sequence,
)
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, LiteralString, TypeVar

import neo4j
from neo4j import AsyncGraphDatabase, GraphDatabase, RoutingControl
from neo4j import exceptions as nx
from neo4j.api import BookmarkManager

from graph.coalesce import Coalescer
from graph.cypher import Label
from graph.cypher import resolve as cypher_resolve
from graph.cypher import schema as cypher_schema
from graph.errors import (
    AuthFailed,
    ConstraintViolation,
    StoreBusy,
    StoreError,
    StoreTimeout,
    StoreUnavailable,
)
from graph.threads import ahead

Row = dict[str, Any]
Params = Mapping[str, Any]
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Target:
    """Where the store connects: from NEO4J_* settings or the local server's generated password."""

    uri: str
    user: str
    password: str
    database: str = "neo4j"


@dataclass(slots=True)
class Stats:
    """Round trips and database time, kept per Store (the API makes one Store view per request)."""

    round_trips: int = 0
    db_ms: float = 0.0


# Codes Neo4j answers while it shuts down or starts (seen by `make loadtest --chaos`).
_GOING_AWAY = frozenset(
    {
        "Neo.TransientError.General.DatabaseUnavailable",
        "Neo.TransientError.Database.DatabaseUnavailable",
    }
)
# A transaction stopped while waiting for a lock: by its timeout, by TERMINATE, or by a
# shutdown. The driver reports it as a client error ("terminated by the user").
_LOCK_WAIT_STOPPED = frozenset(
    {
        "Neo.TransientError.Transaction.LockClientStopped",
        "Neo.ClientError.Transaction.LockClientStopped",
    }
)


def _wrap(exc: Exception, uri: str) -> StoreError:
    error = _translate(exc, uri)
    error.uri = uri
    return error


def _translate(exc: Exception, uri: str) -> StoreError:
    # Driver messages can carry query text; users get what went wrong and what to do, the
    # original stays chained (`raise ... from exc`) for logs.
    if isinstance(exc, nx.AuthError):
        return AuthFailed(
            f"Neo4j at {uri} refused the credentials: check NEO4J_USER and NEO4J_PASSWORD"
        )
    if isinstance(exc, nx.ConstraintError):
        return ConstraintViolation(f"a write broke a uniqueness constraint: {exc.message}")
    if isinstance(exc, nx.ServiceUnavailable | nx.SessionExpired | OSError):
        # Logs and the CLI get the address (see the chained exception); users of the API read
        # only that the store is down, not where it lives.
        return StoreUnavailable(
            "store unavailable: Neo4j cannot be reached "
            "(is it running? `partnergraph db start`, or check NEO4J_URI)"
        )
    if isinstance(exc, nx.Neo4jError):
        code = exc.code or "Neo.Unknown"
        if "DeadlockDetected" in code:
            return StoreBusy(
                "two writes waited on each other and Neo4j stopped this one: it changed "
                "nothing; try again"
            )
        if code in _LOCK_WAIT_STOPPED:
            return StoreBusy(
                "Neo4j stopped this request while it waited for a record another write was "
                "changing (or while shutting down): it changed nothing; try again"
            )
        if code in _GOING_AWAY:
            # Neo4j shutting down (or not yet serving): the same advice as when it is down,
            # so that the API answers 503 with Retry-After rather than a database error.
            return StoreUnavailable(
                "store unavailable: Neo4j is stopping or starting; try again in a few seconds"
            )
        if "MemoryPoolOutOfMemory" in code:
            return StoreError(
                "Neo4j ran out of transaction memory: this load is larger than its heap allows. "
                "Give the local server more (PARTNERGRAPH_NEO4J_HEAP=4g, then `partnergraph db "
                "stop` and `db start`) or raise dbms.memory.transaction.total.max on your server"
            )
        if "TransactionTimedOut" in code or "Terminated" in code:
            return StoreTimeout(
                f"Neo4j stopped the query: it ran past its time limit and timed out ({code}); "
                "ask for less at once (a narrower filter, smaller pages)"
            )
        if exc.is_retryable():
            # A leader switch (NotALeader), a read-only follower, a transient cluster state:
            # the transaction was rolled back whole. Busy, as for a deadlock: the loads and
            # API writes run again a few times (graph/ingest/write.py); managed writes were
            # already retried by the driver.
            return StoreBusy(
                f"Neo4j could not complete this transaction for a passing reason ({code}): "
                "nothing was written; run it again"
            )
        return StoreError(f"Neo4j error {code}")
    return StoreError(f"Neo4j driver error: {type(exc).__name__}")


_DRIVER_ERRORS = (nx.Neo4jError, nx.DriverError, OSError)


class WriteTx:
    """An explicit write transaction: every `run` joins it; nothing is visible until commit."""

    def __init__(
        self,
        tx: neo4j.AsyncTransaction | neo4j.AsyncManagedTransaction,
        store: Store,
        *,
        managed: bool = False,
    ) -> None:
        self._tx = tx
        self._store = store
        # In a managed transaction driver errors go up as they are: the driver retries the
        # transient ones, and the store wraps whatever it gives up on.
        self._managed = managed

    async def run(self, query: LiteralString, params: Params | None = None) -> list[Row]:
        started = time.perf_counter()
        try:
            result = await self._tx.run(query, _sent(params))
            rows = [record.data() async for record in result]
        except _DRIVER_ERRORS as exc:
            if self._managed:
                raise
            raise _wrap(exc, self._store.target.uri) from exc
        self._store.stats.round_trips += 1
        self._store.stats.db_ms += (time.perf_counter() - started) * 1000
        return rows


class _Rows(list[Any]):
    """A list parameter whose repr is short. The driver formats every query's parameters for
    its debug log before it knows whether anything logs (`" ".join(map(repr, fields))`): 20 ms
    a batch of 5,000 rows, on the event loop. Packed as the same bytes as a plain list."""

    def __repr__(self) -> str:
        return f"<{len(self)} items>"


def _sent(params: Params | None) -> dict[str, Any]:
    """The parameters as the driver gets them: long lists wrapped in `_Rows`."""
    return {
        k: _Rows(v) if type(v) is list and len(v) > 100 else v for k, v in (params or {}).items()
    }


# Queries whose caller gave up, kept referenced until they finish (see Store._query).
_BACKGROUND: set[asyncio.Future[Any]] = set()


def _settled(call: asyncio.Future[Any]) -> None:
    _BACKGROUND.discard(call)
    if not call.cancelled():
        call.exception()  # retrieved: nobody waits for this answer any more


def _driver_options(target: Target, timeout_s: float) -> dict[str, Any]:
    return {
        "auth": (target.user, target.password),
        "connection_timeout": min(timeout_s, 15.0),
        "connection_acquisition_timeout": timeout_s,
        "max_transaction_retry_time": timeout_s,
        # Server notifications ("property key does not exist" on an empty graph) are noise for
        # users; queries are tested instead.
        "notifications_min_severity": "OFF",
    }


# Records (an export's batches of rows) read ahead of the one its writer works on.
_READ_AHEAD = 2
# How long closing the store waits for exports still reading in their threads: a stopped
# export ends at its next chunk, after at most one fetch.
_STREAMS_END_S = 10.0


class _Blocking:
    """The sync driver, made on first use and shared by a store's views.

    Exports read whole graphs row by row, and the async driver costs this process 2-3x the CPU
    per record of the sync one (57-60 us against 20-27 us on the ROR organisations, measured
    side by side: bench/README.md); the exports therefore read through this driver, always in a
    worker thread (graph/threads.py), never on the event loop.
    """

    def __init__(self) -> None:
        self._driver: neo4j.Driver | None = None
        self._streams = 0
        self._changed = threading.Condition()

    def open(self, target: Target, timeout_s: float) -> neo4j.Driver:
        with self._changed:
            if self._driver is None:
                options = _driver_options(target, timeout_s)
                self._driver = GraphDatabase.driver(target.uri, **options)
            self._streams += 1
            return self._driver

    def release(self) -> None:
        with self._changed:
            self._streams -= 1
            self._changed.notify_all()

    def close(self) -> None:
        """Blocking: waits for the reads in flight, then closes the driver."""
        with self._changed:
            self._changed.wait_for(lambda: self._streams == 0, timeout=_STREAMS_END_S)
            driver, self._driver = self._driver, None
        if driver is not None:
            driver.close()


@dataclass
class Store:
    """One driver per process; `Store.open` connects, `close` releases it."""

    driver: neo4j.AsyncDriver
    target: Target
    timeout_s: float = 30.0
    stats: Stats = field(default_factory=Stats)
    blocking: _Blocking = field(default_factory=_Blocking)  # shared by views
    # Shared by views and by both drivers. The sync kind: the async driver's sessions accept
    # it too (the driver awaits its callbacks only when they are coroutines), and it is
    # thread-safe, which the exports' threads need.
    bookmarks: BookmarkManager = field(default_factory=GraphDatabase.bookmark_manager)
    lookups: Coalescer = field(default_factory=Coalescer)  # shared by views

    @classmethod
    async def open(cls, target: Target, timeout_s: float = 30.0, *, verify: bool = True) -> Store:
        """A store with its driver; `verify=False` for a server that may come up later."""
        driver = AsyncGraphDatabase.driver(target.uri, **_driver_options(target, timeout_s))
        store = cls(driver=driver, target=target, timeout_s=timeout_s)
        if not verify:
            return store
        try:
            await store.verify()
        except StoreError:
            await driver.close()
            raise
        return store

    def view(self) -> Store:
        """The same driver with fresh counters (one per API request)."""
        return Store(
            driver=self.driver,
            target=self.target,
            timeout_s=self.timeout_s,
            blocking=self.blocking,
            bookmarks=self.bookmarks,
            lookups=self.lookups,
        )

    async def close(self) -> None:
        pending = [call for call in _BACKGROUND if not call.done()]
        if pending:  # abandoned queries first, so that their connections close cleanly
            await asyncio.wait(pending, timeout=self.timeout_s)
        await asyncio.to_thread(self.blocking.close)
        await self.driver.close()

    async def verify(self) -> None:
        try:
            await self.driver.verify_connectivity()
        except _DRIVER_ERRORS as exc:
            raise _wrap(exc, self.target.uri) from exc
        await self.read(cypher_schema.PING)

    async def _query(
        self,
        query: LiteralString,
        params: Params | None,
        routing: RoutingControl,
        *,
        plain: bool = False,
    ) -> list[Row]:
        started = time.perf_counter()
        call = asyncio.ensure_future(
            self._auto_read(query, params)
            if routing is RoutingControl.READ
            else self._managed(query, params, routing)
        )
        try:
            # Reads are shielded: graphql-core cancels the sibling root fields of one that
            # fails, and a driver call cancelled mid-flight drops its connection unclosed (a
            # leaked socket: tests/api/test_cancelled.py). The read finishes in the background
            # instead, bounded by its transaction timeout, and its connection goes back to the
            # pool. A write is not: a caller told "cancelled" must not see it commit later.
            if routing is RoutingControl.READ:
                records = await asyncio.shield(call)
            else:
                records = await call
        except asyncio.CancelledError:
            if not call.done():
                _BACKGROUND.add(call)
                call.add_done_callback(_settled)
            raise
        except _DRIVER_ERRORS as exc:
            raise _wrap(exc, self.target.uri) from exc
        self.stats.round_trips += 1
        self.stats.db_ms += (time.perf_counter() - started) * 1000
        if plain:
            return [dict(zip(record.keys(), record.values(), strict=True)) for record in records]
        return [record.data() for record in records]

    async def _managed(
        self, query: LiteralString, params: Params | None, routing: RoutingControl
    ) -> list[neo4j.Record]:
        """One query in a managed transaction: the driver runs it again on a transient
        failure (a leader switch, a connection the server closed)."""
        records, _, _ = await self.driver.execute_query(
            neo4j.Query(query, timeout=self.timeout_s),
            _sent(params),
            routing_=routing,
            database_=self.target.database,
            bookmark_manager_=self.bookmarks,
        )
        return records

    async def _auto_read(self, query: LiteralString, params: Params | None) -> list[neo4j.Record]:
        """One read in an auto-commit transaction, routed to a reader, with the bookmarks.

        One round trip (RUN and PULL) instead of a managed transaction's BEGIN, RUN, PULL and
        COMMIT: on a key look-up a 1.3x lower p50, about 20% less Neo4j CPU and 30% less of
        this process's (bench/transactions.py, bench/results/transactions-*.md). Auto-commit
        has no retry of its own, so a read that fails in a way the driver calls retryable (a
        pooled connection the server closed, a reader gone) is run once more, on a fresh
        connection; a read changes nothing, so running it again is safe. Once, not the
        managed retry loop: with Neo4j down that loop held each request for the whole retry
        time (twice the time to a 503 of `execute_query` alone, measured: 6.4 s vs 3.3 s)."""
        try:
            return await self._auto_read_once(query, params)
        except (nx.Neo4jError, nx.DriverError) as exc:
            if not exc.is_retryable():
                raise
        return await self._auto_read_once(query, params)

    async def _auto_read_once(
        self, query: LiteralString, params: Params | None
    ) -> list[neo4j.Record]:
        async with self.driver.session(
            database=self.target.database,
            bookmark_manager=self.bookmarks,
            default_access_mode=neo4j.READ_ACCESS,
        ) as session:
            result = await session.run(neo4j.Query(query, timeout=self.timeout_s), _sent(params))
            return [record async for record in result]

    async def read(self, query: LiteralString, params: Params | None = None) -> list[Row]:
        """A read, routed to a reader in a cluster."""
        return await self._query(query, params, RoutingControl.READ)

    async def read_values(self, query: LiteralString, params: Params | None = None) -> list[Row]:
        """A read whose columns hold maps, lists and values only (no nodes, relationships or
        paths), as the API's compiled projections do: the rows as the driver decoded them,
        without `Record.data()`'s recursive conversion, which cost more than completing the
        GraphQL response (about 2 us per nested value, measured on a 100-organisation list)."""
        return await self._query(query, params, RoutingControl.READ, plain=True)

    async def read_keyed(
        self, query: LiteralString, params: Params, keys_param: str, keys: Sequence[Hashable]
    ) -> list[Row]:
        """A look-up by keys, as `read_values`: `query` takes the keys as `$<keys_param>` and
        returns each row's key as its `key` column. Concurrent look-ups of the same query and
        other parameters share one round trip (graph/coalesce.py)."""
        started, trips = time.perf_counter(), self.stats.round_trips
        rows = await self.lookups.rows(self.read_values, query, dict(params), keys_param, keys)
        if self.stats.round_trips == trips:  # another view's read answered: count it here too
            self.stats.round_trips += 1
            self.stats.db_ms += (time.perf_counter() - started) * 1000
        return rows

    def stream_blocking(
        self,
        query: LiteralString,
        params: Params | None = None,
        *,
        fetch_size: int = 1000,
        timeout_s: float | None = None,
    ) -> Iterator[tuple[Any, ...]]:
        """A read whose records arrive `fetch_size` at a time, as value tuples in RETURN order:
        the driver holds one fetch, never the whole result (the exports). The next fetch is
        read in a thread of its own while the caller works on this one. Blocking: iterate it
        in a worker thread only (graph/threads.py)."""
        return ahead(
            lambda: self._records(query, params, fetch_size, timeout_s),
            depth=_READ_AHEAD,
            name="export-read",
        )

    def _records(
        self,
        query: LiteralString,
        params: Params | None,
        fetch_size: int,
        timeout_s: float | None,
    ) -> Iterator[tuple[Any, ...]]:
        started = time.perf_counter()
        driver = self.blocking.open(self.target, self.timeout_s)
        try:
            with driver.session(
                database=self.target.database,
                default_access_mode=neo4j.READ_ACCESS,
                fetch_size=fetch_size,
                bookmark_manager=self.bookmarks,
            ) as session:
                query_ = neo4j.Query(query, timeout=timeout_s or self.timeout_s)
                for record in session.run(query_, dict(params or {})):
                    yield tuple(record.values())
        except _DRIVER_ERRORS as exc:
            raise _wrap(exc, self.target.uri) from exc
        finally:
            self.blocking.release()
        self.stats.round_trips += 1
        self.stats.db_ms += (time.perf_counter() - started) * 1000

    async def write(self, query: LiteralString, params: Params | None = None) -> list[Row]:
        """A single auto-retried write transaction."""
        return await self._query(query, params, RoutingControl.WRITE)

    async def run_batched(self, query: LiteralString, params: Params | None = None) -> None:
        """An auto-commit query, for `CALL { ... } IN TRANSACTIONS`, which manages its own."""
        started = time.perf_counter()
        try:
            async with self._session() as session:
                result = await session.run(query, dict(params or {}))
                await result.consume()
        except _DRIVER_ERRORS as exc:
            raise _wrap(exc, self.target.uri) from exc
        self.stats.round_trips += 1
        self.stats.db_ms += (time.perf_counter() - started) * 1000

    @asynccontextmanager
    async def transaction(self, timeout_s: float | None = None) -> AsyncIterator[WriteTx]:
        """One explicit write transaction: committed when the block ends, rolled back on error.

        Loads use it so that a failure anywhere, or Neo4j dying midway, leaves the graph as it was.
        It is not retried: a caller that can replay its work uses `write_transaction`; a load
        told of a transient failure (a cluster's leader switch) reports StoreUnavailable:
        nothing was written, run it again.
        """
        try:
            async with self._session() as session:
                tx = await session.begin_transaction(timeout=timeout_s or self.timeout_s)
                try:
                    yield WriteTx(tx, self)
                    await tx.commit()
                finally:
                    # Closing an uncommitted transaction rolls it back.
                    if not tx.closed():
                        await tx.close()
        except _DRIVER_ERRORS as exc:
            raise _wrap(exc, self.target.uri) from exc

    async def write_transaction(
        self, work: Callable[[WriteTx], Awaitable[_T]], timeout_s: float | None = None
    ) -> _T:
        """A managed write transaction: `work` runs in it and is run again, in a new one, on
        a transient failure (a leader switch, a deadlock Neo4j broke), up to the driver's
        retry time; so `work` must depend only on what it reads in its transaction. An error
        raised by `work` itself rolls back and is not retried."""

        async def unit(tx: neo4j.AsyncManagedTransaction) -> _T:
            return await work(WriteTx(tx, self, managed=True))

        timed = neo4j.unit_of_work(timeout=timeout_s or self.timeout_s)(unit)
        try:
            async with self._session() as session:
                return await session.execute_write(timed)
        except _DRIVER_ERRORS as exc:
            raise _wrap(exc, self.target.uri) from exc

    def _session(self) -> neo4j.AsyncSession:
        """A session of the async driver, with the store's bookmarks (read-your-writes)."""
        return self.driver.session(database=self.target.database, bookmark_manager=self.bookmarks)

    async def setup_schema(self) -> None:
        """Constraints and indexes; idempotent (IF NOT EXISTS), then wait until they are online."""
        for statement in (*cypher_schema.OBSOLETE_SCHEMA, *cypher_schema.SCHEMA):
            await self.write(statement)
        for label in Label:
            await self.run_batched(cypher_resolve.backfill(label))
        await self.write(cypher_schema.AWAIT_INDEXES)
