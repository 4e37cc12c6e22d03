"""Writing a load: every unit or nothing, in ONE transaction; the one write path of partnergraph.

Loads from files, the API's upserts, links and retractions all come here. A failure anywhere
(a bad row, a broken constraint, Neo4j dying midway) rolls the whole transaction back: the graph
stays as it was.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import (
    AsyncGenerator,
    Awaitable,
    Callable,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from concurrent.futures import ThreadPoolExecutor
from contextlib import aclosing, nullcontext
from dataclasses import dataclass
from typing import Any, LiteralString, Protocol, TypeVar, cast

from graph.cypher import Label
from graph.cypher import audit as cypher_audit
from graph.cypher import load as cypher_load
from graph.cypher import loadmark as cypher_loadmark
from graph.cypher import resolve as cypher_resolve
from graph.errors import InputError, StoreBusy
from graph.ingest.audit import Audit
from graph.ingest.claims import Dumps, claim_origin, props_to_neo4j
from graph.ingest.gcpause import gc_paused
from graph.ingest.plan import (
    Links,
    Plan,
    Report,
    Unit,
    _node_row,
    batches,
    node_batches,
    prepare,
)
from graph.ingest.rows import provenance_entry, provenance_prefix
from graph.ingest.unchanged import finished
from graph.match.cache import written as matcher_written
from graph.model import Citation
from graph.parsed import Parsed
from graph.store import Row, Store, WriteTx


class Progress(Protocol):
    def start(self, total: int) -> None: ...
    def __call__(self, phase: str, rows: int) -> None: ...


LOAD_TIMEOUT_S = 1800.0
# Records above which a load (not an API write) is written batch by batch: one transaction
# holds ~40 kB of Neo4j heap per organisation (graph/dbserver/memory.py), so a few tens of
# thousands stay cheap in one, and more go in batches.
BATCHED_ABOVE = 20_000
DEADLOCK_RETRIES = 3
_T = TypeVar("_T")


async def load(
    units: Sequence[Parsed | Links],
    store: Store,
    *,
    dry_run: bool = False,
    batch_size: int = 5000,
    progress: Progress | None = None,
    expected_versions: dict[str, int] | None = None,
    must_exist: Sequence[tuple[Label, str]] = (),
    audit: Audit | None = None,
    timeout_s: float = LOAD_TIMEOUT_S,
    pause_gc: bool = True,
    skip_unmatched: bool = False,
    batched: bool | None = None,
    digests: Mapping[str, str] | None = None,
    rehearse: bool = False,
) -> Report:
    """Load every unit or nothing; raises InputError listing every problem found.

    `batched` (None: for loads of more than BATCHED_ABOVE records, never the API's writes)
    writes in one transaction per batch, so Neo4j's heap holds one batch, not the load; the
    units are marked incomplete in the graph until the last batch commits (`_load_batched`).

    `expected_versions` (record id -> version) makes the load fail with ConflictError when a
    node changed meanwhile, `must_exist` with NotFoundError when a node is absent (a retraction
    of nothing writes nothing); `audit` is written in the same transaction (API writes).
    The API's one-record writes pass their request timeout and `pause_gc=False` (pausing the
    process-wide collector buys nothing for a few rows and would stop it for every request).
    A deadlock Neo4j broke (StoreBusy) is retried a few times: the load rolled back whole.
    Organisations named by free text link only where matched; with `skip_unmatched` the rows
    of the others are left out (`Report.unmatched`) instead of failing the load.
    `digests` (origin -> the digest of the file that made it) are left with the finished units
    (graph.ingest.unchanged): a load of the same files finds nothing to write.
    `rehearse` runs every statement of a one-transaction write and rolls the transaction
    back: nothing is written, but Neo4j has planned and cached each statement, so the next
    write of the same shape does not pay for it (the API's first write after Neo4j started
    took tens of seconds, graph/api/http/rehearsal.py).
    """
    started = time.perf_counter()
    with gc_paused() if pause_gc else nullcontext():
        if dry_run:
            plan = await prepare(
                units, store.read, expected_versions, must_exist, skip_unmatched=skip_unmatched
            )
            if plan.problems:
                raise InputError(plan.problems)
            plan.report.relationships = sum(_rel_count(u) for u in plan.units)
            return _finish(plan, started, dry_run=True)
        if batched is None:
            batched = (
                audit is None
                and not expected_versions
                and not rehearse
                and _size(units) > BATCHED_ABOVE
            )
        if batched and rehearse:
            raise ValueError("a batched load commits batch by batch: it cannot be rehearsed")
        if batched:
            plan = await _load_batched(
                units, store, batch_size, progress, skip_unmatched, digests or {}
            )
            matcher_written(store, plan.touched.get(Label.ORGANISATION, set()))
            return _finish(plan, started, dry_run=False)
        for attempt in range(DEADLOCK_RETRIES + 1):
            try:
                plan = await _load(
                    units,
                    store,
                    batch_size,
                    progress,
                    expected_versions,
                    must_exist,
                    audit,
                    timeout_s,
                    skip_unmatched,
                    digests or {},
                    rehearse,
                )
                break
            except _Rehearsed as rehearsed:
                return _finish(rehearsed.plan, started, dry_run=True)
            except StoreBusy:
                if attempt == DEADLOCK_RETRIES:
                    raise
                await asyncio.sleep(0.05 * (attempt + 1))
    # The matcher's index replaces these organisations' entries (a delta, not a rebuild).
    matcher_written(store, plan.touched.get(Label.ORGANISATION, set()))
    return _finish(plan, started, dry_run=False)


async def _load(
    units: Sequence[Parsed | Links],
    store: Store,
    batch_size: int,
    progress: Progress | None,
    expected_versions: dict[str, int] | None,
    must_exist: Sequence[tuple[Label, str]],
    audit: Audit | None,
    timeout_s: float,
    skip_unmatched: bool,
    digests: Mapping[str, str],
    rehearse: bool,
) -> Plan:
    async with store.transaction(timeout_s=timeout_s) as tx:
        plan = await prepare(
            units, tx.run, expected_versions, must_exist, lock=True, skip_unmatched=skip_unmatched
        )
        if plan.problems:
            raise InputError(plan.problems)  # rolls back: nothing was written anyway
        if progress:
            nodes = sum(len(ids) for ids in plan.nodes.values())
            progress.start(nodes + sum(_rel_count(u) for u in plan.units))
        touched = {label: sorted(ids) for label, ids in sorted(plan.touched.items())}
        one = _one_write(plan, touched, batch_size, audit)
        if one is not None:
            query, params = one
            (counts,) = await tx.run(query, params)
            plan.report.relationships += int(counts["written"])
            plan.report.deleted_relationships += int(counts["deleted"])
            if progress:
                progress("nodes", sum(len(ids) for ids in plan.nodes.values()))
                progress("relationships", plan.report.relationships)
            if digests:
                await tx.run(cypher_loadmark.FINISHED, finished(digests))
            if rehearse:
                raise _Rehearsed(plan)  # rolls the transaction back
            return plan
        for label, ids in touched.items():
            await tx.run(cypher_resolve.strip_rels(label), strip_params(ids, plan.origins))
        # Python builds the rows of the next batch in a worker thread while Neo4j writes the
        # current one: the two overlap on two cores, in the same one transaction.
        async with aclosing(_ahead(_writes(plan, batch_size))) as writes:
            async for write in writes:
                if write.phase == "unchanged":
                    if progress:
                        progress("nodes", write.params["count"])
                    continue
                result = await tx.run(write.query, write.params)
                if write.phase == "relationships":
                    plan.report.relationships += int(result[0]["written"]) if result else 0
                if progress and write.phase != "deletes":
                    progress(write.phase, len(write.params["rows"]))
        for label, ids in touched.items():
            deleted = await tx.run(cypher_resolve.delete_unasserted_rels(label), {"ids": ids})
            plan.report.deleted_relationships += int(deleted[0]["deleted"]) if deleted else 0
        # A unit a batched load left incomplete is finished by this one, in its transaction.
        await tx.run(cypher_loadmark.UNMARK, {"origins": sorted(plan.origins)})
        if digests:
            await tx.run(cypher_loadmark.FINISHED, finished(digests))
        if audit is not None:
            await tx.run(cypher_audit.AUDIT_WRITE, audit.params(plan.report.versions))
        if rehearse:
            raise _Rehearsed(plan)  # rolls the transaction back
    return plan


class _Rehearsed(Exception):
    """Raised at the end of a rehearsed write's transaction, which rolls it back."""

    def __init__(self, plan: Plan) -> None:
        super().__init__("rehearsed: rolled back")
        self.plan = plan


