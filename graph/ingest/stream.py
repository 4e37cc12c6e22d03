"""Streamed loads: a unit too big to hold in memory, checked whole first, then written by chunks.

The first pass reads the chunks (loaders.bundlefile) and checks everything the one-transaction
path checks: each record, duplicate ids, entity resolution (against the graph and the load's
earlier chunks), references and citations. It keeps only what later chunks are checked against:
every id with its label, the organisations' resolution index, and the references that pointed
ahead. Any problem stops the load there: nothing was written.

The second pass reads the chunks again and writes them as a batched load does
(graph.ingest.write._load_batched): the unit is marked incomplete, its relationships are
stripped, each chunk's nodes are written in a transaction of their own, its relationships
spooled to a temporary file (both ends exist only once every chunk's nodes are written), then
the spooled relationships go, batch by batch, the nodes it no longer asserts are deleted, and
the mark is removed. Killed anywhere between, the unit reads as incomplete and loading it again
finishes it. Memory holds one chunk plus the ids: about 1 kB per record instead of ~28 kB.

Each pass reads and parses the next chunk in a worker thread while the current one is checked
or written (Neo4j works while Python parses). The last write leaves the file's digest in the
graph (graph.cypher.loadmark): a load of the same bytes, with no incomplete mark and the
organisations as the last load left them, has nothing to write and stops after hashing the file
(graph.ingest.unchanged); any other load of the unit, and any delete, removes the digest.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections import defaultdict
from collections.abc import AsyncGenerator, Callable, Coroutine, Iterator
from contextlib import aclosing
from dataclasses import dataclass, field
from typing import IO, Any, LiteralString, Protocol

import orjson

from graph.cypher import Label, RelType
from graph.cypher import load as cypher_load
from graph.cypher import loadmark as cypher_loadmark
from graph.cypher import resolve as cypher_resolve
from graph.errors import InputError, Problem
from graph.ingest.claims import Dumps, claim_origin
from graph.ingest.lookup import candidates, orgs_by_id, origin_nodes
from graph.ingest.plan import Plan, Report, Unit, _node_row, _resolve_organisations, batches
from graph.ingest.resolve import OrgIndex, org_name_keys
from graph.ingest.rows import bundle_rows
from graph.ingest.unchanged import DIGEST_FORMAT, finished, unchanged
from graph.ingest.write import (
    Progress,
    _ahead,
    _batch,
    _changed,
    _rel_groups,
    retire_nodes,
    strip_params,
    write_nodes,
)
from graph.match.cache import written as matcher_written
from graph.parsed import Location, Parsed
from graph.store import Row, Store

# Places kept per undeclared source a load cites: enough to show where to fix it.
CITING_PLACES = 20
Tap = Callable[[LiteralString, dict[str, Any]], None]


class Chunked(Protocol):
    """A load unit read in chunks, from the start each time `chunks()` is called."""

    @property
    def origin(self) -> str: ...

    def chunks(self) -> Iterator[Parsed]: ...

    def digest(self) -> str | None: ...


@dataclass(slots=True)
class _Checked:
    """What the first pass keeps for checking later chunks and writing: no record itself."""

    ids: dict[str, Label] = field(default_factory=dict)  # every record id of the load
    index: OrgIndex = field(default_factory=OrgIndex)
    claimed: dict[str, str] = field(default_factory=dict)  # organisation node -> record id
    renamed: dict[str, str] = field(default_factory=dict)  # record id -> another node's id
    # References to records not seen yet: (label, id, where, field, location).
    ahead: list[tuple[Label, str, str, str, Location]] = field(default_factory=list)
    declared: set[str] = field(default_factory=set)
    citing: dict[str, list[tuple[str, Location]]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    rows: int = 0
    merged: int = 0
    fresh: bool = False  # the graph holds nothing of this origin (set after the first pass)

    def org_node(self, ref: str) -> str | None:
        """The node an organisation reference names, once the whole load is resolved."""
        if ref in self.renamed:
            return self.renamed[ref]
        if self.ids.get(ref) is Label.ORGANISATION:
            return ref
        return self.index.by_alias.get(ref)

    def nodes(self) -> dict[Label, list[str]]:
        out: dict[Label, list[str]] = defaultdict(list)
        for record_id, label in self.ids.items():
            out[label].append(self.renamed.get(record_id, record_id))
        return {label: sorted(ids) for label, ids in out.items()}


def _unit(parsed: Parsed) -> Unit:
    unit = Unit(parsed)
    for claim, rels in bundle_rows(parsed.bundle):
        unit.claims.append(claim)
        unit.rels.extend(rels)
    records = {o.id: o for o in parsed.bundle.organisations}
    for claim in unit.claims:
        if claim.label is Label.ORGANISATION:
            claim.name_keys = org_name_keys(records[claim.id])
    return unit


def _location(parsed: Parsed, where: str) -> Location:
    collection, _, record = where.partition(":")
    return parsed.where(collection, record)


def _problem(loc: Location, where: str, field_name: str, message: str) -> Problem:
    record = where.partition(":")[2] or None
    return Problem(loc.file, message, line=loc.line, field=field_name or None, id=record)


def _units(source: Chunked) -> AsyncGenerator[tuple[Parsed, Unit]]:
    """The chunks with their rows, each next one read, parsed and turned into rows in a worker
    thread while the caller checks or writes the current one."""
    return _ahead((parsed, _unit(parsed)) for parsed in source.chunks())


async def _check_chunk(parsed: Parsed, unit: Unit, store: Store, checked: _Checked) -> None:
    checked.problems += parsed.problems
    if parsed.names:
        message = "organisations named by free text cannot be matched in a streamed load"
        checked.problems.append(Problem(parsed.bundle.origin, message))
    twice: set[str] = set()  # a record refused for its id: its references are not checked
    for claim in unit.claims:
        prior = checked.ids.get(claim.id)
        if prior is not None:
            message = (
                f"id {claim.id!r} is already used by an earlier record (a "
                f"{prior.value.lower()}); ids are unique across all kinds"
            )
            checked.problems.append(
                _problem(_location(parsed, claim.where), claim.where, "id", message)
            )
            twice.add(claim.where)
        else:
            checked.ids[claim.id] = claim.label
    checked.declared.update(s.id for s in parsed.bundle.sources)
    plan = Plan([unit], origins={unit.origin}, report=Report([unit.origin]))
    checked.index.add_rows(await candidates([unit], store.read))
    _resolve_organisations(plan, checked.index, checked.claimed)
    checked.problems += plan.problems
    checked.merged += plan.report.merged_organisations
    checked.renamed.update((rid, node) for rid, node in unit.org_ids.items() if rid != node)
    for rel in unit.rels:
        if rel.where in twice:
            continue
        for label, ref in ((rel.start_label, rel.start), (rel.end_label, rel.end)):
            if label is Label.ORGANISATION:
                if unit.org_ids.get(ref) or checked.org_node(ref):
                    continue
            elif checked.ids.get(ref) is label:
                continue
            loc = _location(parsed, rel.where)
            checked.ahead.append((label, ref, rel.where, rel.field, loc))
    places = [(c.source, claim.where) for claim in unit.claims for c in claim.citations]
    places += [(c.source, rel.where) for rel in unit.rels for c in rel.citations]
    for source, where in places:
        if source not in checked.declared:
            kept = checked.citing.setdefault(source, [])
            if len(kept) < CITING_PLACES and (where, _location(parsed, where)) not in kept:
                kept.append((where, _location(parsed, where)))
    checked.rows += len(unit.claims) + len(unit.rels)


async def _check_ahead(store: Store, checked: _Checked) -> None:
    """References that pointed past their chunk: to a later record, the graph, or nothing."""
    orgs = {ref for label, ref, *_ in checked.ahead if label is Label.ORGANISATION}
    unknown_orgs = {ref for ref in orgs if checked.org_node(ref) is None}
    checked.index.add_rows(await orgs_by_id(store.read, unknown_orgs))
    others: dict[Label, set[str]] = defaultdict(set)
    for label, ref, *_ in checked.ahead:
        if label is not Label.ORGANISATION and checked.ids.get(ref) is not label:
            others[label].add(ref)
    existing: set[tuple[Label, str]] = set()
    for label, ids in others.items():
        for chunk in batches(sorted(ids), 5000):
            rows = await store.read(cypher_load.existing_ids(label), {"ids": chunk})
            existing.update((label, row["id"]) for row in rows)
    for label, ref, where, field_name, loc in checked.ahead:
        if label is Label.ORGANISATION:
            if checked.org_node(ref) is not None:
                continue
        elif checked.ids.get(ref) is label or (label, ref) in existing:
            continue
        message = (
            f"refers to unknown {label.value.lower()} {ref!r}: not in this load nor in the graph"
        )
        checked.problems.append(_problem(loc, where, field_name, message))
    checked.ahead = []


async def _check_citations(store: Store, checked: _Checked, origin: str, dying: set[str]) -> None:
    """Every citation names a source declared in the load or in the graph, and not one this
    load stops asserting (`dying`) that no other origin keeps."""
    cited = {s: places for s, places in checked.citing.items() if s not in checked.declared}
    if not cited:
        return
    rows = await store.read(cypher_load.node_claims(Label.SOURCE), {"ids": sorted(cited)})
    known = {row["id"] for row in rows}
    kept = {
        row["id"] for row in rows if any(claim_origin(c) != origin for c in row["claims"] or [])
    }
    for source, places in sorted(cited.items()):
        if source not in known:
            message = (
                f"cites unknown source {source!r}: declare it in this load (sources) "
                "or load it first"
            )
        elif source in dying and source not in kept:
            message = (
                f"cites source {source!r}, which this load no longer declares and would "
                "delete: declare it again (sources) or cite another"
            )
        else:
            continue
        checked.problems += [_problem(loc, where, "sources", message) for where, loc in places]


async def check(source: Chunked, store: Store) -> tuple[_Checked, dict[Label, list[str]]]:
    """The first pass: every problem of the load, or what the second pass needs."""
    checked = _Checked()
    async with aclosing(_units(source)) as units:
        async for parsed, unit in units:
            await _check_chunk(parsed, unit, store, checked)
    await _check_ahead(store, checked)
    old: dict[Label, list[str]] = {}
    nodes = checked.nodes()
    theirs = await origin_nodes((source.origin,), store.read)
    asserted = len(theirs)
    for label in Label:
        mine = set(nodes.get(label, ()))
        old[label] = sorted(i for lb, i in theirs if lb is label and i not in mine)
    # An origin that asserts no node asserts no relationship (each touches one of its nodes):
    # nothing to strip before, nor to delete after. Unless a load of it was killed, which may
    # have left stripped relationships behind.
    marks = await store.read(cypher_loadmark.INCOMPLETE)
    checked.fresh = not asserted and source.origin not in {m["origin"] for m in marks}
    await _check_citations(store, checked, source.origin, set(old.get(Label.SOURCE, ())))
    return checked, old


async def load_stream(
    source: Chunked,
    store: Store,
    *,
    batch_size: int = 5000,
    dry_run: bool = False,
    progress: Progress | None = None,
    tap: Tap | None = None,
) -> Report:
    """Check the whole unit, then write it chunk by chunk; raises InputError (nothing written)
    listing every problem. `tap` sees each write as sent (benchmarks replay them bare)."""
    started = time.perf_counter()
    report = Report([source.origin])
    # The collector stays on, unlike the other paths (graph/ingest/gcpause.py): with it paused,
    # the loader's RSS grew batch after batch of the write pass (410 to 760 MB in 3 minutes of
    # a 100,000-organisation load), what the batches left in reference cycles never freed.
    digest = None if dry_run else source.digest()
    if digest is not None:
        digest = f"{DIGEST_FORMAT}:{digest}"
        if await unchanged(store, [digest]) == [source.origin]:
            report.unchanged = True
            report.seconds = time.perf_counter() - started
            return report
    checked, old = await check(source, store)
    if checked.problems:
        raise InputError(checked.problems)
    report.merged_organisations = checked.merged
    if dry_run:
        report.nodes = {label.value: len(ids) for label, ids in checked.nodes().items()}
    else:
        await _write(source, store, checked, old, batch_size, report, progress, tap, digest)
    report.dry_run = dry_run
    report.seconds = time.perf_counter() - started
    return report


async def _run(
    store: Store, tap: Tap | None, query: LiteralString, params: dict[str, Any]
) -> list[Row]:
    if tap is not None:
        tap(query, params)
    return await _batch(store, query, params)


async def _write(
    source: Chunked,
    store: Store,
    checked: _Checked,
    old: dict[Label, list[str]],
    batch_size: int,
    report: Report,
    progress: Progress | None,
    tap: Tap | None,
    digest: str | None,
) -> None:
    origin = source.origin
    nodes = checked.nodes()
    touched = {label: sorted({*nodes.get(label, ()), *old.get(label, ())}) for label in Label}
    del nodes
    if progress:
        progress.start(checked.rows)
    await _batch(store, cypher_loadmark.MARK, {"origins": [origin]})
    for label, ids in touched.items():
        for chunk in batches(ids, batch_size) if not checked.fresh else ():
            params = strip_params(chunk, (origin,))
            await _batch(store, cypher_resolve.strip_rels(label), params)
    counts: dict[str, int] = defaultdict(int)
    dumps = Dumps()
    pipe = _Pipe()
    with tempfile.TemporaryFile() as spool:
        try:
            async with aclosing(_units(source)) as units:
                async for _, unit in units:
                    await _write_nodes(store, checked, unit, dumps, counts, progress, tap, pipe)
                    await asyncio.to_thread(_spool, unit, spool)
            await pipe.drain()
        finally:
            await pipe.close()
        await _write_leftovers(store, origin, old, batch_size, counts, report, tap)
        spool.seek(0)
        report.relationships = await _write_rels(store, origin, spool, batch_size, progress, tap)
    for label, ids in touched.items():
        for chunk in batches(ids, batch_size) if not checked.fresh else ():
            query = cypher_resolve.delete_unasserted_rels(label)
            deleted = await _batch(store, query, {"ids": chunk})
            report.deleted_relationships += int(deleted[0]["deleted"]) if deleted else 0
    if digest is None:
        await _batch(store, cypher_loadmark.UNMARK, {"origins": [origin]})
    else:
        await _batch(store, cypher_loadmark.FINISHED, finished({origin: digest}))
    report.nodes = dict(counts)
    matcher_written(store, set(touched.get(Label.ORGANISATION, ())))


class _Pipe:
    """At most one node write in flight: the next chunk's claims are read and its rows built
    while Neo4j writes this one's (the chunks' nodes are disjoint: each id once per file, each
    organisation node claimed by one record), so Python's work and Neo4j's overlap."""

    def __init__(self) -> None:
        self._pending: asyncio.Task[list[Row]] | None = None

    async def send(self, write: Coroutine[Any, Any, list[Row]]) -> None:
        await self.drain()
        self._pending = asyncio.ensure_future(write)

    async def drain(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            await pending

    async def close(self) -> None:
        """On the way out of a failed load: the write in flight is cancelled (rolled back)."""
        pending, self._pending = self._pending, None
        if pending is None:
            return
        if not pending.done():
            pending.cancel()
            await asyncio.wait([pending])
        if not pending.cancelled():
            pending.exception()  # retrieved: the load's own error is the one that goes up


async def _write_nodes(
    store: Store,
    checked: _Checked,
    unit: Unit,
    dumps: Dumps,
    counts: dict[str, int],
    progress: Progress | None,
    tap: Tap | None,
    pipe: _Pipe,
) -> None:
    """One chunk's nodes, merged with what other origins claim of them, a transaction per label."""
    plan = Plan([unit], origins={unit.origin})
    priority = unit.parsed.bundle.priority
    for claim in unit.claims:
        if claim.label is Label.ORGANISATION:
            claim.id = checked.renamed.get(claim.id, claim.id)
        plan.new_claims[(claim.label, claim.id)].append((unit.origin, priority, claim))
    for rel in unit.rels:  # plain attributes, not getattr/setattr by name: once per end
        if rel.start_label is Label.ORGANISATION:
            rel.start = checked.org_node(rel.start)  # type: ignore[assignment]
        if rel.end_label is Label.ORGANISATION:
            rel.end = checked.org_node(rel.end)  # type: ignore[assignment]
    by_label: dict[Label, list[str]] = defaultdict(list)
    for label, node_id in plan.new_claims:
        by_label[label].append(node_id)
    for label, ids in sorted(by_label.items(), key=lambda item: item[0].value):
        rows = await store.read(cypher_load.node_claims(label), {"ids": ids})
        for row in rows:
            plan.old[(label, row["id"])] = (row["claims"] or [], row["version"] or 0)

        def build(label: Label = label, ids: list[str] = ids) -> list[dict[str, Any]]:
            built = [_node_row(plan, label, node_id, dumps) for node_id in ids]
            return [row for row in built if _changed(plan, label, row)]

        # In a thread: the event loop keeps the write in flight going meanwhile.
        changed = await asyncio.to_thread(build)
        if changed:
            if tap is not None:
                tap(cypher_load.merge_nodes(label), {"rows": changed})
            write = write_nodes(store, label, changed, plan, dumps)
            await pipe.send(_counted(write, progress, len(ids)))
        elif progress:
            progress("nodes", len(ids))
        counts[label.value] += len(ids)


