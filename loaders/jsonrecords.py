"""Reading JSON record dumps: JSON lines or an array, plain, gzip or zip, a record at a time."""

from __future__ import annotations

import gzip
import io
import json
import re
import zipfile
import zlib
from collections.abc import Generator, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson

from graph.errors import Problem

# Decompressed, the whole file; then one line of JSON lines (ROR's largest record is 117 KiB).
MAX_BYTES = 2 * 1024**3
MAX_LINE_BYTES = 8 * 1024**2
_NON_SPACE = re.compile(r"\S")
_GZIP_MAGIC = b"\x1f\x8b"
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class Raw:
    file: str  # the path, or "<zip path>!<member>"
    pos: int  # 1-based line of JSON lines, or 0-based index in a JSON array
    in_array: bool
    data: dict[str, Any]


def read_records(path: Path) -> Generator[Raw | Problem, None, None]:
    label = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        yield Problem(label, f"cannot read the file: {exc.strerror or exc}")
        return
    if size == 0:
        yield Problem(label, "the file is empty: expected ROR records (JSON lines or a JSON array)")
        return
    if size > MAX_BYTES:
        yield Problem(label, f"the file is {size:,} bytes, over the {MAX_BYTES:,} limit: split it")
        return
    with ExitStack() as stack:
        try:
            raw = stack.enter_context(path.open("rb"))
            magic = raw.read(4)
            raw.seek(0)
            stream: IO[bytes] | io.BufferedIOBase = raw
            if magic[:2] == _GZIP_MAGIC:
                stream = stack.enter_context(gzip.GzipFile(fileobj=raw, mode="rb"))
            elif magic in _ZIP_MAGIC:
                archive = stack.enter_context(zipfile.ZipFile(raw))
                member = _pick_member(archive, label)
                if isinstance(member, Problem):
                    yield member
                    return
                label = f"{path}!{member.filename}"
                if member.file_size == 0:
                    yield Problem(label, "the file is empty: expected ROR records")
                    return
                if member.file_size > MAX_BYTES:
                    yield Problem(
                        label,
                        f"{member.file_size:,} bytes once decompressed, over the {MAX_BYTES:,} "
                        "limit: split it",
                    )
                    return
                stream = stack.enter_context(archive.open(member))
            yield from _decode(stream, label)
        # Truncated or corrupt archives, and zips this Python cannot open (encrypted, deflate64).
        except (
            OSError,
            EOFError,
            zlib.error,
            zipfile.BadZipFile,
            RuntimeError,
            NotImplementedError,
        ) as exc:
            yield Problem(label, f"cannot read the file: {exc}")


def _pick_member(archive: zipfile.ZipFile, label: str) -> zipfile.ZipInfo | Problem:
    # ROR's zips hold "<release>-ror-data.json" and, during the v1->v2 transition, also
    # "<release>-ror-data_schema_v2.json": the v2 file is the richer one.
    members = [
        info
        for info in archive.infolist()
        if not info.is_dir()
        and info.filename.lower().endswith((".json", ".jsonl"))
        and not info.filename.rsplit("/", 1)[-1].startswith((".", "__MACOSX"))
        and not info.filename.startswith("__MACOSX/")
    ]
    v2 = [info for info in members if info.filename.lower().endswith("_schema_v2.json")]
    if len(v2) == 1:
        return v2[0]
    if len(members) == 1:
        return members[0]
    names = ", ".join(info.filename for info in archive.infolist()) or "nothing"
    if not members:
        return Problem(label, f"the zip holds no .json or .jsonl file (it holds {names})")
    return Problem(
        label, f"the zip holds several JSON files and no single *_schema_v2.json: {names}"
    )


class _Lines:
    """A decompressing stream read a bounded line at a time, counting what it decompressed:
    neither one line nor the whole file may grow past its limit in memory (a 3 MB gzip can
    hold a 3 GB line)."""

    def __init__(self, stream: IO[bytes] | io.BufferedIOBase) -> None:
        self.stream = stream
        self.total = 0
        self.lineno = 0

    def next(self) -> bytes:
        """The next line (b"" at the end); one longer than MAX_LINE_BYTES comes back cut at
        MAX_LINE_BYTES + 1 bytes, which `too_long` tells."""
        line = self.stream.readline(MAX_LINE_BYTES + 1)
        self.total += len(line)
        self.lineno += bool(line)
        return line

    @staticmethod
    def too_long(line: bytes) -> bool:
        return len(line) > MAX_LINE_BYTES

    @property
    def over(self) -> bool:
        return self.total > MAX_BYTES

    def rest(self) -> bytes:
        """Everything left, up to one byte past MAX_BYTES in all (then `over` is true)."""
        data = self.stream.read(max(MAX_BYTES - self.total + 1, 0))
        self.total += len(data)
        return data


def _over(label: str, line: int | None = None) -> Problem:
    return Problem(label, f"over {MAX_BYTES:,} bytes once decompressed: split it", line=line)


