"""The registry entries: one Kind per kind of record, and the edge types of their relationships."""

from __future__ import annotations

from datetime import date

from graph import model as m
from graph.cypher import Label, RelType
from graph.cypher import props as p
from graph.cypher.read import sort_degree, sort_distinct_far
from graph.kinds.specs import (
    FEW,
    MANY,
    SOME,
    AnyName,
    EdgeRel,
    EdgeSpec,
    Embedded,
    End,
    FieldSpec,
    GlobalId,
    Kind,
    Lookup,
    Names,
    Prop,
    Provenance,
    Quantified,
    Rel,
    Scalar,
    field_sorts,
    scalar_filters,
)

_VERSION = Prop(
    "version",
    of=int,
    description="How many times this record changed: send it back as `expectedVersion` so "
    "that a write fails with `Conflict` if someone changed it since you read it.",
)
# The first fields of every record kind's type, and the last before its relationships.
_HEAD: dict[str, FieldSpec] = {"id": GlobalId(), "key": Prop("id", of=str), "version": _VERSION}
_CITED: dict[str, FieldSpec] = {"provenance": Provenance()}
_NAMED: dict[str, FieldSpec] = {"name": Prop("name", of=str), "names": Names()}
_PLACE = Embedded(
    of="Place",
    props={"city": p.PLACE_CITY, "country": p.PLACE_COUNTRY},
    optional_on=p.PLACE_COUNTRY,
)
_TOPICS: dict[str, FieldSpec] = {"topics": Prop("topics", of=list[str])}


def _props(*names: str, of: object = str | None) -> dict[str, FieldSpec]:
    return {name: Prop(name, of=of) for name in names}


def _org_link(rel: RelType, *, outgoing: bool | None) -> EdgeRel:
    return EdgeRel(
        type=rel,
        outgoing=outgoing,
        target="Organisation",
        edge="OrganisationLink",
        near="",
        far="organisation",
    )