async def _counted(
    write: Coroutine[Any, Any, list[Row]], progress: Progress | None, rows: int
) -> list[Row]:
    result = await write
    if progress:
        progress("nodes", rows)
    return result


def _spool(unit: Unit, spool: IO[bytes]) -> None:
    """The chunk's relationship rows, one JSON line each, for writing once every node exists."""
    for (rel_type, start, end), rows in _rel_groups(unit).items():
        for row in rows.values():
            spool.write(orjson.dumps([rel_type.value, start.value, end.value, row]) + b"\n")


async def _write_leftovers(
    store: Store,
    origin: str,
    old: dict[Label, list[str]],
    batch_size: int,
    counts: dict[str, int],
    report: Report,
    tap: Tap | None,
) -> None:
    """The nodes this origin asserted before and no longer does: rewritten with the other
    origins' claims, or deleted when no other origin claims them."""
    dumps = Dumps()
    for label, ids in old.items():
        for chunk in batches(ids, batch_size):
            plan = Plan([], origins={origin})
            rows = await store.read(cypher_load.node_claims(label), {"ids": chunk})
            keep: list[dict[str, Any]] = []
            gone: list[str] = []
            for row in rows:
                claims = row["claims"] or []
                plan.old[(label, row["id"])] = (claims, row["version"] or 0)
                if any(claim_origin(c) != origin for c in claims):
                    keep.append(_node_row(plan, label, row["id"], dumps))
                else:
                    gone.append(row["id"])
            if keep:
                if tap is not None:
                    tap(cypher_load.merge_nodes(label), {"rows": keep})
                await write_nodes(store, label, keep, plan, dumps)
                counts[label.value] += len(keep)
            if gone:
                if tap is not None:
                    tap(cypher_load.delete_nodes(label), {"ids": gone})
                deleted = await retire_nodes(store, label, gone, plan, dumps)
                report.deleted_nodes += len(deleted)
                counts[label.value] += len(gone) - len(deleted)


async def _write_rels(
    store: Store,
    origin: str,
    spool: Any,
    batch_size: int,
    progress: Progress | None,
    tap: Tap | None,
) -> int:
    """The spooled relationships, a batch per type and ends' labels at a time."""
    pending: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    written = 0

    async def flush(key: tuple[str, str, str]) -> int:
        rows = pending.pop(key)
        query = cypher_load.merge_rels(RelType(key[0]), Label(key[1]), Label(key[2]))
        result = await _run(store, tap, query, {"rows": rows, "origin": origin})
        if progress:
            progress("relationships", len(rows))
        return int(result[0]["written"]) if result else 0

    for raw in spool:
        rel_type, start, end, row = orjson.loads(raw)
        key = (rel_type, start, end)
        pending[key].append(row)
        if len(pending[key]) >= batch_size:
            written += await flush(key)
    for key in sorted(pending):
        written += await flush(key)
    return written
