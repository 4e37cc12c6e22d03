"""Parse ROR dumps (schema v1 or v2; JSON lines or array; plain, gzip or zip) into a Bundle."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from graph.errors import InputError, Problem
from graph.model import (
    Bundle,
    Identifiers,
    Organisation,
    OrgKind,
    OrgRelation,
    OrgRelationType,
    OrgStatus,
    Source,
)
from graph.parsed import Location, Parsed
from loaders.jsonrecords import MAX_BYTES, Raw, json_type, read_records
from loaders.problems import MAX_PROBLEMS, stopped

__all__ = [
    "KIND_PRECEDENCE",
    "MAX_BYTES",
    "ROR_SOURCE",
    "iter_ror_records",
    "parse_ror",
    "parse_ror_id",
]

# A wrong file (a CSV, a truncated dump) would otherwise yield one problem per line.

ROR_SOURCE = Source.model_validate(
    {
        "id": "ror",
        "kind": "registry",
        "title": "Research Organization Registry (ROR)",
        "publisher": "ROR",
        "url": "https://ror.org",
    }
)

# ROR types by precedence: what an organisation *is* beats who owns or pays it, because
# "funder" and "government" are roles that universities, labs and hospitals also carry
# (education+funder is a university, facility+government a public research lab).
KIND_PRECEDENCE: tuple[tuple[str, OrgKind], ...] = (
    ("education", OrgKind.UNIVERSITY),
    ("healthcare", OrgKind.HOSPITAL),
    ("archive", OrgKind.ARCHIVE),
    ("facility", OrgKind.FACILITY),
    ("company", OrgKind.COMPANY),
    ("government", OrgKind.GOVERNMENT_AGENCY),
    ("nonprofit", OrgKind.NONPROFIT),
    ("funder", OrgKind.FUNDER),
    ("other", OrgKind.OTHER),
)
_RANK = {ror_type: rank for rank, (ror_type, _) in enumerate(KIND_PRECEDENCE)}

_NAME_TYPES = {"ror_display": "display", "label": "label", "alias": "alias", "acronym": "acronym"}
_RELATION_TYPES = frozenset({"parent", "child", "related", "successor", "predecessor"})
_STATUSES = frozenset({"active", "inactive", "withdrawn"})
_EXTERNAL_IDS = frozenset({"isni", "wikidata", "grid", "fundref"})

_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"
_ROR_ID = re.compile(r"(?:https?://)?(?:www\.)?(?:ror\.org/)?(0[0-9a-hjkmnp-tv-z]{6}[0-9]{2})")
_GRID = re.compile(r"grid\.[0-9]+\.[0-9a-f]+")


def parse_ror_id(value: object) -> str | None:
    """The bare ROR id ("03z77qz90") of a ROR URL or id, or None if it is not one.

    The last two digits are an ISO 7064 mod 97-10 checksum of the six base32 characters, so a
    mistyped id is caught here rather than becoming a dangling reference.
    """
    if not isinstance(value, str):
        return None
    match = _ROR_ID.fullmatch(value.strip().lower())
    if match is None:
        return None
    bare = match.group(1)
    number = 0
    for char in bare[1:7]:
        number = number * 32 + _CROCKFORD.index(char)
    return bare if 98 - (number * 100) % 97 == int(bare[7:]) else None


def iter_ror_records(
    path: Path, problems: list[Problem] | None = None
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield `(position, record)` for each JSON object of a ROR dump, one at a time.

    The position is the 1-based line number for JSON lines, the 0-based index for a JSON array.
    What cannot be read (broken lines, non-objects, unreadable files) goes to `problems` when
    given; without it, an InputError with all of them is raised once the dump has been read.
    """
    found: list[Problem] = [] if problems is None else problems
    with closing(read_records(path)) as items:
        for item in items:
            if isinstance(item, Problem):
                found.append(item)
            else:
                yield item.pos, item.data
    if problems is None and found:
        raise InputError(found)


# --- Mapping: raw record -> Organisation -------------------------------------------------------


