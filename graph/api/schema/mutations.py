"""Mutations: upserts, links and retractions through graph.ingest, the one write path.

Each write is a load unit of its own origin, `api:<collection>:<id>` or
`api:link:<KIND>:<from>:<to>`: writing it again replaces what the API said before, retracting it
removes only what the API said (facts another source asserts stay), and everything the loaders
check (validation, entity resolution, references, citations) is checked here too. Who wrote
what, when, is kept as `AuditEntry` nodes written in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated, Any

import strawberry
from pydantic import BaseModel, ValidationError
from strawberry.scalars import JSON

from graph.api.compile.compiler import Compiler
from graph.api.compile.tables import TYPES
from graph.api.execution.adapter import raw_info
from graph.api.schema.deletes import Deleted, DeleteResult, delete, deleted_of
from graph.api.schema.record_inputs import INPUTS, input_path, to_record
from graph.api.schema.relay_ids import split_id
from graph.api.schema.results import (
    Conflict,
    Info,
    InputProblem,
    NotFound,
    ValidationFailed,
    audit_of,
    require,
)
from graph.api.schema.types import Node
from graph.auth import Role
from graph.cypher import RelType
from graph.cypher import audit as cypher_audit
from graph.cypher import load as cypher_load
from graph.cypher import read as cypher_read
from graph.errors import ConflictError, InputError, NotFoundError
from graph.ingest.plan import Links
from graph.ingest.rows import RelRow, rel_row
from graph.ingest.write import load
from graph.model import (
    Agreement,
    Bundle,
    Citation,
    Dataset,
    Event,
    Organisation,
    Person,
    Project,
    Source,
)
from graph.parsed import Parsed

API_PRIORITY = 5  # a hand edit by an agency is the freshest curation there is


@strawberry.input(description="Where the change comes from: a source id, and where in it.")
class CitationInput:
    source: str = strawberry.field(description="An existing source id, or a new one with a title.")
    title: str | None = strawberry.field(default=None, description="Creates the source if new.")
    url: str | None = None
    publisher: str | None = None
    published: dt.date | None = None
    where: str | None = None
    quote: str | None = None
    verified: bool = True


@strawberry.type(description="Written: the node as it is now, and its version.")
class Upserted:
    id: strawberry.ID
    version: int
    node: Node | None


@strawberry.type(description="What the API had asserted is withdrawn.")
class Retracted:
    id: strawberry.ID
    still_asserted_by: list[str] = strawberry.field(
        description="Load units that still assert it (so it stays in the graph)."
    )


UpsertResult = Annotated[
    Upserted | ValidationFailed | Conflict | NotFound, strawberry.union("UpsertResult")
]
RetractResult = Annotated[
    Retracted | ValidationFailed | Conflict | NotFound, strawberry.union("RetractResult")
]


@strawberry.enum(description="Relationships the API can link and unlink.")
class LinkKind(Enum):
    PARTY = "PARTY"  # Organisation -> Agreement {role}
    POSITION = "POSITION"  # Person -> Organisation {title, start, end}
    ORGANISATION_PARTICIPANT = "ORGANISATION_PARTICIPANT"  # Organisation -> Event {role}
    PERSON_PARTICIPANT = "PERSON_PARTICIPANT"  # Person -> Event {role}
    PROJECT_PARTICIPANT = "PROJECT_PARTICIPANT"  # Organisation -> Project {role, start, end}
    DATA_HOLDER = "DATA_HOLDER"  # Organisation -> Dataset
    RUNS_UNDER = "RUNS_UNDER"  # Project -> Agreement


_LINKS: dict[LinkKind, tuple[RelType, str, str]] = {
    LinkKind.PARTY: (RelType.PARTY_TO, "Organisation", "Agreement"),
    LinkKind.POSITION: (RelType.HOLDS_POSITION, "Person", "Organisation"),
    LinkKind.ORGANISATION_PARTICIPANT: (RelType.PARTICIPATED_IN, "Organisation", "Event"),
    LinkKind.PERSON_PARTICIPANT: (RelType.PARTICIPATED_IN, "Person", "Event"),
    LinkKind.PROJECT_PARTICIPANT: (RelType.PARTICIPATES_IN, "Organisation", "Project"),
    LinkKind.DATA_HOLDER: (RelType.HOLDS_DATA, "Organisation", "Dataset"),
    LinkKind.RUNS_UNDER: (RelType.RUNS_UNDER, "Project", "Agreement"),
}

_KINDS: dict[str, tuple[str, type[BaseModel]]] = {
    "Organisation": ("organisations", Organisation),
    "Person": ("people", Person),
    "Agreement": ("agreements", Agreement),
    "Event": ("events", Event),
    "Dataset": ("datasets", Dataset),
    "Project": ("projects", Project),
}


def _api_write(info: Info) -> dict[str, Any]:
    """How an API write loads: within the request's time limit (not a bulk load's half hour,
    waiting on a lock a long load holds), without pausing the process-wide collector, and
    rolled back when the context is a rehearsal's."""
    context = info.context
    return {"timeout_s": context.store.timeout_s, "pause_gc": False, "rehearse": context.rehearsal}