def _long_line(label: str, line: int) -> Problem:
    return Problem(
        label,
        f"line {line} is longer than {MAX_LINE_BYTES:,} bytes (a ROR record takes a few "
        "kilobytes): not ROR records as JSON lines",
        line=line,
    )


def _decode(stream: IO[bytes] | io.BufferedIOBase, label: str) -> Iterator[Raw | Problem]:
    lines = _Lines(stream)
    while line := lines.next():
        if lines.lineno == 1:
            line = line.removeprefix(_BOM)
        if lines.over:
            yield _over(label, lines.lineno)
            return
        if line.strip():
            break
        if lines.too_long(line):  # a line of nothing but spaces, megabytes long
            yield _long_line(label, lines.lineno)
            return
    else:
        yield Problem(label, "the file is empty or blank: expected ROR records")
        return
    head = line.lstrip()
    if head.startswith(b"["):
        # An array may be one line (minified): its items, not its lines, are the records.
        data = line + lines.rest()
        if lines.over:
            yield _over(label)
            return
        yield from _decode_array(data, label, lines.lineno - 1)
    elif head.rstrip() == b"{":
        # One pretty-printed record, as in ROR's own ror-records repository.
        data = line + lines.rest()
        if lines.over:
            yield _over(label)
            return
        yield from _decode_single(data, label, lines.lineno)
    elif head.startswith(b"{"):
        yield from _decode_lines(line, lines, label)
    else:
        yield Problem(
            label,
            f"not JSON lines or a JSON array of ROR records: starts with {head[:40]!r}",
            line=lines.lineno,
        )


def _decode_lines(first: bytes, lines: _Lines, label: str) -> Iterator[Raw | Problem]:
    records = 0
    line = first
    while line:
        lineno = lines.lineno
        if lines.too_long(line):
            yield _long_line(label, lineno)
            return
        if lines.over:
            yield _over(label, lineno)
            return
        if line.strip():
            try:
                data = orjson.loads(line.rstrip(b"\r\n"))
            except orjson.JSONDecodeError as exc:
                yield Problem(label, f"not valid JSON: {exc.msg}", line=lineno, column=exc.colno)
            else:
                if isinstance(data, dict):
                    records += 1
                    yield Raw(label, lineno, False, data)
                else:
                    yield Problem(label, f"expected a JSON object, got {json_type(data)}", lineno)
        line = lines.next()
    if records == 0:
        yield Problem(label, "the file holds no ROR records")


def _decode_single(data: bytes, label: str, lineno: int) -> Iterator[Raw | Problem]:
    if len(data) > MAX_BYTES:
        yield Problem(label, f"over {MAX_BYTES:,} bytes once decompressed: split it")
        return
    try:
        record = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        line = lineno - 1 + exc.lineno
        yield Problem(label, f"not valid JSON: {exc.msg}", line=line, column=exc.colno)
        return
    yield Raw(label, lineno, False, record)


def _decode_array(data: bytes, label: str, skipped: int) -> Iterator[Raw | Problem]:
    if len(data) > MAX_BYTES:
        yield Problem(label, f"over {MAX_BYTES:,} bytes once decompressed: split it")
        return
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = skipped + data.count(b"\n", 0, exc.start) + 1
        yield Problem(label, f"not UTF-8 text: {exc.reason} at byte {exc.start}", line=line)
        return
    del data
    # raw_decode takes one array item at a time: the whole dump never exists as one Python
    # tree (and it measured faster than orjson on the whole array, which allocates it all).
    decoder = json.JSONDecoder()
    end = len(text)
    index = 0
    i = _skip_space(text, text.index("[") + 1)
    if i < end and text[i] == "]":
        yield Problem(label, "the JSON array is empty: no ROR records")
        return
    while True:
        try:
            data_item, i = decoder.raw_decode(text, i)
        except json.JSONDecodeError as exc:
            where = f"text line {skipped + exc.lineno}, column {exc.colno}"
            message = f"array item {index + 1}: not valid JSON ({where}): {exc.msg}"
            yield Problem(label, message, line=index + 1)
            return
        if isinstance(data_item, dict):
            yield Raw(label, index, True, data_item)
        else:
            message = f"array item {index + 1}: expected a JSON object, got {json_type(data_item)}"
            yield Problem(label, message, line=index + 1)
        index += 1
        i = _skip_space(text, i)
        if i < end and text[i] == ",":
            i = _skip_space(text, i + 1)
            continue
        if i < end and text[i] == "]" and _skip_space(text, i + 1) == end:
            return
        where = f"text line {skipped + text.count(chr(10), 0, i) + 1}"
        message = f"after array item {index} ({where}): expected ',' or a final ']'"
        yield Problem(label, message, line=index)
        return


def _skip_space(text: str, i: int) -> int:
    match = _NON_SPACE.search(text, i)
    return match.start() if match else len(text)


def json_type(value: object) -> str:
    return {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number"
    )
