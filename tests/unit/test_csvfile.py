"""The CSV parser: every kind parses, and every bad input is located as file:line:column."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from graph.errors import InputError, Problem
from graph.model import Bundle, NameType
from graph.parsed import Location, Parsed
from loaders import csvfile
from loaders.csvcolumns import KINDS
from loaders.csvfile import CSV_PRIORITY, parse_csv
from loaders.seeds import COLLECTIONS
from loaders.sources import parse_path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "csv"
VALID = FIXTURES / "valid"
EXCEL = FIXTURES / "excel" / "2025-q1.organisations.csv"
DOCS = ROOT / "docs" / "csv-format.md"
INJECTION = "'}) DETACH DELETE n //"

ORG_HEADER = "id,kind,name,country,description,topics,source,where,verified"
ORG_ROW = "org-a,technopark,Org A,KR,An organisation,ai-healthcare,src,p. 1,true"
AGR_HEADER = "id,kind,title,signed,valid_from,valid_to,parties,signatories,source"
AGR_ROW = "agr-a,mou,An MoU,2024-06-04,2024-06-04,,org-a;org-b,,src"


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def parse_text(tmp_path: Path, name: str, text: str) -> tuple[Path, Parsed]:
    path = write(tmp_path, name, text)
    return path, parse_csv([path])


def only(parsed: Parsed) -> Problem:
    assert len(parsed.problems) == 1, [str(p) for p in parsed.problems]
    return parsed.problems[0]


def column(header: str, name: str) -> int:
    return header.split(",").index(name) + 1


# --- Valid files -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def valid() -> Parsed:
    return parse_csv(sorted(VALID.glob("*.csv")))


@pytest.fixture(scope="module")
def bundle(valid: Parsed) -> Bundle:
    assert valid.problems == []
    return valid.bundle


def test_every_kind_of_the_model_has_a_csv_format() -> None:
    assert set(KINDS) == set(COLLECTIONS)
    assert all(KINDS[name].model is model for name, model in COLLECTIONS.items())


def test_valid_set_has_every_kind(bundle: Bundle) -> None:
    counts = {name: len(getattr(bundle, name)) for name in KINDS}
    assert counts == {
        "sources": 2,
        "organisations": 4,
        "people": 2,
        "agreements": 1,
        "events": 1,
        "datasets": 1,
        "projects": 2,
    }
    assert bundle.priority == CSV_PRIORITY == 20
    assert bundle.origin.startswith("csv:agreements.csv+")


def test_organisation_columns_land_in_the_nested_model(bundle: Bundle) -> None:
    ut = next(o for o in bundle.organisations if o.id == "university-of-tartu")
    assert [(n.value, n.lang, n.types) for n in ut.names] == [
        ("University of Tartu", "en", [NameType.DISPLAY]),
        ("Tartu Ülikool", "et", [NameType.ALIAS]),
        ("타르투 대학교", "ko", [NameType.ALIAS]),
        ("UT", None, [NameType.ACRONYM]),
    ]
    ids = ut.identifiers
    assert (ids.ror, ids.wikidata, ids.isni) == ("03z77qz90", "Q204181", "0000000109437661")
    assert (ids.grid, ids.fundref, ut.established) == ("grid.10939.32", "501100007821", 1632)
    assert ut.location is not None
    place = ut.location
    assert (place.city, place.country, place.geonames_id) == ("Tartu", "EE", 588335)
    assert (ut.sectors, ut.topics) == (["education"], ["genomics", "ai-healthcare"])
    assert [(c.source, c.where, c.verified) for c in ut.sources] == [
        ("seed-article-2024-06-06", "paragraph 2", True)
    ]
    biobank = next(o for o in bundle.organisations if o.id == "estonian-biobank")
    assert [(r.type, r.organisation) for r in biobank.relations] == [
        ("parent", "university-of-tartu")
    ]
    tsp = next(o for o in bundle.organisations if o.id == "tartu-science-park")
    assert tsp.sources[0].verified is False
    gwtp = next(o for o in bundle.organisations if o.id == "gangwon-technopark")
    assert gwtp.sources[0].verified is True  # an empty cell takes the default


def test_people_positions(bundle: Bundle) -> None:
    heo, kurvits = bundle.people
    (position,) = heo.positions
    assert (position.organisation, position.title) == ("gangwon-technopark", "Head (president)")
    assert position.period is not None
    assert (str(position.period.start), position.period.end) == ("2023-03-01", None)
    # A ':' inside a title stays in the title when no date follows it.
    assert kurvits.positions[0].title == "Director: board member"
    assert kurvits.positions[0].period is None


def test_agreement_parties_and_signatories(bundle: Bundle) -> None:
    (mou,) = bundle.agreements
    assert [(p.organisation, p.role) for p in mou.parties] == [
        ("gangwon-technopark", "lead"),
        ("tartu-science-park", "party"),
    ]
    assert [(s.person, s.on_behalf_of, s.title) for s in mou.signatories] == [
        ("heo-jang-hyeon", "gangwon-technopark", "Head of Gangwon Technopark"),
        ("andrus-kurvits", "tartu-science-park", None),
    ]
    assert mou.validity is not None
    assert str(mou.validity.start) == "2024-06-04"
    assert mou.place is not None
    assert mou.place.city == "Tartu"
    assert mou.purpose is not None
    assert "in practice, and in developing" in mou.purpose


def test_event_participants_and_decisions(bundle: Bundle) -> None:
    (event,) = bundle.events
    assert [(p.organisation, p.person, p.role) for p in event.participants] == [
        ("gangwon-technopark", None, "signatory"),
        ("tartu-science-park", None, "signatory"),
        (None, "heo-jang-hyeon", "signed for Gangwon Technopark"),
        (None, "andrus-kurvits", None),
    ]
    assert event.decisions == [
        "Validate AI-healthcare products in Tartu",
        "develop talent together",
    ]
    assert (event.agreements, event.projects) == (
        ["mou-gwtp-tsp-2024-06-04"],
        ["gangwon-ai-healthcare-special-zone"],
    )


def test_dataset_access_and_project_budget(bundle: Bundle) -> None:
    (data,) = bundle.datasets
    assert (data.modalities, data.individuals) == (["genomic", "ehr"], 200_000)
    assert data.access is not None
    assert data.access.rights == "restricted"
    assert len(data.access.conditions) == 3
    assert data.coverage is not None
    assert data.coverage.startswith("Over 200,000")
    zone, joint = bundle.projects
    assert zone.budget is not None
    assert (zone.budget.amount, zone.budget.currency) == (12_600_000_000, "KRW")
    assert zone.period is not None
    assert str(zone.period.end) == "2028-05-31"
    participants = [
        (p.organisation, p.role, p.period and str(p.period.start)) for p in joint.participants
    ]
    assert participants == [
        ("university-of-tartu", "partner", "2025-01-01"),
        ("gangwon-technopark", "coordinator", None),
    ]
    assert (joint.agreement, joint.part_of, joint.datasets) == (
        "mou-gwtp-tsp-2024-06-04",
        "gangwon-ai-healthcare-special-zone",
        ["estonian-biobank-genomic-data"],
    )


def test_locations_name_file_and_line(valid: Parsed) -> None:
    where = valid.where("organisations", "tartu-science-park")
    assert where == Location(str(VALID / "organisations.csv"), 4)
    assert valid.where("sources", "fnnews-2024-06-04").line == 3


def test_excel_file_with_bom_semicolons_crlf_and_a_cell_over_two_lines() -> None:
    parsed = parse_csv([EXCEL])
    assert parsed.problems == []
    assert parsed.bundle.origin == "csv:2025-q1.organisations.csv"
    founders, civitta = parsed.bundle.organisations
    assert founders.description == (
        "Accelerator for health-tech startups; runs the Health Founders programme."
    )
    assert founders.topics == ["ai-healthcare", "startups"]
    assert founders.sources[0].where == "paragraph 5; table 2"
    assert (founders.sources[0].verified, civitta.sources[0].verified) == (True, False)
    # The first record spans lines 2-3, so the second starts on line 4.
    assert parsed.where("organisations", "civitta").line == 4


def test_origin_is_given_or_named_after_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "2025-q1.organisations.csv", f"{ORG_HEADER}\n{ORG_ROW}\n")
    assert parse_csv([path]).bundle.origin == "csv:2025-q1.organisations.csv"
    assert parse_csv([path], origin="analysts").bundle.origin == "analysts"
    problem = only(parse_csv([path], origin="x" * 201))
    assert "origin must be 1 to 200 characters" in problem.message


def test_list_cells_ignore_spaces_and_empty_items(tmp_path: Path) -> None:
    header = "id,kind,name,aliases,topics,source"
    row = "org-a,company,Org A,Alias One@en ; Alias Two ;;,ai-healthcare; genomics;,src"
    _, parsed = parse_text(tmp_path, "organisations.csv", f"{header}\n{row}\n")
    (org,) = parsed.bundle.organisations
    assert [(n.value, n.lang) for n in org.names[1:]] == [("Alias One", "en"), ("Alias Two", None)]
    assert org.topics == ["ai-healthcare", "genomics"]


def test_sources_sit_in_the_load(tmp_path: Path) -> None:
    sources = write(tmp_path, "sources.csv", "id,title,url\nsrc,A source,https://example.org\n")
    orgs = write(tmp_path, "organisations.csv", f"{ORG_HEADER}\n{ORG_ROW}\n")
    parsed = parse_csv([sources, orgs])
    assert parsed.problems == []
    assert [s.id for s in parsed.bundle.sources] == ["src"]


# --- Files as a whole ------------------------------------------------------------------------


def test_file_name_must_say_the_kind(tmp_path: Path) -> None:
    path, parsed = parse_text(tmp_path, "organisation.csv", f"{ORG_HEADER}\n{ORG_ROW}\n")
    problem = only(parsed)
    assert problem.file == str(path)
    assert "did you mean 'organisations'?" in problem.message


@pytest.mark.parametrize("text", ["", "  \n\n"])
def test_empty_file(tmp_path: Path, text: str) -> None:
    path = tmp_path / "people.csv"
    path.write_text(text, encoding="utf-8")
    problem = only(parse_csv([path]))
    assert (problem.file, problem.line) == (str(path), None)
    assert "file is empty" in problem.message


def test_header_without_rows(tmp_path: Path) -> None:
    _, parsed = parse_text(tmp_path, "people.csv", "id,name,source\n,,\n")
    problem = only(parsed)
    assert (problem.line, problem.message) == (1, "no rows under the header")


def test_bom_is_not_part_of_the_first_column(tmp_path: Path) -> None:
    path = tmp_path / "organisations.csv"
    path.write_bytes(f"\ufeff{ORG_HEADER}\r\n{ORG_ROW}\r\n".encode())
    parsed = parse_csv([path])
    assert parsed.problems == []
    assert parsed.bundle.organisations[0].id == "org-a"


def test_non_utf8_bytes(tmp_path: Path) -> None:
    path = tmp_path / "organisations.csv"
    text = f"{ORG_HEADER}\n{ORG_ROW}\norg-b,company,Tartu Ülikool,EE,,,src,,\n"
    path.write_bytes(text.encode("latin-1"))
    problem = only(parse_csv([path]))
    offset = text.encode("latin-1").index("Ü".encode("latin-1"))
    assert problem.line == 3
    assert f"not UTF-8 text: byte {offset} (0xDC) is invalid" in problem.message


def test_file_over_the_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csvfile, "MAX_FILE_BYTES", 1024 * 1024)
    path = tmp_path / "organisations.csv"
    path.write_bytes(b"x" * (1024 * 1024 + 1))
    problem = only(parse_csv([path]))
    assert problem.message == "file is 1048577 bytes, over the 1 MB limit"


def test_unterminated_quote(tmp_path: Path) -> None:
    text = f'{ORG_HEADER}\n{ORG_ROW}\norg-b,company,"Org B,KR\n,,src,,\n'
    _, parsed = parse_text(tmp_path, "organisations.csv", text)
    problem = only(parsed)
    assert problem.line == 3
    assert "invalid CSV in the record that starts here: unexpected end of data" in problem.message


def test_control_character(tmp_path: Path) -> None:
    text = f"{ORG_HEADER}\n{ORG_ROW}\norg-b,company,Org\x00B,KR,,,src,,\n"
    _, parsed = parse_text(tmp_path, "organisations.csv", text)
    problem = only(parsed)
    assert problem.line == 3
    assert problem.message == "control character U+0000 is not allowed; remove it"


def test_value_under_no_column(tmp_path: Path) -> None:
    text = f"{ORG_HEADER}\n{ORG_ROW},surplus\n"
    _, parsed = parse_text(tmp_path, "organisations.csv", text)
    problem = only(parsed)
    assert (problem.line, problem.column) == (2, 10)
    assert "'surplus'" in problem.message


# --- Header ----------------------------------------------------------------------------------


def test_unknown_column_suggests_the_right_one(tmp_path: Path) -> None:
    header = ORG_HEADER.replace("description", "descripton")
    path, parsed = parse_text(tmp_path, "organisations.csv", f"{header}\n{ORG_ROW}\n")
    problem = only(parsed)
    assert (problem.file, problem.line, problem.column) == (str(path), 1, 5)
    assert problem.field == "descripton"
    assert "unknown column 'descripton'; did you mean 'description'?" in problem.message
    assert str(problem).startswith(f"{path}:1:5 ")


def test_misspelt_required_column_is_reported_once(tmp_path: Path) -> None:
    header = AGR_HEADER.replace("title", "titel")
    _, parsed = parse_text(tmp_path, "agreements.csv", f"{header}\n{AGR_ROW}\n")
    problem = only(parsed)
    assert (problem.line, problem.column, problem.field) == (1, 3, "titel")
    assert "did you mean 'title'?" in problem.message


def test_missing_required_column(tmp_path: Path) -> None:
    header = AGR_HEADER.replace(",parties", "")
    row = AGR_ROW.replace(",org-a;org-b", "")
    _, parsed = parse_text(tmp_path, "agreements.csv", f"{header}\n{row}\n")
    # Reported once for the header, not again for every row.
    problem = only(parsed)
    assert (problem.line, problem.column, problem.field) == (1, None, "parties")
    assert problem.message == "required column 'parties' is missing from the header"


def test_duplicate_column(tmp_path: Path) -> None:
    header = ORG_HEADER + ",Name"
    _, parsed = parse_text(tmp_path, "organisations.csv", f"{header}\n{ORG_ROW},Other\n")
    problem = only(parsed)
    assert (problem.line, problem.column) == (1, 10)
    assert problem.message == "column 'name' appears twice (first as column 3); keep one"


def test_header_is_case_insensitive_and_nameless_empty_columns_are_ignored(
    tmp_path: Path,
) -> None:
    text = f"{ORG_HEADER.upper()},,\n{ORG_ROW},,\n"
    _, parsed = parse_text(tmp_path, "organisations.csv", text)
    assert parsed.problems == []


# --- Cells -----------------------------------------------------------------------------------

ORG = ("organisations.csv", ORG_HEADER, ORG_ROW)
AGR = ("agreements.csv", AGR_HEADER, AGR_ROW)


def org_with(col: str) -> tuple[str, str, str]:
    return ("organisations.csv", f"{ORG_HEADER},{col}", f"{ORG_ROW},")


BAD_CELLS = [
    (*AGR, "signed", "2024-13-45", "(got '2024-13-45')"),
    (*ORG, "kind", "technopak", "did you mean 'technopark'?"),
    (*ORG, "verified", "maybe", "valid boolean"),
    (*ORG, "country", "XX", "not an ISO 3166-1"),
    (*ORG, "topics", "AI Healthcare", "must be a slug"),
    (*org_with("established"), "established", "-5", "greater than or equal to 800"),
    (*org_with("geonames_id"), "geonames_id", "x", "valid integer"),
    (*org_with("aliases"), "aliases", "A@EN", "should match pattern"),
    (*AGR, "signatories", "someone", "person@organisation"),
    (
        "datasets.csv",
        "id,title,holder,modalities,individuals,source",
        "d,D,org-a,genomic,1,src",
        "individuals",
        "-3",
        "greater than or equal to 0",
    ),
    ("people.csv", "id,name,positions,source", "p,P,,src", "positions", "org-a", "title"),
]


@pytest.mark.parametrize(
    ("name", "header", "row", "col", "value", "expected"), BAD_CELLS, ids=[c[3] for c in BAD_CELLS]
)
def test_bad_cell_is_located(
    tmp_path: Path, name: str, header: str, row: str, col: str, value: str, expected: str
) -> None:
    cells = row.split(",")
    cells[column(header, col) - 1] = value
    path, parsed = parse_text(tmp_path, name, f"{header}\n{','.join(cells)}\n")
    problem = only(parsed)
    assert (problem.file, problem.line, problem.column, problem.field) == (
        str(path),
        2,
        column(header, col),
        col,
    )
    assert problem.id == cells[0]
    assert expected in problem.message


def test_end_before_start_names_both_columns(tmp_path: Path) -> None:
    row = AGR_ROW.replace("2024-06-04,2024-06-04,", "2024-06-04,2025-01-01,2024-12-31")
    _, parsed = parse_text(tmp_path, "agreements.csv", f"{AGR_HEADER}\n{row}\n")
    problem = only(parsed)
    assert (problem.line, problem.column, problem.field) == (2, None, "valid_from, valid_to")
    assert problem.message == "end 2024-12-31 is before start 2025-01-01"


def test_row_level_rule_has_a_line_and_no_column(tmp_path: Path) -> None:
    row = AGR_ROW.replace("org-a;org-b", "org-a")
    _, parsed = parse_text(tmp_path, "agreements.csv", f"{AGR_HEADER}\n{row}\n")
    problem = only(parsed)
    assert (problem.line, problem.column, problem.field) == (2, None, None)
    assert "at least two distinct parties" in problem.message


def test_empty_required_cell(tmp_path: Path) -> None:
    row = ORG_ROW.replace("Org A", "")
    _, parsed = parse_text(tmp_path, "organisations.csv", f"{ORG_HEADER}\n{row}\n")
    problem = only(parsed)
    assert (problem.line, problem.column) == (2, 3)
    assert problem.message == "name is empty, but it is required"


def test_place_needs_a_country(tmp_path: Path) -> None:
    header = AGR_HEADER + ",place_city,place_country"
    _, parsed = parse_text(tmp_path, "agreements.csv", f"{header}\n{AGR_ROW},Tartu,\n")
    problem = only(parsed)
    assert (problem.column, problem.field) == (11, "place_country")
    assert problem.message == "place_country is empty, but it is needed when place_city is given"


def test_quoted_cells_with_commas_and_newlines_keep_line_numbers(tmp_path: Path) -> None:
    text = (
        f"{ORG_HEADER}\n"
        'org-a,technopark,"Org, A",KR,"line one\nline two, with a comma\n""quoted""",,src,,\n'
        "org-b,company,Org B,KR,,,src,,\n"
        "org-c,company,Org C,KR,,,src,,perhaps\n"
    )
    _, parsed = parse_text(tmp_path, "organisations.csv", text)
    problem = only(parsed)
    assert (problem.line, problem.column, problem.id) == (6, 9, "org-c")
    a, _ = parsed.bundle.organisations
    assert a.name == "Org, A"
    assert a.description == 'line one line two, with a comma "quoted"'
    assert parsed.where("organisations", "org-b").line == 5


