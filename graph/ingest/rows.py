"""Model -> rows: what one origin asserts about each node (a claim) and each relationship."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson

from graph.cypher import Label, RelType
from graph.cypher.props import (
    ACCESS_CONDITIONS,
    ACCESS_CONTACT,
    ACCESS_LEGAL_BASIS,
    ACCESS_LIMITATIONS,
    ACCESS_RIGHTS,
    BUDGET_AMOUNT,
    BUDGET_CURRENCY,
    CONTRIBUTION_AMOUNT,
    CONTRIBUTION_CURRENCY,
    FUNDING_SCHEME,
    GEONAMES_ID,
    ON_BEHALF_OF,
    PLACE_CITY,
    PLACE_COUNTRY,
    PLACE_REGION,
    REGISTRY_CODE,
    VALID_FROM,
    VALID_TO,
)
from graph.model import (
    Agreement,
    Bundle,
    Citation,
    Dataset,
    Event,
    Name,
    Organisation,
    OrgRelationType,
    Period,
    Person,
    Place,
    Project,
    Source,
)

Props = dict[str, Any]


@dataclass(slots=True)
class Claim:
    """What one origin says about one node: its properties, names and citations."""

    label: Label
    id: str
    props: Props
    citations: list[Citation]
    names: list[Name] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)  # ids this node is also known by
    where: str = ""  # "<collection>:<id>" of the record that asserted it, for error messages
    name_keys: list[str] | None = None  # an organisation's, computed once by entity resolution


@dataclass(slots=True)
class RelRow:
    type: RelType
    start_label: Label
    start: str
    end_label: Label
    end: str
    key: str
    props: Props
    citations: list[Citation]
    where: str = ""  # "<collection>:<id>" of the record that asserted it, for error messages
    field: str = ""
    # An end the record named by free text, matched (graph.ingest.byname): the name as written
    # and the confidence, kept in this link's provenance entries.
    matched: dict[str, Any] | None = None


def provenance_entry(origin: str, citation: Citation, matched: dict[str, Any] | None = None) -> str:
    # The origin comes first so that one origin's entries can be stripped by prefix in Cypher.
    entry = {"origin": origin, **citation.model_dump(mode="json", exclude_none=True)}
    return orjson.dumps({**entry, **(matched or {})}).decode()


def provenance_prefix(origin: str) -> str:
    return orjson.dumps({"origin": origin}).decode()[:-1] + ","


def _location(place: Place | None) -> Props:
    """An organisation's location: its own properties, as the model names them."""
    if place is None:
        return {}
    return {
        "country": place.country,
        "city": place.city,
        "region": place.region,
        GEONAMES_ID: place.geonames_id,
        "lat": place.lat,
        "lng": place.lng,
    }


def _place(place: Place | None) -> Props:
    """Where an agreement, event or project took place: kept apart from an organisation's."""
    if place is None:
        return {}
    return {PLACE_COUNTRY: place.country, PLACE_CITY: place.city, PLACE_REGION: place.region}


def _period(period: Period | None, start: str = "start", end: str = "end") -> Props:
    if period is None:
        return {start: None, end: None}
    return {start: period.start, end: period.end}


def _iso(props: Props) -> Props:
    # Claims are stored as JSON; dates travel as ISO strings and become Neo4j dates on merge.
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in props.items()}


# What tells apart two relationships of one type between the same two nodes (one person's two
# titles at one organisation, one organisation's two roles in a project): this property's value
# is the relationship's `key`. Other types have one relationship per pair at most.
KEY_PROPERTY: dict[RelType, str] = {
    RelType.HOLDS_POSITION: "title",
    RelType.SIGNED: ON_BEHALF_OF,
    RelType.PARTICIPATES_IN: "role",
}


def rel_row(
    rel_type: RelType,
    a: tuple[Label, str],
    b: tuple[Label, str],
    citations: list[Citation],
    where: str,
    field_name: str,
    **props: Any,
) -> RelRow:
    """One relationship asserted by a record (or by an API link), keyed by KEY_PROPERTY."""
    key_property = KEY_PROPERTY.get(rel_type)
    return RelRow(
        type=rel_type,
        start_label=a[0],
        start=a[1],
        end_label=b[0],
        end=b[1],
        key=str(props.get(key_property) or "") if key_property else "",
        props=_iso(props),
        citations=citations,
        where=where,
        field=field_name,
    )


