"""How each GraphQL type maps onto the graph: properties, relationships, edges; pure data.

The compiler (graph/api/compile.py) reads these tables to turn a selection into one Cypher query.
A GraphQL field absent from its type's table is a bug caught by tests/unit/test_api_specs.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graph.cypher import Label, RelType
from graph.cypher.read import sort_degree, sort_distinct_far, sort_or, sort_prop


@dataclass(frozen=True, slots=True)
class Prop:
    """A node or relationship property, as is."""

    name: str


@dataclass(frozen=True, slots=True)
class GlobalId:
    """`<Type>:<key>`: the Relay id."""


@dataclass(frozen=True, slots=True)
class Names:
    """The parallel lists `names`, `nameLangs`, `nameTypes` as a list of name objects."""


@dataclass(frozen=True, slots=True)
class Provenance:
    """Citations (JSON strings) with their Source nodes; parsed by the field's resolver."""


@dataclass(frozen=True, slots=True)
class Embedded:
    """A nested object made of the element's own properties (a place, a budget)."""

    props: dict[str, str]
    optional_on: str | None = None  # null when this property is null


@dataclass(frozen=True, slots=True)
class Rel:
    """Nodes at the far end of a relationship: a list, or one node (`many=False`)."""

    type: RelType
    outgoing: bool
    target: str  # GraphQL type name
    many: bool = True


@dataclass(frozen=True, slots=True)
class EdgeRel:
    """Edge objects: the relationship's own properties plus both of its ends."""

    type: RelType
    outgoing: bool | None  # None: either direction (RELATED_TO is stored once, either way)
    target: str  # GraphQL type of the far end; "Node" when it may be several
    edge: str  # GraphQL edge type
    near: str  # edge field holding the node we came from
    far: str  # edge field holding the far node; "*": the field named after its label


@dataclass(frozen=True, slots=True)
class Lookup:
    """A node found by an id kept in a relationship property (a signature's `onBehalfOf`)."""

    target: str
    prop: str


FieldSpec = Prop | GlobalId | Names | Provenance | Embedded | Rel | EdgeRel | Lookup