def test_duplicate_ids_within_and_across_files(tmp_path: Path) -> None:
    orgs = write(tmp_path, "organisations.csv", f"{ORG_HEADER}\n{ORG_ROW}\n{ORG_ROW}\n")
    people = write(tmp_path, "people.csv", "id,name,source\norg-a,A Person,src\n")
    parsed = parse_csv([orgs, people])
    first, second = parsed.problems
    assert (first.file, first.line, first.column) == (str(orgs), 3, 1)
    assert f"already used by organisations at {orgs}:2" in first.message
    assert (second.file, second.line, second.id) == (str(people), 2, "org-a")
    assert f"already used by organisations at {orgs}:2" in second.message
    assert len(parsed.bundle.organisations) == 1


def test_unicode_traps_are_cleaned_in_text(tmp_path: Path) -> None:
    nfd = "Tartu U\u0308likool"
    hidden = "\u200fOrg\u200b \u202aB\u202c"
    text = f"{ORG_HEADER}\norg-a,university,{nfd},EE,,,src,,\norg-b,company,{hidden},EE,,,src,,\n"
    _, parsed = parse_text(tmp_path, "organisations.csv", text)
    assert parsed.problems == []
    assert [o.name for o in parsed.bundle.organisations] == ["Tartu Ülikool", "Org B"]