async def _load_batched(
    units: Sequence[Parsed | Links],
    store: Store,
    batch_size: int,
    progress: Progress | None,
    skip_unmatched: bool,
    digests: Mapping[str, str],
) -> Plan:
    """A big load, one transaction per batch, marked incomplete until its last batch commits.

    Every check runs first, on reads only: bad input still writes nothing. Then the units are
    marked (graph.cypher.loadmark), written batch by batch, and unmarked with the last batch.
    Killed between (the loader or Neo4j), the graph holds a mix of old and new for these units,
    and says so: `stats`, GraphQL's `stats` and the explorer list them as incomplete. Loading
    them again finishes the load: each step converges from any partial state (a node's row is
    built from the claims of the other origins plus this load's, its version goes up only when
    its claims change; the units' relationships are stripped and asserted again, and those no
    origin asserts any more are deleted at the end).
    """
    plan = await prepare(units, store.read, None, (), skip_unmatched=skip_unmatched)
    if plan.problems:
        raise InputError(plan.problems)
    if progress:
        nodes = sum(len(ids) for ids in plan.nodes.values())
        progress.start(nodes + sum(_rel_count(u) for u in plan.units))
    origins = sorted(plan.origins)
    await _batch(store, cypher_loadmark.MARK, {"origins": origins})
    touched = {label: sorted(ids) for label, ids in sorted(plan.touched.items())}
    for label, ids in touched.items():
        for chunk in batches(ids, batch_size):
            await _batch(store, cypher_resolve.strip_rels(label), strip_params(chunk, origins))
    dumps = Dumps()
    async with aclosing(_ahead(_writes(plan, batch_size))) as writes:
        async for write in writes:
            if write.phase == "unchanged":
                if progress:
                    progress("nodes", write.params["count"])
                continue
            if write.phase == "deletes" and write.label is not None:
                gone = await retire_nodes(store, write.label, write.params["ids"], plan, dumps)
                # In place: the report counts plan.deletes, and a node kept is not deleted.
                write.params["ids"][:] = gone
                continue
            if write.label is not None:
                result = await write_nodes(store, write.label, write.params["rows"], plan, dumps)
            else:
                result = await _batch(store, write.query, write.params)
            if write.phase == "relationships":
                plan.report.relationships += int(result[0]["written"]) if result else 0
            if progress and write.phase != "deletes":
                progress(write.phase, len(write.params["rows"]))
    for label, ids in touched.items():
        for chunk in batches(ids, batch_size):
            query = cypher_resolve.delete_unasserted_rels(label)
            deleted = await _batch(store, query, {"ids": chunk})
            plan.report.deleted_relationships += int(deleted[0]["deleted"]) if deleted else 0
    await _batch(store, cypher_loadmark.UNMARK, {"origins": origins})
    if digests:
        await _batch(store, cypher_loadmark.FINISHED, finished(digests))
    return plan


