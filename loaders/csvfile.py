"""The CSV parser: analysts' spreadsheets, one kind of record per file -> a Bundle, every problem.

A file's name says what it holds (`organisations.csv`, `2025-q1.agreements.csv`); its columns are
the flat form of the nested model, described once per kind in `loaders.csvcolumns` and for people
in docs/csv-format.md. Every problem is located as file:line:column, the header being line 1.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from graph.errors import CellError, Problem
from graph.model import Bundle, clean_text
from graph.parsed import Location, NamedOrganisation, Parsed
from loaders.csvcolumns import KINDS, Column, Kind
from loaders.problems import (
    MAX_PROBLEMS,
    Loc,
    closest,
    did_you_mean,
    dotted,
    error_message,
    read_text,
    shown,
    stopped,
)

# Analysts' lists sit between curated seeds (10) and registries (50); see Bundle.priority.
CSV_PRIORITY = 20
MAX_FILE_BYTES = 200 * 1024 * 1024
# Tab, line feed and carriage return are the only control characters a spreadsheet writes.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Longer is a sentence, not an organisation's name.
MAX_NAME_CHARS = 500
_NOT_SLUG = re.compile("[^a-z0-9]+")


def placeholder(text: str, country: str | None) -> str:
    """The id a record holds where it names an organisation by `text`, until the load matches
    it: readable in messages (`named-univ-of-tartu-…`), one per text and country hint."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")[:60].strip("-")
    digest = hashlib.sha256(f"{country or ''}|{text}".encode()).hexdigest()[:10]
    return f"named-{slug}-{digest}" if slug else f"named-{digest}"


def csv_kind(path: Path) -> str:
    """`2025-q1.agreements.csv` -> `agreements`: the last dotted part of the name before `.csv`."""
    return path.name.lower().removesuffix(".csv").rsplit(".", 1)[-1]


def default_origin(paths: list[Path]) -> str:
    """`csv:<file name>` for one file, `csv:<a>+<b>` for several; at most 200 characters."""
    return ("csv:" + "+".join(p.name for p in paths))[:200]


def _read_text(path: Path, file: str) -> tuple[str | None, list[Problem]]:
    text, problems = read_text(path, file, MAX_FILE_BYTES, "; save the file as 'CSV UTF-8'")
    if text is not None and not text.strip():
        return None, [Problem(file, "file is empty: a header line and at least one row are needed")]
    return text, problems


def _delimiter(text: str) -> str:
    # Spreadsheets in comma-decimal locales write ';'-separated files. Column names hold neither
    # character, so a header with ';' and no ',' is unambiguous.
    header = text.split("\n", 1)[0]
    return ";" if ";" in header and "," not in header else ","


@dataclass(slots=True)
class _Header:
    """Which known column stands at which 0-based position of one file's header."""

    positions: dict[str, int] = field(default_factory=dict)
    # Required columns the header lacks: reported once here, not again on every row.
    missing: set[str] = field(default_factory=set)
    nameless: set[int] = field(default_factory=set)
    width: int = 0

    def number(self, column: str) -> int | None:
        position = self.positions.get(column)
        return None if position is None else position + 1

    def has(self, kind: Kind, column: Column) -> bool:
        """Whether the header holds the column or one of its `_by_name` twins."""
        return any(c.name in self.positions for c in (column, *kind.twins(column.name)))


def _read_header(cells: list[str], kind: Kind, file: str) -> tuple[_Header, list[Problem]]:
    header, problems = _Header(width=len(cells)), []
    names = [clean_text(c).lower() for c in cells]
    for position, name in enumerate(names):
        if not name:
            header.nameless.add(position)
        elif name in header.positions:
            first = header.positions[name] + 1
            message = f"column {name!r} appears twice (first as column {first}); keep one"
            problems.append(Problem(file, message, 1, position + 1, name))
        elif kind.column(name) is None:
            hint = did_you_mean(name, kind.names)
            allowed = ", ".join(kind.names)
            message = f"unknown column {name!r}{hint} (columns of {kind.collection}: {allowed})"
            problems.append(Problem(file, message, 1, position + 1, name))
        else:
            header.positions[name] = position
    suggested = {closest(n, kind.names) for n in names if kind.column(n) is None}
    for column in kind.columns:
        if column.required and not header.has(kind, column):
            header.missing.add(column.name)
            # A misspelt required column is already reported with its correction.
            if column.name not in suggested:
                message = f"required column {column.name!r} is missing from the header"
                problems.append(Problem(file, message, line=1, field=column.name))
    return header, problems