def organisation_rows(org: Organisation) -> tuple[Claim, list[RelRow]]:
    ids = org.identifiers
    props: Props = {
        "kind": org.kind.value,
        "status": org.status.value,
        "ror": ids.ror,
        "wikidata": ids.wikidata,
        "isni": ids.isni,
        "grid": ids.grid,
        "fundref": ids.fundref,
        REGISTRY_CODE: ids.registry_code,
        "pic": ids.pic,
        "established": org.established,
        "website": str(org.website) if org.website else None,
        "email": org.email,
        "description": org.description,
        "sectors": org.sectors,
        "topics": org.topics,
        **_location(org.location),
    }
    claim = Claim(Label.ORGANISATION, org.id, props, list(org.sources), list(org.names), [org.id])
    rels: list[RelRow] = []
    me = (Label.ORGANISATION, org.id)
    where = f"organisations:{org.id}"
    for i, rel in enumerate(org.relations):
        other = (Label.ORGANISATION, rel.organisation)
        fld = f"relations[{i}].organisation"
        period = _period(rel.period)
        cited = rel.sources or org.sources  # the link's own citation, else the record's
        match rel.type:
            case OrgRelationType.PARENT:
                rels.append(rel_row(RelType.CHILD_OF, me, other, cited, where, fld, **period))
            case OrgRelationType.CHILD:
                rels.append(rel_row(RelType.CHILD_OF, other, me, cited, where, fld, **period))
            case OrgRelationType.SUCCESSOR:
                rels.append(rel_row(RelType.SUCCEEDED_BY, me, other, cited, where, fld, **period))
            case OrgRelationType.PREDECESSOR:
                rels.append(rel_row(RelType.SUCCEEDED_BY, other, me, cited, where, fld, **period))
            case OrgRelationType.FOUNDER:
                rels.append(rel_row(RelType.FOUNDED_BY, me, other, cited, where, fld, **period))
            case OrgRelationType.RELATED:
                # Undirected in meaning: stored once, from the smaller id, so both sides merge.
                a, b = sorted([me, other], key=lambda n: n[1])
                rels.append(rel_row(RelType.RELATED_TO, a, b, cited, where, fld, **period))
    return claim, rels


def person_rows(person: Person) -> tuple[Claim, list[RelRow]]:
    props: Props = {"email": person.email, "phone": person.phone}
    claim = Claim(Label.PERSON, person.id, props, list(person.sources), list(person.names))
    where = f"people:{person.id}"
    rels = [
        rel_row(
            RelType.HOLDS_POSITION,
            (Label.PERSON, person.id),
            (Label.ORGANISATION, pos.organisation),
            pos.sources or person.sources,
            where,
            f"positions[{i}].organisation",
            title=pos.title,
            **_period(pos.period),
        )
        for i, pos in enumerate(person.positions)
    ]
    return claim, rels


def agreement_rows(agr: Agreement) -> tuple[Claim, list[RelRow]]:
    props: Props = {
        "kind": agr.kind.value,
        "title": agr.title,
        "purpose": agr.purpose,
        "topics": agr.topics,
        "signed": agr.signed,
        "status": agr.status.value,
        **_period(agr.validity, VALID_FROM, VALID_TO),
        **_place(agr.place),
    }
    claim = Claim(Label.AGREEMENT, agr.id, _iso(props), list(agr.sources))
    me = (Label.AGREEMENT, agr.id)
    where = f"agreements:{agr.id}"
    rels = [
        rel_row(
            RelType.PARTY_TO,
            (Label.ORGANISATION, p.organisation),
            me,
            p.sources or agr.sources,
            where,
            f"parties[{i}].organisation",
            role=p.role.value,
        )
        for i, p in enumerate(agr.parties)
    ]
    rels += [
        rel_row(
            RelType.SIGNED,
            (Label.PERSON, s.person),
            me,
            s.sources or agr.sources,
            where,
            f"signatories[{i}].person",
            **{ON_BEHALF_OF: s.on_behalf_of},
            title=s.title,
            date=agr.signed,
        )
        for i, s in enumerate(agr.signatories)
    ]
    return claim, rels


def event_rows(event: Event) -> tuple[Claim, list[RelRow]]:
    props: Props = {
        "kind": event.kind.value,
        "title": event.title,
        "date": event.date,
        "end": event.end,
        "topics": event.topics,
        "decisions": event.decisions,
        **_place(event.place),
    }
    claim = Claim(Label.EVENT, event.id, _iso(props), list(event.sources))
    me = (Label.EVENT, event.id)
    where = f"events:{event.id}"
    rels: list[RelRow] = []
    for i, p in enumerate(event.participants):
        start = (
            (Label.ORGANISATION, p.organisation)
            if p.organisation
            else (Label.PERSON, p.person or "")
        )
        fld = f"participants[{i}].{'organisation' if p.organisation else 'person'}"
        rels.append(
            rel_row(
                RelType.PARTICIPATED_IN,
                start,
                me,
                p.sources or event.sources,
                where,
                fld,
                role=p.role,
            )
        )
    for i, ref in enumerate(event.agreements):
        other = (Label.AGREEMENT, ref)
        rels.append(
            rel_row(RelType.RESULTED_IN, me, other, event.sources, where, f"agreements[{i}]")
        )
    for i, ref in enumerate(event.projects):
        other = (Label.PROJECT, ref)
        rels.append(rel_row(RelType.RESULTED_IN, me, other, event.sources, where, f"projects[{i}]"))
    return claim, rels