def test_invisible_characters_in_an_id_are_refused(tmp_path: Path) -> None:
    row = ORG_ROW.replace("org-a", "org\u200b-a", 1)
    _, parsed = parse_text(tmp_path, "organisations.csv", f"{ORG_HEADER}\n{row}\n")
    problem = only(parsed)
    assert (problem.column, problem.field) == (1, "id")
    assert "must be a slug" in problem.message


def test_cypher_shaped_text_is_text_but_not_an_id(tmp_path: Path) -> None:
    quoted = '"' + INJECTION.replace('"', '""') + '"'
    text = (
        f"{ORG_HEADER}\n"
        f"org-a,company,{quoted},KR,{quoted},,src,{quoted},\n"
        f"{quoted},company,Org B,KR,,,src,,\n"
        f"org-c,company,Org C,KR,,,{quoted},,\n"
    )
    _, parsed = parse_text(tmp_path, "organisations.csv", text)
    (org,) = parsed.bundle.organisations
    assert org.name == org.description == org.sources[0].where == INJECTION
    id_problem, source_problem = parsed.problems
    assert (id_problem.line, id_problem.field) == (3, "id")
    assert (source_problem.line, source_problem.field) == (4, "source")
    assert all("must be a slug" in p.message for p in parsed.problems)


def test_every_problem_of_two_files_is_reported(tmp_path: Path) -> None:
    orgs_text = f"{ORG_HEADER},wrong\n{ORG_ROW},\norg-b,kind-x,Org B,ZZ,,,src,,\n"
    orgs = write(tmp_path, "organisations.csv", orgs_text)
    bad_date = "agr-b,mou,An MoU,2024-02-30,,,org-a;org-b,,src"
    agreements_text = f"{AGR_HEADER}\n{AGR_ROW}\n{AGR_ROW}\n{bad_date}\n"
    agreements = write(tmp_path, "x.agreements.csv", agreements_text)
    parsed = parse_csv([orgs, agreements])
    located = [(Path(p.file).name, p.line, p.column, p.field) for p in parsed.problems]
    assert located == [
        ("organisations.csv", 1, 10, "wrong"),
        ("organisations.csv", 3, 2, "kind"),
        ("organisations.csv", 3, 4, "country"),
        ("x.agreements.csv", 3, 1, "id"),  # agr-a twice
        ("x.agreements.csv", 4, 4, "signed"),
    ]


