"""loaders.ror: both ROR schemas, every container format, and every kind of bad input."""

from __future__ import annotations

import gzip
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import orjson
import pytest

from graph.errors import InputError, Problem
from graph.model import NameType, Organisation, OrgKind, OrgRelationType, OrgStatus
from loaders import jsonrecords, ror
from loaders.ror import ROR_SOURCE, iter_ror_records, parse_ror, parse_ror_id

FIXTURES = Path(__file__).parents[1] / "fixtures" / "ror"
SHARED = (Path(__file__).parents[2] / ".." / "shared" / "data" / "ror").resolve()
SUBSET = SHARED / "ror-ee-kr-subset.jsonl"
FULL = SHARED / "ror-records-latest.jsonl.gz"


def by_id(path: Path) -> dict[str, Organisation]:
    parsed = parse_ror(path)
    assert parsed.problems == []
    return {org.id: org for org in parsed.bundle.organisations}


def names(org: Organisation) -> list[tuple[str, str | None, list[NameType]]]:
    return [(n.value, n.lang, n.types) for n in org.names]


def relations(org: Organisation) -> list[tuple[str, str]]:
    return [(r.type.value, r.organisation) for r in org.relations]


def record(ror_id: str = "0nnnnnn58", **fields: Any) -> dict[str, Any]:
    """A minimal valid v2 record; keyword arguments replace or add fields."""
    base: dict[str, Any] = {
        "id": f"https://ror.org/{ror_id}",
        "names": [{"lang": "en", "types": ["ror_display", "label"], "value": "Example Institute"}],
        "types": ["facility"],
        "status": "active",
    }
    return base | fields


