"""GraphQL inputs: filters (`where`) with operators and relationship quantifiers; sorting."""

from __future__ import annotations

from datetime import date as Date  # noqa: N812  (the GraphQL scalar's name)
from enum import Enum

import strawberry

from graph.model import (
    AgreementKind,
    AgreementStatus,
    EventKind,
    OrgKind,
    OrgStatus,
    ProjectKind,
    ProjectStatus,
)


@strawberry.input(description="Operators on a string; all given operators must hold.")
class StringFilter:
    eq: str | None = None
    in_: list[str] | None = strawberry.field(name="in", default=None)
    contains: str | None = None
    starts_with: str | None = None
    ends_with: str | None = None


@strawberry.input(description="Operators on a number.")
class IntFilter:
    eq: int | None = None
    in_: list[int] | None = strawberry.field(name="in", default=None)
    lt: int | None = None
    lte: int | None = None
    gt: int | None = None
    gte: int | None = None


@strawberry.input(description="Operators on a date (YYYY-MM-DD).")
class DateFilter:
    eq: Date | None = None
    lt: Date | None = None
    lte: Date | None = None
    gt: Date | None = None
    gte: Date | None = None


@strawberry.input(description="Operators on a list of strings (topics, sectors, modalities).")
class ListFilter:
    includes: str | None = None
    includes_any: list[str] | None = None
    includes_all: list[str] | None = None


@strawberry.input
class OrgKindFilter:
    eq: OrgKind | None = None
    in_: list[OrgKind] | None = strawberry.field(name="in", default=None)


@strawberry.input
class OrgStatusFilter:
    eq: OrgStatus | None = None
    in_: list[OrgStatus] | None = strawberry.field(name="in", default=None)


@strawberry.input
class AgreementKindFilter:
    eq: AgreementKind | None = None
    in_: list[AgreementKind] | None = strawberry.field(name="in", default=None)


@strawberry.input
class AgreementStatusFilter:
    eq: AgreementStatus | None = None
    in_: list[AgreementStatus] | None = strawberry.field(name="in", default=None)


@strawberry.input
class EventKindFilter:
    eq: EventKind | None = None
    in_: list[EventKind] | None = strawberry.field(name="in", default=None)


@strawberry.input
class ProjectKindFilter:
    eq: ProjectKind | None = None
    in_: list[ProjectKind] | None = strawberry.field(name="in", default=None)


@strawberry.input
class ProjectStatusFilter:
    eq: ProjectStatus | None = None
    in_: list[ProjectStatus] | None = strawberry.field(name="in", default=None)


@strawberry.input(description="Organisations: every given condition must hold.")
class OrganisationWhere:
    key: StringFilter | None = None
    name: StringFilter | None = strawberry.field(
        default=None, description="Matches any of its names, in any language."
    )
    kind: OrgKindFilter | None = None
    status: OrgStatusFilter | None = None
    country: StringFilter | None = None
    city: StringFilter | None = None
    established: IntFilter | None = None
    ror: StringFilter | None = None
    wikidata: StringFilter | None = None
    isni: StringFilter | None = None
    grid: StringFilter | None = None
    fundref: StringFilter | None = None
    registry_code: StringFilter | None = strawberry.field(
        default=None, description="A company or charity register's code."
    )
    pic: StringFilter | None = strawberry.field(
        default=None, description="The EU's participant identification code (9 digits)."
    )
    topics: ListFilter | None = None
    sectors: ListFilter | None = None
    agreements: AgreementQuantifier | None = strawberry.field(
        default=None, description="Agreements it is party to."
    )
    projects: ProjectQuantifier | None = None
    events: EventQuantifier | None = None
    datasets: DatasetQuantifier | None = strawberry.field(
        default=None, description="Data sets it holds."
    )
    parents: OrganisationQuantifier | None = strawberry.field(
        default=None, description="Organisations it is part of (its parents in a hierarchy)."
    )
    children: OrganisationQuantifier | None = strawberry.field(
        default=None, description="Organisations that are part of it (its units)."
    )
    AND: list[OrganisationWhere] | None = None
    OR: list[OrganisationWhere] | None = None
    NOT: OrganisationWhere | None = None


@strawberry.input
class PersonWhere:
    key: StringFilter | None = None
    name: StringFilter | None = strawberry.field(
        default=None, description="Matches any spelling of the name."
    )
    organisations: OrganisationQuantifier | None = strawberry.field(
        default=None, description="Organisations where the person holds a position."
    )
    agreements: AgreementQuantifier | None = strawberry.field(
        default=None, description="Agreements the person signed."
    )
    AND: list[PersonWhere] | None = None
    OR: list[PersonWhere] | None = None
    NOT: PersonWhere | None = None


@strawberry.input
class AgreementWhere:
    key: StringFilter | None = None
    kind: AgreementKindFilter | None = None
    status: AgreementStatusFilter | None = None
    title: StringFilter | None = None
    signed: DateFilter | None = None
    topics: ListFilter | None = None
    parties: OrganisationQuantifier | None = None
    signatories: PersonQuantifier | None = None
    AND: list[AgreementWhere] | None = None
    OR: list[AgreementWhere] | None = None
    NOT: AgreementWhere | None = None