# --- Wiring and documentation ----------------------------------------------------------------


def test_parse_path_reads_csv_files_and_directories(tmp_path: Path) -> None:
    single = parse_path(VALID / "organisations.csv")
    assert [u.bundle.origin for u in single] == ["csv:organisations.csv"]
    (unit,) = parse_path(VALID)
    assert (unit.bundle.origin, unit.problems) == ("csv:valid", [])
    assert len(unit.bundle.people) == 2
    (named,) = parse_path(VALID, origin="analysts")
    assert named.bundle.origin == "analysts"
    other = write(tmp_path, "notes.txt", "hello")
    (unusable,) = parse_path(other)
    assert "analysts' CSV files" in unusable.problems[0].message


def test_seed_directory_with_csv_files_stays_a_seed(tmp_path: Path) -> None:
    seed = ROOT / "tests" / "fixtures" / "seeds" / "minimal"
    for item in seed.iterdir():
        (tmp_path / item.name).write_bytes(item.read_bytes())
    write(tmp_path, "organisations.csv", f"{ORG_HEADER}\n{ORG_ROW}\n")
    (unit,) = parse_path(tmp_path)
    assert unit.bundle.origin == "minimal"


def _doc_examples() -> dict[str, str]:
    text = DOCS.read_text(encoding="utf-8")
    blocks = re.findall(r"^### `(\w+\.csv)`\n.*?```csv\n(.*?)```", text, re.MULTILINE | re.DOTALL)
    return dict(blocks)


