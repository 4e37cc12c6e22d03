"""GraphQL object types; their values come from compiled Cypher maps, not per-field queries.

Each kind's `<Kind>Connection` and `<Kind>Edge` are generated, one pair per registry kind
(CONNECTIONS); the rest is written here.
"""

from __future__ import annotations

import types
from datetime import date as Date  # noqa: N812  (the GraphQL scalar's name)
from typing import Any

import strawberry

from graph.api.schema.marks import reads_maps
from graph.kinds import KINDS
from graph.model import (
    AccessRights,
    AgreementKind,
    AgreementStatus,
    EventKind,
    OrgKind,
    OrgStatus,
    ProjectKind,
    ProjectStatus,
    SourceKind,
)

# The model's enums are the API's: registering them keeps one list of values. Neo4j returns
# their values as strings, which StrEnum members equal, so they serialise without conversion.
for _enum in (
    AccessRights,
    AgreementKind,
    AgreementStatus,
    EventKind,
    OrgKind,
    OrgStatus,
    ProjectKind,
    ProjectStatus,
    SourceKind,
):
    strawberry.enum(_enum)


def _version() -> int:
    """The `version` field of every record kind (what `expectedVersion` is checked against)."""
    field: int = strawberry.field(
        description="How many times this record changed: send it back as `expectedVersion` "
        "so that a write fails with `Conflict` if someone changed it since you read it."
    )
    return field


@reads_maps
@strawberry.interface(description="Relay Global Object Identification: anything with a global id.")
class Node:
    id: strawberry.ID = strawberry.field(description="Global id, e.g. `Organisation:ut`.")


@reads_maps
@strawberry.type(description="A document or register that asserts facts.")
class Source(Node):
    key: str
    title: str
    kind: SourceKind
    publisher: str | None
    url: str | None
    published: Date | None
    retrieved: Date | None


@reads_maps
@strawberry.type(description="Where one fact comes from: a source, where in it, and if verified.")
class Citation:
    origin: str = strawberry.field(description="The load unit that asserted the fact.")
    source: Source | None
    where: str | None
    quote: str | None
    verified: bool
    matched_name: str | None = strawberry.field(
        default=None,
        description="The organisation's name as the load wrote it, where it named the "
        "organisation by text (CSV `_by_name` columns) and the matcher chose this one; null "
        "for a link by id.",
    )
    match_confidence: float | None = strawberry.field(
        default=None, description="The matcher's confidence in that choice (0 to 1)."
    )


@reads_maps
@strawberry.type(description="A name in one language: display name, label, alias or acronym.")
class NameVariant:
    value: str
    lang: str | None
    types: list[str]


@reads_maps
@strawberry.type
class Place:
    city: str | None
    country: str | None


@reads_maps
@strawberry.type
class Money:
    amount: float
    currency: str


@reads_maps
@strawberry.type(description="An organisation: ministry, agency, university, company, ...")
class Organisation(Node):
    key: str
    version: int = _version()
    name: str
    names: list[NameVariant]
    kind: OrgKind
    status: OrgStatus
    country: str | None
    city: str | None
    region: str | None
    geonames_id: int | None
    lat: float | None
    lng: float | None
    ror: str | None
    wikidata: str | None
    isni: str | None
    grid: str | None
    fundref: str | None
    registry_code: str | None
    pic: str | None = strawberry.field(description="The EU's participant identification code.")
    established: int | None
    website: str | None
    email: str | None
    description: str | None
    sectors: list[str]
    topics: list[str]
    provenance: list[Citation]
    agreements: list[AgreementParty] = strawberry.field(description="Agreements it is party to.")
    people: list[Position] = strawberry.field(description="People holding positions in it.")
    events: list[EventParticipation]
    datasets: list[Dataset] = strawberry.field(description="Data sets it holds.")
    projects: list[ProjectParticipation]
    parents: list[OrganisationLink]
    children: list[OrganisationLink]
    successors: list[OrganisationLink]
    predecessors: list[OrganisationLink]
    related: list[OrganisationLink]
    founders: list[OrganisationLink]
    founded: list[OrganisationLink]


@reads_maps
@strawberry.type(description="A link between two organisations (parent, successor, founder, ...).")
class OrganisationLink:
    organisation: Organisation
    start: Date | None
    end: Date | None
    provenance: list[Citation]


@reads_maps
@strawberry.type(description="A person, with every spelling of their name the sources use.")
class Person(Node):
    key: str
    version: int = _version()
    name: str
    names: list[NameVariant]
    email: str | None
    phone: str | None
    provenance: list[Citation]
    positions: list[Position]
    signatures: list[Signature]
    events: list[EventParticipation]


@reads_maps
@strawberry.type(description="A position a person holds at an organisation, with its time span.")
class Position:
    title: str
    start: Date | None
    end: Date | None
    person: Person
    organisation: Organisation
    provenance: list[Citation]


