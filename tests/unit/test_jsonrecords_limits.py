"""The JSON record reader bounds one line and the decompressed whole, in plain, gzip and zip files.

Small crafted files and low limits stand in for the 3 MB gzip that held one 3 GB line.
"""

from __future__ import annotations

import gzip
import zipfile
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest

from graph.errors import Problem
from loaders import jsonrecords

LINE_LIMIT = 2_000
TOTAL_LIMIT = 20_000
RECORD = orjson.dumps({"id": "https://ror.org/0abcdef12", "names": []}) + b"\n"


@pytest.fixture(autouse=True)
def low_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsonrecords, "MAX_LINE_BYTES", LINE_LIMIT)
    monkeypatch.setattr(jsonrecords, "MAX_BYTES", TOTAL_LIMIT)


def _plain(path: Path, data: bytes) -> Path:
    path = path / "ror.jsonl"
    path.write_bytes(data)
    return path


def _gzip(path: Path, data: bytes) -> Path:
    path = path / "ror.jsonl.gz"
    path.write_bytes(gzip.compress(data))
    return path


def _zip(path: Path, data: bytes) -> Path:
    path = path / "ror.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("v2.jsonl", data)
    return path


WRITERS: dict[str, Callable[[Path, bytes], Path]] = {"plain": _plain, "gzip": _gzip, "zip": _zip}


def _problems(path: Path) -> list[Problem]:
    return [item for item in jsonrecords.read_records(path) if isinstance(item, Problem)]


@pytest.mark.parametrize("write", WRITERS.values(), ids=WRITERS.keys())
def test_a_line_over_the_limit_is_refused_with_its_line(
    write: Callable[[Path, bytes], Path], tmp_path: Path
) -> None:
    # Two good records, then one whose single line is 5x the limit (and well under the total).
    huge = b'{"id": "x", "pad": "' + b"a" * (5 * LINE_LIMIT) + b'"}\n'
    path = write(tmp_path, RECORD * 2 + huge + RECORD)
    problems = _problems(path)
    assert len(problems) == 1, problems
    assert problems[0].line == 3
    assert f"longer than {LINE_LIMIT:,} bytes" in problems[0].message
    assert problems[0].file.startswith(str(path))


def test_a_line_with_no_end_in_a_small_gzip_is_refused(tmp_path: Path) -> None:
    # The attack's shape: a tiny gzip of one line that never ends (here 500x the line limit).
    path = _gzip(tmp_path, b'{"a": "' + b"a" * (500 * LINE_LIMIT))
    assert path.stat().st_size < 5_000
    problems = _problems(path)
    assert [(p.line, "longer than" in p.message) for p in problems] == [(1, True)]


@pytest.mark.parametrize("write", [_gzip, _zip], ids=["gzip", "zip"])
def test_the_decompressed_whole_is_bounded(
    write: Callable[[Path, bytes], Path], tmp_path: Path
) -> None:
    path = write(tmp_path, RECORD * (2 * TOTAL_LIMIT // len(RECORD)))
    problems = _problems(path)
    assert len(problems) == 1, problems
    assert f"{TOTAL_LIMIT:,}" in problems[0].message
    assert "once decompressed" in problems[0].message
    if write is _gzip:  # a zip declares its size: refused before reading
        assert problems[0].line == TOTAL_LIMIT // len(RECORD) + 1


def test_a_plain_file_over_the_total_is_refused_from_its_size(tmp_path: Path) -> None:
    problems = _problems(_plain(tmp_path, RECORD * (2 * TOTAL_LIMIT // len(RECORD))))
    assert [f"over the {TOTAL_LIMIT:,} limit" in p.message for p in problems] == [True]


def test_a_blank_line_megabytes_long_is_refused(tmp_path: Path) -> None:
    path = _gzip(tmp_path, b" " * (3 * LINE_LIMIT) + b"\n" + RECORD)
    assert [p.line for p in _problems(path)] == [1]


@pytest.mark.parametrize("write", WRITERS.values(), ids=WRITERS.keys())
def test_a_minified_array_may_be_one_long_line_up_to_the_total(
    write: Callable[[Path, bytes], Path], tmp_path: Path
) -> None:
    items = [{"id": f"https://ror.org/0abcdef{i:02d}", "names": []} for i in range(100)]
    data = orjson.dumps(items)
    assert LINE_LIMIT < len(data) < TOTAL_LIMIT
    records = list(jsonrecords.read_records(write(tmp_path, data)))
    assert not [r for r in records if isinstance(r, Problem)]
    assert len(records) == 100


@pytest.mark.parametrize("write", [_gzip, _zip], ids=["gzip", "zip"])
def test_an_array_over_the_total_is_refused(
    write: Callable[[Path, bytes], Path], tmp_path: Path
) -> None:
    data = orjson.dumps([{"id": "x", "pad": "a" * 100}] * (TOTAL_LIMIT // 100))
    problems = _problems(write(tmp_path, data))
    assert ["once decompressed" in p.message for p in problems] == [True]