def write_lines(path: Path, records: list[Any]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    return path


def problem_keys(problems: list[Problem]) -> list[tuple[int | None, str | None, str | None]]:
    return [(p.line, p.field, p.id) for p in problems]


# --- Schema v2 -----------------------------------------------------------------------------------


def test_v2_university_maps_every_field() -> None:
    org = by_id(FIXTURES / "v2.jsonl")["ror-0aaaaaa42"]
    assert org.kind is OrgKind.UNIVERSITY  # education + funder: education wins
    assert org.name == "Example University of Technology"
    assert names(org) == [
        ("Example University of Technology", "en", [NameType.DISPLAY, NameType.LABEL]),
        ("Näidise Tehnikaülikool", "et", [NameType.LABEL]),
        ("EUT", None, [NameType.ACRONYM]),
        ("Tallinn Example Tech", "en", [NameType.ALIAS]),
    ]
    ids = org.identifiers
    assert ids.ror == "0aaaaaa42"
    assert ids.isni == "0000000123456789"  # preferred null: first of `all`, spaces removed
    assert ids.fundref == "501100099991"  # preferred, not the first of `all`
    assert ids.wikidata == "Q99999901"
    assert ids.grid == "grid.99991.3a"
    assert org.location is not None
    assert org.location.model_dump() == {
        "city": "Tallinn",
        "region": "Harjumaa",
        "country": "EE",
        "geonames_id": 588409,
        "lat": 59.43696,
        "lng": 24.75353,
    }
    assert org.status is OrgStatus.ACTIVE
    assert org.established == 1918
    assert str(org.website) == "https://example-tech.ee/"  # the website link, not Wikipedia
    assert relations(org) == [("child", "ror-0bbbbbb17"), ("related", "ror-0kkkkkk11")]
    [citation] = org.sources
    assert citation.source == "ror"
    assert citation.where == "https://ror.org/0aaaaaa42 (last modified 2025-06-30)"
    assert citation.verified is True


def test_the_bundle_cites_ror_once_and_names_its_origin() -> None:
    parsed = parse_ror(FIXTURES / "v2.jsonl")
    assert parsed.bundle.origin == "ror:v2.jsonl"
    assert parsed.bundle.sources == [ROR_SOURCE]
    assert ROR_SOURCE.kind.value == "registry"
    assert ROR_SOURCE.title == "Research Organization Registry (ROR)"
    assert ROR_SOURCE.publisher == "ROR"
    assert str(ROR_SOURCE.url) == "https://ror.org/"
    assert parse_ror(FIXTURES / "v2.jsonl", origin="ror:2026-01").bundle.origin == "ror:2026-01"


def test_locations_point_at_the_line_of_each_record() -> None:
    parsed = parse_ror(FIXTURES / "v2.jsonl")
    where = parsed.where("organisations", "ror-0cccccc89")
    assert (where.file, where.line) == (str(FIXTURES / "v2.jsonl"), 3)


def test_hangul_and_estonian_names_keep_their_languages() -> None:
    org = by_id(FIXTURES / "v2.jsonl")["ror-0bbbbbb17"]
    assert names(org) == [
        ("Tallinn-Gangwon Digital Health Centre", "en", [NameType.DISPLAY, NameType.LABEL]),
        ("탈린-강원 디지털 헬스 센터", "ko", [NameType.LABEL]),
        ("Tallinna-Gangwoni Digitervise Keskus", "et", [NameType.LABEL]),
        ("탈린강원센터", "ko", [NameType.ALIAS]),
    ]
    assert org.kind is OrgKind.HOSPITAL  # facility + healthcare: healthcare wins
    # A schema 2.0 location has no subdivision: no region rather than a guess.
    assert org.location is not None
    assert (org.location.city, org.location.region, org.location.country) == (
        "Chuncheon",
        None,
        "KR",
    )
    assert org.established is None
    assert org.website is None


def test_withdrawn_record_points_at_its_successor() -> None:
    orgs = by_id(FIXTURES / "v2.jsonl")
    withdrawn, successor = orgs["ror-0cccccc89"], orgs["ror-0dddddd64"]
    assert withdrawn.status is OrgStatus.WITHDRAWN
    assert relations(withdrawn) == [("successor", "ror-0dddddd64")]
    assert relations(successor) == [("predecessor", "ror-0cccccc89"), ("parent", "ror-0eeeeee39")]
    assert successor.kind is OrgKind.GOVERNMENT_AGENCY  # government + funder


def test_grid_urls_become_grid_ids() -> None:
    org = by_id(FIXTURES / "v2.jsonl")["ror-0dddddd64"]
    assert org.identifiers.grid == "grid.99992.b"
    assert org.identifiers.isni == "0000000478560000"


# --- Schema v1 -----------------------------------------------------------------------------------


def test_v1_university_maps_every_field() -> None:
    org = by_id(FIXTURES / "v1.jsonl")["ror-0kkkkkk11"]
    assert org.kind is OrgKind.UNIVERSITY
    # `name` repeated in `aliases` is one name with both types.
    assert names(org) == [
        ("Example State University", None, [NameType.DISPLAY, NameType.LABEL, NameType.ALIAS]),
        ("예시 국립대학교", "ko", [NameType.LABEL]),
        ("Example National University", None, [NameType.ALIAS]),
        ("ESU", None, [NameType.ACRONYM]),
    ]
    assert org.identifiers.model_dump(exclude_none=True) == {
        "ror": "0kkkkkk11",
        "wikidata": "Q99999902",
        "isni": "0000000405320000",
        "grid": "grid.99993.c",  # v1 GRID: `all` is a bare string
        "fundref": "501100099994",
    }
    assert org.location is not None
    assert org.location.model_dump() == {
        "city": "Chuncheon",
        "region": "Gangwon-do",
        "country": "KR",
        "geonames_id": 1845136,
        "lat": 37.87472,
        "lng": 127.73417,
    }
    assert org.established == 1947
    assert str(org.website) == "http://www.example-state.ac.kr/"
    assert relations(org) == [("related", "ror-0aaaaaa42"), ("parent", "ror-0eeeeee39")]
    # v1 records carry no modification date.
    assert [c.where for c in org.sources] == ["https://ror.org/0kkkkkk11"]


def test_v1_withdrawn_record_with_capitalised_successor() -> None:
    org = by_id(FIXTURES / "v1.jsonl")["ror-0mmmmmm83"]
    assert org.status is OrgStatus.WITHDRAWN
    assert relations(org) == [("successor", "ror-0kkkkkk11")]
    assert org.website is None
    assert org.location is not None
    assert org.location.region is None  # geonames_admin1 is null


def test_the_same_kind_of_organisation_looks_the_same_in_both_schemas() -> None:
    v2 = by_id(FIXTURES / "v2.jsonl")["ror-0aaaaaa42"]
    v1 = by_id(FIXTURES / "v1.jsonl")["ror-0kkkkkk11"]
    assert v1.kind == v2.kind
    assert v1.identifiers.model_fields_set == v2.identifiers.model_fields_set
    assert v1.location is not None
    assert v2.location is not None
    assert v1.location.model_fields_set == v2.location.model_fields_set


# --- Kinds, relations and identifiers ------------------------------------------------------------


@pytest.mark.parametrize(
    ("types", "kind"),
    [
        (["education", "funder"], OrgKind.UNIVERSITY),
        (["funder", "education"], OrgKind.UNIVERSITY),
        (["education", "healthcare"], OrgKind.UNIVERSITY),
        (["facility", "healthcare"], OrgKind.HOSPITAL),
        (["archive", "government"], OrgKind.ARCHIVE),
        (["facility", "government"], OrgKind.FACILITY),
        (["company", "funder"], OrgKind.COMPANY),
        (["funder", "government"], OrgKind.GOVERNMENT_AGENCY),
        (["funder", "nonprofit"], OrgKind.NONPROFIT),
        (["funder", "other"], OrgKind.FUNDER),
        (["other"], OrgKind.OTHER),
        ([], OrgKind.OTHER),
        (["Education"], OrgKind.UNIVERSITY),
        (["Healthcare"], OrgKind.HOSPITAL),
    ],
)
def test_the_most_specific_type_decides_the_kind(
    tmp_path: Path, types: list[str], kind: OrgKind
) -> None:
    path = write_lines(tmp_path / "kinds.jsonl", [record(types=types)])
    [org] = parse_ror(path).bundle.organisations
    assert org.kind is kind


def test_self_and_repeated_relations_are_dropped(tmp_path: Path) -> None:
    rels = [
        {"type": "child", "id": "https://ror.org/0nnnnnn58", "label": "itself"},
        {"type": "parent", "id": "https://ror.org/0aaaaaa42", "label": "A"},
        {"type": "parent", "id": "https://ror.org/0aaaaaa42", "label": "A again"},
        {"type": "related", "id": "https://ror.org/0aaaaaa42", "label": "A, related too"},
    ]
    path = write_lines(tmp_path / "rels.jsonl", [record(relationships=rels)])
    parsed = parse_ror(path)
    [org] = parsed.bundle.organisations
    assert [(r.type, r.organisation) for r in org.relations] == [
        (OrgRelationType.PARENT, "ror-0aaaaaa42"),
        (OrgRelationType.RELATED, "ror-0aaaaaa42"),
    ]
    assert parsed.problems == []
    assert problem_keys(parsed.warnings) == [
        (1, "relationships[0].id", "0nnnnnn58"),
        (1, "relationships[2]", "0nnnnnn58"),
    ]


def test_an_identifier_that_is_none_of_its_scheme_is_left_out(tmp_path: Path) -> None:
    external = [
        {"type": "grid", "all": ["100011307"], "preferred": "100011307"},
        {"type": "wikidata", "all": ["not-q", "Q42"], "preferred": None},
        {"type": "cnrs", "all": ["UMR123"], "preferred": None},
    ]
    path = write_lines(tmp_path / "ids.jsonl", [record(external_ids=external)])
    parsed = parse_ror(path)
    [org] = parsed.bundle.organisations
    assert org.identifiers.grid is None
    assert org.identifiers.wikidata == "Q42"
    # One warning per value left out, though GRID names it as `preferred` and in `all`.
    assert [(w.field, w.message) for w in parsed.warnings] == [
        ("external_ids[0]", "'100011307' is not a grid identifier; left out"),
        ("external_ids[1]", "'not-q' is not a wikidata identifier; left out"),
    ]


def test_clean_ups_are_warnings_with_file_line_field_and_id() -> None:
    parsed = parse_ror(FIXTURES / "cleanups.jsonl")
    assert parsed.problems == []
    assert [str(w) for w in parsed.warnings] == [
        f"{FIXTURES / 'cleanups.jsonl'}:1 id=0gggggg86 field={field}: {message}"
        for field, message in (
            ("external_ids[0]", "'100011307' is not a grid identifier; left out"),
            ("external_ids[1]", "'not-q' is not a wikidata identifier; left out"),
            ("relationships[0].id", "a child relation to the record itself; left out"),
            ("relationships[2]", "repeats relationships[1] (parent 0ffffff14); left out"),
        )
    ]
    cleaned, parent = parsed.bundle.organisations
    assert relations(cleaned) == [("parent", "ror-0ffffff14")]
    assert (cleaned.identifiers.grid, cleaned.identifiers.wikidata) == (None, "Q99999977")
    assert relations(parent) == [("child", "ror-0gggggg86")]


def test_a_refused_record_has_problems_and_no_warnings(tmp_path: Path) -> None:
    itself = [{"type": "child", "id": "https://ror.org/0nnnnnn58", "label": "itself"}]
    path = write_lines(
        tmp_path / "refused.jsonl",
        [record(relationships=itself, types=["nonsense"]), record("0aaaaaa42", relationships=[])],
    )
    parsed = parse_ror(path)
    assert problem_keys(parsed.problems) == [(1, "types[0]", "0nnnnnn58")]
    assert parsed.warnings == []


def test_array_warnings_give_the_item_number_and_say_so(tmp_path: Path) -> None:
    itself = [{"type": "related", "id": "https://ror.org/0aaaaaa42", "label": "itself"}]
    path = tmp_path / "array.json"
    path.write_bytes(orjson.dumps([record(), record("0aaaaaa42", relationships=itself)]))
    [warning] = parse_ror(path).warnings
    assert (warning.line, warning.field, warning.id) == (2, "relationships[0].id", "0aaaaaa42")
    assert warning.message == "array item 2: a related relation to the record itself; left out"


def test_kosovo_keeps_its_location(tmp_path: Path) -> None:
    raw = {
        "geonames_id": 786714,
        "geonames_details": {"country_code": "XK", "name": "Pristina"},
    }
    path = write_lines(tmp_path / "xk.jsonl", [record(locations=[raw])])
    parsed = parse_ror(path)
    assert parsed.problems == []
    location = parsed.bundle.organisations[0].location
    assert location is not None
    assert (location.country, location.city) == ("XK", "Pristina")


# --- Containers ----------------------------------------------------------------------------------


def test_json_array() -> None:
    parsed = parse_ror(FIXTURES / "array.json")
    assert parsed.problems == []
    assert [(o.id, o.kind, o.status) for o in parsed.bundle.organisations] == [
        ("ror-0eeeeee39", OrgKind.GOVERNMENT_AGENCY, OrgStatus.ACTIVE),
        ("ror-0ffffff14", OrgKind.COMPANY, OrgStatus.INACTIVE),
    ]
    # In an array the location's line is the item number (1-based).
    assert parsed.where("organisations", "ror-0ffffff14").line == 2


def test_gzip_json_lines_mixing_both_schemas() -> None:
    parsed = parse_ror(FIXTURES / "records.jsonl.gz")
    assert parsed.problems == []
    assert [o.id for o in parsed.bundle.organisations] == [
        "ror-0aaaaaa42",
        "ror-0kkkkkk11",
        "ror-0dddddd64",
    ]
    assert parsed.where("organisations", "ror-0dddddd64").line == 3
    assert parsed.bundle.origin == "ror:records.jsonl.gz"


def test_zip_dump_prefers_the_schema_v2_file() -> None:
    parsed = parse_ror(FIXTURES / "dump.zip")
    assert parsed.problems == []
    orgs = {o.id: o for o in parsed.bundle.organisations}
    assert list(orgs) == ["ror-0gggggg86", "ror-0jjjjjj36"]
    assert orgs["ror-0gggggg86"].name == "Example National Archive"  # not the v1 file's name
    assert orgs["ror-0gggggg86"].kind is OrgKind.ARCHIVE
    where = parsed.where("organisations", "ror-0jjjjjj36")
    assert where.file == f"{FIXTURES / 'dump.zip'}!v9.9-2026-01-01-ror-data_schema_v2.json"
    assert where.line == 2


def test_zip_with_one_json_file_uses_it(tmp_path: Path) -> None:
    path = tmp_path / "v1-only.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("ror-data.json", (FIXTURES / "array.json").read_text("utf-8"))
        archive.writestr("ror-data.csv", "id,name\n")
    parsed = parse_ror(path)
    assert parsed.problems == []
    assert len(parsed.bundle.organisations) == 2


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ({"ror-data.csv": "id\n"}, "no .json or .jsonl file"),
        ({"a.json": "[]", "b.json": "[]"}, "several JSON files"),
    ],
)
def test_zip_without_one_clear_json_file(
    tmp_path: Path, members: dict[str, str], message: str
) -> None:
    path = tmp_path / "dump.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name, body in members.items():
            archive.writestr(name, body)
    [problem] = parse_ror(path).problems
    assert message in problem.message
    assert problem.file == str(path)