@strawberry.input
class EventWhere:
    key: StringFilter | None = None
    kind: EventKindFilter | None = None
    title: StringFilter | None = None
    date: DateFilter | None = None
    place_country: StringFilter | None = None
    topics: ListFilter | None = None
    participants: OrganisationQuantifier | None = strawberry.field(
        default=None, description="Organisations that took part."
    )
    AND: list[EventWhere] | None = None
    OR: list[EventWhere] | None = None
    NOT: EventWhere | None = None


@strawberry.input
class DatasetWhere:
    key: StringFilter | None = None
    title: StringFilter | None = None
    modalities: ListFilter | None = None
    individuals: IntFilter | None = None
    country: StringFilter | None = None
    topics: ListFilter | None = None
    holder: OrganisationQuantifier | None = None
    AND: list[DatasetWhere] | None = None
    OR: list[DatasetWhere] | None = None
    NOT: DatasetWhere | None = None


@strawberry.input
class ProjectWhere:
    key: StringFilter | None = None
    kind: ProjectKindFilter | None = None
    status: ProjectStatusFilter | None = None
    title: StringFilter | None = None
    start: DateFilter | None = None
    topics: ListFilter | None = None
    participants: OrganisationQuantifier | None = None
    AND: list[ProjectWhere] | None = None
    OR: list[ProjectWhere] | None = None
    NOT: ProjectWhere | None = None


@strawberry.input
class SourceWhere:
    key: StringFilter | None = None
    title: StringFilter | None = None
    AND: list[SourceWhere] | None = None
    OR: list[SourceWhere] | None = None
    NOT: SourceWhere | None = None


@strawberry.input(description="Related organisations: some, none or all of them must match.")
class OrganisationQuantifier:
    some: OrganisationWhere | None = None
    none: OrganisationWhere | None = None
    all: OrganisationWhere | None = None


@strawberry.input
class PersonQuantifier:
    some: PersonWhere | None = None
    none: PersonWhere | None = None
    all: PersonWhere | None = None


@strawberry.input
class AgreementQuantifier:
    some: AgreementWhere | None = None
    none: AgreementWhere | None = None
    all: AgreementWhere | None = None


@strawberry.input
class EventQuantifier:
    some: EventWhere | None = None
    none: EventWhere | None = None
    all: EventWhere | None = None


@strawberry.input
class DatasetQuantifier:
    some: DatasetWhere | None = None
    none: DatasetWhere | None = None
    all: DatasetWhere | None = None


@strawberry.input
class ProjectQuantifier:
    some: ProjectWhere | None = None
    none: ProjectWhere | None = None
    all: ProjectWhere | None = None


@strawberry.enum
class SortDirection(Enum):
    ASC = "ASC"
    DESC = "DESC"


@strawberry.enum
class OrganisationSort(Enum):
    NAME = "NAME"
    COUNTRY = "COUNTRY"
    ESTABLISHED = "ESTABLISHED"
    AGREEMENT_COUNT = "AGREEMENT_COUNT"
    PROJECT_COUNT = "PROJECT_COUNT"
    KEY = "KEY"


@strawberry.enum
class PersonSort(Enum):
    NAME = "NAME"
    KEY = "KEY"


@strawberry.enum
class AgreementSort(Enum):
    SIGNED = "SIGNED"
    TITLE = "TITLE"
    PARTY_COUNT = "PARTY_COUNT"
    KEY = "KEY"


@strawberry.enum
class EventSort(Enum):
    DATE = "DATE"
    TITLE = "TITLE"
    KEY = "KEY"


@strawberry.enum
class DatasetSort(Enum):
    TITLE = "TITLE"
    INDIVIDUALS = "INDIVIDUALS"
    KEY = "KEY"


@strawberry.enum
class ProjectSort(Enum):
    TITLE = "TITLE"
    START = "START"
    KEY = "KEY"


@strawberry.enum
class SourceSort(Enum):
    TITLE = "TITLE"
    KEY = "KEY"


@strawberry.input(description="Sort key and direction; ties are broken by key.")
class OrganisationOrderBy:
    field: OrganisationSort
    direction: SortDirection = SortDirection.ASC


@strawberry.input(description="Sort key and direction; ties are broken by key.")
class PersonOrderBy:
    field: PersonSort
    direction: SortDirection = SortDirection.ASC


@strawberry.input(description="Sort key and direction; ties are broken by key.")
class AgreementOrderBy:
    field: AgreementSort
    direction: SortDirection = SortDirection.ASC


@strawberry.input(description="Sort key and direction; ties are broken by key.")
class EventOrderBy:
    field: EventSort
    direction: SortDirection = SortDirection.ASC


@strawberry.input(description="Sort key and direction; ties are broken by key.")
class DatasetOrderBy:
    field: DatasetSort
    direction: SortDirection = SortDirection.ASC


@strawberry.input(description="Sort key and direction; ties are broken by key.")
class ProjectOrderBy:
    field: ProjectSort
    direction: SortDirection = SortDirection.ASC


@strawberry.input(description="Sort key and direction; ties are broken by key.")
class SourceOrderBy:
    field: SourceSort
    direction: SortDirection = SortDirection.ASC