class _RecordError(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


# What a record's mapping cleaned up on its own: (ROR field, message), reported as warnings.
Notes = list[tuple[str, str]]


@dataclass(slots=True)
class _Mapped:
    """The Organisation as plain data, plus which ROR field each model path came from."""

    data: dict[str, Any]
    name_fields: list[str]
    relation_fields: list[str]
    id_fields: dict[str, str]
    location_field: str
    notes: Notes


def _list(record: dict[str, Any], key: str) -> list[Any]:
    value = record.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise _RecordError(key, f"expected a list, got {json_type(value)}")
    return value


def _dict(value: Any, field: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _RecordError(field, f"expected an object, got {json_type(value)}")
    return value


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _kind(record: dict[str, Any]) -> str:
    best: int | None = None
    for i, value in enumerate(_list(record, "types")):
        rank = _RANK.get(value.lower()) if isinstance(value, str) else None
        if rank is None:
            known = ", ".join(_RANK)
            raise _RecordError(f"types[{i}]", f"unknown ROR type {value!r} (known: {known})")
        best = rank if best is None else min(best, rank)
    # A record without types says nothing about its kind; "other" is ROR's own word for that.
    return KIND_PRECEDENCE[best if best is not None else _RANK["other"]][1].value


def _add_name(
    names: dict[tuple[str, str | None], dict[str, Any]],
    fields: dict[tuple[str, str | None], str],
    value: Any,
    lang: Any,
    types: list[str],
    field: str,
) -> None:
    if not isinstance(value, str):
        raise _RecordError(field, f"expected a name string, got {json_type(value)}")
    if lang is not None and not isinstance(lang, str):
        raise _RecordError(field, f"expected a language code, got {json_type(lang)}")
    lang = (lang.strip() or None) if isinstance(lang, str) else None
    key = (value.strip(), lang)
    # ROR repeats one name under several types (v1: `name` also in `aliases`): one Name, all types.
    if key in names:
        merged = names[key]["types"]
        merged.extend(t for t in types if t not in merged)
    else:
        names[key] = {"value": value, "lang": lang, "types": list(types)}
        fields[key] = field


def _names_v2(record: dict[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
    names: dict[tuple[str, str | None], dict[str, Any]] = {}
    fields: dict[tuple[str, str | None], str] = {}
    for i, entry in enumerate(_list(record, "names")):
        field = f"names[{i}]"
        entry = _dict(entry, field)
        ror_types = entry.get("types") or ["label"]
        if not isinstance(ror_types, list):
            raise _RecordError(f"{field}.types", f"expected a list, got {json_type(ror_types)}")
        types: list[str] = []
        for ror_type in ror_types:
            mapped = _NAME_TYPES.get(ror_type) if isinstance(ror_type, str) else None
            if mapped is None:
                raise _RecordError(f"{field}.types", f"unknown name type {ror_type!r}")
            types.append(mapped)
        if "display" in types:
            types = ["display", "label", *(t for t in types if t not in ("display", "label"))]
        _add_name(names, fields, entry.get("value"), entry.get("lang"), types, field)
    return _display_first(names, fields)


def _names_v1(record: dict[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
    names: dict[tuple[str, str | None], dict[str, Any]] = {}
    fields: dict[tuple[str, str | None], str] = {}
    _add_name(names, fields, record.get("name"), None, ["display", "label"], "name")
    for i, label in enumerate(_list(record, "labels")):
        field = f"labels[{i}]"
        label = _dict(label, field)
        _add_name(names, fields, label.get("label"), label.get("iso639"), ["label"], field)
    for key, name_type in (("aliases", "alias"), ("acronyms", "acronym")):
        for i, value in enumerate(_list(record, key)):
            _add_name(names, fields, value, None, [name_type], f"{key}[{i}]")
    return _display_first(names, fields)


def _display_first(
    names: dict[tuple[str, str | None], dict[str, Any]],
    fields: dict[tuple[str, str | None], str],
) -> tuple[list[dict[str, Any]], list[str]]:
    keys = sorted(names, key=lambda key: "display" not in names[key]["types"])
    return [names[key] for key in keys], [fields[key] for key in keys]


def _pick_id(scheme: str, entry: dict[str, Any], field: str, notes: Notes) -> str | None:
    everything = entry.get("all")
    # v1 GRID has `all` as a bare string; `preferred` is often null (then the first of `all`).
    values = [
        entry.get("preferred"),
        *(everything if isinstance(everything, list) else [everything]),
    ]
    for value in dict.fromkeys(v for v in values if _str(v)):  # `preferred` is in `all` too
        if scheme == "grid":  # a few are URLs: https://www.grid.ac/institutes/grid.6546.1
            match = _GRID.search(value)
            value = match.group(0) if match else value
        # The model's own patterns decide. ROR holds a few values that are no identifier of their
        # scheme (GRID "100011307"): a wrong cross-reference is worse than none, so they are left
        # out, with a warning, instead of refusing the organisation.
        try:
            checked = Identifiers.model_validate({scheme: value})
        except ValidationError:
            notes.append((field, f"{value!r} is not a {scheme} identifier; left out"))
            continue
        found = getattr(checked, scheme)
        return found if isinstance(found, str) else None
    return None


def _identifiers(
    record: dict[str, Any], bare: str, v2: bool, notes: Notes
) -> tuple[dict[str, Any], dict[str, str]]:
    ids: dict[str, Any] = {"ror": bare}
    fields: dict[str, str] = {"ror": "id"}
    if v2:
        entries = [
            (f"external_ids[{i}]", _dict(e, f"external_ids[{i}]"))
            for i, e in enumerate(_list(record, "external_ids"))
        ]
        keyed = [(field, str(entry.get("type", "")).lower(), entry) for field, entry in entries]
    else:
        raw = _dict(record.get("external_ids"), "external_ids")
        keyed = [
            (f"external_ids.{key}", key.lower(), _dict(entry, f"external_ids.{key}"))
            for key, entry in raw.items()
        ]
    for field, scheme, entry in keyed:
        # CNRS, OrgRef, HESA, UCAS, UKPRN: the model has no place for them (yet).
        if scheme in _EXTERNAL_IDS and scheme not in ids:
            value = _pick_id(scheme, entry, field, notes)
            if value is not None:
                ids[scheme] = value
                fields[scheme] = field
    return ids, fields


def _location_v2(record: dict[str, Any]) -> dict[str, Any] | None:
    locations = _list(record, "locations")
    if not locations:
        return None
    first = _dict(locations[0], "locations[0]")
    details = _dict(first.get("geonames_details"), "locations[0].geonames_details")
    country = _str(details.get("country_code"))
    if country is None:
        return None
    return {
        "country": country,
        "city": _str(details.get("name")),
        "region": _str(details.get("country_subdivision_name")),
        "geonames_id": first.get("geonames_id"),
        "lat": details.get("lat"),
        "lng": details.get("lng"),
    }


def _location_v1(record: dict[str, Any]) -> dict[str, Any] | None:
    country = _str(_dict(record.get("country"), "country").get("country_code"))
    if country is None:
        return None
    addresses = _list(record, "addresses")
    address = _dict(addresses[0], "addresses[0]") if addresses else {}
    city = _dict(address.get("geonames_city"), "addresses[0].geonames_city")
    admin1 = _dict(city.get("geonames_admin1"), "addresses[0].geonames_city.geonames_admin1")
    return {
        "country": country,
        "city": _str(address.get("city")) or _str(city.get("city")),
        "region": _str(admin1.get("name")),
        "geonames_id": city.get("id"),
        "lat": address.get("lat"),
        "lng": address.get("lng"),
    }


def _website(record: dict[str, Any], v2: bool) -> str | None:
    for link in _list(record, "links"):
        if v2:
            if isinstance(link, dict) and link.get("type") == "website" and _str(link.get("value")):
                return str(link["value"]).strip()
        elif _str(link):
            return str(link).strip()
    return None


def _relations(
    record: dict[str, Any], bare: str, notes: Notes
) -> tuple[list[dict[str, Any]], list[str]]:
    relations: list[dict[str, Any]] = []
    fields: list[str] = []
    seen: dict[tuple[str, str], str] = {}
    for i, rel in enumerate(_list(record, "relationships")):
        field = f"relationships[{i}]"
        rel = _dict(rel, field)
        rel_type = rel.get("type")
        rel_type = rel_type.lower() if isinstance(rel_type, str) else rel_type
        if rel_type not in _RELATION_TYPES:
            raise _RecordError(f"{field}.type", f"unknown relationship type {rel.get('type')!r}")
        target = parse_ror_id(rel.get("id"))
        if target is None:
            raise _RecordError(f"{field}.id", f"not a ROR id: {rel.get('id')!r}")
        # A record related to itself says nothing (ROR has three such slips); a repeated
        # relation says nothing new. Neither is worth refusing a 50k-record dump for.
        if target == bare:
            notes.append((f"{field}.id", f"a {rel_type} relation to the record itself; left out"))
            continue
        if (rel_type, target) in seen:
            first = seen[(rel_type, target)]
            notes.append((field, f"repeats {first} ({rel_type} {target}); left out"))
            continue
        seen[(rel_type, target)] = field
        relations.append({"type": rel_type, "organisation": f"ror-{target}"})
        fields.append(field)
    return relations, fields


def _map(record: dict[str, Any], bare: str) -> _Mapped:
    v2 = "names" in record or "locations" in record
    names, name_fields = _names_v2(record) if v2 else _names_v1(record)
    notes: Notes = []
    identifiers, id_fields = _identifiers(record, bare, v2, notes)
    relations, relation_fields = _relations(record, bare, notes)
    status = record.get("status")
    status = status.lower() if isinstance(status, str) else status
    if status is not None and status not in _STATUSES:
        raise _RecordError("status", f"unknown status {status!r} (active, inactive, withdrawn)")
    where = f"https://ror.org/{bare}"
    admin = _dict(record.get("admin"), "admin")
    modified = _dict(admin.get("last_modified"), "admin.last_modified")
    if _str(modified.get("date")):
        where += f" (last modified {modified['date']})"
    data: dict[str, Any] = {
        "id": f"ror-{bare}",
        "kind": _kind(record),
        "names": names,
        "identifiers": identifiers,
        "location": _location_v2(record) if v2 else _location_v1(record),
        "status": status or "active",
        "established": record.get("established"),
        "website": _website(record, v2),
        "relations": relations,
        "sources": [{"source": ROR_SOURCE.id, "where": where, "verified": True}],
    }
    location_field = "locations[0]" if v2 else "addresses[0]"
    return _Mapped(data, name_fields, relation_fields, id_fields, location_field, notes)


_TOP_FIELDS = {
    "kind": "types",
    "website": "links",
    "sources": "admin.last_modified",
}


def _ror_field(loc: tuple[int | str, ...], mapped: _Mapped) -> str | None:
    """The ROR field that a model validation error points at, for a message the user can act on."""
    if not loc:
        return None
    top = str(loc[0])
    rest = loc[1:]
    if top == "names" and rest and isinstance(rest[0], int) and rest[0] < len(mapped.name_fields):
        return mapped.name_fields[rest[0]]
    if top == "relations" and rest and isinstance(rest[0], int):
        return mapped.relation_fields[rest[0]] if rest[0] < len(mapped.relation_fields) else None
    if top == "identifiers" and rest:
        return mapped.id_fields.get(str(rest[0]), "external_ids")
    if top == "location":
        return mapped.location_field
    return _TOP_FIELDS.get(top, top)


def _validation_problems(
    exc: ValidationError, mapped: _Mapped, file: str, line: int, prefix: str, bare: str
) -> Iterator[Problem]:
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        path = ".".join(str(part) for part in loc)
        message = error["msg"]
        value = error.get("input")
        if loc and not isinstance(value, dict | list):
            shown = repr(value)
            message += f" (got {shown[:80] + '...' if len(shown) > 80 else shown})"
        if path:
            message = f"{path}: {message}"
        yield Problem(file, prefix + message, line=line, field=_ror_field(loc, mapped), id=bare)


# --- The parser ---------------------------------------------------------------------------------


def parse_ror(path: Path, origin: str | None = None) -> Parsed:
    """Parse a ROR dump into a Bundle of Organisations, with every problem found in it."""
    organisations: list[Organisation] = []
    locations: dict[str, Location] = {}
    problems: list[Problem] = []
    warnings: list[Problem] = []
    with closing(read_records(path)) as items:
        _collect(items, organisations, locations, problems, warnings)
    organisations = through_successors(organisations)
    bundle = Bundle(
        origin=origin or f"ror:{path.name}",
        sources=[ROR_SOURCE],
        organisations=organisations,
    )
    return Parsed(bundle=bundle, locations=locations, problems=problems, warnings=warnings)


_HIERARCHY = (OrgRelationType.PARENT, OrgRelationType.CHILD)


def through_successors(organisations: list[Organisation]) -> list[Organisation]:
    """Parent and child links of a withdrawn record, moved to its successor.

    ROR withdraws duplicates and keeps their links: TIPA (02kxx1z36) is a child of the
    withdrawn MSS duplicate (03sws5s65) only, so "whose parent is the Ministry of SMEs and
    Startups" would miss it. A withdrawn record with one successor keeps only its successor
    link; each hierarchy link through it is stated again with the successor in its place, on
    the other record of the link where the dump has it (otherwise on the successor's).
    """
    by_id = {o.id: o for o in organisations}
    successor: dict[str, str] = {}
    for org in organisations:
        ahead = [r.organisation for r in org.relations if r.type is OrgRelationType.SUCCESSOR]
        if org.status is OrgStatus.WITHDRAWN and len(ahead) == 1 and ahead[0] != org.id:
            successor[org.id] = ahead[0]
    if not successor:
        return organisations
    added: dict[str, list[OrgRelation]] = defaultdict(list)
    kept: dict[str, list[OrgRelation]] = {}
    for org in organisations:
        relations = []
        for rel in org.relations:
            if rel.type not in _HIERARCHY:
                relations.append(rel)
            elif org.id in successor:
                # "X is my child": X's parent is my successor (stated on X where X is here).
                heir = successor[org.id]
                inverse = (
                    OrgRelationType.PARENT
                    if rel.type is OrgRelationType.CHILD
                    else (OrgRelationType.CHILD)
                )
                holder, link = (
                    (rel.organisation, OrgRelation(type=inverse, organisation=heir))
                    if rel.organisation in by_id
                    else (heir, rel.model_copy(update={"organisation": rel.organisation}))
                )
                if holder != link.organisation:
                    added[holder].append(link)
            elif rel.organisation in successor:
                heir = successor[rel.organisation]
                if heir != org.id:
                    relations.append(rel.model_copy(update={"organisation": heir}))
            else:
                relations.append(rel)
        kept[org.id] = relations
    out = []
    for org in organisations:
        relations = kept[org.id]
        have = {(r.type, r.organisation) for r in relations}
        for link in added.get(org.id, []):
            if (link.type, link.organisation) not in have:
                relations.append(link)
                have.add((link.type, link.organisation))
        out.append(
            org if relations == org.relations else org.model_copy(update={"relations": relations})
        )
    return out


def _collect(
    items: Iterator[Raw | Problem],
    organisations: list[Organisation],
    locations: dict[str, Location],
    problems: list[Problem],
    warnings: list[Problem],
) -> None:
    first_seen: dict[str, int] = {}
    for item in items:
        if len(problems) >= MAX_PROBLEMS:
            problems.append(stopped(item.file, MAX_PROBLEMS))
            return
        if isinstance(item, Problem):
            problems.append(item)
            continue
        result = _organisation(item, first_seen, warnings)
        if isinstance(result, Organisation):
            organisations.append(result)
            locations[f"organisations:{result.id}"] = Location(item.file, _line(item))
        else:
            problems.extend(result)


def _line(item: Raw) -> int:
    # An array may be one long line: there `line` is the item number (1-based), as messages say.
    return item.pos + 1 if item.in_array else item.pos


def _organisation(
    item: Raw, first_seen: dict[str, int], warnings: list[Problem]
) -> Organisation | list[Problem]:
    line = _line(item)
    prefix = f"array item {line}: " if item.in_array else ""

    def problem(message: str, field: str | None, rid: str | None) -> list[Problem]:
        return [Problem(item.file, prefix + message, line=line, field=field, id=rid)]

    raw_id = item.data.get("id")
    bare = parse_ror_id(raw_id)
    if bare is None:
        shown = raw_id if isinstance(raw_id, str) else None
        if raw_id is None:
            return problem("the record has no ROR id", "id", None)
        message = "not a valid ROR id (https://ror.org/0 + 6 characters + 2 check digits)"
        return problem(f"{message}: {raw_id!r}", "id", shown)
    if bare in first_seen:
        unit = "item" if item.in_array else "line"
        return problem(f"duplicate ROR id: first at {unit} {first_seen[bare]}", "id", bare)
    first_seen[bare] = line
    try:
        mapped = _map(item.data, bare)
    except _RecordError as exc:
        return problem(exc.message, exc.field, bare)
    except (TypeError, ValueError, AttributeError) as exc:
        # A shape no ROR schema has (a number where a list goes): report it, keep going.
        return problem(f"unexpected record structure: {exc}", None, bare)
    try:
        organisation = Organisation.model_validate(mapped.data)
    except ValidationError as exc:
        return list(_validation_problems(exc, mapped, item.file, line, prefix, bare))
    # Only a record that loads has clean-ups worth telling: a refused one is a problem already.
    warnings.extend(
        Problem(item.file, prefix + message, line=line, field=field, id=bare)
        for field, message in mapped.notes
    )
    return organisation