def test_docs_examples_parse_without_problems(tmp_path: Path) -> None:
    examples = _doc_examples()
    assert set(examples) == {f"{kind}.csv" for kind in KINDS}
    paths = [write(tmp_path, name, text) for name, text in examples.items()]
    parsed = parse_csv(paths)
    assert parsed.problems == []
    assert all(getattr(parsed.bundle, kind) for kind in KINDS)


def test_docs_name_every_column() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for kind in KINDS.values():
        for col in kind.names:
            shown = col.removeprefix("place_")
            assert f"`{col}`" in text or f"`{shown}`" in text, (kind.collection, col)


def test_a_file_broken_throughout_stops_after_a_bounded_number_of_problems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(csvfile, "MAX_PROBLEMS", 5)
    rows = "\n".join(f"org-{i},notakind,Org {i},XX,,,src,," for i in range(200))
    path, parsed = parse_text(tmp_path, "organisations.csv", f"{ORG_HEADER}\n{rows}\n")
    # Two problems per row (kind, country): the cap is passed on the third row, then it stops.
    assert len(parsed.problems) == 7
    assert parsed.problems[-1] == Problem(
        str(path), "stopped after 5 problems: fix these and load again", line=5
    )
    assert {p.line for p in parsed.problems[:-1]} == {2, 3, 4}