_ORGANISATION: dict[str, FieldSpec] = {
    **_HEAD,
    **_NAMED,
    "kind": Prop("kind", of=m.OrgKind),
    "status": Prop("status", of=m.OrgStatus),
    **_props("country", "city", "region"),
    p.GEONAMES_ID: Prop(p.GEONAMES_ID, of=int | None),
    **_props("lat", "lng", of=float | None),
    **_props("ror", "wikidata", "isni", "grid", "fundref", p.REGISTRY_CODE),
    "pic": Prop("pic", description="The EU's participant identification code."),
    "established": Prop("established", of=int | None),
    **_props("website", "email", "description"),
    "sectors": Prop("sectors", of=list[str]),
    **_TOPICS,
    **_CITED,
    "agreements": EdgeRel(
        type=RelType.PARTY_TO,
        outgoing=True,
        target="Agreement",
        edge="AgreementParty",
        near="organisation",
        far="agreement",
        description="Agreements it is party to.",
    ),
    "people": EdgeRel(
        type=RelType.HOLDS_POSITION,
        outgoing=False,
        target="Person",
        edge="Position",
        near="organisation",
        far="person",
        description="People holding positions in it.",
    ),
    "events": EdgeRel(
        type=RelType.PARTICIPATED_IN,
        outgoing=True,
        target="Event",
        edge="EventParticipation",
        near="organisation",
        far="event",
    ),
    "datasets": Rel(
        type=RelType.HOLDS_DATA,
        outgoing=True,
        target="Dataset",
        description="Data sets it holds.",
    ),
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
}
ORGANISATION = Kind(
    name="Organisation",
    label=Label.ORGANISATION,
    description="An organisation: ministry, agency, university, company, ...",
    fields=_ORGANISATION,
    filters={
        **scalar_filters(_ORGANISATION, "key"),
        "name": AnyName(description="Matches any of its names, in any language."),
        **scalar_filters(_ORGANISATION, "kind", "status", "country", "city", "established"),
        **scalar_filters(_ORGANISATION, "ror", "wikidata", "isni", "grid", "fundref"),
        **scalar_filters(
            _ORGANISATION, "registry_code", description="A company or charity register's code."
        ),
        **scalar_filters(
            _ORGANISATION,
            "pic",
            description="The EU's participant identification code (9 digits).",
        ),
        **scalar_filters(_ORGANISATION, "topics", "sectors"),
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
        **field_sorts(_ORGANISATION, "NAME", "COUNTRY", "ESTABLISHED"),
        "AGREEMENT_COUNT": (sort_degree(RelType.PARTY_TO, outgoing=True), 0),
        # Distinct projects: one organisation may hold two roles in one project.
        "PROJECT_COUNT": (sort_distinct_far(RelType.PARTICIPATES_IN), 0),
        **field_sorts(_ORGANISATION, "KEY"),
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
)

_PERSON: dict[str, FieldSpec] = {
    **_HEAD,
    **_NAMED,
    **_props("email", "phone"),
    **_CITED,
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
}
PERSON = Kind(
    name="Person",
    label=Label.PERSON,
    description="A person, with every spelling of their name the sources use.",
    fields=_PERSON,
    filters={
        **scalar_filters(_PERSON, "key"),
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
    sorts=field_sorts(_PERSON, "NAME", "KEY"),
    default_sort="NAME",
    fanout={"names": FEW, "positions": SOME, "signatures": SOME, "events": SOME},
    model=m.Person,
)

_AGREEMENT: dict[str, FieldSpec] = {
    **_HEAD,
    "kind": Prop("kind", of=m.AgreementKind),
    "title": Prop("title", of=str),
    "purpose": Prop("purpose"),
    **_TOPICS,
    "signed": Prop("signed", of=date | None),
    "place": _PLACE,
    **_props(p.VALID_FROM, p.VALID_TO, of=date | None),
    "status": Prop("status", of=m.AgreementStatus),
    **_CITED,
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
    "projects": Rel(
        type=RelType.RUNS_UNDER,
        outgoing=False,
        target="Project",
        description="Projects run under it.",
    ),
    "events": Rel(
        type=RelType.RESULTED_IN,
        outgoing=False,
        target="Event",
        description="Events it came out of.",
    ),
}
AGREEMENT = Kind(
    name="Agreement",
    label=Label.AGREEMENT,
    description="An MoU, agreement in principle, data-sharing agreement or contract.",
    fields=_AGREEMENT,
    filters={
        **scalar_filters(_AGREEMENT, "key", "kind", "status", "title", "signed", "topics"),
        "parties": Quantified(type=RelType.PARTY_TO, outgoing=False, target="Organisation"),
        "signatories": Quantified(type=RelType.SIGNED, outgoing=False, target="Person"),
    },
    sorts={
        **field_sorts(_AGREEMENT, "SIGNED", "TITLE"),
        "PARTY_COUNT": (sort_degree(RelType.PARTY_TO, outgoing=False), 0),
        **field_sorts(_AGREEMENT, "KEY"),
    },
    default_sort="SIGNED",
    # Agreements are bi- or trilateral; their projects and events are few.
    fanout={"parties": FEW, "signatories": FEW, "projects": FEW, "events": FEW},
    model=m.Agreement,
)

_EVENT: dict[str, FieldSpec] = {
    **_HEAD,
    "kind": Prop("kind", of=m.EventKind),
    "title": Prop("title", of=str),
    "date": Prop("date", of=date),
    "end": Prop("end", of=date | None),
    "place": _PLACE,
    **_TOPICS,
    "decisions": Prop("decisions", of=list[str]),
    **_CITED,
    "participants": EdgeRel(
        type=RelType.PARTICIPATED_IN,
        outgoing=False,
        target="Node",
        edge="EventParticipation",
        near="event",
        far="*",
    ),
    "agreements": Rel(
        type=RelType.RESULTED_IN,
        outgoing=True,
        target="Agreement",
        description="Agreements that came out of it.",
    ),
    "projects": Rel(
        type=RelType.RESULTED_IN,
        outgoing=True,
        target="Project",
        description="Projects that came out of it.",
    ),
}
EVENT = Kind(
    name="Event",
    label=Label.EVENT,
    description="A meeting, talks, roundtable, visit, conference or signing.",
    fields=_EVENT,
    filters={
        **scalar_filters(_EVENT, "key", "kind", "title", "date"),
        "place_country": Scalar(p.PLACE_COUNTRY),
        **scalar_filters(_EVENT, "topics"),
        "participants": Quantified(
            type=RelType.PARTICIPATED_IN,
            outgoing=False,
            target="Organisation",
            description="Organisations that took part.",
        ),
    },
    sorts=field_sorts(_EVENT, "DATE", "TITLE", "KEY"),
    default_sort="DATE",
    fanout={"participants": MANY, "agreements": FEW, "projects": FEW},
    model=m.Event,
)

_DATASET: dict[str, FieldSpec] = {
    **_HEAD,
    "title": Prop("title", of=str),
    "modalities": Prop("modalities", of=list[str]),
    "subject": Prop("subject"),
    "individuals": Prop("individuals", of=int | None),
    **_props("coverage", "country"),
    **_props("start", "end", of=date | None),
    **_TOPICS,
    "access": Embedded(
        of="DataAccess",
        props={
            "rights": p.ACCESS_RIGHTS,
            "legalBasis": p.ACCESS_LEGAL_BASIS,
            "conditions": p.ACCESS_CONDITIONS,
            "limitations": p.ACCESS_LIMITATIONS,
            "contact": p.ACCESS_CONTACT,
        },
        rels={
            "body": Rel(
                type=RelType.GOVERNS_ACCESS,
                outgoing=False,
                target="Organisation",
                many=False,
                description="The health data access body.",
            )
        },
    ),
    "holder": Rel(type=RelType.HOLDS_DATA, outgoing=False, target="Organisation", many=False),
    **_CITED,
    "projects": Rel(
        type=RelType.USES_DATA,
        outgoing=False,
        target="Project",
        description="Projects that use it.",
    ),
}
DATASET = Kind(
    name="Dataset",
    label=Label.DATASET,
    description="A data set at stake: genomic data, health check-up records, ...",
    fields=_DATASET,
    filters={
        **scalar_filters(_DATASET, "key", "title", "modalities", "individuals", "country"),
        **scalar_filters(_DATASET, "topics"),
        "holder": Quantified(type=RelType.HOLDS_DATA, outgoing=False, target="Organisation"),
    },
    sorts=field_sorts(_DATASET, "TITLE", "INDIVIDUALS", "KEY"),
    default_sort="TITLE",
    fanout={"projects": SOME},
    model=m.Dataset,
)

_PROJECT: dict[str, FieldSpec] = {
    **_HEAD,
    "kind": Prop("kind", of=m.ProjectKind),
    "title": Prop("title", of=str),
    **_props("acronym", "description"),
    "status": Prop("status", of=m.ProjectStatus),
    **_props("start", "end", of=date | None),
    "budget": Embedded(
        of="Money",
        props={"amount": p.BUDGET_AMOUNT, "currency": p.BUDGET_CURRENCY},
        optional_on=p.BUDGET_AMOUNT,
        description="The total cost.",
    ),
    "contribution": Embedded(
        of="Money",
        props={"amount": p.CONTRIBUTION_AMOUNT, "currency": p.CONTRIBUTION_CURRENCY},
        optional_on=p.CONTRIBUTION_AMOUNT,
        description="What the funder contributes at most (CORDIS ecMaxContribution).",
    ),
    "programme": Prop("programme", description="e.g. HORIZON, H2020."),
    p.FUNDING_SCHEME: Prop(p.FUNDING_SCHEME, description="e.g. HORIZON-RIA, ERC-STG."),
    **_TOPICS,
    "place": _PLACE,
    **_CITED,
    "participants": EdgeRel(
        type=RelType.PARTICIPATES_IN,
        outgoing=False,
        target="Organisation",
        edge="ProjectParticipation",
        near="project",
        far="organisation",
    ),
    "agreement": Rel(
        type=RelType.RUNS_UNDER,
        outgoing=True,
        target="Agreement",
        many=False,
        description="The agreement it runs under.",
    ),
    "partOf": Rel(type=RelType.PART_OF, outgoing=True, target="Project", many=False),
    "parts": Rel(type=RelType.PART_OF, outgoing=False, target="Project"),
    "datasets": Rel(type=RelType.USES_DATA, outgoing=True, target="Dataset"),
    "events": Rel(
        type=RelType.RESULTED_IN,
        outgoing=False,
        target="Event",
        description="Events it came out of.",
    ),
}
PROJECT = Kind(
    name="Project",
    label=Label.PROJECT,
    description="A joint R&D project, accelerator programme or special zone.",
    fields=_PROJECT,
    filters={
        **scalar_filters(_PROJECT, "key", "kind", "status", "title", "start", "topics"),
        "participants": Quantified(
            type=RelType.PARTICIPATES_IN, outgoing=False, target="Organisation"
        ),
    },
    sorts=field_sorts(_PROJECT, "TITLE", "START", "KEY"),
    default_sort="TITLE",
    fanout={"participants": MANY, "parts": SOME, "datasets": FEW, "events": SOME},
    model=m.Project,
)

_SOURCE: dict[str, FieldSpec] = {
    "id": GlobalId(),
    "key": Prop("id", of=str),
    "title": Prop("title", of=str),
    "kind": Prop("kind", of=m.SourceKind),
    **_props("publisher", "url"),
    **_props("published", "retrieved", of=date | None),
}
SOURCE = Kind(
    name="Source",
    label=Label.SOURCE,
    description="A document or register that asserts facts.",
    fields=_SOURCE,
    filters=scalar_filters(_SOURCE, "key", "title"),
    sorts=field_sorts(_SOURCE, "TITLE", "KEY"),
    default_sort="TITLE",
    model=m.Source,
)

KINDS: dict[str, Kind] = {
    k.name: k for k in (ORGANISATION, PERSON, AGREEMENT, EVENT, DATASET, PROJECT, SOURCE)
}


_ORGANISATION_END: dict[str, FieldSpec] = {"organisation": End(target="Organisation")}
_SPAN: dict[str, FieldSpec] = _props("start", "end", of=date | None)

# The edge types of EdgeRel relationships: their own fields and their two ends, in order.
EDGES: dict[str, EdgeSpec] = {
    "AgreementParty": EdgeSpec(
        description="An organisation's part in an agreement.",
        fields={
            "role": Prop("role", of=str),
            **_ORGANISATION_END,
            "agreement": End(target="Agreement"),
            **_CITED,
        },
    ),
    "Signature": EdgeSpec(
        description="A signature: a person signing an agreement on behalf of a party.",
        fields={
            "title": Prop("title"),
            "date": Prop("date", of=date | None),
            "person": End(target="Person"),
            "agreement": End(target="Agreement"),
            "onBehalfOf": Lookup(target="Organisation", prop=p.ON_BEHALF_OF),
            **_CITED,
        },
    ),
    "Position": EdgeSpec(
        description="A position a person holds at an organisation, with its time span.",
        fields={
            "title": Prop("title", of=str),
            **_SPAN,
            "person": End(target="Person"),
            **_ORGANISATION_END,
            **_CITED,
        },
    ),
    "EventParticipation": EdgeSpec(
        description="An organisation or a person taking part in an event.",
        fields={
            "role": Prop("role"),
            "event": End(target="Event"),
            "organisation": End(target="Organisation", optional=True),
            "person": End(target="Person", optional=True),
            **_CITED,
        },
    ),
    "ProjectParticipation": EdgeSpec(
        description="An organisation's role in a project, with its period.",
        fields={
            "role": Prop("role", of=str),
            **_SPAN,
            "order": Prop("order", of=int | None, description="Place in the consortium's list."),
            # Flat on the edge (edges hold props only): the amount and its currency.
            "contribution": Prop(
                p.CONTRIBUTION_AMOUNT,
                of=float | None,
                description="What the funder contributes to this participant, in "
                "contributionCurrency.",
            ),
            "contributionCurrency": Prop(p.CONTRIBUTION_CURRENCY),
            "ended": Prop("ended", of=bool | None, description="It left before the project ended."),
            "project": End(target="Project"),
            **_ORGANISATION_END,
            **_CITED,
        },
    ),
    "OrganisationLink": EdgeSpec(
        description="A link between two organisations (parent, successor, founder, ...).",
        fields={**_ORGANISATION_END, **_SPAN, **_CITED},
    ),
}

BY_LABEL: dict[str, str] = {k.label.value: name for name, k in KINDS.items()}
