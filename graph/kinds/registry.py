"""The registry entries: one Kind per kind of record, and the edge types of their relationships."""

from __future__ import annotations

from graph import model as m
from graph.cypher import Label, RelType
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
_PLACE = Embedded({"city": "placeCity", "country": "placeCountry"}, optional_on="placeCountry")
_KEY_SORT: dict[str, Sort] = {"KEY": (sort_prop("id"), "")}
_KEY_FILTER: dict[str, FilterSpec] = {"key": Scalar("id")}


def _props(*names: str) -> dict[str, FieldSpec]:
    return {name: Prop(name) for name in names}


def _scalars(*names: str) -> dict[str, FilterSpec]:
    return {name: Scalar(name) for name in names}


def _org_link(rel: RelType, outgoing: bool | None) -> EdgeRel:
    return EdgeRel(rel, outgoing, "Organisation", "OrganisationLink", "", "organisation")


ORGANISATION = Kind(
    "Organisation",
    Label.ORGANISATION,
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
            "geonamesId",
            "lat",
            "lng",
            "ror",
            "wikidata",
            "isni",
            "grid",
            "fundref",
            "registryCode",
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
            RelType.PARTY_TO, True, "Agreement", "AgreementParty", "organisation", "agreement"
        ),
        "people": EdgeRel(
            RelType.HOLDS_POSITION, False, "Person", "Position", "organisation", "person"
        ),
        "events": EdgeRel(
            RelType.PARTICIPATED_IN, True, "Event", "EventParticipation", "organisation", "event"
        ),
        "datasets": Rel(RelType.HOLDS_DATA, True, "Dataset"),
        "projects": EdgeRel(
            RelType.PARTICIPATES_IN,
            True,
            "Project",
            "ProjectParticipation",
            "organisation",
            "project",
        ),
        "parents": _org_link(RelType.CHILD_OF, True),
        "children": _org_link(RelType.CHILD_OF, False),
        "successors": _org_link(RelType.SUCCEEDED_BY, True),
        "predecessors": _org_link(RelType.SUCCEEDED_BY, False),
        "related": _org_link(RelType.RELATED_TO, None),
        "founders": _org_link(RelType.FOUNDED_BY, True),
        "founded": _org_link(RelType.FOUNDED_BY, False),
    },
    filters={
        **_KEY_FILTER,
        "name": AnyName(),
        **_scalars("kind", "status", "country", "city", "established"),
        **_scalars("ror", "wikidata", "isni", "grid", "fundref", "topics", "sectors"),
        "registry_code": Scalar("registryCode"),
        "agreements": Quantified(RelType.PARTY_TO, True, "Agreement"),
        "projects": Quantified(RelType.PARTICIPATES_IN, True, "Project"),
        "events": Quantified(RelType.PARTICIPATED_IN, True, "Event"),
        "datasets": Quantified(RelType.HOLDS_DATA, True, "Dataset"),
        "parents": Quantified(RelType.CHILD_OF, True, "Organisation"),
        "children": Quantified(RelType.CHILD_OF, False, "Organisation"),
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
    "Person",
    Label.PERSON,
    fields={**_COMMON, "names": Names(), **_props("name", "email", "phone")},
    relationships={
        "positions": EdgeRel(
            RelType.HOLDS_POSITION, True, "Organisation", "Position", "person", "organisation"
        ),
        "signatures": EdgeRel(
            RelType.SIGNED, True, "Agreement", "Signature", "person", "agreement"
        ),
        "events": EdgeRel(
            RelType.PARTICIPATED_IN, True, "Event", "EventParticipation", "person", "event"
        ),
    },
    filters={
        **_KEY_FILTER,
        "name": AnyName(),
        "organisations": Quantified(RelType.HOLDS_POSITION, True, "Organisation"),
        "agreements": Quantified(RelType.SIGNED, True, "Agreement"),
    },
    sorts={"NAME": (sort_prop("name"), ""), **_KEY_SORT},
    default_sort="NAME",
    fanout={"names": FEW, "positions": SOME, "signatures": SOME, "events": SOME},
    model=m.Person,
    record=("id", "names", "positions", "email", "phone", "sources"),
)