@dataclass(slots=True)
class _Row:
    """One CSV record on its way to a model: the nested dict and which column gave which part."""

    file: str
    line: int
    kind: Kind
    header: _Header
    cells: list[str]
    data: dict[str, Any] = field(default_factory=dict)
    # Items appended to shared lists (names, relations, participants): path -> the column.
    appended: dict[Loc, str] = field(default_factory=dict)
    given: set[str] = field(default_factory=set)
    reported: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)
    named: list[NamedOrganisation] = field(default_factory=list)

    @property
    def id(self) -> str | None:
        return self.cell("id") or None

    def cell(self, column: str) -> str:
        position = self.header.positions.get(column)
        if position is None or position >= len(self.cells):
            return ""  # a short row: the spreadsheet left trailing cells out
        return self.cells[position].strip()

    def problem(self, message: str, column: str | None = None, fld: str | None = None) -> Problem:
        number = self.header.number(column) if column else None
        return Problem(self.file, message, self.line, number, fld or column, self.id)

    def build(self) -> None:
        self.reported |= self.header.missing
        for column in self.kind.columns:
            text = self.cell(column.name)
            if not text:
                twins = self.kind.twins(column.name)
                if column.required and self.header.has(self.kind, column):
                    if any(self.cell(t.name) for t in twins):
                        continue  # given by name instead
                    message = f"{column.name} is empty, but it is required"
                    if twins:
                        message += f" (or {' or '.join(t.name for t in twins)})"
                    self.problems.append(self.problem(message, column.name))
                    self.reported.update([column.name, *(t.name for t in twins)])
                continue
            if column.twin_of and not column.append and column.twin_of in self.given:
                message = f"give {column.twin_of} or {column.name}, not both"
                self.problems.append(self.problem(message, column.name))
                self.reported.update([column.name, column.twin_of])
                continue
            try:
                value = column.cell(text)
                if column.names is not None:
                    value = self._named(column, value)
            except CellError as exc:
                self.problems.append(self.problem(str(exc), column.name))
                self.reported.add(column.name)
                continue
            if value == []:
                continue  # only separators, as in ";;": nothing given
            self.given.add(column.name)
            self._put(column, value)

    def _named(self, column: Column, value: Any) -> Any:
        """A `_by_name` cell's value with a placeholder for each name, each name recorded."""
        hint = self.cell(self.kind.country_hint).upper() or None if self.kind.country_hint else None

        def name(text: str) -> str:
            text = clean_text(text)
            if not text:
                raise CellError("an organisation name is empty")
            if len(text) > MAX_NAME_CHARS:
                raise CellError(
                    f"an organisation name is at most {MAX_NAME_CHARS} characters, got {len(text)}"
                )
            ref = placeholder(text, hint)
            number = self.header.number(column.name)
            record = f"{self.kind.collection}:{self.id or ''}"
            self.named.append(
                NamedOrganisation(
                    ref, text, self.file, self.line, number, column.name, record, hint
                )
            )
            return ref

        if column.names == "":
            return name(value)
        return [{**item, column.names: name(item[column.names])} for item in value]

    def _put(self, column: Column, value: Any) -> None:
        parent: Any = self.data
        for key, following in zip(column.path, column.path[1:], strict=False):
            if isinstance(key, int):
                parent.extend({} for _ in range(key + 1 - len(parent)))
                parent = parent[key]
            else:
                parent = parent.setdefault(key, [] if isinstance(following, int) else {})
        last = column.path[-1]
        if isinstance(last, int):  # a whole list item given by one column, as `name` is
            parent.extend({} for _ in range(last + 1 - len(parent)))
            parent[last].update(value)
        elif column.append:
            items = parent.setdefault(last, [])
            for index in range(len(items), len(items) + len(value)):
                self.appended[(*column.path, index)] = column.name
            items.extend(value)
        else:
            parent[last] = value

    def columns_at(self, loc: Loc) -> list[str]:
        """The columns an error location stems from: the owner of its longest known prefix."""
        for cut in range(len(loc), 0, -1):
            owners = self.kind.owners(loc[:cut], self.appended.get(loc[:cut]))
            if owners:
                if cut == len(loc):
                    owners += [c for c in self.kind.under(loc) if c not in owners]
                return owners
        return self.kind.under(loc) if loc else []

    def error(self, error: ErrorDetails) -> Problem | None:
        loc = tuple(error["loc"])
        columns = self.columns_at(loc)
        if self.reported.intersection(columns):
            return None
        given = [c for c in columns if c in self.given]
        if len(columns) > 1 and len(given) == 1:
            columns = given  # a column and its `_by_name` twin: the row gave one of them
        if len(columns) != 1:
            message = error_message(error, self.kind.model)
            return self.problem(message, fld=", ".join(columns) or dotted(loc) or None)
        column = columns[0]
        if error["type"] == "missing" and column in self.kind.owners(loc):
            siblings = [c for c in self.kind.under(loc[:-1]) if c in self.given]
            message = f"{column} is empty, but it is required"
            if siblings:  # e.g. a city without a country: say which cell made it needed
                message = f"{column} is empty, but it is needed when {', '.join(siblings)} is given"
            return self.problem(message, column)
        return self.problem(error_message(error, self.kind.model), column)