def test_the_error_message_lists_the_first_problems_then_counts() -> None:
    problems = [Problem("f.csv", "bad", line=n) for n in range(2, 2 + InputError.SHOWN + 7)]
    message = InputError(problems).message
    assert message.count("f.csv:") == InputError.SHOWN
    assert message.splitlines()[-1] == "  ... and 7 more"
    assert message.startswith(f"{InputError.SHOWN + 7} problem(s)")


# --- Organisations named by free text (`_by_name` columns) ------------------------------------

DS_HEADER = "id,title,holder_by_name,modalities,country,source"


def test_a_by_name_cell_records_each_name_where_it_stands(tmp_path: Path) -> None:
    header = "id,kind,title,parties,parties_by_name,signatories_by_name,source"
    row = (
        'agr-a,mou,An MoU,org-a:lead,"Univ. of Tartu; Tartu  Ülikool:witness",p@Univ. of Tartu,src'
    )
    path, parsed = parse_text(tmp_path, "agreements.csv", f"{header}\n{row}\n")
    assert parsed.problems == []
    (agreement,) = parsed.bundle.agreements
    ut, ulikool, signatory = parsed.names
    # Ids and names feed one list of parties; each name stands as its placeholder.
    assert [(p.organisation, p.role) for p in agreement.parties] == [
        ("org-a", "lead"),
        (ut.placeholder, "party"),
        (ulikool.placeholder, "witness"),
    ]
    assert (ut.text, ulikool.text, signatory.text) == (
        "Univ. of Tartu",
        "Tartu Ülikool",
        "Univ. of Tartu",
    )
    assert (ut.file, ut.line, ut.column, ut.field, ut.record) == (
        str(path),
        2,
        5,
        "parties_by_name",
        "agreements:agr-a",
    )
    assert (signatory.column, signatory.field) == (6, "signatories_by_name")
    # The same text in the same row is one placeholder: a signatory's organisation is a party.
    assert agreement.signatories[0].on_behalf_of == ut.placeholder == signatory.placeholder
    assert ut.country is None  # an agreement's place says nothing of its parties' countries