def _one_write(
    plan: Plan, touched: dict[Label, list[str]], batch_size: int, audit: Audit | None
) -> tuple[LiteralString, dict[str, Any]] | None:
    """A small load's writes as one statement (`cypher_load.one_write`) and its parameters; None
    for a load with more than a batch of anything, or relationships of several units (each
    unit's are upserted with its origin), which writes statement by statement."""
    with_rels = [unit for unit in plan.units if unit.rels]
    if (
        len(with_rels) > 1
        or any(len(ids) > batch_size for ids in plan.nodes.values())
        or any(len(ids) > batch_size for ids in plan.deletes.values())
    ):
        return None
    groups = _rel_groups(with_rels[0]) if with_rels else {}
    if any(len(rows) > batch_size for rows in groups.values()):
        return None
    # Every touched label has its branch, with rows or none: the statement's text then follows
    # the record's shape, not which of its nodes changed, so Neo4j plans (and the API's
    # rehearsal warms, graph/api/http/rehearsal.py) one statement where a write citing a new
    # source and one citing a known, unchanged source were two.
    nodes: dict[str, list[dict[str, Any]]] = {label.value: [] for label in touched}
    for label, rows in node_batches(plan, None):
        plan.report.versions.update((row["id"], row["props"]["version"]) for row in rows)
        # As in `_writes`: a node whose claims did not change is not rewritten.
        nodes[label.value] = [row for row in rows if _changed(plan, label, row)]
    deletes = {label.value: ids for label, ids in plan.deletes.items() if ids}
    query = cypher_load.one_write(
        tuple(touched),
        tuple(Label(name) for name in nodes),
        tuple(Label(name) for name in deletes),
        tuple(groups),
        audit is not None,
    )
    params: dict[str, Any] = {
        **strip_params([], plan.origins),
        "ids": {label.value: ids for label, ids in touched.items()},
        "nodes": nodes,
        "deletes": deletes,
        "rels": {cypher_load.rel_group_key(g): list(rows.values()) for g, rows in groups.items()},
        "relOrigin": with_rels[0].origin if with_rels else None,
    }
    if audit is not None:
        params.update(audit.params(plan.report.versions))
    return query, params