class _Reader:
    """Reads every file of one load unit, keeping valid records and every problem found."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.records: dict[str, list[BaseModel]] = {kind: [] for kind in KINDS}
        self.locations: dict[str, Location] = {}
        self.names: list[NamedOrganisation] = []
        # Ids are global across kinds, as in the seeds: collection and where it was first seen.
        self.first_seen: dict[str, tuple[str, str, int]] = {}

    def read(self, path: Path) -> None:
        file = str(path)
        kind = KINDS.get(csv_kind(path))
        if kind is None or not path.name.lower().endswith(".csv"):
            hint = did_you_mean(csv_kind(path), KINDS)
            message = (
                "cannot tell what this file holds from its name: call it <kind>.csv or "
                f"<anything>.<kind>.csv, with kind one of {', '.join(KINDS)}{hint}"
            )
            self.problems.append(Problem(file, message))
            return
        text, problems = _read_text(path, file)
        self.problems += problems
        if text is None:
            return
        if control := _CONTROL.search(text):
            line = text.count("\n", 0, control.start()) + 1
            message = f"control character U+{ord(control.group()):04X} is not allowed; remove it"
            self.problems.append(Problem(file, message, line=line))
        self._read_rows(text, kind, file)

    def _read_rows(self, text: str, kind: Kind, file: str) -> None:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
        header: _Header | None = None
        start, rows = 1, 0
        try:
            for cells in reader:
                if header is None:
                    header, problems = _read_header(cells, kind, file)
                    self.problems += problems
                elif any(c.strip() for c in cells):  # rows of empty cells are spreadsheet padding
                    if len(self.problems) >= MAX_PROBLEMS:
                        self.problems.append(stopped(file, MAX_PROBLEMS, start))
                        return
                    rows += 1
                    self._read_row(_Row(file, start, kind, header, cells))
                # A quoted cell may span lines: the next record starts after this one ends.
                start = reader.line_num + 1
        except csv.Error as exc:
            message = (
                f"invalid CSV in the record that starts here: {exc} (at line {reader.line_num})"
            )
            self.problems.append(Problem(file, message, line=start))
            return
        if rows == 0:
            self.problems.append(Problem(file, "no rows under the header", line=1))

    def _read_row(self, row: _Row) -> None:
        for position, cell in enumerate(row.cells):
            if cell.strip() and (position >= row.header.width or position in row.header.nameless):
                message = (
                    f"a value ({shown(cell)}) under no named column; a cell that holds the "
                    "delimiter must be quoted"
                )
                self.problems.append(
                    Problem(row.file, message, row.line, position + 1, None, row.id)
                )
                break
        record_id = row.id
        if record_id is not None and record_id in self.first_seen:
            collection, file, line = self.first_seen[record_id]
            message = (
                f"id {record_id!r} is already used by {collection} at {file}:{line}; "
                "ids are unique across all kinds"
            )
            self.problems.append(row.problem(message, "id"))
            return
        if record_id is not None:
            self.first_seen[record_id] = (row.kind.collection, row.file, row.line)
        row.build()
        self.problems += row.problems
        try:
            record = row.kind.model.model_validate(row.data)
        except ValidationError as exc:
            found = [row.error(e) for e in exc.errors(include_url=False)]
            self.problems += [p for p in found if p is not None]
            return
        if not row.problems:
            self.records[row.kind.collection].append(record)
            self.locations[f"{row.kind.collection}:{record_id}"] = Location(row.file, row.line)
            self.names += row.named


def parse_csv(paths: list[Path], origin: str | None = None) -> Parsed:
    """Parse CSV files as one load unit; `problems` lists everything wrong in all of them.

    The bundle holds the records that validated, so a caller can show them, but it must not be
    written while `problems` is non-empty.
    """
    reader = _Reader()
    for path in paths:
        reader.read(path)
    if origin is not None and not 1 <= len(origin) <= 200:
        message = f"origin must be 1 to 200 characters, got {shown(origin)}"
        reader.problems.append(Problem(str(paths[0]) if paths else "csv", message, field="origin"))
        origin = None  # parsing goes on under the default name, so other problems still show
    settings = {"origin": origin or default_origin(paths), "priority": CSV_PRIORITY}
    bundle = Bundle.model_validate({**settings, **reader.records})
    order = {str(p): i for i, p in enumerate(paths)}
    problems = sorted(
        reader.problems, key=lambda p: (order.get(p.file, -1), p.line or 0, p.column or 0)
    )
    return Parsed(bundle=bundle, locations=reader.locations, problems=problems, names=reader.names)