@reads_maps
@strawberry.type(description="An MoU, agreement in principle, data-sharing agreement or contract.")
class Agreement(Node):
    key: str
    version: int = _version()
    kind: AgreementKind
    title: str
    purpose: str | None
    topics: list[str]
    signed: Date | None
    place: Place | None
    valid_from: Date | None
    valid_to: Date | None
    status: AgreementStatus
    provenance: list[Citation]
    parties: list[AgreementParty]
    signatories: list[Signature]
    projects: list[Project] = strawberry.field(description="Projects run under it.")
    events: list[Event] = strawberry.field(description="Events it came out of.")


@reads_maps
@strawberry.type(description="An organisation's part in an agreement.")
class AgreementParty:
    role: str
    organisation: Organisation
    agreement: Agreement
    provenance: list[Citation]


@reads_maps
@strawberry.type(description="A signature: a person signing an agreement on behalf of a party.")
class Signature:
    title: str | None
    date: Date | None
    person: Person
    agreement: Agreement
    on_behalf_of: Organisation | None
    provenance: list[Citation]


@reads_maps
@strawberry.type(description="A meeting, talks, roundtable, visit, conference or signing.")
class Event(Node):
    key: str
    version: int = _version()
    kind: EventKind
    title: str
    date: Date
    end: Date | None
    place: Place | None
    topics: list[str]
    decisions: list[str]
    provenance: list[Citation]
    participants: list[EventParticipation]
    agreements: list[Agreement] = strawberry.field(description="Agreements that came out of it.")
    projects: list[Project] = strawberry.field(description="Projects that came out of it.")


@reads_maps
@strawberry.type(description="An organisation or a person taking part in an event.")
class EventParticipation:
    role: str | None
    event: Event
    organisation: Organisation | None
    person: Person | None
    provenance: list[Citation]


@reads_maps
@strawberry.type(description="Conditions of access to a data set (HealthDCAT-AP).")
class DataAccess:
    rights: AccessRights | None
    legal_basis: str | None
    conditions: list[str]
    limitations: list[str]
    contact: str | None
    body: Organisation | None = strawberry.field(description="The health data access body.")


@reads_maps
@strawberry.type(description="A data set at stake: genomic data, health check-up records, ...")
class Dataset(Node):
    key: str
    version: int = _version()
    title: str
    modalities: list[str]
    subject: str | None
    individuals: int | None
    coverage: str | None
    country: str | None
    start: Date | None
    end: Date | None
    topics: list[str]
    access: DataAccess
    holder: Organisation | None
    provenance: list[Citation]
    projects: list[Project] = strawberry.field(description="Projects that use it.")


@reads_maps
@strawberry.type(description="A joint R&D project, accelerator programme or special zone.")
class Project(Node):
    key: str
    version: int = _version()
    kind: ProjectKind
    title: str
    acronym: str | None
    description: str | None
    status: ProjectStatus
    start: Date | None
    end: Date | None
    budget: Money | None = strawberry.field(description="The total cost.")
    contribution: Money | None = strawberry.field(
        description="What the funder contributes at most (CORDIS ecMaxContribution)."
    )
    programme: str | None = strawberry.field(description="e.g. HORIZON, H2020.")
    funding_scheme: str | None = strawberry.field(description="e.g. HORIZON-RIA, ERC-STG.")
    topics: list[str]
    place: Place | None
    provenance: list[Citation]
    participants: list[ProjectParticipation]
    agreement: Agreement | None = strawberry.field(description="The agreement it runs under.")
    part_of: Project | None
    parts: list[Project]
    datasets: list[Dataset]
    events: list[Event] = strawberry.field(description="Events it came out of.")


@reads_maps
@strawberry.type(description="An organisation's role in a project, with its period.")
class ProjectParticipation:
    role: str
    start: Date | None
    end: Date | None
    order: int | None = strawberry.field(description="Place in the consortium's list.")
    contribution: float | None = strawberry.field(
        description="What the funder contributes to this participant, in contributionCurrency."
    )
    contribution_currency: str | None
    ended: bool | None = strawberry.field(description="It left before the project ended.")
    project: Project
    organisation: Organisation
    provenance: list[Citation]


@reads_maps
@strawberry.type(description="Relay page information.")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@reads_maps
@strawberry.type(description="A full-text match: how well it matched, and what.")
class SearchEdge:
    cursor: str
    score: float
    node: Node


@reads_maps
@strawberry.type
class SearchConnection:
    edges: list[SearchEdge]
    page_info: PageInfo


def _object(name: str, annotations: dict[str, Any]) -> type[Any]:
    """A class made at run time, declared a strawberry object type whose values are maps."""
    made = types.new_class(
        name, (), {}, lambda ns: ns.update(__module__=__name__, __annotations__=annotations)
    )
    return reads_maps(strawberry.type(made))


def _connection(name: str) -> type[Any]:
    """`<Kind>Connection` and its `<Kind>Edge`, as Relay has them: every kind's are alike."""
    edge = _object(f"{name}Edge", {"cursor": str, "node": globals()[name]})
    # types.GenericAlias is `list[edge]`, which mypy would read as a type a variable cannot be.
    edges = types.GenericAlias(list, (edge,))
    return _object(f"{name}Connection", {"edges": edges, "page_info": PageInfo, "total_count": int})


# Each kind's root connection type (the kind's object type is the class above named after it).
CONNECTIONS: dict[str, type[Any]] = {name: _connection(name) for name in KINDS}