def test_one_pretty_printed_record_as_in_ror_records() -> None:
    parsed = parse_ror(FIXTURES / "single-record.json")
    assert parsed.problems == []
    assert [o.id for o in parsed.bundle.organisations] == ["ror-0jjjjjj36"]


def test_detection_is_by_content_not_by_name(tmp_path: Path) -> None:
    path = tmp_path / "dump.json"  # gzip inside, whatever the name says
    path.write_bytes(gzip.compress((FIXTURES / "v2.jsonl").read_bytes()))
    assert len(parse_ror(path).bundle.organisations) == 4


# --- iter_ror_records ----------------------------------------------------------------------------


def test_iter_yields_line_numbers_and_raw_records() -> None:
    items = list(iter_ror_records(FIXTURES / "v1.jsonl"))
    assert [pos for pos, _ in items] == [1, 2]
    assert items[0][1]["_src"] == "v1.9/0kkkkkk11.json"  # raw: nothing mapped or dropped


def test_iter_yields_array_indexes() -> None:
    assert [pos for pos, _ in iter_ror_records(FIXTURES / "array.json")] == [0, 1]


def test_iter_collects_unreadable_lines_into_a_list() -> None:
    problems: list[Problem] = []
    items = list(iter_ror_records(FIXTURES / "broken.jsonl", problems))
    assert [pos for pos, _ in items] == [1, 5, 6, 7, 8, 9, 10]
    assert [p.line for p in problems] == [2, 4]


