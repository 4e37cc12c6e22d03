"""The load pipeline: resolve and check every parsed unit, then write them all in ONE transaction.

Nothing is written unless every unit parsed, every organisation resolved and every reference
points at something in the load or in the graph. A failure anywhere (a bad row, a broken
constraint, Neo4j dying midway) rolls the whole transaction back: the graph stays as it was.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import aclosing, nullcontext
from dataclasses import dataclass, field
from typing import Any, LiteralString, Protocol, TypeVar, cast

import orjson

from graph.cypher import Label
from graph.cypher import load as cypher_load
from graph.errors import ConflictError, InputError, Problem, StoreBusy
from graph.model import Citation
from graph.store import Params, Row, Store
from loaders.base import Parsed
from loaders.claims import Dumps, claim_origin, claim_record, merge_claims, to_neo4j
from loaders.gcpause import gc_paused
from loaders.resolve import OrgIndex, org_name_keys
from loaders.rows import Claim, RelRow, bundle_rows, provenance_entry, provenance_prefix

Reader = Callable[[LiteralString, Params | None], Awaitable[list[Row]]]


AfterWrite = Callable[[Reader, "Report"], Awaitable[None]]


class Progress(Protocol):
    def start(self, total: int) -> None: ...
    def __call__(self, phase: str, rows: int) -> None: ...


LOAD_TIMEOUT_S = 1800.0
DEADLOCK_RETRIES = 3


@dataclass(slots=True)
class Report:
    origins: list[str]
    nodes: dict[str, int] = field(default_factory=dict)
    relationships: int = 0
    deleted_nodes: int = 0
    deleted_relationships: int = 0
    dropped_relations: int = 0
    merged_organisations: int = 0
    dry_run: bool = False
    seconds: float = 0.0
    versions: dict[str, int] = field(default_factory=dict)  # node id -> version after the load


@dataclass(slots=True)
class _Unit:
    parsed: Parsed
    claims: list[Claim] = field(default_factory=list)
    rels: list[RelRow] = field(default_factory=list)
    org_ids: dict[str, str] = field(default_factory=dict)  # record id -> node id

    @property
    def origin(self) -> str:
        return self.parsed.bundle.origin


@dataclass(slots=True)
class _Plan:
    units: list[_Unit]
    origins: set[str] = field(default_factory=set)
    # What the node writes are built from: this load's claims, and what the graph held before
    # (claims and version) of every node the load touches.
    new_claims: dict[tuple[Label, str], list[tuple[str, int, Claim]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    old: dict[tuple[Label, str], tuple[list[str], int]] = field(default_factory=dict)
    nodes: dict[Label, list[str]] = field(default_factory=lambda: defaultdict(list))  # to upsert
    upserts: dict[Label, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    deletes: dict[Label, list[str]] = field(default_factory=lambda: defaultdict(list))
    problems: list[Problem] = field(default_factory=list)
    report: Report = field(default_factory=lambda: Report([]))


def _problem(unit: _Unit, collection: str, record: str, field_name: str, msg: str) -> Problem:
    loc = unit.parsed.where(collection, record)
    return Problem(file=loc.file, line=loc.line, field=field_name, id=record, message=msg)


def _resolve_organisations(plan: _Plan, index: OrgIndex) -> None:
    for unit in plan.units:
        claimed: dict[str, str] = {}
        records = {o.id: o for o in unit.parsed.bundle.organisations}
        for claim in unit.claims:
            if claim.label is not Label.ORGANISATION:
                continue
            org = records[claim.id]
            # Name keys cost Unicode folding: computed once, for resolving, registering and the
            # node's merged properties.
            keys = claim.name_keys = org_name_keys(org)
            node = index.resolve(org, keys)
            if node is None:
                if org.id in index.by_alias:
                    other = index.by_alias[org.id]
                    plan.problems.append(
                        _problem(
                            unit,
                            "organisations",
                            org.id,
                            "id",
                            f"id {org.id!r} already names organisation {other!r}, whose "
                            "identifiers contradict this record's: choose another id",
                        )
                    )
                    continue
                node = org.id
            else:
                plan.report.merged_organisations += node != org.id
            if node in claimed:
                plan.problems.append(
                    _problem(
                        unit,
                        "organisations",
                        org.id,
                        "identifiers",
                        f"same organisation as {claimed[node]!r} in this load (shared ROR id, "
                        "Wikidata id or name in the same country): merge the two records",
                    )
                )
                continue
            claimed[node] = org.id
            index.register(node, org, keys)
            unit.org_ids[org.id] = node
            claim.id = node


async def _check_references(plan: _Plan, read: Reader, index: OrgIndex) -> None:
    in_load = {(c.label, c.id) for u in plan.units for c in u.claims}
    wanted: dict[Label, set[str]] = defaultdict(set)
    for unit in plan.units:
        for rel in unit.rels:
            for lbl, rid in ((rel.start_label, rel.start), (rel.end_label, rel.end)):
                if lbl is not Label.ORGANISATION and (lbl, rid) not in in_load:
                    wanted[lbl].add(rid)  # organisations resolve through the index instead
    existing: set[tuple[Label, str]] = set()
    for wanted_label, ids in wanted.items():
        rows = await read(cypher_load.existing_ids(wanted_label), {"ids": sorted(ids)})
        existing.update((wanted_label, row["id"]) for row in rows)

    for unit in plan.units:
        kept: list[RelRow] = []
        for rel in unit.rels:
            ok = True
            for end in ("start", "end"):
                label: Label = getattr(rel, f"{end}_label")
                ref: str = getattr(rel, end)
                if label is Label.ORGANISATION:
                    node = unit.org_ids.get(ref) or index.by_alias.get(ref)
                    if node is not None:
                        setattr(rel, end, node)
                        continue
                elif (label, ref) in in_load or (label, ref) in existing:
                    continue
                ok = False
                if unit.parsed.partial and rel.start_label is rel.end_label is Label.ORGANISATION:
                    # A registry extract names neighbours outside the extract: not an error.
                    plan.report.dropped_relations += 1
                    break
                collection, _, record = rel.where.partition(":")
                plan.problems.append(
                    _problem(
                        unit,
                        collection,
                        record,
                        rel.field,
                        f"refers to unknown {label.value.lower()} {ref!r}: "
                        "not in this load nor in the graph",
                    )
                )
                break
            if ok:
                kept.append(rel)
        unit.rels = kept


def _citing(plan: _Plan) -> dict[str, list[tuple[_Unit, str]]]:
    """Every source id the load cites, with the places (unit, record) citing it, each once."""
    cited: dict[str, list[tuple[_Unit, str]]] = defaultdict(list)
    seen: set[tuple[str, str, str]] = set()
    for unit in plan.units:
        places = [(c.source, claim.where) for claim in unit.claims for c in claim.citations]
        places += [(c.source, rel.where) for rel in unit.rels for c in rel.citations]
        for source, where in places:
            if (source, unit.origin, where) not in seen:
                seen.add((source, unit.origin, where))
                cited[source].append((unit, where))
    return cited


def _refuse_citations(plan: _Plan, places: list[tuple[_Unit, str]], message: str) -> None:
    for unit, where in places:
        collection, _, record = where.partition(":")
        plan.problems.append(_problem(unit, collection, record, "sources", message))


async def _check_citations(plan: _Plan, read: Reader) -> None:
    """Every citation names a source declared in the load or already in the graph."""
    declared = {s.id for u in plan.units for s in u.parsed.bundle.sources}
    cited = {s: places for s, places in _citing(plan).items() if s not in declared}
    if not cited:
        return
    rows = await read(cypher_load.existing_ids(Label.SOURCE), {"ids": sorted(cited)})
    known = {row["id"] for row in rows}
    for source, places in sorted(cited.items()):
        if source not in known:
            message = (
                f"cites unknown source {source!r}: declare it in this load (sources) "
                "or load it first"
            )
            _refuse_citations(plan, places, message)


async def _plan_nodes(
    plan: _Plan, read: Reader, expected: dict[str, int], lock: bool = False
) -> None:
    """Which nodes the load writes or deletes, and what it merges them from; reads only, but
    with `lock` (a real load's transaction) it write-locks each node before reading it.

    The merged property maps themselves are built later, batch by batch (`_node_batches`).
    """
    origins = {u.origin for u in plan.units}
    for unit in plan.units:
        priority = unit.parsed.bundle.priority
        for claim in unit.claims:
            plan.new_claims[(claim.label, claim.id)].append((unit.origin, priority, claim))

    touched: dict[Label, set[str]] = defaultdict(set)
    for label, node_id in plan.new_claims:
        touched[label].add(node_id)
    for origin in sorted(origins):
        for row in await read(cypher_load.ORIGIN_NODES, {"origin": origin}):
            touched[Label(row["label"])].add(row["id"])

    # One order for every load (labels, then ids): two loads locking the same nodes cannot
    # each hold what the other waits for.
    for label, ids in sorted(touched.items(), key=lambda item: item[0].value):
        if lock:
            await read(cypher_load.lock_nodes(label), {"ids": sorted(ids)})
        rows = await read(cypher_load.node_claims(label), {"ids": sorted(ids)})
        for row in rows:
            node_id = row["id"]
            if node_id in expected and (row["version"] or 0) != expected[node_id]:
                raise ConflictError(node_id, expected[node_id], row["version"] or 0)
            plan.old[(label, node_id)] = (row["claims"] or [], row["version"] or 0)
        for node_id in sorted(ids):
            old_claims, _ = plan.old.get((label, node_id), ([], 0))
            if node_id in expected and (label, node_id) not in plan.old:
                raise ConflictError(node_id, expected[node_id], None)
            if (label, node_id) in plan.new_claims or any(
                claim_origin(c) not in origins for c in old_claims
            ):
                plan.nodes[label].append(node_id)
            elif (label, node_id) in plan.old:
                plan.deletes[label].append(node_id)


def _node_row(plan: _Plan, label: Label, node_id: str, dumps: Dumps) -> dict[str, Any]:
    """One node's full property map: its other origins' claims merged with this load's."""
    old, version = plan.old.get((label, node_id), ([], 0))
    kept = [c for c in old if claim_origin(c) not in plan.origins]
    records = [
        claim_record(origin, priority, claim, dumps)
        for origin, priority, claim in plan.new_claims.get((label, node_id), [])
    ]
    encoded = kept + [orjson.dumps(r).decode() for r in records]
    decoded = [orjson.loads(c) for c in kept] + records
    keys = None
    if not kept and len(records) == 1:
        keys = plan.new_claims[(label, node_id)][0][2].name_keys
    props = merge_claims(label, node_id, encoded, decoded, keys)
    # The version counts changes of what the sources assert: a reload of the same facts keeps
    # it, so clients' optimistic checks are not broken by idempotent loads.
    changed = sorted(encoded) != sorted(old)
    props["version"] = version + (1 if changed else 0)
    return {"id": node_id, "props": props}


def _node_batches(
    plan: _Plan, batch_size: int | None
) -> Iterator[tuple[Label, list[dict[str, Any]]]]:
    """The node upserts, label by label, `batch_size` (None: all) at a time; built when asked."""
    dumps = Dumps()
    for label, ids in plan.nodes.items():
        for chunk in _batches(ids, batch_size or max(len(ids), 1)):
            yield label, [_node_row(plan, label, node_id, dumps) for node_id in chunk]


async def plan_load(
    units: Sequence[Parsed], read: Reader, expected_versions: dict[str, int] | None = None
) -> _Plan:
    """Everything a load would write, or every problem that stops it; reads only."""
    with gc_paused():
        plan = await _prepare(units, read, expected_versions)
        if not plan.problems:
            for label, rows in _node_batches(plan, None):
                plan.upserts[label] += rows
    return plan


async def _prepare(
    units: Sequence[Parsed],
    read: Reader,
    expected_versions: dict[str, int] | None,
    lock: bool = False,
) -> _Plan:
    """The plan without the node rows: every check done, every node to write or delete known."""
    ordered = sorted(units, key=lambda p: (p.bundle.priority, p.bundle.origin))
    plan = _Plan([_Unit(p) for p in ordered], report=Report([p.bundle.origin for p in ordered]))
    plan.origins = {u.origin for u in plan.units}
    seen: dict[str, str] = {}
    for unit in plan.units:
        plan.problems.extend(unit.parsed.problems)
        if unit.origin in seen:
            plan.problems.append(
                Problem(unit.origin, f"origin {unit.origin!r} is loaded twice in one load")
            )
        seen[unit.origin] = unit.origin
        for claim, rels in bundle_rows(unit.parsed.bundle):
            unit.claims.append(claim)
            unit.rels.extend(rels)
        unit.rels.extend(unit.parsed.relations)

    index = OrgIndex()
    index.add_rows(await read(cypher_load.ORG_KEYS, None))
    _resolve_organisations(plan, index)
    await _check_references(plan, read, index)
    await _check_citations(plan, read)
    if plan.problems:
        return plan
    expected = {}
    for record_id, version in (expected_versions or {}).items():
        node = next((u.org_ids[record_id] for u in plan.units if record_id in u.org_ids), None)
        expected[node or record_id] = version
    await _plan_nodes(plan, read, expected, lock)
    _check_kept_sources(plan)
    return plan


def _check_kept_sources(plan: _Plan) -> None:
    """A load that stops asserting a source while still citing it would leave the citations
    pointing at nothing (the source existed when they were checked): refused instead."""
    dying = set(plan.deletes.get(Label.SOURCE, ()))
    if not dying:
        return
    for source, places in sorted(_citing(plan).items()):
        if source in dying:
            message = (
                f"cites source {source!r}, which this load no longer declares and would "
                "delete: declare it again (sources) or cite another"
            )
            _refuse_citations(plan, places, message)


def _batches(rows: list[Any], size: int) -> list[list[Any]]:
    return [rows[i : i + size] for i in range(0, len(rows), size)]


async def load(
    units: Sequence[Parsed],
    store: Store,
    *,
    dry_run: bool = False,
    batch_size: int = 5000,
    progress: Progress | None = None,
    expected_versions: dict[str, int] | None = None,
    after_write: AfterWrite | None = None,
    timeout_s: float = LOAD_TIMEOUT_S,
    pause_gc: bool = True,
) -> Report:
    """Load every unit or nothing; raises InputError listing every problem found.

    `expected_versions` (record id -> version) makes the load fail with ConflictError when a
    node changed meanwhile; `after_write` runs in the same transaction (the API's audit entry).
    The API's one-record writes pass their request timeout and `pause_gc=False` (pausing the
    process-wide collector buys nothing for a few rows and would stop it for every request).
    A deadlock Neo4j broke (StoreBusy) is retried a few times: the load rolled back whole.
    """
    started = time.perf_counter()
    with gc_paused() if pause_gc else nullcontext():
        if dry_run:
            plan = await _prepare(units, store.read, expected_versions)
            if plan.problems:
                raise InputError(plan.problems)
            plan.report.relationships = sum(_rel_count(u) for u in plan.units)
            return _finish(plan, started, dry_run=True)
        for attempt in range(DEADLOCK_RETRIES + 1):
            try:
                plan = await _load(
                    units, store, batch_size, progress, expected_versions, after_write, timeout_s
                )
                break
            except StoreBusy:
                if attempt == DEADLOCK_RETRIES:
                    raise
                await asyncio.sleep(0.05 * (attempt + 1))
    return _finish(plan, started, dry_run=False)


async def _load(
    units: Sequence[Parsed],
    store: Store,
    batch_size: int,
    progress: Progress | None,
    expected_versions: dict[str, int] | None,
    after_write: AfterWrite | None,
    timeout_s: float,
) -> _Plan:
    async with store.transaction(timeout_s=timeout_s) as tx:
        plan = await _prepare(units, tx.run, expected_versions, lock=True)
        if plan.problems:
            raise InputError(plan.problems)  # rolls back: nothing was written anyway
        if progress:
            nodes = sum(len(ids) for ids in plan.nodes.values())
            progress.start(nodes + sum(_rel_count(u) for u in plan.units))
        for unit in plan.units:
            await tx.run(
                cypher_load.STRIP_RELS,
                {"origin": unit.origin, "prefix": provenance_prefix(unit.origin)},
            )
        # Python builds the rows of the next batch in a worker thread while Neo4j writes the
        # current one: the two overlap on two cores, in the same one transaction.
        async with aclosing(_ahead(_writes(plan, batch_size))) as writes:
            async for write in writes:
                result = await tx.run(write.query, write.params)
                if write.phase == "relationships":
                    plan.report.relationships += int(result[0]["written"]) if result else 0
                if progress and write.phase != "deletes":
                    progress(write.phase, len(write.params["rows"]))
        deleted = await tx.run(cypher_load.DELETE_UNASSERTED_RELS, None)
        plan.report.deleted_relationships = int(deleted[0]["deleted"]) if deleted else 0
        if after_write is not None:
            await after_write(tx.run, plan.report)
    return plan


@dataclass(frozen=True, slots=True)
class _Write:
    phase: str  # "nodes", "deletes" or "relationships"
    query: LiteralString
    params: dict[str, Any]


def _writes(plan: _Plan, batch_size: int) -> Iterator[_Write]:
    """Every write of a load, in order: nodes first (node batches never deadlock), then deletes,
    then relationships one type at a time. Node versions go into the report as rows are built.
    """
    for label, rows in _node_batches(plan, batch_size):
        plan.report.versions.update((row["id"], row["props"]["version"]) for row in rows)
        yield _Write("nodes", cypher_load.merge_nodes(label), {"rows": rows})
    for label, ids in plan.deletes.items():
        yield _Write("deletes", cypher_load.delete_nodes(label), {"ids": ids})
    for unit in plan.units:
        for query, params in _rel_batches(unit, batch_size):
            yield _Write("relationships", query, params)


_T = TypeVar("_T")


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


def _rel_count(unit: _Unit) -> int:
    """Relationship rows the unit writes: one per distinct relationship it asserts."""
    return len({(r.type, r.start_label, r.end_label, r.start, r.end, r.key) for r in unit.rels})


def _rel_groups(
    unit: _Unit,
) -> dict[tuple[Any, Label, Label], dict[tuple[str, str, str], dict[str, Any]]]:
    """One row per relationship to write: one origin asserting one twice gives one row."""
    groups: dict[tuple[Any, Label, Label], dict[tuple[str, str, str], dict[str, Any]]] = (
        defaultdict(dict)
    )
    # Records repeat their citations on every relationship they assert: one entry each.
    entries_of: dict[tuple[Citation, ...], list[str]] = {}
    for rel in unit.rels:
        group = groups[(rel.type, rel.start_label, rel.end_label)]
        cited = tuple(rel.citations)
        entries = entries_of.get(cited)
        if entries is None:
            entries = entries_of[cited] = [provenance_entry(unit.origin, c) for c in cited]
        key = (rel.start, rel.end, rel.key)
        if key in group:  # asserted twice by one origin (e.g. both sides of a ROR relation)
            row = group[key]
            row["provenance"] += [e for e in entries if e not in row["provenance"]]
            row["sourceIds"] = sorted({*row["sourceIds"], *(c.source for c in rel.citations)})
            row["props"].update({k: to_neo4j(k, v) for k, v in rel.props.items() if v is not None})
            continue
        props = {k: to_neo4j(k, v) for k, v in rel.props.items() if v is not None}
        group[key] = {
            "start": rel.start,
            "end": rel.end,
            "key": rel.key,
            "props": props,
            "provenance": list(entries),
            "sourceIds": sorted({c.source for c in rel.citations}),
        }
    return groups


def _rel_batches(unit: _Unit, batch_size: int) -> Iterator[tuple[LiteralString, dict[str, Any]]]:
    for (rel_type, start, end), rows in _rel_groups(unit).items():
        query = cypher_load.merge_rels(rel_type, start, end)
        for batch in _batches(list(rows.values()), batch_size):
            yield query, {"rows": batch, "origin": unit.origin}


async def _write_rels(
    unit: _Unit, run: Reader, batch_size: int, progress: Progress | None, report: Report
) -> None:
    for query, params in _rel_batches(unit, batch_size):
        result = await run(query, params)
        report.relationships += int(result[0]["written"]) if result else 0
        if progress:
            progress("relationships", len(params["rows"]))


def _finish(plan: _Plan, started: float, *, dry_run: bool) -> Report:
    report = plan.report
    report.nodes = {label.value: len(ids) for label, ids in plan.nodes.items()}
    report.deleted_nodes = sum(len(ids) for ids in plan.deletes.values())
    report.dry_run = dry_run
    report.seconds = time.perf_counter() - started
    return report
