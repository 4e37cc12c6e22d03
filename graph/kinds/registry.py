"""The registry entries: one Kind per kind of record, and the edge types of their relationships."""

from __future__ import annotations

from datetime import date

from graph import model as m
from graph.cypher import Label, RelType
from graph.cypher import props as p
from graph.cypher.read import sort_degree, sort_distinct_far, sort_or, sort_prop
from graph.kinds.specs import (
    FEW,
    MANY,
    SOME,
    AnyName,
    EdgeRel,
    EdgeSpec,
    Embedded,
    FieldSpec,
    FilterSpec,
    GlobalId,
    Kind,
    Lookup,
    Names,
    Prop,
    Provenance,
    Quantified,
    Rel,
    Scalar,
    Sort,
)

_COMMON: dict[str, FieldSpec] = {
    "id": GlobalId(),
    "key": Prop("id"),
    "version": Prop("version"),
    "provenance": Provenance(),
}
_PLACE = Embedded(
    props={"city": p.PLACE_CITY, "country": p.PLACE_COUNTRY}, optional_on=p.PLACE_COUNTRY
)
_KEY_SORT: dict[str, Sort] = {"KEY": (sort_prop("id"), "")}
_KEY_FILTER: dict[str, FilterSpec] = {"key": Scalar("id")}


def _props(*names: str) -> dict[str, FieldSpec]:
    return {name: Prop(name) for name in names}


def _scalars(*names: str, of: type[object] = str) -> dict[str, FilterSpec]:
    return {name: Scalar(name, of=of) for name in names}


def _org_link(rel: RelType, *, outgoing: bool | None) -> EdgeRel:
    return EdgeRel(
        type=rel,
        outgoing=outgoing,
        target="Organisation",
        edge="OrganisationLink",
        near="",
        far="organisation",
    )


ORGANISATION = Kind(
    name="Organisation",
    label=Label.ORGANISATION,
    fields={
        **_COMMON,
        "names": Names(),
        **_props(
            "name",
            "kind",
            "status",
            "country",
            "city",
            "region",
            p.GEONAMES_ID,
            "lat",
            "lng",
            "ror",
            "wikidata",
            "isni",
            "grid",
            "fundref",
            p.REGISTRY_CODE,
            "pic",
            "established",
            "website",
            "email",
            "description",
            "sectors",
            "topics",
        ),
    },
    relationships={
        "agreements": EdgeRel(
            type=RelType.PARTY_TO,
            outgoing=True,
            target="Agreement",
            edge="AgreementParty",
            near="organisation",
            far="agreement",
        ),
        "people": EdgeRel(
            type=RelType.HOLDS_POSITION,
            outgoing=False,
            target="Person",
            edge="Position",
            near="organisation",
            far="person",
        ),
        "events": EdgeRel(
            type=RelType.PARTICIPATED_IN,
            outgoing=True,
            target="Event",
            edge="EventParticipation",
            near="organisation",
            far="event",
        ),
        "datasets": Rel(type=RelType.HOLDS_DATA, outgoing=True, target="Dataset"),
        "projects": EdgeRel(
            type=RelType.PARTICIPATES_IN,
            outgoing=True,
            target="Project",
            edge="ProjectParticipation",
            near="organisation",
            far="project",
        ),
        "parents": _org_link(RelType.CHILD_OF, outgoing=True),
        "children": _org_link(RelType.CHILD_OF, outgoing=False),
        "successors": _org_link(RelType.SUCCEEDED_BY, outgoing=True),
        "predecessors": _org_link(RelType.SUCCEEDED_BY, outgoing=False),
        "related": _org_link(RelType.RELATED_TO, outgoing=None),
        "founders": _org_link(RelType.FOUNDED_BY, outgoing=True),
        "founded": _org_link(RelType.FOUNDED_BY, outgoing=False),
    },
    filters={
        **_KEY_FILTER,
        "name": AnyName(description="Matches any of its names, in any language."),
        "kind": Scalar("kind", of=m.OrgKind),
        "status": Scalar("status", of=m.OrgStatus),
        **_scalars("country", "city"),
        "established": Scalar("established", of=int),
        **_scalars("ror", "wikidata", "isni", "grid", "fundref"),
        "registry_code": Scalar(
            p.REGISTRY_CODE, description="A company or charity register's code."
        ),
        "pic": Scalar("pic", description="The EU's participant identification code (9 digits)."),
        **_scalars("topics", "sectors", of=list),
        "agreements": Quantified(
            type=RelType.PARTY_TO,
            outgoing=True,
            target="Agreement",
            description="Agreements it is party to.",
        ),
        "projects": Quantified(type=RelType.PARTICIPATES_IN, outgoing=True, target="Project"),
        "events": Quantified(type=RelType.PARTICIPATED_IN, outgoing=True, target="Event"),
        "datasets": Quantified(
            type=RelType.HOLDS_DATA,
            outgoing=True,
            target="Dataset",
            description="Data sets it holds.",
        ),
        "parents": Quantified(
            type=RelType.CHILD_OF,
            outgoing=True,
            target="Organisation",
            description="Organisations it is part of (its parents in a hierarchy).",
        ),
        "children": Quantified(
            type=RelType.CHILD_OF,
            outgoing=False,
            target="Organisation",
            description="Organisations that are part of it (its units).",
        ),
    },
    sorts={
        "NAME": (sort_prop("name"), ""),
        "COUNTRY": (sort_or("country", "''"), ""),
        "ESTABLISHED": (sort_or("established", "-1"), -1),
        "AGREEMENT_COUNT": (sort_degree(RelType.PARTY_TO, outgoing=True), 0),
        # Distinct projects: one organisation may hold two roles in one project.
        "PROJECT_COUNT": (sort_distinct_far(RelType.PARTICIPATES_IN), 0),
        **_KEY_SORT,
    },
    default_sort="NAME",
    # An organisation is a hub: hundreds of children, agreements or events are possible.
    fanout={
        "children": MANY,
        "agreements": MANY,
        "people": MANY,
        "events": MANY,
        "projects": MANY,
        "datasets": SOME,
        "founded": SOME,
        "related": SOME,
        "parents": FEW,
        "successors": FEW,
        "predecessors": FEW,
        "founders": FEW,
        "names": SOME,
    },
    model=m.Organisation,
    record=(
        "id",
        "kind",
        "names",
        "identifiers",
        "location",
        "status",
        "established",
        "website",
        "email",
        "description",
        "sectors",
        "topics",
        "relations",
        "sources",
    ),
)