def test_iter_without_a_list_raises_after_reading_everything() -> None:
    seen: list[int] = []

    def read_all() -> None:
        for pos, _ in iter_ror_records(FIXTURES / "broken.jsonl"):
            seen.append(pos)

    with pytest.raises(InputError) as caught:
        read_all()
    assert seen[-1] == 10  # every record was handed out before the error
    assert [p.line for p in caught.value.problems] == [2, 4]


# --- Invalid input -------------------------------------------------------------------------------


def test_every_problem_of_a_broken_file_is_reported() -> None:
    parsed = parse_ror(FIXTURES / "broken.jsonl")
    assert problem_keys(parsed.problems) == [
        (2, None, None),  # not JSON
        (4, None, None),  # not an object
        (5, "id", None),  # no id
        (6, "id", "https://ror.org/0aaaaaa43"),  # wrong check digits
        (7, "names[0]", "0ffffff14"),  # lang "English"
        (7, "locations[0]", "0ffffff14"),  # country ZZ
        (7, "established", "0ffffff14"),  # 3000
        (7, "links", "0ffffff14"),  # not a URL
        (8, "id", "0nnnnnn58"),  # duplicate of line 1
        (9, "types[0]", "0hhhhhh61"),  # unknown type
    ]
    messages = [p.message for p in parsed.problems]
    assert messages[0].startswith("not valid JSON")
    assert parsed.problems[0].column is not None
    assert messages[1] == "expected a JSON object, got an array"
    assert "check digits" in messages[3]
    assert "'ZZ'" in messages[5]
    assert messages[8] == "duplicate ROR id: first at line 1"
    assert "unknown ROR type 'university'" in messages[9]
    # Parsing went on: the good records before and after the bad ones are there.
    assert [o.id for o in parsed.bundle.organisations] == ["ror-0nnnnnn58", "ror-0mmmmmm83"]
    assert str(parsed.problems[8]) == (
        f"{FIXTURES / 'broken.jsonl'}:8 id=0nnnnnn58 field=id: duplicate ROR id: first at line 1"
    )


