"""The CSV format: for each kind of record, its columns and where each lands in the nested model.

A column's cell is text; its `cell` function only gives it shape (splits lists, reads `org:role`)
and leaves every judgement of values to the model, so that CSV and YAML refuse the same things.
docs/csv-format.md describes these columns for the people who fill them in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from pydantic import BaseModel

from graph.errors import CellError
from graph.model import Agreement, Dataset, Event, Organisation, Person, Project, Source
from loaders.problems import Loc, shown

LIST_SEPARATOR = ";"
# The twin of a column that references organisations by id, holding their names instead
# (`holder_by_name`, `parties_by_name`): the names are matched when the load is planned.
BY_NAME = "_by_name"
# Trailing `:start:end` parts of a position or participation: ISO dates, or empty for "open".
_DATE_LIKE = re.compile(r"^[0-9./-]*$")


Cell = Callable[[str], Any]


def text(cell: str) -> str:
    return cell


def items(cell: str) -> list[str]:
    """`"a; b;;"` -> `["a", "b"]`: separators with nothing between them give nothing."""
    return [item.strip() for item in cell.split(LIST_SEPARATOR) if item.strip()]


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    # Where the cell's value goes in the record's dict; an int indexes a list item.
    path: Loc
    cell: Cell = text
    required: bool = False
    # The value is a list appended to the list at `path`, which other columns also feed
    # (`aliases` and `acronyms` both become `names`).
    append: bool = False
    # A `_by_name` twin: the key of each item that holds an organisation's name ("" when the
    # whole value is one), and the column it stands in for.
    names: str | None = None
    twin_of: str | None = None


@dataclass(frozen=True, slots=True)
class Kind:
    collection: str
    model: type[BaseModel]
    columns: tuple[Column, ...]
    # The column whose value is the row's country: a hint for matching organisation names.
    country_hint: str | None = None

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)

    def twins(self, name: str) -> list[Column]:
        """The `_by_name` columns standing in for column `name`."""
        return [c for c in self.columns if c.twin_of == name]

    def owners(self, path: Loc, appended: str | None = None) -> list[str]:
        """The columns that write exactly `path`; `appended` names the one that added an item."""
        return [appended] if appended else [c.name for c in self.columns if c.path == path]

    def under(self, loc: Loc) -> list[str]:
        """The columns that write at `loc` or inside it."""
        return [c.name for c in self.columns if c.path[: len(loc)] == loc]


# --- Cell shapes -----------------------------------------------------------------------------


def _display_name(cell: str) -> dict[str, Any]:
    return {"value": cell, "types": ["display"]}


def _names(name_type: str) -> Cell:
    def cell(value: str) -> list[dict[str, Any]]:
        out = []
        for item in items(value):
            # `value@lang`: the part after the last '@' is a language tag when it is one word.
            name, at, lang = item.rpartition("@")
            if at and name.strip() and lang.strip() and " " not in lang.strip():
                out.append({"value": name.strip(), "lang": lang.strip(), "types": [name_type]})
            else:
                out.append({"value": item, "types": [name_type]})
        return out

    return cell


def _with_role(key: str) -> Cell:
    """`"a;b:lead"` -> `[{key: "a"}, {key: "b", "role": "lead"}]`."""

    def cell(value: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for item in items(value):
            ref, _, role = (part.strip() for part in item.partition(":"))
            out.append({key: ref, **({"role": role} if role else {})})
        return out

    return cell


def _relations(relation_type: str) -> Cell:
    return lambda value: [{"type": relation_type, "organisation": ref} for ref in items(value)]


def _period(parts: list[str]) -> dict[str, dict[str, str]]:
    dates = {k: v for k, v in zip(("start", "end"), parts, strict=False) if v}
    return {"period": dates} if dates else {}


def _signatories(value: str) -> list[dict[str, Any]]:
    out = []
    for item in items(value):
        person, at, rest = item.partition("@")
        if not at:
            raise CellError(
                f"write each signatory as person@organisation[:title], got {shown(item)}"
            )
        org, _, title = (part.strip() for part in rest.partition(":"))
        out.append(
            {"person": person.strip(), "on_behalf_of": org, **({"title": title} if title else {})}
        )
    return out


def _positions(value: str) -> list[dict[str, Any]]:
    out = []
    for item in items(value):
        org, colon, rest = item.partition(":")
        if not colon:
            raise CellError(
                f"write each position as organisation:title[:start[:end]], got {shown(item)}"
            )
        # Titles may hold ':' ("Head: AI unit"); only trailing date-shaped parts are the period.
        parts = rest.split(":")
        dates: list[str] = []
        while len(parts) > 1 and len(dates) < 2 and _DATE_LIKE.match(parts[-1].strip()):
            dates.insert(0, parts.pop().strip())
        title = ":".join(parts).strip()
        out.append({"organisation": org.strip(), "title": title, **_period(dates)})
    return out


def _project_participants(value: str) -> list[dict[str, Any]]:
    out = []
    for item in items(value):
        parts = [part.strip() for part in item.split(":")]
        if len(parts) > 4:
            raise CellError(
                f"write each participant as organisation[:role[:start[:end]]], got {shown(item)}"
            )
        role = {"role": parts[1]} if len(parts) > 1 and parts[1] else {}
        out.append({"organisation": parts[0], **role, **_period(parts[2:])})
    return out


# --- Columns shared by several kinds ---------------------------------------------------------


def _plain(names: str, under: Loc = (), cell: Cell = text) -> tuple[Column, ...]:
    return tuple(Column(name, (*under, name), cell) for name in names.split())


def _listed(names: str, under: Loc = ()) -> tuple[Column, ...]:
    return _plain(names, under, items)


def _renamed(pairs: Iterable[tuple[str, Loc]], cell: Cell = text) -> tuple[Column, ...]:
    return tuple(Column(name, path, cell) for name, path in pairs)


def _by_name(column: Column, key: str = "organisation") -> tuple[Column, Column]:
    """A column of organisation ids and its twin of names, the same shape with names for ids.

    Both feed one list (a row may give some parties by id, others by name), so a list column
    becomes an appending one; a single reference (`holder`) takes one of the two.
    """
    own = replace(column, append=column.append or key != "")
    twin = Column(
        column.name + BY_NAME,
        column.path,
        column.cell,
        append=own.append,
        names=key,
        twin_of=column.name,
    )
    return own, twin


def _required(*names: str) -> tuple[Column, ...]:
    return tuple(Column(name, (name,), required=True) for name in names)


def _place(prefix: str, under: str) -> tuple[Column, ...]:
    parts = ("city", "region", "country", "geonames_id", "lat", "lng")
    return _renamed((f"{prefix}{part}", (under, part)) for part in parts)


_ID = Column("id", ("id",), required=True)
_NAMES = (
    Column("name", ("names", 0), _display_name, required=True),
    Column("name_lang", ("names", 0, "lang")),
    Column("aliases", ("names",), _names("alias"), append=True),
)
# One citation per row: the record's source, where in it, and whether it was checked.
_CITED = (
    Column("source", ("sources", 0, "source"), required=True),
    *_renamed((name, ("sources", 0, name)) for name in ("where", "quote", "verified")),
)
_START_END = _renamed((name, ("period", name)) for name in ("start", "end"))


KINDS: dict[str, Kind] = {
    kind.collection: kind
    for kind in (
        Kind(
            "sources",
            Source,
            (_ID, *_required("title"), *_plain("kind publisher url published retrieved")),
        ),
        Kind(
            "organisations",
            Organisation,
            (
                _ID,
                *_required("kind"),
                *_NAMES,
                # Labels are official names in other languages; aliases are other spellings.
                Column("labels", ("names",), _names("label"), append=True),
                Column("acronyms", ("names",), _names("acronym"), append=True),
                Column("former_names", ("names",), _names("former"), append=True),
                *_place("", "location"),
                *_plain("ror wikidata isni grid fundref registry_code", ("identifiers",)),
                *_plain("status established website email description"),
                *_listed("sectors topics"),
                *(
                    column
                    for t in ("parent", "child", "successor", "predecessor", "related", "founder")
                    for column in _by_name(Column(t, ("relations",), _relations(t), append=True))
                ),
                *_CITED,
            ),
            country_hint="country",
        ),
        Kind(
            "people",
            Person,
            (
                _ID,
                *_NAMES,
                *_plain("email phone"),
                *_by_name(Column("positions", ("positions",), _positions)),
                *_CITED,
            ),
        ),
        Kind(
            "agreements",
            Agreement,
            (
                _ID,
                *_required("kind", "title"),
                *_plain("purpose"),
                *_listed("topics"),
                *_plain("signed"),
                *_place("place_", "place"),
                *_renamed(
                    [("valid_from", ("validity", "start")), ("valid_to", ("validity", "end"))]
                ),
                *_plain("status"),
                *_by_name(
                    Column("parties", ("parties",), _with_role("organisation"), required=True)
                ),
                *_by_name(Column("signatories", ("signatories",), _signatories), "on_behalf_of"),
                *_CITED,
            ),
        ),
        Kind(
            "events",
            Event,
            (
                _ID,
                *_required("kind", "title", "date"),
                *_plain("end"),
                *_place("place_", "place"),
                *_listed("topics"),
                *_by_name(
                    Column(
                        "organisations", ("participants",), _with_role("organisation"), append=True
                    )
                ),
                Column("people", ("participants",), _with_role("person"), append=True),
                *_listed("agreements projects decisions"),
                *_CITED,
            ),
        ),
        Kind(
            "datasets",
            Dataset,
            (
                _ID,
                *_required("title"),
                *_by_name(Column("holder", ("holder",), required=True), ""),
                Column("modalities", ("modalities",), items, required=True),
                *_plain("subject individuals coverage country"),
                *_START_END,
                *_renamed(
                    (f"access_{name}", ("access", name))
                    for name in ("rights", "legal_basis", "contact")
                ),
                *_by_name(Column("access_body", ("access", "body")), ""),
                *_renamed(
                    (
                        (f"access_{name}", ("access", name))
                        for name in ("conditions", "limitations")
                    ),
                    items,
                ),
                *_listed("topics"),
                *_CITED,
            ),
            country_hint="country",
        ),
        Kind(
            "projects",
            Project,
            (
                _ID,
                *_required("kind", "title"),
                *_plain("description status"),
                *_START_END,
                *_renamed([("budget", ("budget", "amount")), ("currency", ("budget", "currency"))]),
                *_listed("topics"),
                *_by_name(Column("participants", ("participants",), _project_participants)),
                *_plain("agreement part_of"),
                *_listed("datasets"),
                *_place("place_", "place"),
                *_CITED,
            ),
        ),
    )
}