def _source_units(sources: list[Source]) -> list[Parsed]:
    """A source described in a write is a record of its own (origin `api:sources:<id>`), not a
    fact of the record citing it: rewriting or retracting that record later, citing the source
    by id only, must not take the source away from under its citations."""
    return [
        Parsed(Bundle(origin=f"api:sources:{s.id}", priority=API_PRIORITY, sources=[s]))
        for s in sources
    ]


def _citation(source: CitationInput) -> tuple[Citation, list[Source]]:
    citation = Citation(
        source=source.source, where=source.where, quote=source.quote, verified=source.verified
    )
    if source.title is None:
        return citation, []
    new = Source.model_validate(
        {
            "id": source.source,
            "title": source.title,
            "url": source.url,
            "publisher": source.publisher,
            "published": source.published,
        }
    )
    return citation, [new]


def _problems(exc: ValidationError, root: str | None = None) -> ValidationFailed:
    """Pydantic's problems, located in the record (`root` None) or in the named typed input."""
    return ValidationFailed(
        problems=[
            InputProblem(
                field=(
                    input_path(e["loc"], root)
                    if root is not None
                    else ".".join(str(x) for x in e["loc"]) or None
                ),
                message=e["msg"],
            )
            for e in exc.errors()
        ]
    )


def _one_of(typed: object | None, record: object | None) -> dict[str, Any] | ValidationFailed:
    """The seed-format record to write, or the problem: exactly one of `input`, `record`."""
    if typed is not None and record is not None:
        message = "give either `input` or `record`, not both (`input` is the typed form)"
        return ValidationFailed(problems=[InputProblem(field="record", message=message)])
    if typed is None and record is None:
        message = "give the record to write: `input` (typed) or `record` (seed-format JSON)"
        return ValidationFailed(problems=[InputProblem(field="input", message=message)])
    if typed is not None:
        return to_record(typed)
    if not isinstance(record, dict):
        problem = InputProblem(field="record", message="a record is a JSON object")
        return ValidationFailed(problems=[problem])
    return record


async def _read_node(info: Info, type_name: str, key: str, field: str) -> Any:
    """The written node, projected for whatever the client selected under `node`."""
    raw = raw_info(info)
    c = Compiler(raw)
    nodes = [
        node
        for fields in c.collect("Upserted", list(raw.field_nodes)).values()
        if fields[0].name.value == field
        for node in fields
    ]
    if not nodes:
        return None
    query = cypher_read.node_by_id(
        TYPES[type_name].label, c.param(key), c.node(type_name, "n", nodes)
    )
    rows = await info.context.store.read(cypher_read.as_query(query), c.params)
    return rows[0]["node"] if rows else None


async def upsert(
    info: Info,
    type_name: str,
    typed: object | None,
    record: object | None,
    source: CitationInput,
    expected_version: int | None,
) -> Upserted | ValidationFailed | Conflict | NotFound:
    """Write one record, given typed (`input`) or in the seed format (`record`): one code path."""
    require(info, Role.EDITOR)
    collection, model = _KINDS[type_name]
    given = _one_of(typed, record)
    if isinstance(given, ValidationFailed):
        return given
    # Problems point into what the client sent: the typed input's path, or the record's keys.
    root = "input" if typed is not None else None
    try:
        citation, sources = _citation(source)
    except ValidationError as exc:
        return _problems(exc, "source" if root else None)
    try:
        item = model.model_validate({**given, "sources": [citation.model_dump()]})
    except ValidationError as exc:
        return _problems(exc, root)
    item_id = str(getattr(item, "id"))  # noqa: B009  (every kind has an id)
    origin = f"api:{collection}:{item_id}"
    bundle = Bundle(origin=origin, priority=API_PRIORITY, **{collection: [item]})
    expected = {item_id: expected_version} if expected_version is not None else None
    try:
        report = await load(
            [Parsed(bundle), *_source_units(sources)],
            info.context.store,
            expected_versions=expected,
            audit=audit_of(info, f"upsert{type_name}", f"{type_name}:{item_id}", origin),
            **_api_write(info),
        )
    except InputError as exc:
        return ValidationFailed(
            problems=[
                InputProblem(field=input_path(p.field) if root else p.field, message=p.message)
                for p in exc.problems
            ]
        )
    except ConflictError as exc:
        return Conflict(
            id=strawberry.ID(f"{type_name}:{exc.node_id}"),
            expected_version=exc.expected,
            actual_version=exc.actual,
            message=exc.message,
        )
    # Entity resolution may have merged the record into a node known under another id.
    node_id = report.merged_into.get(item_id, item_id)
    return Upserted(
        id=strawberry.ID(f"{type_name}:{node_id}"),
        version=report.versions.get(node_id, 0),
        node=await _read_node(info, type_name, node_id, "node"),
    )


