"""Typed GraphQL inputs for the upserts, and their conversion to seed-format records (pure).

The inputs give clients shape and enums only: field names are the seed format's (snake_case in
Python, camelCase in GraphQL), and every rule (id slugs, country codes, at least one name, ...)
stays in the pydantic model, which validates the converted record exactly as it validates a
`record: JSON` one. Fields left out (or null) are left out of the record, so the model's
defaults apply as they do for seed files.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Sequence
from enum import Enum
from typing import Any

import strawberry

from graph.api.execution.adapter import to_camel_case
from graph.model import (
    AccessRights,
    AgreementKind,
    AgreementStatus,
    EventKind,
    Modality,
    NameType,
    OrgKind,
    OrgRelationType,
    OrgStatus,
    PartyRole,
    ProjectKind,
    ProjectRole,
    ProjectStatus,
)

# The other model enums are registered by graph.api.schema.types; these appear only in inputs.
# Registering an enum twice is harmless, so this does not depend on the import order.
for _enum in (Modality, NameType, OrgRelationType, PartyRole, ProjectRole):
    strawberry.enum(_enum)

_REF = "The id (slug) of a record, e.g. `university-of-tartu`; not a global id."
_REFS = "Ids (slugs) of records; not global ids."
_TOPICS = "Slugs, e.g. `ai-healthcare`."


# --- Shared pieces ----------------------------------------------------------------------------


@strawberry.input(description="A name in one language; the display name has type DISPLAY.")
class NameInput:
    value: str
    lang: str | None = strawberry.field(default=None, description="e.g. `en`, `ko`, `et`.")
    types: list[NameType] | None = strawberry.field(default=None, description="Default: LABEL.")


@strawberry.input(description="A place; the country is an ISO 3166-1 alpha-2 code.")
class PlaceInput:
    country: str = strawberry.field(description="e.g. `EE`, `KR`.")
    city: str | None = None
    region: str | None = None
    geonames_id: int | None = None
    lat: float | None = None
    lng: float | None = None


@strawberry.input(description="A validity period; either end may be open.")
class PeriodInput:
    start: dt.date | None = None
    end: dt.date | None = None


# --- Organisations ----------------------------------------------------------------------------


@strawberry.input(description="Identifiers, bare or as URLs (https://ror.org/..., Q-ids, ISNI).")
class IdentifiersInput:
    ror: str | None = None
    wikidata: str | None = None
    isni: str | None = None
    grid: str | None = None
    fundref: str | None = None
    registry_code: str | None = None
    pic: str | None = None


@strawberry.input(description="How this organisation relates to another one.")
class OrgRelationInput:
    type: OrgRelationType
    organisation: str = strawberry.field(description=_REF)
    period: PeriodInput | None = None


@strawberry.input(description="An organisation, as in the seed files' `organisations`.")
class OrganisationInput:
    id: str = strawberry.field(description="A slug, e.g. `tartu-biotech-park`.")
    kind: OrgKind
    names: list[NameInput]
    identifiers: IdentifiersInput | None = None
    location: PlaceInput | None = None
    status: OrgStatus | None = strawberry.field(default=None, description="Default: ACTIVE.")
    established: int | None = strawberry.field(default=None, description="The year.")
    website: str | None = None
    email: str | None = None
    description: str | None = None
    sectors: list[str] | None = strawberry.field(default=None, description=_TOPICS)
    topics: list[str] | None = strawberry.field(default=None, description=_TOPICS)
    relations: list[OrgRelationInput] | None = None


# --- People -----------------------------------------------------------------------------------


@strawberry.input(description="A position a person holds at an organisation.")
class PositionInput:
    organisation: str = strawberry.field(description=_REF)
    title: str
    period: PeriodInput | None = None


@strawberry.input(description="A person, as in the seed files' `people`.")
class PersonInput:
    id: str = strawberry.field(description="A slug, e.g. `jane-doe`.")
    names: list[NameInput]
    positions: list[PositionInput] | None = None
    email: str | None = None
    phone: str | None = None


# --- Agreements -------------------------------------------------------------------------------


@strawberry.input(description="An organisation that is party to an agreement.")
class PartyInput:
    organisation: str = strawberry.field(description=_REF)
    role: PartyRole | None = strawberry.field(default=None, description="Default: PARTY.")


@strawberry.input(description="A person who signed on behalf of a party.")
class SignatoryInput:
    person: str = strawberry.field(description=_REF)
    on_behalf_of: str = strawberry.field(description=_REF)
    title: str | None = None


@strawberry.input(description="An agreement, as in the seed files' `agreements`.")
class AgreementInput:
    id: str
    kind: AgreementKind
    title: str
    parties: list[PartyInput] = strawberry.field(description="At least two distinct parties.")
    purpose: str | None = None
    topics: list[str] | None = strawberry.field(default=None, description=_TOPICS)
    signed: dt.date | None = None
    place: PlaceInput | None = None
    validity: PeriodInput | None = None
    status: AgreementStatus | None = strawberry.field(default=None, description="Default: SIGNED.")
    signatories: list[SignatoryInput] | None = None


# --- Events -----------------------------------------------------------------------------------


@strawberry.input(description="An organisation or a person taking part: exactly one of the two.")
class ParticipantInput:
    organisation: str | None = strawberry.field(default=None, description=_REF)
    person: str | None = strawberry.field(default=None, description=_REF)
    role: str | None = None


@strawberry.input(description="An event, as in the seed files' `events`.")
class EventInput:
    id: str
    kind: EventKind
    title: str
    date: dt.date
    end: dt.date | None = None
    place: PlaceInput | None = None
    topics: list[str] | None = strawberry.field(default=None, description=_TOPICS)
    participants: list[ParticipantInput] | None = None
    agreements: list[str] | None = strawberry.field(default=None, description=_REFS)
    projects: list[str] | None = strawberry.field(default=None, description=_REFS)
    decisions: list[str] | None = None


# --- Data sets --------------------------------------------------------------------------------


@strawberry.input(description="Who may use a data set, and how.")
class AccessInput:
    rights: AccessRights
    body: str | None = strawberry.field(default=None, description=_REF)
    legal_basis: str | None = None
    conditions: list[str] | None = None
    limitations: list[str] | None = None
    contact: str | None = None


@strawberry.input(description="A data set, as in the seed files' `datasets`.")
class DatasetInput:
    id: str
    title: str
    holder: str = strawberry.field(description=_REF)
    modalities: list[Modality]
    subject: str | None = None
    individuals: int | None = None
    coverage: str | None = None
    country: str | None = None
    period: PeriodInput | None = None
    access: AccessInput | None = None
    topics: list[str] | None = strawberry.field(default=None, description=_TOPICS)


# --- Projects ---------------------------------------------------------------------------------


@strawberry.input(description="An amount of money in an ISO 4217 currency, e.g. `EUR`.")
class MoneyInput:
    amount: float
    currency: str


@strawberry.input(description="An organisation taking part in a project, in a role.")
class ProjectParticipantInput:
    organisation: str = strawberry.field(description=_REF)
    role: ProjectRole | None = strawberry.field(default=None, description="Default: PARTICIPANT.")
    period: PeriodInput | None = None
    order: int | None = None
    contribution: MoneyInput | None = None
    ended: bool | None = None


@strawberry.input(description="A project or programme, as in the seed files' `projects`.")
class ProjectInput:
    id: str
    kind: ProjectKind
    title: str
    acronym: str | None = None
    description: str | None = None
    status: ProjectStatus | None = strawberry.field(default=None, description="Default: ACTIVE.")
    period: PeriodInput | None = None
    budget: MoneyInput | None = None
    contribution: MoneyInput | None = None
    programme: str | None = None
    funding_scheme: str | None = None
    topics: list[str] | None = strawberry.field(default=None, description=_TOPICS)
    participants: list[ProjectParticipantInput] | None = None
    agreement: str | None = strawberry.field(default=None, description=_REF)
    part_of: str | None = strawberry.field(default=None, description=_REF)
    datasets: list[str] | None = strawberry.field(default=None, description=_REFS)
    place: PlaceInput | None = None


# The typed input of each kind's upsert (the keys are graph.api.schema.mutations' kinds).
INPUTS: dict[str, type] = {
    "Organisation": OrganisationInput,
    "Person": PersonInput,
    "Agreement": AgreementInput,
    "Event": EventInput,
    "Dataset": DatasetInput,
    "Project": ProjectInput,
}


# --- Conversion -------------------------------------------------------------------------------


def to_record(value: object) -> dict[str, Any]:
    """The seed-format record a typed input stands for: what `record: JSON` would carry."""
    if not dataclasses.is_dataclass(value) or isinstance(value, type):
        raise TypeError(f"not a typed input: {value!r}")
    out: dict[str, Any] = {}
    for f in dataclasses.fields(value):
        item = getattr(value, f.name)
        if item is not None:
            out[f.name] = _plain(item)
    return out


def _plain(value: object) -> Any:
    # JSON-like values, as a seed file or a JSON record gives them: enums by value, ISO dates.
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_record(value)
    return value


_INDEX = re.compile(r"\[(\d+)\]")


def input_path(loc: Sequence[str | int] | str | None, root: str = "input") -> str:
    """Where a problem in a converted record is in the typed input: `input.names.0.value`.

    `loc` is a pydantic error location (`("names", 0, "value")`) or a loader's field name
    (`positions[0].organisation`); record keys are snake_case, GraphQL names camelCase.
    """
    if loc is None:
        return root
    parts = _INDEX.sub(r".\1", loc).split(".") if isinstance(loc, str) else list(loc)
    named = [to_camel_case(p) if isinstance(p, str) else str(p) for p in parts if p != ""]
    return ".".join([root, *named])