PERSON = Kind(
    name="Person",
    label=Label.PERSON,
    fields={**_COMMON, "names": Names(), **_props("name", "email", "phone")},
    relationships={
        "positions": EdgeRel(
            type=RelType.HOLDS_POSITION,
            outgoing=True,
            target="Organisation",
            edge="Position",
            near="person",
            far="organisation",
        ),
        "signatures": EdgeRel(
            type=RelType.SIGNED,
            outgoing=True,
            target="Agreement",
            edge="Signature",
            near="person",
            far="agreement",
        ),
        "events": EdgeRel(
            type=RelType.PARTICIPATED_IN,
            outgoing=True,
            target="Event",
            edge="EventParticipation",
            near="person",
            far="event",
        ),
    },
    filters={
        **_KEY_FILTER,
        "name": AnyName(description="Matches any spelling of the name."),
        "organisations": Quantified(
            type=RelType.HOLDS_POSITION,
            outgoing=True,
            target="Organisation",
            description="Organisations where the person holds a position.",
        ),
        "agreements": Quantified(
            type=RelType.SIGNED,
            outgoing=True,
            target="Agreement",
            description="Agreements the person signed.",
        ),
    },
    sorts={"NAME": (sort_prop("name"), ""), **_KEY_SORT},
    default_sort="NAME",
    fanout={"names": FEW, "positions": SOME, "signatures": SOME, "events": SOME},
    model=m.Person,
    record=("id", "names", "positions", "email", "phone", "sources"),
)

AGREEMENT = Kind(
    name="Agreement",
    label=Label.AGREEMENT,
    fields={
        **_COMMON,
        **_props("kind", "title", "purpose", "topics", "signed", p.VALID_FROM, p.VALID_TO),
        "status": Prop("status"),
        "place": _PLACE,
    },
    relationships={
        "parties": EdgeRel(
            type=RelType.PARTY_TO,
            outgoing=False,
            target="Organisation",
            edge="AgreementParty",
            near="agreement",
            far="organisation",
        ),
        "signatories": EdgeRel(
            type=RelType.SIGNED,
            outgoing=False,
            target="Person",
            edge="Signature",
            near="agreement",
            far="person",
        ),
        "projects": Rel(type=RelType.RUNS_UNDER, outgoing=False, target="Project"),
        "events": Rel(type=RelType.RESULTED_IN, outgoing=False, target="Event"),
    },
    filters={
        **_KEY_FILTER,
        "kind": Scalar("kind", of=m.AgreementKind),
        "status": Scalar("status", of=m.AgreementStatus),
        "title": Scalar("title"),
        "signed": Scalar("signed", of=date),
        "topics": Scalar("topics", of=list),
        "parties": Quantified(type=RelType.PARTY_TO, outgoing=False, target="Organisation"),
        "signatories": Quantified(type=RelType.SIGNED, outgoing=False, target="Person"),
    },
    sorts={
        "SIGNED": (sort_or("signed", "date('0001-01-01')"), "0001-01-01"),
        "TITLE": (sort_prop("title"), ""),
        "PARTY_COUNT": (sort_degree(RelType.PARTY_TO, outgoing=False), 0),
        **_KEY_SORT,
    },
    default_sort="SIGNED",
    # Agreements are bi- or trilateral; their projects and events are few.
    fanout={"parties": FEW, "signatories": FEW, "projects": FEW, "events": FEW},
    model=m.Agreement,
    record=(
        "id",
        "kind",
        "title",
        "purpose",
        "topics",
        "signed",
        "place",
        "validity",
        "status",
        "parties",
        "signatories",
        "sources",
    ),
)