def test_array_problems_give_the_item_number_and_say_so(tmp_path: Path) -> None:
    path = tmp_path / "dump.json"
    path.write_bytes(orjson.dumps([record(), {"id": "https://ror.org/0aaaaaa43"}, 5, record()]))
    parsed = parse_ror(path)
    assert problem_keys(parsed.problems) == [
        (2, "id", "https://ror.org/0aaaaaa43"),
        (3, None, None),
        (4, "id", "0nnnnnn58"),
    ]
    assert parsed.problems[0].message.startswith("array item 2: not a valid ROR id")
    assert parsed.problems[1].message == "array item 3: expected a JSON object, got a number"
    assert parsed.problems[2].message == "array item 4: duplicate ROR id: first at item 1"


def test_broken_json_array_stops_with_the_text_position(tmp_path: Path) -> None:
    path = tmp_path / "dump.json"
    path.write_text('[\n  {"id": "https://ror.org/0nnnnnn58"},\n  {"id": \n]\n', encoding="utf-8")
    [*_, problem] = parse_ror(path).problems
    assert problem.line == 2
    assert problem.message.startswith("array item 2: not valid JSON (text line 4, column 1)")


def test_missing_comma_in_a_json_array(tmp_path: Path) -> None:
    path = tmp_path / "dump.json"
    path.write_bytes(b"[" + orjson.dumps(record()) + b" " + orjson.dumps(record()) + b"]")
    [problem] = parse_ror(path).problems
    assert "after array item 1" in problem.message
    assert "expected ',' or a final ']'" in problem.message


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"\n  \n", "empty or blank"),
        (b"[ ]", "the JSON array is empty"),
        (gzip.compress(b""), "empty or blank"),
        (b"id,name\nhttps://ror.org/0nnnnnn58,Example\n", "not JSON lines or a JSON array"),
        (b'{"id": 1\n', "not valid JSON"),
    ],
)
def test_a_file_without_records_is_a_problem(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "dump.jsonl"
    path.write_bytes(content)
    parsed = parse_ror(path)
    assert parsed.problems
    assert message in parsed.problems[0].message
    assert parsed.bundle.organisations == []


def test_a_missing_file_is_a_problem(tmp_path: Path) -> None:
    [problem] = parse_ror(tmp_path / "nowhere.jsonl").problems
    assert problem.message.startswith("cannot read the file")


def test_a_truncated_gzip_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "dump.jsonl.gz"
    path.write_bytes((FIXTURES / "records.jsonl.gz").read_bytes()[:-20])
    parsed = parse_ror(path)
    assert parsed.problems[-1].message.startswith("cannot read the file")


def test_a_file_over_the_size_limit_is_a_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsonrecords, "MAX_BYTES", 1000)
    [problem] = parse_ror(FIXTURES / "v2.jsonl").problems
    assert "over the 1,000 limit" in problem.message