@dataclass(frozen=True, slots=True)
class TypeSpec:
    label: Label
    fields: dict[str, FieldSpec]
    # Sort keys for root connections: enum value -> Cypher expression over `n`, and the value
    # that stands in for null so that keyset cursors can compare.
    sorts: dict[str, tuple[str, object]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class EdgeSpec:
    fields: dict[str, FieldSpec]  # Prop (of the relationship), Provenance, Lookup


_COMMON: dict[str, FieldSpec] = {
    "id": GlobalId(),
    "key": Prop("id"),
    "version": Prop("version"),
    "provenance": Provenance(),
}
_PLACE = Embedded({"city": "placeCity", "country": "placeCountry"}, optional_on="placeCountry")
_NAME_SORT = {"KEY": (sort_prop("id"), "")}


def _props(*names: str) -> dict[str, FieldSpec]:
    return {name: Prop(name) for name in names}


def _org_link(rel: RelType, outgoing: bool | None) -> EdgeRel:
    return EdgeRel(rel, outgoing, "Organisation", "OrganisationLink", "", "organisation")


TYPES: dict[str, TypeSpec] = {
    "Organisation": TypeSpec(
        Label.ORGANISATION,
        {
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
                "established",
                "website",
                "email",
                "description",
                "sectors",
                "topics",
            ),
            "agreements": EdgeRel(
                RelType.PARTY_TO, True, "Agreement", "AgreementParty", "organisation", "agreement"
            ),
            "people": EdgeRel(
                RelType.HOLDS_POSITION, False, "Person", "Position", "organisation", "person"
            ),
            "events": EdgeRel(
                RelType.PARTICIPATED_IN,
                True,
                "Event",
                "EventParticipation",
                "organisation",
                "event",
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
        sorts={
            "NAME": (sort_prop("name"), ""),
            "COUNTRY": (sort_or("country", "''"), ""),
            "ESTABLISHED": (sort_or("established", "-1"), -1),
            "AGREEMENT_COUNT": (sort_degree(RelType.PARTY_TO, outgoing=True), 0),
            # Distinct projects: one organisation may hold two roles in one project.
            "PROJECT_COUNT": (sort_distinct_far(RelType.PARTICIPATES_IN), 0),
            **_NAME_SORT,
        },
    ),
    "Person": TypeSpec(
        Label.PERSON,
        {
            **_COMMON,
            "names": Names(),
            **_props("name", "email", "phone"),
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
        sorts={"NAME": (sort_prop("name"), ""), **_NAME_SORT},
    ),
    "Agreement": TypeSpec(
        Label.AGREEMENT,
        {
            **_COMMON,
            **_props("kind", "title", "purpose", "topics", "signed", "validFrom", "validTo"),
            "status": Prop("status"),
            "place": _PLACE,
            "parties": EdgeRel(
                RelType.PARTY_TO,
                False,
                "Organisation",
                "AgreementParty",
                "agreement",
                "organisation",
            ),
            "signatories": EdgeRel(
                RelType.SIGNED, False, "Person", "Signature", "agreement", "person"
            ),
            "projects": Rel(RelType.RUNS_UNDER, False, "Project"),
            "events": Rel(RelType.RESULTED_IN, False, "Event"),
        },
        sorts={
            "SIGNED": (sort_or("signed", "date('0001-01-01')"), "0001-01-01"),
            "TITLE": (sort_prop("title"), ""),
            "PARTY_COUNT": (sort_degree(RelType.PARTY_TO, outgoing=False), 0),
            **_NAME_SORT,
        },
    ),
    "Event": TypeSpec(
        Label.EVENT,
        {
            **_COMMON,
            **_props("kind", "title", "date", "end", "topics", "decisions"),
            "place": _PLACE,
            "participants": EdgeRel(
                RelType.PARTICIPATED_IN, False, "Node", "EventParticipation", "event", "*"
            ),
            "agreements": Rel(RelType.RESULTED_IN, True, "Agreement"),
            "projects": Rel(RelType.RESULTED_IN, True, "Project"),
        },
        sorts={
            "DATE": (sort_prop("date"), "0001-01-01"),
            "TITLE": (sort_prop("title"), ""),
            **_NAME_SORT,
        },
    ),
    "Dataset": TypeSpec(
        Label.DATASET,
        {
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
                }
            ),
            "holder": Rel(RelType.HOLDS_DATA, False, "Organisation", many=False),
            "projects": Rel(RelType.USES_DATA, False, "Project"),
        },
        sorts={
            "TITLE": (sort_prop("title"), ""),
            "INDIVIDUALS": (sort_or("individuals", "-1"), -1),
            **_NAME_SORT,
        },
    ),
    "Project": TypeSpec(
        Label.PROJECT,
        {
            **_COMMON,
            **_props("kind", "title", "description", "status", "start", "end", "topics"),
            "place": _PLACE,
            "budget": Embedded(
                {"amount": "budgetAmount", "currency": "budgetCurrency"},
                optional_on="budgetAmount",
            ),
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
        sorts={
            "TITLE": (sort_prop("title"), ""),
            "START": (sort_or("start", "date('0001-01-01')"), "0001-01-01"),
            **_NAME_SORT,
        },
    ),
    "Source": TypeSpec(
        Label.SOURCE,
        {
            "id": GlobalId(),
            "key": Prop("id"),
            **_props("title", "kind", "publisher", "url", "published", "retrieved"),
        },
        sorts={"TITLE": (sort_prop("title"), ""), **_NAME_SORT},
    ),
}

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
            "provenance": Provenance(),
        }
    ),
    "OrganisationLink": EdgeSpec(
        {"start": Prop("start"), "end": Prop("end"), "provenance": Provenance()}
    ),
}

BY_LABEL: dict[str, str] = {spec.label.value: name for name, spec in TYPES.items()}
