"""The domain model: pydantic classes for the facts of a partnership ecosystem; pure data, no I/O.

Every fact (node or relationship) is cited: `sources` lists where it was asserted, so that the
graph can answer "where does this come from?" for anything it holds. References between facts are
ids (`Ref`); the loaders resolve them, the model only checks what one record can check alone.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from enum import StrEnum
from typing import Annotated, Any, Self

import pycountry
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    HttpUrl,
    model_validator,
)

# Stable ids: lower-case slugs, readable in diffs and safe in URLs and global ids.
ID_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,118}[a-z0-9])?$"
# What no reader should get: zero-width and bidi controls, C0/C1 control characters (tab,
# newline and the other whitespace become spaces instead), lone surrogates and Unicode's
# noncharacters (U+FFFE ...). XML exports cannot carry most of them; JSON and CSV carried them.
_NONCHARACTERS = "".join(
    f"{chr(plane + 0xFFFE)}{chr(plane + 0xFFFF)}" for plane in range(0, 0x110000, 0x10000)
)
_INVISIBLE = re.compile(
    "[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
    "\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\ud800-\udfff\ufdd0-\ufdef"
    f"{_NONCHARACTERS}]"
)


def clean_text(value: str) -> str:
    """NFC, no control, zero-width or bidi characters, single spaces: what a reader sees."""
    # Most text is plain printable ASCII, already clean: skip the Unicode work (a third of
    # the time a large load spends validating).
    if value.isascii() and value.isprintable() and "  " not in value and value == value.strip():
        return value
    value = unicodedata.normalize("NFC", value)
    value = _INVISIBLE.sub("", value)
    return " ".join(value.split())


def _non_empty(value: str) -> str:
    if not value:
        raise ValueError("must not be empty (after removing invisible characters)")
    return value


def _country(value: str) -> str:
    code = value.strip().upper()
    # XK (Kosovo) is user-assigned in ISO 3166 but used by the EU, GeoNames and ROR.
    if code != "XK" and pycountry.countries.get(alpha_2=code) is None:
        raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 country code (e.g. EE, KR)")
    return code


def _before(value: Any) -> Any:
    return clean_text(value) if isinstance(value, str) else value


Text = Annotated[str, BeforeValidator(_before), AfterValidator(_non_empty), Field(max_length=4000)]
Id = Annotated[str, Field(pattern=ID_PATTERN)]
Ref = Annotated[str, Field(pattern=ID_PATTERN)]
Topic = Annotated[str, Field(pattern=ID_PATTERN)]
Country = Annotated[str, AfterValidator(_country)]
Lang = Annotated[str, Field(pattern=r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")]


class Model(BaseModel):
    # Unknown keys are typos until proven otherwise: refuse them rather than drop them silently.
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


# --- Provenance -------------------------------------------------------------------------------


class SourceKind(StrEnum):
    ARTICLE = "article"
    WEB_PAGE = "web_page"
    REGISTRY = "registry"
    DATASET = "dataset"
    DOCUMENT = "document"


class Source(Model):
    """A document or register that asserts facts (PROV-O: the entity facts were derived from)."""

    id: Id
    title: Text
    kind: SourceKind = SourceKind.ARTICLE
    publisher: Text | None = None
    url: HttpUrl | None = None
    published: dt.date | None = None
    retrieved: dt.date | None = None


class Citation(Model):
    """Where one fact was asserted: the source, where in it, and whether it was verified."""

    source: Ref
    where: Text | None = None
    quote: Annotated[Text, Field(max_length=300)] | None = None
    verified: bool = True


Cited = Annotated[list[Citation], Field(min_length=1)]


class Period(Model):
    """Validity of a relationship or a role; either end may be open."""

    start: dt.date | None = None
    end: dt.date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.start and self.end and self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


# --- Names and places ------------------------------------------------------------------------


class NameType(StrEnum):
    DISPLAY = "display"
    LABEL = "label"
    ALIAS = "alias"
    ACRONYM = "acronym"
    FORMER = "former"


class Name(Model):
    value: Text
    lang: Lang | None = None
    types: list[NameType] = Field(default_factory=lambda: [NameType.LABEL])


class Place(Model):
    city: Text | None = None
    region: Text | None = None
    country: Country
    geonames_id: Annotated[int, Field(gt=0)] | None = None
    lat: Annotated[float, Field(ge=-90, le=90)] | None = None
    lng: Annotated[float, Field(ge=-180, le=180)] | None = None


class Money(Model):
    amount: Annotated[float, Field(ge=0)]
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


def _names_have_display(names: list[Name]) -> list[Name]:
    if not names:
        raise ValueError("at least one name is required")
    return names


Names = Annotated[list[Name], AfterValidator(_names_have_display)]


def display_name(names: list[Name]) -> str:
    for name in names:
        if NameType.DISPLAY in name.types:
            return name.value
    return names[0].value


# --- Organisations ---------------------------------------------------------------------------


class OrgKind(StrEnum):
    MINISTRY = "ministry"
    GOVERNMENT_AGENCY = "government_agency"
    REGIONAL_GOVERNMENT = "regional_government"
    LOCAL_GOVERNMENT = "local_government"
    TECHNOPARK = "technopark"
    SCIENCE_PARK = "science_park"
    UNIVERSITY = "university"
    RESEARCH_INSTITUTE = "research_institute"
    BIOBANK = "biobank"
    HOSPITAL = "hospital"
    HEALTH_INSURER = "health_insurer"
    ACCELERATOR = "accelerator"
    STARTUP = "startup"
    COMPANY = "company"
    ASSOCIATION = "association"
    FUNDER = "funder"
    NONPROFIT = "nonprofit"
    FACILITY = "facility"
    ARCHIVE = "archive"
    OTHER = "other"


class OrgStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    WITHDRAWN = "withdrawn"


class OrgRelationType(StrEnum):
    PARENT = "parent"
    CHILD = "child"
    RELATED = "related"
    SUCCESSOR = "successor"
    PREDECESSOR = "predecessor"
    FOUNDER = "founder"  # the related organisation founded this one


class OrgRelation(Model):
    type: OrgRelationType
    organisation: Ref
    period: Period | None = None
    # The citation of this link, where the record's own sources do not state it.
    sources: list[Citation] = Field(default_factory=list)


class Identifiers(Model):
    ror: Annotated[str, Field(pattern=r"^0[a-z0-9]{6}[0-9]{2}$")] | None = None
    wikidata: Annotated[str, Field(pattern=r"^Q[1-9][0-9]*$")] | None = None
    isni: Annotated[str, Field(pattern=r"^[0-9]{15}[0-9X]$")] | None = None
    grid: Annotated[str, Field(pattern=r"^grid\.[0-9]+\.[0-9a-f]+$")] | None = None
    fundref: Annotated[str, Field(pattern=r"^[0-9]+$")] | None = None
    registry_code: Text | None = None
    # The EU's participant identification code (CORDIS, the Funding & Tenders portal).
    pic: Annotated[str, Field(pattern=r"^[0-9]{9}$")] | None = None

    @model_validator(mode="before")
    @classmethod
    def _normalise(cls, data: Any) -> Any:
        # Identifiers arrive as URLs or with spaces ("https://ror.org/03z77qz90",
        # "0000 0001 0943 7661"); keep the bare canonical form so look-ups match.
        if not isinstance(data, dict):
            return data
        out = dict(data)
        if isinstance(out.get("ror"), str):
            out["ror"] = out["ror"].strip().removeprefix("https://ror.org/").lower()
        if isinstance(out.get("isni"), str):
            out["isni"] = re.sub(r"\s+", "", out["isni"]).upper()
        if isinstance(out.get("wikidata"), str):
            out["wikidata"] = out["wikidata"].strip().rsplit("/", 1)[-1].upper()
        return out


class Organisation(Model):
    id: Id
    kind: OrgKind
    names: Names
    identifiers: Identifiers = Field(default_factory=Identifiers)
    location: Place | None = None
    status: OrgStatus = OrgStatus.ACTIVE
    established: Annotated[int, Field(ge=800, le=2100)] | None = None
    website: HttpUrl | None = None
    email: Text | None = None
    description: Text | None = None
    sectors: list[Topic] = Field(default_factory=list)
    topics: list[Topic] = Field(default_factory=list)
    relations: list[OrgRelation] = Field(default_factory=list)
    sources: Cited

    @property
    def name(self) -> str:
        return display_name(self.names)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        for rel in self.relations:
            if rel.organisation == self.id:
                raise ValueError(f"an organisation cannot be its own {rel.type.value}")
        return self


# --- People ----------------------------------------------------------------------------------


class Position(Model):
    organisation: Ref
    title: Text
    period: Period | None = None
    sources: list[Citation] = Field(default_factory=list)


class Person(Model):
    id: Id
    names: Names
    positions: list[Position] = Field(default_factory=list)
    email: Text | None = None
    phone: Text | None = None
    sources: Cited

    @property
    def name(self) -> str:
        return display_name(self.names)


# --- Agreements ------------------------------------------------------------------------------


class AgreementKind(StrEnum):
    MOU = "mou"
    AGREEMENT_IN_PRINCIPLE = "agreement_in_principle"
    DATA_SHARING = "data_sharing"
    CONTRACT = "contract"
    GRANT_AGREEMENT = "grant_agreement"
    OTHER = "other"


class AgreementStatus(StrEnum):
    PLANNED = "planned"
    SIGNED = "signed"
    IN_FORCE = "in_force"
    EXPIRED = "expired"
    TERMINATED = "terminated"


class PartyRole(StrEnum):
    PARTY = "party"
    LEAD = "lead"
    WITNESS = "witness"


class Party(Model):
    organisation: Ref
    role: PartyRole = PartyRole.PARTY
    # The citation of this link, where the record's own sources do not state it.
    sources: list[Citation] = Field(default_factory=list)


class Signatory(Model):
    person: Ref
    on_behalf_of: Ref
    title: Text | None = None
    # The citation of this link, where the record's own sources do not state it.
    sources: list[Citation] = Field(default_factory=list)


class Agreement(Model):
    id: Id
    kind: AgreementKind
    title: Text
    purpose: Text | None = None
    topics: list[Topic] = Field(default_factory=list)
    signed: dt.date | None = None
    place: Place | None = None
    validity: Period | None = None
    status: AgreementStatus = AgreementStatus.SIGNED
    parties: list[Party]
    signatories: list[Signatory] = Field(default_factory=list)
    sources: Cited

    @model_validator(mode="after")
    def _parties(self) -> Self:
        orgs = [p.organisation for p in self.parties]
        twice = sorted({o for o in orgs if orgs.count(o) > 1})
        if twice:
            raise ValueError(f"organisation(s) listed as party more than once: {', '.join(twice)}")
        if len(orgs) < 2:
            raise ValueError("an agreement needs at least two distinct parties")
        for s in self.signatories:
            if s.on_behalf_of not in orgs:
                raise ValueError(
                    f"signatory {s.person} signs on behalf of {s.on_behalf_of}, "
                    "which is not a party"
                )
        if self.signed and self.validity and self.validity.end and self.validity.end < self.signed:
            raise ValueError(f"validity ends {self.validity.end}, before signing {self.signed}")
        return self


# --- Events ----------------------------------------------------------------------------------


class EventKind(StrEnum):
    MEETING = "meeting"
    TALKS = "talks"
    ROUNDTABLE = "roundtable"
    VISIT = "visit"
    CONFERENCE = "conference"
    SIGNING = "signing"


class Participant(Model):
    """An organisation or a person taking part; exactly one of the two."""

    organisation: Ref | None = None
    person: Ref | None = None
    role: Text | None = None
    # The citation of this link, where the record's own sources do not state it.
    sources: list[Citation] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one(self) -> Self:
        if (self.organisation is None) == (self.person is None):
            raise ValueError("give exactly one of organisation or person")
        return self


class Event(Model):
    id: Id
    kind: EventKind
    title: Text
    date: dt.date
    end: dt.date | None = None
    place: Place | None = None
    topics: list[Topic] = Field(default_factory=list)
    participants: list[Participant] = Field(default_factory=list)
    agreements: list[Ref] = Field(default_factory=list)
    projects: list[Ref] = Field(default_factory=list)
    decisions: list[Text] = Field(default_factory=list)
    sources: Cited

    @model_validator(mode="after")
    def _dates(self) -> Self:
        if self.end and self.end < self.date:
            raise ValueError(f"end {self.end} is before date {self.date}")
        return self


# --- Data sets (HealthDCAT-AP) ---------------------------------------------------------------


class AccessRights(StrEnum):
    PUBLIC = "public"
    RESTRICTED = "restricted"
    NON_PUBLIC = "non_public"


class Access(Model):
    rights: AccessRights
    body: Ref | None = None
    legal_basis: Text | None = None
    conditions: list[Text] = Field(default_factory=list)
    limitations: list[Text] = Field(default_factory=list)
    contact: Text | None = None


class Modality(StrEnum):
    GENOMIC = "genomic"
    HEALTH_CHECKUP = "health_checkup"
    CLAIMS = "claims"
    EHR = "ehr"
    IMAGING = "imaging"
    REGISTRY = "registry"
    SURVEY = "survey"
    OTHER = "other"


class Dataset(Model):
    id: Id
    title: Text
    holder: Ref
    modalities: Annotated[list[Modality], Field(min_length=1)]
    subject: Text | None = None
    individuals: Annotated[int, Field(ge=0)] | None = None
    coverage: Text | None = None
    country: Country | None = None
    period: Period | None = None
    access: Access | None = None
    topics: list[Topic] = Field(default_factory=list)
    sources: Cited


# --- Projects and programmes (EURIO: participation is n-ary, with a role) ----------------------


class ProjectKind(StrEnum):
    JOINT_RND = "joint_rnd"
    ACCELERATOR_PROGRAMME = "accelerator_programme"
    SPECIAL_ZONE = "special_zone"
    PROGRAMME = "programme"


class ProjectStatus(StrEnum):
    PLANNED = "planned"
    ACTIVE = "active"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class ProjectRole(StrEnum):
    COORDINATOR = "coordinator"
    PARTNER = "partner"
    OPERATOR = "operator"
    FUNDER = "funder"
    TENANT = "tenant"
    FOUNDER = "founder"
    PARTICIPANT = "participant"
    ASSOCIATED_PARTNER = "associated_partner"
    THIRD_PARTY = "third_party"


class ProjectParticipant(Model):
    organisation: Ref
    role: ProjectRole = ProjectRole.PARTICIPANT
    period: Period | None = None
    # The participant's place in the consortium's list (CORDIS `order`; 1 is the coordinator).
    order: Annotated[int, Field(ge=0)] | None = None
    # What the funder contributes to this participant's costs.
    contribution: Money | None = None
    # The participation ended before the project did.
    ended: bool | None = None
    # The citation of this link, where the record's own sources do not state it.
    sources: list[Citation] = Field(default_factory=list)


class Project(Model):
    id: Id
    kind: ProjectKind
    title: Text
    acronym: Text | None = None
    description: Text | None = None
    status: ProjectStatus = ProjectStatus.ACTIVE
    period: Period | None = None
    budget: Money | None = None
    # What the funder contributes at most (CORDIS `ecMaxContribution`); `budget` is the total.
    contribution: Money | None = None
    programme: Text | None = None  # e.g. HORIZON, H2020
    funding_scheme: Text | None = None  # e.g. HORIZON-RIA, ERC-STG
    topics: list[Topic] = Field(default_factory=list)
    participants: list[ProjectParticipant] = Field(default_factory=list)
    agreement: Ref | None = None
    part_of: Ref | None = None
    datasets: list[Ref] = Field(default_factory=list)
    place: Place | None = None
    sources: Cited

    @model_validator(mode="after")
    def _distinct(self) -> Self:
        keys = [(p.organisation, p.role) for p in self.participants]
        if len(keys) != len(set(keys)):
            raise ValueError("the same organisation is listed twice with the same role")
        if self.part_of == self.id:
            raise ValueError("a project cannot be part of itself")
        return self


# --- A load unit -----------------------------------------------------------------------------


class Bundle(Model):
    """Everything one load unit asserts (a seed ecosystem, a ROR dump, a CSV file)."""

    origin: Annotated[Text, Field(max_length=200)]
    # Where two origins disagree on a value, the lower priority number wins: curated seeds (10)
    # over analysts' CSV (20) over registries (50). Names, topics and citations are unioned.
    priority: Annotated[int, Field(ge=0, le=1000)] = 50
    sources: list[Source] = Field(default_factory=list)
    organisations: list[Organisation] = Field(default_factory=list)
    people: list[Person] = Field(default_factory=list)
    agreements: list[Agreement] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    datasets: list[Dataset] = Field(default_factory=list)
    projects: list[Project] = Field(default_factory=list)