EVENT = Kind(
    name="Event",
    label=Label.EVENT,
    fields={
        **_COMMON,
        **_props("kind", "title", "date", "end", "topics", "decisions"),
        "place": _PLACE,
    },
    relationships={
        "participants": EdgeRel(
            type=RelType.PARTICIPATED_IN,
            outgoing=False,
            target="Node",
            edge="EventParticipation",
            near="event",
            far="*",
        ),
        "agreements": Rel(type=RelType.RESULTED_IN, outgoing=True, target="Agreement"),
        "projects": Rel(type=RelType.RESULTED_IN, outgoing=True, target="Project"),
    },
    filters={
        **_KEY_FILTER,
        "kind": Scalar("kind", of=m.EventKind),
        "title": Scalar("title"),
        "date": Scalar("date", of=date),
        "place_country": Scalar(p.PLACE_COUNTRY),
        "topics": Scalar("topics", of=list),
        "participants": Quantified(
            type=RelType.PARTICIPATED_IN,
            outgoing=False,
            target="Organisation",
            description="Organisations that took part.",
        ),
    },
    sorts={
        "DATE": (sort_prop("date"), "0001-01-01"),
        "TITLE": (sort_prop("title"), ""),
        **_KEY_SORT,
    },
    default_sort="DATE",
    fanout={"participants": MANY, "agreements": FEW, "projects": FEW},
    model=m.Event,
    record=(
        "id",
        "kind",
        "title",
        "date",
        "end",
        "place",
        "topics",
        "participants",
        "agreements",
        "projects",
        "decisions",
        "sources",
    ),
)

DATASET = Kind(
    name="Dataset",
    label=Label.DATASET,
    fields={
        **_COMMON,
        **_props(
            "title",
            "modalities",
            "subject",
            "individuals",
            "coverage",
            "country",
            "start",
            "end",
            "topics",
        ),
        "access": Embedded(
            props={
                "rights": p.ACCESS_RIGHTS,
                "legalBasis": p.ACCESS_LEGAL_BASIS,
                "conditions": p.ACCESS_CONDITIONS,
                "limitations": p.ACCESS_LIMITATIONS,
                "contact": p.ACCESS_CONTACT,
            },
            rels={
                "body": Rel(
                    type=RelType.GOVERNS_ACCESS, outgoing=False, target="Organisation", many=False
                )
            },
        ),
    },
    relationships={
        "holder": Rel(type=RelType.HOLDS_DATA, outgoing=False, target="Organisation", many=False),
        "projects": Rel(type=RelType.USES_DATA, outgoing=False, target="Project"),
    },
    filters={
        **_KEY_FILTER,
        "title": Scalar("title"),
        "modalities": Scalar("modalities", of=list),
        "individuals": Scalar("individuals", of=int),
        "country": Scalar("country"),
        "topics": Scalar("topics", of=list),
        "holder": Quantified(type=RelType.HOLDS_DATA, outgoing=False, target="Organisation"),
    },
    sorts={
        "TITLE": (sort_prop("title"), ""),
        "INDIVIDUALS": (sort_or("individuals", "-1"), -1),
        **_KEY_SORT,
    },
    default_sort="TITLE",
    fanout={"projects": SOME},
    model=m.Dataset,
    record=(
        "id",
        "title",
        "holder",
        "modalities",
        "subject",
        "individuals",
        "coverage",
        "country",
        "period",
        "access",
        "topics",
        "sources",
    ),
)

