"""Result types of graph questions: collaborations, partners, paths, networks, timelines, facets."""

from __future__ import annotations

from datetime import date as Date  # noqa: N812  (the GraphQL scalar's name)
from enum import Enum

import strawberry

from graph.api.schema.marks import reads_maps
from graph.api.schema.types import Agreement, Citation, Node, Organisation, Source


@strawberry.enum(description="What a collaboration goes through.")
class CollaborationKind(Enum):
    AGREEMENT = "Agreement"
    PROJECT = "Project"
    EVENT = "Event"


@reads_maps
@strawberry.type(description="One step of a chain: a node, and the relationship that led to it.")
class Step:
    node: Node
    via: str | None = strawberry.field(description="Relationship type from the previous step.")
    outgoing: bool | None = strawberry.field(
        description="True when the relationship points from the previous step to this one."
    )
    role: str | None
    provenance: list[Citation]


@reads_maps
@strawberry.type(description="Two organisations working together through something, with sources.")
class Collaboration:
    organisation: Organisation
    partner: Organisation
    kind: CollaborationKind
    through: Node = strawberry.field(description="The agreement, project or event.")
    since: Date | None
    under: Agreement | None = strawberry.field(
        description="The agreement (MoU) a shared project runs under."
    )
    chain: list[Step] = strawberry.field(description="organisation -> through -> partner.")
    sources: list[Source]


@reads_maps
@strawberry.type(description="A suggested partner, with the reasons it was suggested.")
class PartnerSuggestion:
    organisation: Organisation
    score: float
    distance: int | None = strawberry.field(
        description="Hops in the graph; null if over 4, or beyond the bounded walk around an "
        "organisation with many links."
    )
    shared_projects: int
    shared_agreements: int
    mou_chain: int = strawberry.field(
        description="Agreements linking the two through a common partner."
    )
    shared_topics: list[str]
    reasons: list[str]


@reads_maps
@strawberry.type(description="A shortest connection between two actors, step by step.")
class Path:
    length: int
    steps: list[Step]


@reads_maps
@strawberry.type(description="A relationship between two nodes of a network.")
class NetworkEdge:
    source: strawberry.ID
    target: strawberry.ID
    type: str
    role: str | None
    provenance: list[Citation]


@reads_maps
@strawberry.type(description="Nodes and edges around an actor, for drawing.")
class Network:
    nodes: list[Node]
    edges: list[NetworkEdge]
    truncated: bool = strawberry.field(description="True when the node limit cut the network.")


@strawberry.enum
class TimelineKind(Enum):
    AGREEMENT = "Agreement"
    EVENT = "Event"
    PROJECT = "Project"


@reads_maps
@strawberry.type(description="A dated agreement, event or project start.")
class TimelineEntry:
    date: Date
    kind: TimelineKind
    title: str
    node: Node


@reads_maps
@strawberry.type
class Bucket:
    value: str
    count: int


@reads_maps
@strawberry.type(description="Counts of organisations by country, kind, status and decade.")
class OrganisationFacets:
    total: int
    by_country: list[Bucket]
    by_kind: list[Bucket]
    by_status: list[Bucket]
    by_decade: list[Bucket] = strawberry.field(description="By decade of establishment.")


@reads_maps
@strawberry.type(description="Counts of agreements by year and kind, and their date range.")
class AgreementFacets:
    total: int
    by_year: list[Bucket]
    by_kind: list[Bucket]
    first_signed: Date | None
    last_signed: Date | None


@reads_maps
@strawberry.type(
    description="Counts of projects by start year, programme, funding scheme, status and "
    "participants' country, and their date range."
)
class ProjectFacets:
    total: int
    by_year: list[Bucket] = strawberry.field(description="By year of start.")
    by_programme: list[Bucket]
    by_funding_scheme: list[Bucket]
    by_status: list[Bucket]
    by_country: list[Bucket] = strawberry.field(
        description="Projects with a participant in the country (one project counts in each)."
    )
    first_start: Date | None
    last_end: Date | None