def test_decompressed_content_over_the_size_limit_is_a_problem(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(jsonrecords, "MAX_BYTES", 2000)  # the gzip is smaller, its content is not
    problems = parse_ror(FIXTURES / "records.jsonl.gz").problems
    assert "once decompressed" in problems[-1].message


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"names": "Example"}, "names"),
        ({"names": [{"value": 5, "types": ["ror_display"]}]}, "names[0]"),
        ({"names": [{"value": "X", "types": ["display"]}]}, "names[0].types"),
        ({"types": "education"}, "types"),
        ({"relationships": [5]}, "relationships[0]"),
        ({"relationships": [{"type": "sibling", "id": "https://ror.org/0aaaaaa42"}]}, None),
        ({"relationships": [{"type": "parent", "id": "https://ror.org/0aaaaaa43"}]}, None),
        ({"locations": [{"geonames_details": "Tartu"}]}, "locations[0].geonames_details"),
        ({"external_ids": {"grid": "x"}}, "external_ids"),
        ({"status": "closed"}, "status"),
        ({"admin": []}, "admin"),
    ],
)
def test_a_record_of_the_wrong_shape_is_a_problem_not_a_crash(
    tmp_path: Path, fields: dict[str, Any], field: str | None
) -> None:
    path = write_lines(tmp_path / "shape.jsonl", [record(**fields), record("0aaaaaa42")])
    parsed = parse_ror(path)
    [problem] = parsed.problems
    assert problem.line == 1
    assert problem.id == "0nnnnnn58"
    if field is not None:
        assert problem.field == field
    else:
        assert problem.field is not None
        assert problem.field.startswith("relationships[0].")
    assert [o.id for o in parsed.bundle.organisations] == ["ror-0aaaaaa42"]