def strip_params(ids: list[str], origins: Iterable[str]) -> dict[str, Any]:
    """`strip_rels`'s parameters: these nodes, these origins and their provenance prefixes."""
    ordered = sorted(origins)
    return {"ids": ids, "origins": ordered, "prefixes": [provenance_prefix(o) for o in ordered]}


async def _retried(store: Store, work: Callable[[WriteTx], Awaitable[_T]]) -> _T:
    """`work` in a transaction of its own; a deadlock Neo4j broke is retried (the transaction
    rolled back whole, and each of a load's batches can run again)."""
    for attempt in range(DEADLOCK_RETRIES + 1):
        try:
            async with store.transaction() as tx:
                return await work(tx)
        except StoreBusy:
            if attempt == DEADLOCK_RETRIES:
                raise
            await asyncio.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


async def _batch(store: Store, query: LiteralString, params: dict[str, Any]) -> list[Row]:
    """One batch in a transaction of its own."""
    return await _retried(store, lambda tx: tx.run(query, params))


async def write_nodes(
    store: Store, label: Label, rows: list[dict[str, Any]], plan: Plan, dumps: Dumps
) -> list[Row]:
    """One batch of node rows, built from claims read before, outside this transaction.

    Another writer (an API edit during a long load) may have changed a node since: its claims
    would be overwritten by rows built without them, lost. So each node is locked first, and
    a node whose version moved (or which appeared) has its row built again from its claims as
    they are now, in this transaction."""
    was = [{"id": r["id"], "was": plan.old.get((label, r["id"]), (None, None))[1]} for r in rows]

    async def work(tx: WriteTx) -> list[Row]:
        stale = await _stale(tx, label, was, plan)
        rebuilt = {i: _node_row(plan, label, i, dumps) for i in stale}
        fresh = [rebuilt.get(r["id"], r) for r in rows]
        return await tx.run(cypher_load.merge_nodes(label), {"rows": fresh})

    return await _retried(store, work)


async def retire_nodes(
    store: Store, label: Label, ids: list[str], plan: Plan, dumps: Dumps
) -> list[str]:
    """Delete nodes that only this load's origins claimed when their claims were read; the ids
    deleted.

    As in `write_nodes`, another writer may have given one of them a claim of its own since (an
    API edit during a long load): deleting it would lose that edit. So each node is locked
    first, and one whose version moved has its claims read again in this transaction: with
    another origin's claim it is rewritten from those claims instead of deleted."""
    was = [{"id": i, "was": plan.old.get((label, i), (None, None))[1]} for i in ids]

    async def work(tx: WriteTx) -> list[str]:
        stale = await _stale(tx, label, was, plan)
        kept = [
            _node_row(plan, label, i, dumps)
            for i in stale
            if any(claim_origin(c) not in plan.origins for c in plan.old[(label, i)][0])
        ]
        if kept:
            await tx.run(cypher_load.merge_nodes(label), {"rows": kept})
        spared = {row["id"] for row in kept}
        gone = [i for i in ids if i not in spared]
        await tx.run(cypher_load.delete_nodes(label), {"ids": gone})
        return gone

    return await _retried(store, work)


async def _stale(tx: WriteTx, label: Label, was: list[dict[str, Any]], plan: Plan) -> list[str]:
    """Of nodes whose claims were read at version `was`, each locked now, those another write
    changed since; their claims as they are now go into `plan.old`."""
    stale = [r["id"] for r in await tx.run(cypher_load.stale_nodes(label), {"rows": was})]
    if stale:
        for row in await tx.run(cypher_load.node_claims(label), {"ids": stale}):
            plan.old[(label, row["id"])] = (row["claims"] or [], row["version"] or 0)
    return stale


def _size(units: Sequence[Parsed | Links]) -> int:
    """Records (or links) a load brings."""
    total = 0
    for unit in units:
        if isinstance(unit, Links):
            total += len(unit.rels)
        else:
            total += sum(len(v) for v in vars(unit.bundle).values() if isinstance(v, list))
    return total


@dataclass(frozen=True, slots=True)
class _Write:
    phase: str  # "nodes", "deletes" or "relationships"
    query: LiteralString
    params: dict[str, Any]
    label: Label | None = None  # the nodes' (written or deleted)