def dataset_rows(ds: Dataset) -> tuple[Claim, list[RelRow]]:
    access = ds.access
    props: Props = {
        "title": ds.title,
        "modalities": [m.value for m in ds.modalities],
        "subject": ds.subject,
        "individuals": ds.individuals,
        "coverage": ds.coverage,
        "country": ds.country,
        "topics": ds.topics,
        ACCESS_RIGHTS: access.rights.value if access else None,
        ACCESS_LEGAL_BASIS: access.legal_basis if access else None,
        ACCESS_CONDITIONS: access.conditions if access else [],
        ACCESS_LIMITATIONS: access.limitations if access else [],
        ACCESS_CONTACT: access.contact if access else None,
        **_period(ds.period),
    }
    claim = Claim(Label.DATASET, ds.id, _iso(props), list(ds.sources))
    me = (Label.DATASET, ds.id)
    where = f"datasets:{ds.id}"
    rels = [
        rel_row(
            RelType.HOLDS_DATA, (Label.ORGANISATION, ds.holder), me, ds.sources, where, "holder"
        )
    ]
    if access and access.body:
        body = (Label.ORGANISATION, access.body)
        rels.append(rel_row(RelType.GOVERNS_ACCESS, body, me, ds.sources, where, "access.body"))
    return claim, rels


def project_rows(project: Project) -> tuple[Claim, list[RelRow]]:
    props: Props = {
        "kind": project.kind.value,
        "title": project.title,
        "acronym": project.acronym,
        "description": project.description,
        "status": project.status.value,
        "topics": project.topics,
        BUDGET_AMOUNT: project.budget.amount if project.budget else None,
        BUDGET_CURRENCY: project.budget.currency if project.budget else None,
        CONTRIBUTION_AMOUNT: project.contribution.amount if project.contribution else None,
        CONTRIBUTION_CURRENCY: project.contribution.currency if project.contribution else None,
        "programme": project.programme,
        FUNDING_SCHEME: project.funding_scheme,
        **_period(project.period),
        **_place(project.place),
    }
    claim = Claim(Label.PROJECT, project.id, _iso(props), list(project.sources))
    me = (Label.PROJECT, project.id)
    where = f"projects:{project.id}"
    src = project.sources
    rels = [
        rel_row(
            RelType.PARTICIPATES_IN,
            (Label.ORGANISATION, p.organisation),
            me,
            p.sources or src,
            where,
            f"participants[{i}].organisation",
            role=p.role.value,
            **_period(p.period),
            order=p.order,
            **{
                CONTRIBUTION_AMOUNT: p.contribution.amount if p.contribution else None,
                CONTRIBUTION_CURRENCY: p.contribution.currency if p.contribution else None,
            },
            ended=p.ended,
        )
        for i, p in enumerate(project.participants)
    ]
    if project.agreement:
        other = (Label.AGREEMENT, project.agreement)
        rels.append(rel_row(RelType.RUNS_UNDER, me, other, src, where, "agreement"))
    if project.part_of:
        other = (Label.PROJECT, project.part_of)
        rels.append(rel_row(RelType.PART_OF, me, other, src, where, "part_of"))
    for i, ref in enumerate(project.datasets):
        other = (Label.DATASET, ref)
        rels.append(rel_row(RelType.USES_DATA, me, other, src, where, f"datasets[{i}]"))
    return claim, rels


def source_claim(source: Source) -> Claim:
    props = source.model_dump(mode="json", exclude={"id"})
    # A source is its own citation: it is in the graph because the load unit names it.
    return Claim(Label.SOURCE, source.id, props, [Citation(source=source.id)])


_BUILDERS: tuple[tuple[str, Callable[[Any], tuple[Claim, list[RelRow]]]], ...] = (
    ("organisations", organisation_rows),
    ("people", person_rows),
    ("agreements", agreement_rows),
    ("events", event_rows),
    ("datasets", dataset_rows),
    ("projects", project_rows),
)


def bundle_rows(bundle: Bundle) -> Iterator[tuple[Claim, list[RelRow]]]:
    """Every claim and relationship a bundle asserts, in a fixed order."""
    for source in bundle.sources:
        claim = source_claim(source)
        claim.where = f"sources:{source.id}"
        yield claim, []
    for collection, build in _BUILDERS:
        for record in getattr(bundle, collection):
            claim, rels = build(record)
            claim.where = f"{collection}:{record.id}"
            yield claim, rels