AGREEMENT = Kind(
    "Agreement",
    Label.AGREEMENT,
    fields={
        **_COMMON,
        **_props("kind", "title", "purpose", "topics", "signed", "validFrom", "validTo"),
        "status": Prop("status"),
        "place": _PLACE,
    },
    relationships={
        "parties": EdgeRel(
            RelType.PARTY_TO, False, "Organisation", "AgreementParty", "agreement", "organisation"
        ),
        "signatories": EdgeRel(RelType.SIGNED, False, "Person", "Signature", "agreement", "person"),
        "projects": Rel(RelType.RUNS_UNDER, False, "Project"),
        "events": Rel(RelType.RESULTED_IN, False, "Event"),
    },
    filters={
        **_KEY_FILTER,
        **_scalars("kind", "status", "title", "signed", "topics"),
        "parties": Quantified(RelType.PARTY_TO, False, "Organisation"),
        "signatories": Quantified(RelType.SIGNED, False, "Person"),
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
    "Event",
    Label.EVENT,
    fields={
        **_COMMON,
        **_props("kind", "title", "date", "end", "topics", "decisions"),
        "place": _PLACE,
    },
    relationships={
        "participants": EdgeRel(
            RelType.PARTICIPATED_IN, False, "Node", "EventParticipation", "event", "*"
        ),
        "agreements": Rel(RelType.RESULTED_IN, True, "Agreement"),
        "projects": Rel(RelType.RESULTED_IN, True, "Project"),
    },
    filters={
        **_KEY_FILTER,
        **_scalars("kind", "title", "date", "topics"),
        "place_country": Scalar("placeCountry"),
        "participants": Quantified(RelType.PARTICIPATED_IN, False, "Organisation"),
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
    "Dataset",
    Label.DATASET,
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
            {
                "rights": "accessRights",
                "legalBasis": "accessLegalBasis",
                "conditions": "accessConditions",
                "limitations": "accessLimitations",
                "contact": "accessContact",
            },
            rels={"body": Rel(RelType.GOVERNS_ACCESS, False, "Organisation", many=False)},
        ),
    },
    relationships={
        "holder": Rel(RelType.HOLDS_DATA, False, "Organisation", many=False),
        "projects": Rel(RelType.USES_DATA, False, "Project"),
    },
    filters={
        **_KEY_FILTER,
        **_scalars("title", "modalities", "individuals", "country", "topics"),
        "holder": Quantified(RelType.HOLDS_DATA, False, "Organisation"),
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
    "Project",
    Label.PROJECT,
    fields={
        **_COMMON,
        **_props("kind", "title", "acronym", "description", "status", "start", "end", "topics"),
        **_props("programme", "fundingScheme"),
        "place": _PLACE,
        "budget": Embedded(
            {"amount": "budgetAmount", "currency": "budgetCurrency"}, optional_on="budgetAmount"
        ),
        "contribution": Embedded(
            {"amount": "contributionAmount", "currency": "contributionCurrency"},
            optional_on="contributionAmount",
        ),
    },
    relationships={
        "participants": EdgeRel(
            RelType.PARTICIPATES_IN,
            False,
            "Organisation",
            "ProjectParticipation",
            "project",
            "organisation",
        ),
        "agreement": Rel(RelType.RUNS_UNDER, True, "Agreement", many=False),
        "partOf": Rel(RelType.PART_OF, True, "Project", many=False),
        "parts": Rel(RelType.PART_OF, False, "Project"),
        "datasets": Rel(RelType.USES_DATA, True, "Dataset"),
        "events": Rel(RelType.RESULTED_IN, False, "Event"),
    },
    filters={
        **_KEY_FILTER,
        **_scalars("kind", "status", "title", "start", "topics"),
        "participants": Quantified(RelType.PARTICIPATES_IN, False, "Organisation"),
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
    "Source",
    Label.SOURCE,
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
            "onBehalfOf": Lookup("Organisation", "onBehalfOf"),
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
            "contribution": Prop("contributionAmount"),
            "contributionCurrency": Prop("contributionCurrency"),
            "ended": Prop("ended"),
            "provenance": Provenance(),
        }
    ),
    "OrganisationLink": EdgeSpec(
        {"start": Prop("start"), "end": Prop("end"), "provenance": Provenance()}
    ),
}

BY_LABEL: dict[str, str] = {k.label.value: name for name, k in KINDS.items()}