def test_problems_stop_at_a_sane_number(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ror, "MAX_PROBLEMS", 3)
    path = tmp_path / "dump.jsonl"
    path.write_text("{broken\n" * 10, encoding="utf-8")
    problems = parse_ror(path).problems
    assert len(problems) == 4
    assert problems[-1].message == "stopped after 3 problems: fix these and load again"


# --- ROR ids -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "bare"),
    [
        ("https://ror.org/03z77qz90", "03z77qz90"),
        ("http://ror.org/03z77qz90", "03z77qz90"),
        ("ror.org/03z77qz90", "03z77qz90"),
        (" 03Z77QZ90 ", "03z77qz90"),
        ("https://ror.org/03z77qz91", None),  # check digits
        ("https://ror.org/03z77qz9", None),
        ("https://ror.org/13z77qz90", None),  # must start with 0
        ("https://ror.org/0iiiiii90", None),  # i, l, o, u are not base32 (Crockford)
        ("https://example.org/03z77qz90", None),
        (None, None),
        (42, None),
    ],
)
def test_parse_ror_id(value: object, bare: str | None) -> None:
    assert parse_ror_id(value) == bare


# --- The real extract (../shared/data/ror) -------------------------------------------------------


@pytest.fixture(scope="module")
def subset() -> dict[str, Organisation]:
    if not SUBSET.is_file():
        pytest.skip(f"{SUBSET} is absent")
    parsed = parse_ror(SUBSET)
    assert parsed.problems == []
    return {org.id: org for org in parsed.bundle.organisations}


def test_subset_parses_whole(subset: dict[str, Organisation]) -> None:
    assert len(subset) == 813
    countries = Counter(o.location.country for o in subset.values() if o.location)
    assert countries == {"KR": 767, "EE": 46}
    # 922 in the dump; the two withdrawn records' 5 hierarchy links move to their successors,
    # where 4 are stated already (graph/ROR: through_successors), and TIPA gains its parent.
    assert sum(len(o.relations) for o in subset.values()) == 918


