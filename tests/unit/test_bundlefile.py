"""Bundle lines: the header, each record validated and located, chunks of a bounded size."""

from __future__ import annotations

from pathlib import Path

import orjson

from loaders.bundlefile import BundleLines, write_lines

HEADER = {
    "origin": "reg-x",
    "priority": 40,
    "sources": [{"id": "reg", "title": "Registry", "kind": "dataset"}],
}


def _org(i: int) -> dict[str, object]:
    return {
        "id": f"org-{i}",
        "kind": "company",
        "names": [{"value": f"Org {i}"}],
        "sources": [{"source": "reg"}],
    }


def _file(tmp_path: Path, *lines: object) -> Path:
    path = tmp_path / "x.bundle.jsonl"
    path.write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in lines))
    return path


def test_records_come_in_chunks_of_at_most_the_chunk_size(tmp_path: Path) -> None:
    path = _file(tmp_path, HEADER, *({"organisations": _org(i)} for i in range(7)))
    chunks = list(BundleLines(path, chunk_size=3).chunks())
    assert [len(c.bundle.organisations) for c in chunks] == [3, 3, 1]
    assert [s.id for s in chunks[0].bundle.sources] == ["reg"]
    assert all(not c.bundle.sources for c in chunks[1:])
    assert {c.bundle.origin for c in chunks} == {"reg-x"}
    assert chunks[1].where("organisations", "org-3").line == 5
    assert not any(c.problems for c in chunks)
    # Read again from the start: the same records.
    again = list(BundleLines(path, chunk_size=3).chunks())
    assert [o.id for c in again for o in c.bundle.organisations] == [f"org-{i}" for i in range(7)]


def test_each_bad_line_is_located_by_line_field_and_id(tmp_path: Path) -> None:
    bad = {**_org(2), "kind": "spaceship"}
    path = tmp_path / "x.bundle.jsonl"
    path.write_bytes(
        orjson.dumps(HEADER)
        + b"\n"
        + orjson.dumps({"organisations": _org(1)})
        + b"\n{not json\n"
        + orjson.dumps({"organisation": _org(3)})
        + b"\n"
        + orjson.dumps({"organisations": bad})
        + b"\n"
    )
    problems = [p for c in BundleLines(path, chunk_size=2).chunks() for p in c.problems]
    assert [(p.line, p.id, p.field) for p in problems] == [
        (3, None, None),
        (4, None, None),
        (5, "org-2", "kind"),
    ]
    assert "not valid JSON" in problems[0].message
    assert "'organisation'" in problems[1].message
    assert all(p.file == str(path) for p in problems)


def test_a_header_that_is_a_record_is_refused(tmp_path: Path) -> None:
    path = _file(tmp_path, {"organisations": _org(1)})
    source = BundleLines(path)
    assert [(p.line, p.field) for p in source.problems] == [(1, "organisations")]


def test_write_lines_round_trips_a_seed_bundle(tmp_path: Path) -> None:
    data = {**HEADER, "organisations": [_org(1), _org(2)], "people": []}
    path = tmp_path / "y.bundle.jsonl"
    write_lines(data, path)
    (chunk,) = BundleLines(path).chunks()
    assert chunk.bundle.priority == 40
    assert [o.id for o in chunk.bundle.organisations] == ["org-1", "org-2"]