async def retract(
    info: Info, global_id: str, expected_version: int | None
) -> Retracted | ValidationFailed | Conflict | NotFound:
    require(info, Role.EDITOR)
    type_name, key = split_id(global_id, *_KINDS)
    collection, _ = _KINDS[type_name]
    label = TYPES[type_name].label
    origin = f"api:{collection}:{key}"
    target = f"{type_name}:{key}"
    expected = {key: expected_version} if expected_version is not None else None
    try:
        await load(
            [Parsed(Bundle(origin=origin, priority=API_PRIORITY))],
            info.context.store,
            expected_versions=expected,
            must_exist=[(label, key)],
            audit=audit_of(info, "retract", target, origin),
            **_api_write(info),
        )
    except NotFoundError as exc:
        rows = await info.context.store.read(cypher_load.node_origins(label), {"id": key})
        if not rows:
            return NotFound(id=strawberry.ID(global_id), message=exc.message)
        # It exists, asserted only by loads (a seed, a ROR dump): there is nothing of the API's
        # to withdraw, and "no such record" would be false.
        by = ", ".join(rows[0]["origins"] or []) or "no load unit"
        message = (
            f"the API asserted nothing about {type_name} {key!r} (it is asserted by {by}): "
            "nothing to retract; nothing was written"
        )
        return NotFound(id=strawberry.ID(global_id), message=message)
    except ConflictError as exc:
        return Conflict(
            id=strawberry.ID(global_id),
            expected_version=exc.expected,
            actual_version=exc.actual,
            message=exc.message,
        )
    rows = await info.context.store.read(cypher_load.node_origins(label), {"id": key})
    return Retracted(
        id=strawberry.ID(global_id), still_asserted_by=rows[0]["origins"] if rows else []
    )


async def link(
    info: Info,
    kind: LinkKind,
    start: str,
    end: str,
    props: dict[str, Any],
    source: CitationInput | None,
) -> Retracted | Upserted | ValidationFailed | Conflict | NotFound:
    """Assert (with a source) or, without one, retract the API's link between two records."""
    require(info, Role.EDITOR)
    rel_type, start_type, end_type = _LINKS[kind]
    _, start_key = split_id(start, start_type)
    _, end_key = split_id(end, end_type)
    origin = f"api:link:{kind.value}:{start_key}:{end_key}"
    rels: list[RelRow] = []
    sources: list[Source] = []
    if source is not None:
        try:
            citation, sources = _citation(source)
        except ValidationError as exc:
            return _problems(exc)
        rels.append(
            rel_row(
                rel_type,
                (TYPES[start_type].label, start_key),
                (TYPES[end_type].label, end_key),
                [citation],
                f"links:{kind.value}",
                "to",
                **props,
            )
        )
    action = "link" if source is not None else "unlink"
    ends = ((TYPES[start_type].label, start_key), (TYPES[end_type].label, end_key))
    units: list[Parsed | Links] = [
        Links(origin, API_PRIORITY, rels, ends),
        *_source_units(sources),
    ]
    try:
        audit = audit_of(info, action, start, origin)
        await load(units, info.context.store, audit=audit, **_api_write(info))
    except InputError as exc:
        return ValidationFailed(
            problems=[InputProblem(field=p.field, message=p.message) for p in exc.problems]
        )
    if source is None:
        rows = await info.context.store.read(
            cypher_load.rel_origins(rel_type, TYPES[start_type].label, TYPES[end_type].label),
            {"start": start_key, "end": end_key},
        )
        return Retracted(
            id=strawberry.ID(start), still_asserted_by=rows[0]["origins"] if rows else []
        )
    return Upserted(id=strawberry.ID(start), version=0, node=None)


