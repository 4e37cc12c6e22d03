"""The one record type the name index is built from: from model Organisations or Neo4j rows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graph.model import Organisation, OrgRelationType


@dataclass(frozen=True, slots=True)
class OrgName:
    value: str
    kind: str  # display | label | alias | acronym | former
    lang: str | None = None


@dataclass(frozen=True, slots=True)
class OrgRecord:
    id: str
    name: str
    names: tuple[OrgName, ...]
    country: str | None = None
    city: str | None = None
    ror: str | None = None
    status: str = "active"
    successors: tuple[str, ...] = ()
    parents: tuple[str, ...] = ()
    children: tuple[str, ...] = ()


def _kind(types: list[str] | tuple[str, ...]) -> str:
    # A name may carry several types; the one that says most about how it is used wins.
    for kind in ("acronym", "display", "label", "alias", "former"):
        if kind in types:
            return kind
    return "label"


def from_organisation(org: Organisation) -> OrgRecord:
    def related(kind: OrgRelationType) -> tuple[str, ...]:
        return tuple(r.organisation for r in org.relations if r.type is kind)

    return OrgRecord(
        id=org.id,
        name=org.name,
        names=tuple(OrgName(n.value, _kind([t.value for t in n.types]), n.lang) for n in org.names),
        country=org.location.country if org.location else None,
        city=org.location.city if org.location else None,
        ror=org.identifiers.ror,
        status=org.status.value,
        successors=related(OrgRelationType.SUCCESSOR),
        parents=related(OrgRelationType.PARENT),
        children=related(OrgRelationType.CHILD),
    )


def from_row(row: Mapping[str, Any]) -> OrgRecord:
    """A row of graph.cypher.match.ORGANISATIONS: names as parallel lists, as nodes store them."""
    values: list[str] = row.get("names") or [row["name"]]
    types: list[str] = row.get("nameTypes") or []
    langs: list[str] = row.get("nameLangs") or []
    names = tuple(
        OrgName(
            value,
            _kind(types[i].split(",") if i < len(types) else []),
            (langs[i] or None) if i < len(langs) else None,
        )
        for i, value in enumerate(values)
    )
    return OrgRecord(
        id=row["id"],
        name=row.get("name") or values[0],
        names=names,
        country=row.get("country"),
        city=row.get("city"),
        ror=row.get("ror"),
        status=row.get("status") or "active",
        successors=tuple(row.get("successors") or ()),
        parents=tuple(row.get("parents") or ()),
    )
