"""Planning a load: resolve and check every unit, then know every node to write or delete.

Reads only (with `lock`, inside a write transaction, it also write-locks the nodes it will
rewrite). Nothing is written unless every unit parsed, every organisation resolved and every
reference points at something in the load or in the graph; every problem is collected at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, LiteralString

import orjson

from graph.cypher import Label
from graph.cypher import load as cypher_load
from graph.errors import ConflictError, NotFoundError, Problem
from graph.ingest.byname import resolve_names
from graph.ingest.claims import Dumps, claim_origin, claim_record, merge_claims
from graph.ingest.gcpause import gc_paused
from graph.ingest.lookup import candidates_and_origins, origin_nodes, references
from graph.ingest.resolve import OrgIndex, org_name_keys
from graph.ingest.rows import Claim, RelRow, bundle_rows
from graph.model import Bundle
from graph.parsed import Parsed
from graph.store import Params, Row

Reader = Callable[[LiteralString, Params | None], Awaitable[list[Row]]]


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
    # Organisation records resolved into a node of another id (record id -> node id).
    merged_into: dict[str, str] = field(default_factory=dict)
    # Rows left out because an organisation they name did not match (`skip_unmatched`).
    unmatched: list[Problem] = field(default_factory=list)
    # Organisations named with a fallback (CORDIS participants): known, linked, created, unsure.
    resolved_names: dict[str, int] = field(default_factory=dict)
    # A streamed load of the very file its unit's last finished load read: nothing written.
    unchanged: bool = False


@dataclass(frozen=True, slots=True)
class Links:
    """A load unit of relationships only, asserted outside any record (links made by the API)."""

    origin: str
    priority: int
    rels: list[RelRow]
    # The nodes this origin's relationships join (a link's two ends): a unit retracting its
    # links has no rows left to say whose relationships to strip.
    ends: tuple[tuple[Label, str], ...] = ()


@dataclass(slots=True)
class Unit:
    parsed: Parsed
    claims: list[Claim] = field(default_factory=list)
    rels: list[RelRow] = field(default_factory=list)
    org_ids: dict[str, str] = field(default_factory=dict)  # record id -> node id
    ends: list[tuple[Label, str]] = field(default_factory=list)  # Links.ends, resolved
    # Fallback records (graph.ingest.byname): record id -> the organisation their claim goes to,
    # resolved by id alone: a chosen name's organisation (the claim cut to its codes, _carried),
    # else the record's own id, never a namesake (the matcher has had its say on the name).
    pinned: dict[str, str] = field(default_factory=dict)

    @property
    def origin(self) -> str:
        return self.parsed.bundle.origin


@dataclass(slots=True)
class Plan:
    units: list[Unit]
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
    # The nodes the load's origins asserted before, when read with the candidates (small loads).
    origin_nodes: list[tuple[Label, str]] | None = None
    # Nodes whose relationships the load may rewrite (graph.cypher.resolve.strip_rels).
    touched: dict[Label, set[str]] = field(default_factory=dict)
    report: Report = field(default_factory=lambda: Report([]))


def _unit(given: Parsed | Links) -> Unit:
    if isinstance(given, Parsed):
        return Unit(given)
    bundle = Bundle(origin=given.origin, priority=given.priority)
    return Unit(Parsed(bundle), rels=list(given.rels), ends=list(given.ends))


def _problem(unit: Unit, collection: str, record: str, field_name: str, msg: str) -> Problem:
    loc = unit.parsed.where(collection, record)
    return Problem(file=loc.file, line=loc.line, field=field_name, id=record, message=msg)


def _resolve_organisations(
    plan: Plan, index: OrgIndex, shared: dict[str, str] | None = None
) -> None:
    """Each organisation claim's node; `shared` (node -> record id) carries the nodes claimed
    so far across calls (a streamed load resolves its chunks one by one, as one unit)."""
    pinned: list[tuple[Unit, dict[str, str], Claim]] = []
    for unit in plan.units:
        claimed: dict[str, str] = {} if shared is None else shared
        records = {o.id: o for o in unit.parsed.bundle.organisations}
        for claim in unit.claims:
            if claim.label is not Label.ORGANISATION:
                continue
            if claim.id in unit.pinned:
                pinned.append((unit, claimed, claim))
                continue
            org = records[claim.id]
            keys = claim.name_keys if claim.name_keys is not None else org_name_keys(org)
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
    # After every unit's own records: a chosen organisation may be a record of any unit.
    dropped: set[int] = set()
    for unit, claimed, claim in pinned:
        target = unit.pinned[claim.id]
        node = index.by_alias.get(target, target)
        if node in claimed:
            if target != claim.id:
                # A cut claim (_carried): the unit's own record of the organisation says more.
                dropped.add(id(claim))
                continue
            message = f"same organisation as {claimed[node]!r} in this load: merge the two"
            plan.problems.append(_problem(unit, "organisations", claim.id, "id", message))
            continue
        claimed[node] = claim.id
        unit.org_ids[claim.id] = node
        claim.id = node
    if dropped:
        for unit in plan.units:
            unit.claims = [c for c in unit.claims if id(c) not in dropped]


async def _check_references(plan: Plan, read: Reader, index: OrgIndex) -> None:
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
    known = in_load | existing

    for unit in plan.units:
        unit.ends = [
            (label, index.by_alias.get(ref, ref) if label is Label.ORGANISATION else ref)
            for label, ref in unit.ends
        ]
        kept: list[RelRow] = []
        org_ids, by_alias = unit.org_ids, index.by_alias

        def node_of(
            label: Label,
            ref: str,
            org_ids: dict[str, str] = org_ids,
            aliases: dict[str, str] = by_alias,
        ) -> str | None:
            """The node an end names, None when it names nothing known."""
            if label is Label.ORGANISATION:
                return org_ids.get(ref) or aliases.get(ref)
            return ref if (label, ref) in known else None

        # Plain attribute access (not getattr/setattr by name): this runs for each end of
        # each relationship, 55k times in a CORDIS load of 5,000 projects.
        for rel in unit.rels:
            start = node_of(rel.start_label, rel.start)
            end = None if start is None else node_of(rel.end_label, rel.end)
            if start is not None and end is not None:
                rel.start, rel.end = start, end
                kept.append(rel)
                continue
            label, ref = (rel.start_label, rel.start) if start is None else (rel.end_label, rel.end)
            if unit.parsed.partial and rel.start_label is rel.end_label is Label.ORGANISATION:
                # A registry extract names neighbours outside the extract: not an error.
                plan.report.dropped_relations += 1
                continue
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
        unit.rels = kept


def _citing(plan: Plan) -> dict[str, list[tuple[Unit, str]]]:
    """Every source id the load cites, with the places (unit, record) citing it, each once."""
    cited: dict[str, list[tuple[Unit, str]]] = defaultdict(list)
    seen: set[tuple[str, str, str]] = set()
    for unit in plan.units:
        places = [(c.source, claim.where) for claim in unit.claims for c in claim.citations]
        places += [(c.source, rel.where) for rel in unit.rels for c in rel.citations]
        for source, where in places:
            if (source, unit.origin, where) not in seen:
                seen.add((source, unit.origin, where))
                cited[source].append((unit, where))
    return cited


def _refuse_citations(plan: Plan, places: list[tuple[Unit, str]], message: str) -> None:
    for unit, where in places:
        collection, _, record = where.partition(":")
        plan.problems.append(_problem(unit, collection, record, "sources", message))


async def _check_citations(plan: Plan, read: Reader) -> None:
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
    plan: Plan, read: Reader, expected: dict[str, int], lock: bool = False
) -> None:
    """Which nodes the load writes or deletes, and what it merges them from; reads only, but
    with `lock` (a real load's transaction) it write-locks each node before reading it.

    The merged property maps themselves are built later, batch by batch (`node_batches`).
    """
    origins = {u.origin for u in plan.units}
    for unit in plan.units:
        priority = unit.parsed.bundle.priority
        for claim in unit.claims:
            plan.new_claims[(claim.label, claim.id)].append((unit.origin, priority, claim))

    touched: dict[Label, set[str]] = defaultdict(set)
    for label, node_id in plan.new_claims:
        touched[label].add(node_id)
    found = plan.origin_nodes
    for label, node_id in found if found is not None else await origin_nodes(origins, read):
        touched[label].add(node_id)
    # Every relationship a unit asserts touches one of these nodes (its record's own node, or
    # a link's ends): stripping the load's origins from their relationships strips them all.
    plan.touched = {label: set(ids) for label, ids in touched.items()}
    for unit in plan.units:
        for rel in unit.rels:
            plan.touched.setdefault(rel.start_label, set()).add(rel.start)
            plan.touched.setdefault(rel.end_label, set()).add(rel.end)
        for label, ref in unit.ends:
            plan.touched.setdefault(label, set()).add(ref)

    # One order for every load (labels, then ids): two loads locking the same nodes cannot
    # each hold what the other waits for. Every label in one query (its branches in order).
    ordered = sorted(touched.items(), key=lambda item: item[0].value)
    if ordered:
        query = cypher_load.claims_of(tuple(label for label, _ in ordered), lock=lock)
        rows = await read(query, {"ids": {label.value: sorted(ids) for label, ids in ordered}})
        for row in rows:
            label, node_id = Label(row["label"]), row["id"]
            if node_id in expected and (row["version"] or 0) != expected[node_id]:
                raise ConflictError(node_id, expected[node_id], row["version"] or 0)
            plan.old[(label, node_id)] = (row["claims"] or [], row["version"] or 0)
    for label, ids in ordered:
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


def _node_row(plan: Plan, label: Label, node_id: str, dumps: Dumps) -> dict[str, Any]:
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


def node_batches(
    plan: Plan, batch_size: int | None
) -> Iterator[tuple[Label, list[dict[str, Any]]]]:
    """The node upserts, label by label, `batch_size` (None: all) at a time; built when asked."""
    dumps = Dumps()
    for label, ids in plan.nodes.items():
        for chunk in batches(ids, batch_size or max(len(ids), 1)):
            yield label, [_node_row(plan, label, node_id, dumps) for node_id in chunk]


async def plan_load(
    units: Sequence[Parsed | Links], read: Reader, expected_versions: dict[str, int] | None = None
) -> Plan:
    """Everything a load would write, or every problem that stops it; reads only."""
    with gc_paused():
        plan = await prepare(units, read, expected_versions)
        if not plan.problems:
            for label, rows in node_batches(plan, None):
                plan.upserts[label] += rows
    return plan


async def prepare(
    units: Sequence[Parsed | Links],
    read: Reader,
    expected_versions: dict[str, int] | None,
    must_exist: Sequence[tuple[Label, str]] = (),
    lock: bool = False,
    skip_unmatched: bool = False,
) -> Plan:
    """The plan without the node rows: every check done, every node to write or delete known.

    `skip_unmatched`: rows naming an organisation that did not match are left out (listed in
    the report) instead of stopping the load.
    """
    ordered = sorted((_unit(u) for u in units), key=lambda u: (u.parsed.bundle.priority, u.origin))
    plan = Plan(ordered, report=Report([u.origin for u in ordered]))
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

    records = {(u.origin, o.id): o for u in plan.units for o in u.parsed.bundle.organisations}
    for unit in plan.units:
        for claim in unit.claims:
            if claim.label is Label.ORGANISATION:
                # Name keys cost Unicode folding: computed once, for looking up, resolving,
                # registering and the node's merged properties.
                claim.name_keys = org_name_keys(records[(unit.origin, claim.id)])
    index = OrgIndex()
    rows, plan.origin_nodes = await candidates_and_origins(plan.units, read, plan.origins)
    index.add_rows(rows)
    # Before entity resolution: the names are matched against the graph and the load as given.
    problems, plan.report.unmatched = await resolve_names(
        plan.units, read, index, skip=skip_unmatched, counts=plan.report.resolved_names
    )
    plan.problems += problems
    index.add_rows(await references(plan.units, read, set(index.by_alias)))
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
    for label, node_id in must_exist:
        if (label, node_id) not in plan.old:
            raise NotFoundError(label.value, node_id)
    _check_kept_sources(plan)
    return plan


def _check_kept_sources(plan: Plan) -> None:
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


def batches(rows: list[Any], size: int) -> list[list[Any]]:
    return [rows[i : i + size] for i in range(0, len(rows), size)]