@strawberry.type(description="Who changed what, when, under which load unit.")
class AuditEntry:
    id: str
    at: str
    actor: str
    role: str | None
    action: str
    target: str
    origin: str
    version: int | None
    reason: str | None = strawberry.field(default=None, description="Why (said for deletes).")
    deleted: Deleted | None = strawberry.field(
        default=None, description="For a delete: what was removed."
    )


_SOURCE = strawberry.argument(description="Where the change comes from (provenance).")
_VERSION = strawberry.argument(
    description="The version the client read; the write fails with Conflict if it changed."
)


_RECORD = strawberry.argument(
    description="The same record as seed-format JSON (for scripts that send seed records); "
    "give this or `input`."
)


def _upsert_field(type_name: str, what: str) -> Any:
    """One upsert mutation per kind: the same resolver, bound to the kind and its typed input."""

    async def resolve(
        info: Info,
        *,  # keyword-only, so that the arguments keep the order of the documented signature
        input: object | None = None,
        record: Annotated[JSON | None, _RECORD] = None,
        source: Annotated[CitationInput, _SOURCE],
        expected_version: Annotated[int | None, _VERSION] = None,
    ) -> UpsertResult:
        return await upsert(info, type_name, input, record, source, expected_version)

    # The input type differs per kind, and string annotations are resolved in this module's
    # namespace, where a closure's variable is not visible: set the real type here.
    typed = strawberry.argument(description="The record, typed; give this or `record`.")
    resolve.__annotations__["input"] = Annotated[INPUTS[type_name] | None, typed]
    description = (
        f"Create or update {what}: `input` (typed) or `record` (seed-format JSON), exactly one."
    )
    return strawberry.mutation(resolver=resolve, description=description)


@strawberry.type
class Mutation:
    upsert_organisation = _upsert_field("Organisation", "an organisation")
    upsert_person = _upsert_field("Person", "a person, with positions and spellings")
    upsert_agreement = _upsert_field("Agreement", "an agreement, its parties and signatories")
    upsert_event = _upsert_field("Event", "an event and its participants")
    upsert_dataset = _upsert_field("Dataset", "a data set and its access conditions")
    upsert_project = _upsert_field("Project", "a project or programme")

    @strawberry.mutation(
        description="Withdraw what the API asserted about a record; what other sources assert "
        "stays, and the record goes only when nothing asserts it any more."
    )
    async def retract(
        self,
        info: Info,
        id: strawberry.ID,
        expected_version: Annotated[int | None, _VERSION] = None,
    ) -> RetractResult:
        return await retract(info, str(id), expected_version)

    @strawberry.mutation(description="Link two records (a party, a position, a participant, ...).")
    async def link(
        self,
        info: Info,
        kind: LinkKind,
        from_: Annotated[strawberry.ID, strawberry.argument(name="from")],
        to: strawberry.ID,
        source: Annotated[CitationInput, _SOURCE],
        role: str | None = None,
        title: str | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> UpsertResult:
        props = {"role": role, "title": title, "start": start, "end": end}
        props = {k: v for k, v in props.items() if v is not None}
        return await link(info, kind, str(from_), str(to), props, source)  # type: ignore[return-value]

    @strawberry.mutation(
        description="Admins only: remove a record and every relationship it has, whatever "
        "source asserted them, in one audited transaction. Not a tombstone: reloading a source "
        "that asserts the record brings it back. A source that facts still cite is refused."
    )
    async def delete(
        self,
        info: Info,
        id: strawberry.ID,
        reason: Annotated[str, strawberry.argument(description="Why; kept in the audit log.")],
        expected_version: Annotated[int | None, _VERSION] = None,
    ) -> DeleteResult:
        return await delete(info, str(id), expected_version, reason)

    @strawberry.mutation(description="Withdraw a link the API made (links from sources stay).")
    async def unlink(
        self,
        info: Info,
        kind: LinkKind,
        from_: Annotated[strawberry.ID, strawberry.argument(name="from")],
        to: strawberry.ID,
    ) -> RetractResult:
        return await link(info, kind, str(from_), str(to), {}, None)  # type: ignore[return-value]


async def audit_log(info: Info, target: str | None, first: int) -> list[AuditEntry]:
    require(info, Role.READER)
    rows = await info.context.store.read(cypher_audit.AUDIT_LOG, {"target": target, "first": first})
    entries = []
    for row in rows:
        entry = row["entry"]
        fields = {k: v for k, v in entry.items() if not k.startswith("deleted")}
        entries.append(AuditEntry(**fields, deleted=deleted_of(entry)))
    return entries