def test_a_name_takes_the_rows_country_as_a_hint(tmp_path: Path) -> None:
    rows = "ds-a,Data,Tartu Ülikool,survey,ee,src\nds-b,Data,Tartu Ülikool,survey,,src\n"
    _, parsed = parse_text(tmp_path, "datasets.csv", f"{DS_HEADER}\n{rows}")
    assert parsed.problems == []
    a, b = parsed.names
    assert (a.country, b.country) == ("EE", None)
    # One placeholder per text and hint: the two may match different organisations.
    assert a.placeholder != b.placeholder
    assert [d.holder for d in parsed.bundle.datasets] == [a.placeholder, b.placeholder]


def test_placeholders_are_valid_ids_and_stable() -> None:
    ref = csvfile.placeholder("Univ. of Tartu", "EE")
    assert ref == csvfile.placeholder("Univ. of Tartu", "EE")
    assert re.fullmatch(r"named-univ-of-tartu-[0-9a-f]{10}", ref)
    korean = csvfile.placeholder("타르투 대학교", None)
    assert re.fullmatch(r"named-[0-9a-f]{10}", korean)
    long_one = csvfile.placeholder("x" * 500, None)
    assert len(long_one) <= 120
    assert re.fullmatch(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?", long_one)


def test_a_required_reference_may_be_given_by_name_but_not_both_ways(tmp_path: Path) -> None:
    header = "id,title,holder,holder_by_name,modalities,source"
    rows = (
        "ds-a,Data,,Tartu Ülikool,survey,src\n"
        "ds-b,Data,org-a,Tartu Ülikool,survey,src\n"
        "ds-c,Data,,,survey,src\n"
    )
    _, parsed = parse_text(tmp_path, "datasets.csv", f"{header}\n{rows}")
    both, neither = parsed.problems
    assert (both.line, both.column, both.field) == (3, 4, "holder_by_name")
    assert both.message == "give holder or holder_by_name, not both"
    assert (neither.line, neither.column) == (4, 3)
    assert neither.message == "holder is empty, but it is required (or holder_by_name)"
    # Only the valid row's name is kept for matching.
    assert [n.record for n in parsed.names] == ["datasets:ds-a"]


def test_a_header_with_only_the_by_name_column_has_the_required_column(tmp_path: Path) -> None:
    _, parsed = parse_text(tmp_path, "datasets.csv", f"{DS_HEADER}\nds-a,Data,UT,survey,,src\n")
    assert parsed.problems == []
    header = DS_HEADER.replace("holder_by_name,", "")
    _, missing = parse_text(tmp_path, "datasets.csv", f"{header}\nds-a,Data,survey,,src\n")
    assert only(missing).message == "required column 'holder' is missing from the header"


def test_an_empty_name_is_located(tmp_path: Path) -> None:
    header = "id,kind,title,parties_by_name,source"
    _, parsed = parse_text(tmp_path, "agreements.csv", f"{header}\nagr-a,mou,T,Org A;:lead,src\n")
    problem = only(parsed)
    assert (problem.line, problem.column, problem.field) == (2, 4, "parties_by_name")
    assert problem.message == "an organisation name is empty"
    assert parsed.names == []


def test_every_organisation_reference_has_a_by_name_twin() -> None:
    twins = {
        kind: sorted(c.name for c in spec.columns if c.twin_of) for kind, spec in KINDS.items()
    }
    assert twins == {
        "sources": [],
        "organisations": sorted(
            f"{t}_by_name"
            for t in ("parent", "child", "successor", "predecessor", "related", "founder")
        ),
        "people": ["positions_by_name"],
        "agreements": ["parties_by_name", "signatories_by_name"],
        "events": ["organisations_by_name"],
        "datasets": ["access_body_by_name", "holder_by_name"],
        "projects": ["participants_by_name"],
    }


def test_organisation_relations_and_positions_by_name(tmp_path: Path) -> None:
    org = write(
        tmp_path,
        "organisations.csv",
        f"{ORG_HEADER},parent_by_name\n{ORG_ROW},Gangwon Technopark\n",
    )
    people = write(
        tmp_path,
        "people.csv",
        "id,name,positions_by_name,source\nkim,Kim,Univ. of Tartu:Professor: AI:2020-01-01,src\n",
    )
    parsed = parse_csv([org, people])
    assert parsed.problems == []
    parent, position = parsed.names
    (organisation,) = parsed.bundle.organisations
    assert [(r.type, r.organisation) for r in organisation.relations] == [
        ("parent", parent.placeholder)
    ]
    assert parent.country == "KR"  # the organisation's own country
    (person,) = parsed.bundle.people
    assert (person.positions[0].organisation, person.positions[0].title) == (
        position.placeholder,
        "Professor: AI",
    )
    assert position.text == "Univ. of Tartu"