def _writes(plan: Plan, batch_size: int) -> Iterator[_Write]:
    """Every write of a load, in order: nodes first (node batches never deadlock), then deletes,
    then relationships one type at a time. Node versions go into the report as rows are built.
    """
    for label, rows in node_batches(plan, batch_size):
        plan.report.versions.update((row["id"], row["props"]["version"]) for row in rows)
        # A node whose claims did not change has the properties they give already (they are
        # written together, in one SET): a reload of an unchanged dump rewrites none.
        changed = [row for row in rows if _changed(plan, label, row)]
        if changed:
            yield _Write("nodes", cypher_load.merge_nodes(label), {"rows": changed}, label)
        if len(changed) < len(rows):
            yield _Write("unchanged", "", {"count": len(rows) - len(changed)})
    for label, ids in plan.deletes.items():
        yield _Write("deletes", cypher_load.delete_nodes(label), {"ids": ids}, label)
    for unit in plan.units:
        for query, params in rel_batches(unit, batch_size):
            yield _Write("relationships", query, params)


def _changed(plan: Plan, label: Label, row: dict[str, Any]) -> bool:
    old = plan.old.get((label, row["id"]))
    return old is None or row["props"]["version"] != old[1]


async def _ahead(items: Iterator[_T]) -> AsyncGenerator[_T]:
    """The items of `items`, each next one built in a worker thread while the caller works on
    (awaits the write of) the current one. One thread, one item ahead: memory stays flat."""
    loop = asyncio.get_running_loop()
    done = object()
    with ThreadPoolExecutor(1, thread_name_prefix="load-plan") as pool:
        pending = loop.run_in_executor(pool, next, items, done)
        while True:
            item = await pending
            if item is done:
                return
            pending = loop.run_in_executor(pool, next, items, done)
            try:
                yield cast(_T, item)
            except BaseException:
                # The consumer failed (a write broke): let the worker finish its item, then go.
                await asyncio.wait([pending])
                raise


def _rel_count(unit: Unit) -> int:
    """Relationship rows the unit writes: one per distinct relationship it asserts."""
    return len({(r.type, r.start_label, r.end_label, r.start, r.end, r.key) for r in unit.rels})


def _rel_groups(
    unit: Unit,
) -> dict[tuple[Any, Label, Label], dict[tuple[str, str, str], dict[str, Any]]]:
    """One row per relationship to write: one origin asserting one twice gives one row."""
    groups: dict[tuple[Any, Label, Label], dict[tuple[str, str, str], dict[str, Any]]] = (
        defaultdict(dict)
    )
    # Records repeat their citations on every relationship they assert: one set of entries
    # (and of source ids) each.
    entries_of: dict[tuple[Citation, ...], tuple[list[str], list[str]]] = {}
    for rel in unit.rels:
        group = groups[(rel.type, rel.start_label, rel.end_label)]
        cited = tuple(rel.citations)
        cached = entries_of.get(cited) if rel.matched is None else None
        if cached is None:
            cached = (
                [provenance_entry(unit.origin, c, rel.matched) for c in cited],
                sorted({c.source for c in cited}),
            )
            if rel.matched is None:
                entries_of[cited] = cached
        entries, source_ids = cached
        key = (rel.start, rel.end, rel.key)
        if key in group:  # asserted twice by one origin (e.g. both sides of a ROR relation)
            row = group[key]
            row["provenance"] += [e for e in entries if e not in row["provenance"]]
            row["sourceIds"] = sorted({*row["sourceIds"], *source_ids})
            row["props"].update(props_to_neo4j(rel.props))
            continue
        group[key] = {
            "start": rel.start,
            "end": rel.end,
            "key": rel.key,
            "props": props_to_neo4j(rel.props),
            "provenance": list(entries),
            "sourceIds": list(source_ids),
        }
    return groups


def rel_batches(unit: Unit, batch_size: int) -> Iterator[tuple[LiteralString, dict[str, Any]]]:
    for (rel_type, start, end), rows in _rel_groups(unit).items():
        query = cypher_load.merge_rels(rel_type, start, end)
        for batch in batches(list(rows.values()), batch_size):
            yield query, {"rows": batch, "origin": unit.origin}


def _finish(plan: Plan, started: float, *, dry_run: bool) -> Report:
    report = plan.report
    report.nodes = {label.value: len(ids) for label, ids in plan.nodes.items()}
    report.deleted_nodes = sum(len(ids) for ids in plan.deletes.values())
    report.merged_into = {
        record: node for u in plan.units for record, node in u.org_ids.items() if record != node
    }
    report.dry_run = dry_run
    report.seconds = time.perf_counter() - started
    return report