PROJECT = Kind(
    name="Project",
    label=Label.PROJECT,
    fields={
        **_COMMON,
        **_props("kind", "title", "acronym", "description", "status", "start", "end", "topics"),
        **_props("programme", p.FUNDING_SCHEME),
        "place": _PLACE,
        "budget": Embedded(
            props={"amount": p.BUDGET_AMOUNT, "currency": p.BUDGET_CURRENCY},
            optional_on=p.BUDGET_AMOUNT,
        ),
        "contribution": Embedded(
            props={"amount": p.CONTRIBUTION_AMOUNT, "currency": p.CONTRIBUTION_CURRENCY},
            optional_on=p.CONTRIBUTION_AMOUNT,
        ),
    },
    relationships={
        "participants": EdgeRel(
            type=RelType.PARTICIPATES_IN,
            outgoing=False,
            target="Organisation",
            edge="ProjectParticipation",
            near="project",
            far="organisation",
        ),
        "agreement": Rel(type=RelType.RUNS_UNDER, outgoing=True, target="Agreement", many=False),
        "partOf": Rel(type=RelType.PART_OF, outgoing=True, target="Project", many=False),
        "parts": Rel(type=RelType.PART_OF, outgoing=False, target="Project"),
        "datasets": Rel(type=RelType.USES_DATA, outgoing=True, target="Dataset"),
        "events": Rel(type=RelType.RESULTED_IN, outgoing=False, target="Event"),
    },
    filters={
        **_KEY_FILTER,
        "kind": Scalar("kind", of=m.ProjectKind),
        "status": Scalar("status", of=m.ProjectStatus),
        "title": Scalar("title"),
        "start": Scalar("start", of=date),
        "topics": Scalar("topics", of=list),
        "participants": Quantified(
            type=RelType.PARTICIPATES_IN, outgoing=False, target="Organisation"
        ),
    },
    sorts={
        "TITLE": (sort_prop("title"), ""),
        "START": (sort_or("start", "date('0001-01-01')"), "0001-01-01"),
        **_KEY_SORT,
    },
    default_sort="TITLE",
    fanout={"participants": MANY, "parts": SOME, "datasets": FEW, "events": SOME},
    model=m.Project,
    record=(
        "id",
        "kind",
        "title",
        "acronym",
        "description",
        "status",
        "period",
        "budget",
        "contribution",
        "programme",
        "funding_scheme",
        "topics",
        "participants",
        "agreement",
        "part_of",
        "datasets",
        "place",
        "sources",
    ),
)

SOURCE = Kind(
    name="Source",
    label=Label.SOURCE,
    fields={
        "id": GlobalId(),
        "key": Prop("id"),
        **_props("title", "kind", "publisher", "url", "published", "retrieved"),
    },
    filters={**_KEY_FILTER, "title": Scalar("title")},
    sorts={"TITLE": (sort_prop("title"), ""), **_KEY_SORT},
    default_sort="TITLE",
    model=m.Source,
    record=("id", "title", "kind", "publisher", "url", "published", "retrieved"),
)

KINDS: dict[str, Kind] = {
    k.name: k for k in (ORGANISATION, PERSON, AGREEMENT, EVENT, DATASET, PROJECT, SOURCE)
}


# The edge types of EdgeRel relationships: their own fields (the two ends are the EdgeRel's).
EDGES: dict[str, EdgeSpec] = {
    "AgreementParty": EdgeSpec({"role": Prop("role"), "provenance": Provenance()}),
    "Signature": EdgeSpec(
        {
            "title": Prop("title"),
            "date": Prop("date"),
            "onBehalfOf": Lookup(target="Organisation", prop=p.ON_BEHALF_OF),
            "provenance": Provenance(),
        }
    ),
    "Position": EdgeSpec(
        {
            "title": Prop("title"),
            "start": Prop("start"),
            "end": Prop("end"),
            "provenance": Provenance(),
        }
    ),
    "EventParticipation": EdgeSpec({"role": Prop("role"), "provenance": Provenance()}),
    "ProjectParticipation": EdgeSpec(
        {
            "role": Prop("role"),
            "start": Prop("start"),
            "end": Prop("end"),
            "order": Prop("order"),
            # Flat on the edge (edges hold props only): the amount and its currency.
            "contribution": Prop(p.CONTRIBUTION_AMOUNT),
            "contributionCurrency": Prop(p.CONTRIBUTION_CURRENCY),
            "ended": Prop("ended"),
            "provenance": Provenance(),
        }
    ),
    "OrganisationLink": EdgeSpec(
        {"start": Prop("start"), "end": Prop("end"), "provenance": Provenance()}
    ),
}

BY_LABEL: dict[str, str] = {k.label.value: name for name, k in KINDS.items()}
