"""The load pipeline: resolve and check every parsed unit, then write them all in ONE transaction.

Nothing is written unless every unit parsed, every organisation resolved and every reference
points at something in the load or in the graph. A failure anywhere (a bad row, a broken
constraint, Neo4j dying midway) rolls the whole transaction back: the graph stays as it was.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, LiteralString, Protocol

from graph import cypher
from graph.cypher import Label
from graph.errors import ConflictError, InputError, Problem
from graph.store import Params, Row, Store
from loaders.base import Parsed
from loaders.claims import claim_origin, encode_claim, merge_claims, to_neo4j
from loaders.resolve import OrgIndex
from loaders.rows import Claim, RelRow, bundle_rows, provenance_entry, provenance_prefix

Reader = Callable[[LiteralString, Params | None], Awaitable[list[Row]]]


AfterWrite = Callable[[Reader, "Report"], Awaitable[None]]


class Progress(Protocol):
    def start(self, total: int) -> None: ...
    def __call__(self, phase: str, rows: int) -> None: ...


LOAD_TIMEOUT_S = 1800.0


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
            node = index.resolve(org)
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
            index.register(node, org)
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
        rows = await read(cypher.existing_ids(wanted_label), {"ids": sorted(ids)})
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


async def _check_citations(plan: _Plan, read: Reader) -> None:
    """Every citation names a source declared in the load or already in the graph."""
    declared = {s.id for u in plan.units for s in u.parsed.bundle.sources}
    cited: dict[str, list[tuple[_Unit, str]]] = defaultdict(list)
    for unit in plan.units:
        for claim in unit.claims:
            for citation in claim.citations:
                if citation.source not in declared:
                    cited[citation.source].append((unit, claim.where))
        for rel in unit.rels:
            for citation in rel.citations:
                if citation.source not in declared:
                    cited[citation.source].append((unit, rel.where))
    if not cited:
        return
    rows = await read(cypher.existing_ids(Label.SOURCE), {"ids": sorted(cited)})
    known = {row["id"] for row in rows}
    for source, places in sorted(cited.items()):
        if source in known:
            continue
        seen: set[tuple[str, str]] = set()
        for unit, where in places:
            if (unit.origin, where) in seen:
                continue
            seen.add((unit.origin, where))
            collection, _, record = where.partition(":")
            plan.problems.append(
                _problem(
                    unit,
                    collection,
                    record,
                    "sources",
                    f"cites unknown source {source!r}: declare it in this load "
                    "(sources) or load it first",
                )
            )


async def _plan_nodes(plan: _Plan, read: Reader, expected: dict[str, int]) -> None:
    origins = {u.origin for u in plan.units}
    new_claims: dict[tuple[Label, str], list[str]] = defaultdict(list)
    for unit in plan.units:
        priority = unit.parsed.bundle.priority
        for claim in unit.claims:
            new_claims[(claim.label, claim.id)].append(encode_claim(unit.origin, priority, claim))

    touched: dict[Label, set[str]] = defaultdict(set)
    for label, node_id in new_claims:
        touched[label].add(node_id)
    for origin in sorted(origins):
        for row in await read(cypher.ORIGIN_NODES, {"origin": origin}):
            touched[Label(row["label"])].add(row["id"])

    for label, ids in touched.items():
        rows = await read(cypher.node_claims(label), {"ids": sorted(ids)})
        old = {row["id"]: row["claims"] or [] for row in rows}
        versions: dict[str, int] = {row["id"]: row["version"] or 0 for row in rows}
        for node_id in sorted(ids):
            if node_id in expected and versions.get(node_id) != expected[node_id]:
                raise ConflictError(node_id, expected[node_id], versions.get(node_id))
            kept = [c for c in old.get(node_id, []) if claim_origin(c) not in origins]
            claims = kept + new_claims.get((label, node_id), [])
            if claims:
                props = merge_claims(label, node_id, claims)
                # The version counts changes of what the sources assert: a reload of the same
                # facts keeps it, so clients' optimistic checks are not broken by idempotent loads.
                changed = sorted(claims) != sorted(old.get(node_id, []))
                props["version"] = versions.get(node_id, 0) + (1 if changed else 0)
                plan.upserts[label].append({"id": node_id, "props": props})
            elif node_id in old:
                plan.deletes[label].append(node_id)


async def plan_load(
    units: Sequence[Parsed], read: Reader, expected_versions: dict[str, int] | None = None
) -> _Plan:
    """Everything a load would write, or every problem that stops it; reads only."""
    ordered = sorted(units, key=lambda p: (p.bundle.priority, p.bundle.origin))
    plan = _Plan([_Unit(p) for p in ordered], report=Report([p.bundle.origin for p in ordered]))
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
    index.add_rows(await read(cypher.ORG_KEYS, None))
    _resolve_organisations(plan, index)
    await _check_references(plan, read, index)
    await _check_citations(plan, read)
    if plan.problems:
        return plan
    expected = {}
    for record_id, version in (expected_versions or {}).items():
        node = next((u.org_ids[record_id] for u in plan.units if record_id in u.org_ids), None)
        expected[node or record_id] = version
    await _plan_nodes(plan, read, expected)
    return plan


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
) -> Report:
    """Load every unit or nothing; raises InputError listing every problem found.

    `expected_versions` (record id -> version) makes the load fail with ConflictError when a
    node changed meanwhile; `after_write` runs in the same transaction (the API's audit entry).
    """
    started = time.perf_counter()
    if dry_run:
        plan = await plan_load(units, store.read, expected_versions)
        if plan.problems:
            raise InputError(plan.problems)
        plan.report.relationships = sum(
            len(rows) for u in plan.units for rows in _rel_groups(u).values()
        )
        return _finish(plan, started, dry_run=True)

    async with store.transaction(timeout_s=LOAD_TIMEOUT_S) as tx:
        plan = await plan_load(units, tx.run, expected_versions)
        if plan.problems:
            raise InputError(plan.problems)  # rolls back: nothing was written anyway
        if progress:
            rels = sum(len(rows) for u in plan.units for rows in _rel_groups(u).values())
            progress.start(sum(len(rows) for rows in plan.upserts.values()) + rels)
        for unit in plan.units:
            await tx.run(
                cypher.STRIP_RELS,
                {"origin": unit.origin, "prefix": provenance_prefix(unit.origin)},
            )
        # Nodes first (node batches never deadlock), then relationships, one type at a time.
        for label, rows in plan.upserts.items():
            for batch in _batches(rows, batch_size):
                await tx.run(cypher.merge_nodes(label), {"rows": batch})
                if progress:
                    progress("nodes", len(batch))
        for label, ids in plan.deletes.items():
            await tx.run(cypher.delete_nodes(label), {"ids": ids})
        for unit in plan.units:
            await _write_rels(unit, tx.run, batch_size, progress, plan.report)
        deleted = await tx.run(cypher.DELETE_UNASSERTED_RELS, None)
        plan.report.deleted_relationships = int(deleted[0]["deleted"]) if deleted else 0
        plan.report.versions = {
            row["id"]: row["props"]["version"] for rows in plan.upserts.values() for row in rows
        }
        if after_write is not None:
            await after_write(tx.run, plan.report)
    return _finish(plan, started, dry_run=False)


def _rel_groups(
    unit: _Unit,
) -> dict[tuple[Any, Label, Label], dict[tuple[str, str, str], dict[str, Any]]]:
    """One row per relationship to write: one origin asserting one twice gives one row."""
    groups: dict[tuple[Any, Label, Label], dict[tuple[str, str, str], dict[str, Any]]] = (
        defaultdict(dict)
    )
    for rel in unit.rels:
        group = groups[(rel.type, rel.start_label, rel.end_label)]
        entries = [provenance_entry(unit.origin, c) for c in rel.citations]
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
            "provenance": entries,
            "sourceIds": sorted({c.source for c in rel.citations}),
        }
    return groups


async def _write_rels(
    unit: _Unit, run: Reader, batch_size: int, progress: Progress | None, report: Report
) -> None:
    for (rel_type, start, end), rows in _rel_groups(unit).items():
        query = cypher.merge_rels(rel_type, start, end)
        for batch in _batches(list(rows.values()), batch_size):
            result = await run(query, {"rows": batch, "origin": unit.origin})
            report.relationships += int(result[0]["written"]) if result else 0
            if progress:
                progress("relationships", len(batch))


def _finish(plan: _Plan, started: float, *, dry_run: bool) -> Report:
    report = plan.report
    report.nodes = {label.value: len(rows) for label, rows in plan.upserts.items()}
    report.deleted_nodes = sum(len(ids) for ids in plan.deletes.values())
    report.dry_run = dry_run
    report.seconds = time.perf_counter() - started
    return report
