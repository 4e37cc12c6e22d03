"""Reading a CORDIS dump's tables: a zip or an unzipped folder of `;`-separated UTF-8 CSV files.

Columns are found by their header name (unknown ones ignored). Reads are bounded: a physical
line over MAX_LINE_CHARS, a table over MAX_TABLE_BYTES once decompressed, or a broken zip stop
the read with a Problem that says where, instead of exhausting memory on a wrong file.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from graph.errors import InputError, Problem

# The longest real objective is ~10k characters; a line 1 MB long is not a CORDIS row.
MAX_LINE_CHARS = 1024 * 1024
# organization.csv of Horizon 2020 is ~150 MB; ten times that is not a CORDIS table.
MAX_TABLE_BYTES = 2 * 1024**3
TABLES = ("project.csv", "organization.csv", "euroSciVoc.csv", "topics.csv")


@dataclass(frozen=True, slots=True)
class Row:
    file: str  # the dump and the table: `cordis-HORIZONprojects-csv.zip/project.csv`
    line: int  # where the record starts (the header is line 1)
    cells: dict[str, str]  # column name -> value, for the columns asked for
    columns: dict[str, int]  # column name -> its 1-based position, for problems

    def problem(
        self, message: str, column: str | None = None, record: str | None = None
    ) -> Problem:
        number = self.columns.get(column) if column else None
        return Problem(self.file, message, self.line, number, column, record)


@dataclass(slots=True)
class Dump:
    """Where each table of a dump is: a member of a zip or a file of a folder."""

    path: Path
    members: dict[str, str] = field(default_factory=dict)  # lower-case table name -> member
    is_zip: bool = False

    def label(self, table: str) -> str:
        return f"{self.path.name}/{self.members.get(table.lower(), table)}"

    def has(self, table: str) -> bool:
        return table.lower() in self.members


def is_cordis_dump(path: Path) -> bool:
    """A folder holding project.csv and organization.csv, or a zip named cordis-... or holding
    project.csv: what the EU publishes (a broken zip so named is then refused as one)."""
    if path.is_dir():
        return (path / "project.csv").is_file() and (path / "organization.csv").is_file()
    if not path.is_file() or path.suffix.lower() != ".zip":
        return False
    if path.name.lower().startswith("cordis"):
        return True
    try:
        with zipfile.ZipFile(path) as archive:
            return any(n.rsplit("/", 1)[-1].lower() == "project.csv" for n in archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return False


def open_dump(path: Path) -> Dump | Problem:
    """The dump's tables, or why this is not a readable CORDIS dump."""
    dump = Dump(path)
    if path.is_dir():
        names = [p.name for p in sorted(path.iterdir()) if p.is_file()]
    else:
        try:
            with zipfile.ZipFile(path) as archive:
                names = [i.filename for i in archive.infolist() if not i.is_dir()]
        except (zipfile.BadZipFile, OSError) as exc:
            return Problem(str(path), f"not a readable zip file: {exc}")
        dump.is_zip = True
    for name in names:
        base = name.rsplit("/", 1)[-1]
        if base.lower() in {t.lower() for t in TABLES} and not base.startswith("."):
            dump.members.setdefault(base.lower(), name)
    if not dump.has("project.csv"):
        shown = ", ".join(names[:8]) or "nothing"
        return Problem(
            str(path),
            f"not a CORDIS dump: no project.csv in it (found {shown}); give the "
            "cordis-...projects-csv.zip from the EU open data portal, or its unzipped folder",
        )
    return dump


class _Bounded(io.RawIOBase):
    """A byte stream that stops past `limit` bytes (a zip bomb, a wrong file)."""

    def __init__(self, raw: IO[bytes], label: str, limit: int) -> None:
        self.raw, self.label, self.limit, self.read_so_far = raw, label, limit, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self.raw.read(len(buffer))
        self.read_so_far += len(data)
        if self.read_so_far > self.limit:
            message = f"over {self.limit:,} bytes once decompressed: not a CORDIS table"
            raise InputError([Problem(self.label, message)])
        buffer[: len(data)] = data
        return len(data)


def _lines(text: IO[str], label: str, max_line: int) -> Iterator[str]:
    number = 0
    while True:
        # readline(n) returns at most n characters: a longer line is never held whole.
        line = text.readline(max_line + 1)
        if not line:
            return
        number += 1
        if len(line) > max_line and not line.endswith("\n"):
            message = f"a line over {max_line:,} characters: not a CORDIS table"
            raise InputError([Problem(label, message, line=number)])
        yield line


def read_table(
    dump: Dump,
    table: str,
    wanted: tuple[str, ...],
    required: tuple[str, ...],
    *,
    max_line: int = MAX_LINE_CHARS,
    max_bytes: int = MAX_TABLE_BYTES,
) -> Iterator[Row]:
    """Every record of one table, with the `wanted` columns by name; raises InputError (one
    Problem) when the
    table cannot be read on (a missing required column, broken CSV, not UTF-8, too large)."""
    label = dump.label(table)
    member = dump.members[table.lower()]
    with ExitStack() as stack:
        try:
            if dump.is_zip:
                archive = stack.enter_context(zipfile.ZipFile(dump.path))
                raw: IO[bytes] = stack.enter_context(archive.open(member))
            else:
                raw = stack.enter_context((dump.path / member).open("rb"))
        except (zipfile.BadZipFile, OSError, RuntimeError) as exc:
            raise InputError([Problem(label, f"cannot read it: {exc}")]) from exc
        bounded = io.BufferedReader(_Bounded(raw, label, max_bytes), 1024 * 1024)
        text = io.TextIOWrapper(bounded, encoding="utf-8-sig", newline="")
        reader = csv.reader(
            _lines(text, label, max_line), delimiter=";", quotechar='"', strict=True
        )
        start = 1
        try:
            header = next(reader, None)
            if header is None:
                raise InputError([Problem(label, "empty: a header line is needed", line=1)])
            positions = {name.strip(): i for i, name in enumerate(header)}
            for name in required:
                if name not in positions:
                    message = f"required column {name!r} is missing from the header"
                    raise InputError([Problem(label, message, 1, None, name)])
            columns = {n: positions[n] + 1 for n in wanted if n in positions}
            start = reader.line_num + 1
            for cells in reader:
                if any(c.strip() for c in cells):
                    values = {
                        n: cells[p - 1].strip() if p - 1 < len(cells) else ""
                        for n, p in columns.items()
                    }
                    yield Row(label, start, values, columns)
                # A quoted field may span lines: the next record starts after this one ends.
                start = reader.line_num + 1
        except csv.Error as exc:
            message = f"invalid CSV in the record that starts here: {exc}"
            raise InputError([Problem(label, message, line=start)]) from exc
        except UnicodeDecodeError as exc:
            message = f"not UTF-8 text near here ({exc.reason})"
            raise InputError([Problem(label, message, line=reader.line_num + 1)]) from exc
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise InputError([Problem(label, f"cannot read it: {exc}", line=start)]) from exc