def test_subset_university_of_tartu(subset: dict[str, Organisation]) -> None:
    tartu = subset["ror-03z77qz90"]
    assert tartu.name == "University of Tartu"
    assert tartu.kind is OrgKind.UNIVERSITY
    assert tartu.identifiers.model_dump(exclude_none=True) == {
        "ror": "03z77qz90",
        "wikidata": "Q204181",
        "isni": "0000000109437661",
        "grid": "grid.10939.32",
        "fundref": "501100007821",
    }
    assert tartu.location is not None
    assert (tartu.location.country, tartu.location.city, tartu.location.geonames_id) == (
        "EE",
        "Tartu",
        588335,
    )
    assert tartu.established == 1632
    assert ("Tartu Ülikool", "et") in [(n.value, n.lang) for n in tartu.names]
    assert tartu.sources[0].where == "https://ror.org/03z77qz90 (last modified 2024-10-21)"


def test_subset_ministry_of_smes_and_startups(subset: dict[str, Organisation]) -> None:
    ministry = subset["ror-022c4zk48"]
    assert ("predecessor", "ror-01bxvfc84") in relations(ministry)
    withdrawn = subset["ror-03sws5s65"]
    assert withdrawn.status is OrgStatus.WITHDRAWN
    assert ("successor", "ror-022c4zk48") in relations(withdrawn)


def test_full_extract_parses_without_problems() -> None:
    if not FULL.is_file():
        pytest.skip(f"{FULL} is absent")
    parsed = parse_ror(FULL)
    assert parsed.problems == []
    orgs = parsed.bundle.organisations
    assert len(orgs) == 51_370
    statuses = Counter(o.status.value for o in orgs)
    assert statuses == {"active": 48_746, "withdrawn": 1_374, "inactive": 1_250}
    # What the loader cleans up in this dump: three records related to themselves and one GRID
    # id that is no GRID id; each told as a warning, and the records still load.
    assert [(w.line, w.id, w.field) for w in parsed.warnings] == [
        (23241, "02ek9wp67", "relationships[4].id"),
        (34295, "05swbnm48", "external_ids[0]"),
        (46904, "038mj2660", "relationships[1].id"),
        (50607, "03r781319", "relationships[1].id"),
    ]
    assert all(w.file == str(FULL) for w in parsed.warnings)
    assert "'100011307' is not a grid identifier" in parsed.warnings[1].message


def _rel(kind: str, ror_id: str) -> dict[str, str]:
    return {"type": kind, "id": f"https://ror.org/{ror_id}", "label": "x"}


def test_hierarchy_links_of_a_withdrawn_record_move_to_its_successor(tmp_path: Path) -> None:
    # As in ROR: the withdrawn MSS duplicate says "TIPA is my child"; TIPA says nothing.
    records = [
        record(
            "03sws5s65",
            status="withdrawn",
            relationships=[
                _rel("child", "02kxx1z36"),
                _rel("parent", "008nkqk13"),
                _rel("child", "03kvhnf06"),  # outside the dump: kept on the successor
                _rel("successor", "022c4zk48"),
            ],
        ),
        record("02kxx1z36"),
        record("022c4zk48", relationships=[_rel("predecessor", "03sws5s65")]),
        record("008nkqk13"),
        # Already links to the withdrawn record itself: redirected, and not doubled.
        record("01bxvfc84", relationships=[_rel("parent", "03sws5s65")]),
    ]
    parsed = parse_ror(write_lines(tmp_path / "d.jsonl", records))
    assert parsed.problems == []
    links = {
        o.id: sorted((r.type.value, r.organisation) for r in o.relations)
        for o in parsed.bundle.organisations
    }
    assert links == {
        "ror-03sws5s65": [("successor", "ror-022c4zk48")],
        "ror-02kxx1z36": [("parent", "ror-022c4zk48")],
        "ror-022c4zk48": [("child", "ror-03kvhnf06"), ("predecessor", "ror-03sws5s65")],
        "ror-008nkqk13": [("child", "ror-022c4zk48")],
        "ror-01bxvfc84": [("parent", "ror-022c4zk48")],
    }
