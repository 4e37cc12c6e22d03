"""The CORDIS parser without Neo4j: the real layout (quoted multi-line fields, `;` in quotes,
columns by name), the EU's country codes, citations of dump and row, and every bad input
refused with file, line and column, nothing kept (or, skipping, the bad rows listed)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from graph.errors import InputError, Problem
from graph.parsed import Parsed
from loaders.cordis import parse_cordis
from loaders.cordisfiles import open_dump, read_table
from loaders.sources import parse_path
from tests.cordisdump import (
    ORG_HEADER,
    PROJECT_HEADER,
    PROJECTS,
    participation_rows,
    table,
    tables,
    write_folder,
    write_zip,
)

ZIP = "cordis-HORIZONprojects-csv.zip"


def parse(tmp_path: Path, skip: bool = False, **changes: str | None) -> Parsed:
    return parse_cordis(write_zip(tmp_path / ZIP, tables(**changes)), skip_bad_rows=skip)


def only(parsed: Parsed) -> Problem:
    assert len(parsed.problems) == 1, parsed.problems
    assert parsed.bundle.projects == []
    assert parsed.bundle.organisations == []
    return parsed.problems[0]


def test_a_zip_and_its_folder_parse_alike_through_parse_path(tmp_path: Path) -> None:
    (zipped,) = parse_path(write_zip(tmp_path / ZIP))
    (folder,) = parse_path(write_folder(tmp_path / "unzipped"))
    assert zipped.problems == folder.problems == []

    # The same records; only the source (named after the file or folder) differs.
    def facts(parsed: Parsed) -> list[dict[str, object]]:
        return [
            p.model_dump(exclude={"sources": True, "participants": {"__all__": {"sources"}}})
            for p in parsed.bundle.projects
        ]

    assert facts(zipped) == facts(folder)
    assert folder.bundle.sources[0].id == "cordis-unzipped"
    assert zipped.bundle.origin == f"cordis:{ZIP}"
    assert {p.id for p in zipped.bundle.projects} == {"cordis-101057001", "cordis-952001"}


def test_quoted_fields_keep_their_semicolons_quotes_and_lines(tmp_path: Path) -> None:
    parsed = parse(tmp_path)
    assert parsed.problems == []
    assert parsed.warnings == []
    first, second = parsed.bundle.projects
    assert first.title == "AI healthcare bridge; Europe and Korea"
    assert first.description is not None
    assert first.description.startswith('Digital health for all; a "learning" health system. ')
    assert first.description.endswith("second line of the objective.")
    # The objective spans lines 2-4: the next project's row starts at line 5.
    assert second.sources[0].where == "project.csv line 5, project 952001"
    assert parsed.where("projects", "cordis-952001").line == 5


def test_projects_have_dates_money_programme_topics_and_agreement(tmp_path: Path) -> None:
    first, second = parse(tmp_path).bundle.projects
    assert first.period is not None
    assert str(first.period.start) == "2023-01-01"
    assert first.budget is not None
    assert first.budget.amount == 5000000.5
    assert first.contribution is not None
    assert first.contribution.currency == "EUR"
    assert (first.programme, first.funding_scheme, first.acronym) == (
        "HORIZON",
        "HORIZON-RIA",
        "HEALTHBRIDGE",
    )
    assert first.topics == [
        "horizon-hlth-2022-tool-11-02",
        "medical-and-health-sciences",
        "health-sciences",
        "digital-health",
    ]
    assert first.agreement == "grant-agreement-101057001"
    # A decimal comma, as older files write amounts.
    assert second.budget is not None
    assert second.budget.amount == 1200000.75
    assert (first.status.value, second.status.value) == ("active", "completed")


def test_participations_have_role_order_contribution_and_cite_their_row(tmp_path: Path) -> None:
    parsed = parse(tmp_path)
    first = parsed.bundle.projects[0]
    coordinator = first.participants[0]
    assert coordinator.organisation == "named-pic-999894237"
    assert (coordinator.role.value, coordinator.order, coordinator.ended) == (
        "coordinator",
        1,
        False,
    )
    assert coordinator.contribution is not None
    assert coordinator.contribution.amount == 2000000
    assert coordinator.sources[0].where == (
        "organization.csv line 2, project 101057001, PIC 999894237"
    )
    assert [p.role.value for p in first.participants][-1] == "associated_partner"
    (agreement, _) = parsed.bundle.agreements
    assert str(agreement.signed) == "2022-11-15"
    # Beneficiaries are the parties; the associated partner is not.
    assert [p.role.value for p in agreement.parties] == ["lead", "party", "party", "party"]
    named = {(n.text, n.country, n.fallback) for n in parsed.names}
    assert ("TARTU ULIKOOL", "EE", "pic-999894237") in named


def test_eu_country_codes_become_iso_ones(tmp_path: Path) -> None:
    orgs = {o.identifiers.pic: o for o in parse(tmp_path).bundle.organisations}
    assert orgs["906000002"].location is not None
    assert orgs["906000002"].location.country == "GR"
    assert orgs["906000003"].location is not None
    assert orgs["906000003"].location.country == "GB"
    # One record per PIC however many projects it is in.
    assert len(orgs) == 5
    assert orgs["999894237"].id == "pic-999894237"
    assert orgs["999894237"].kind.value == "university"


def test_columns_are_found_by_name_and_unknown_ones_ignored(tmp_path: Path) -> None:
    header = ["extra", *reversed(PROJECT_HEADER)]
    rows = [{"extra": "x", **row} for row in PROJECTS]
    parsed = parse(tmp_path, project_csv=table(header, rows))
    assert parsed.problems == []
    (tmp_path / "again").mkdir()
    assert parsed.bundle.projects == parse(tmp_path / "again").bundle.projects


@pytest.mark.parametrize(
    ("file", "column"),
    [("project.csv", "startDate"), ("organization.csv", "organisationID")],
)
def test_a_missing_required_column_names_file_and_column(
    tmp_path: Path, file: str, column: str
) -> None:
    header = PROJECT_HEADER if file == "project.csv" else ORG_HEADER
    rows = PROJECTS if file == "project.csv" else participation_rows()
    text = table([h for h in header if h != column], rows)
    changes: dict[str, str | None] = {file.replace(".", "_"): text}
    problem = only(parse_cordis(write_zip(tmp_path / ZIP, tables(**changes))))
    assert problem.file == f"{ZIP}/{file}"
    assert (problem.line, problem.field) == (1, column)
    assert "required column" in problem.message


def _org_text(**change: str) -> str:
    rows = participation_rows()
    rows[1] = {**rows[1], **change}
    return table(ORG_HEADER, rows)


@pytest.mark.parametrize(
    ("change", "column", "words"),
    [
        ({"projectID": "123"}, "projectID", "not a project of project.csv"),
        ({"country": "XX"}, "country", "not a country code"),
        ({"ecContribution": "12k"}, "ecContribution", "not an amount"),
        ({"role": "boss"}, "role", "none of"),
        ({"organisationID": "12"}, "organisationID", "not a PIC"),
    ],
)
def test_a_bad_participation_is_refused_at_its_line_and_column(
    tmp_path: Path, change: dict[str, str], column: str, words: str
) -> None:
    problem = only(parse(tmp_path, organization_csv=_org_text(**change)))
    assert problem.file == f"{ZIP}/organization.csv"
    assert (problem.line, problem.field) == (3, column)
    assert problem.column == ORG_HEADER.index(column) + 1
    assert words in problem.message


def test_a_malformed_date_is_refused_at_its_line_and_column(tmp_path: Path) -> None:
    rows = [dict(PROJECTS[0]), {**PROJECTS[1], "startDate": "01/03/2020"}]
    problem = only(parse(tmp_path, project_csv=table(PROJECT_HEADER, rows)))
    assert (problem.line, problem.field, problem.id) == (5, "startDate", "952001")
    assert problem.column == PROJECT_HEADER.index("startDate") + 1
    assert "not a date" in problem.message


def test_skipping_loads_the_rest_and_lists_the_rows_left_out(tmp_path: Path) -> None:
    parsed = parse(tmp_path, skip=True, organization_csv=_org_text(projectID="123"))
    assert parsed.problems == []
    (warning,) = parsed.warnings
    assert (warning.line, warning.field) == (3, "projectID")
    orgs = {o.identifiers.pic for o in parsed.bundle.organisations}
    assert "999842536" not in orgs
    assert len(orgs) == 4


def test_broken_zip_and_other_files_are_not_cordis_dumps(tmp_path: Path) -> None:
    broken = tmp_path / ZIP
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    (parsed,) = parse_path(broken)
    assert "not a readable zip file" in only(parsed).message
    other = tmp_path / "cordis-other.zip"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("readme.txt", "hello")
    problem = only(parse_cordis(other))
    assert "not a CORDIS dump: no project.csv" in problem.message
    assert "readme.txt" in problem.message


def test_a_dump_without_organisations_is_refused(tmp_path: Path) -> None:
    problem = only(parse(tmp_path, organization_csv=None))
    assert "organization.csv is missing" in problem.message


def test_broken_csv_says_where_the_record_starts(tmp_path: Path) -> None:
    text = table(PROJECT_HEADER, PROJECTS) + '101;"unclosed;SIGNED\n'
    problem = only(parse(tmp_path, project_csv=text))
    assert problem.file == f"{ZIP}/project.csv"
    assert problem.line == 6
    assert "invalid CSV" in problem.message


def test_reads_are_bounded_by_line_length_and_decompressed_size(tmp_path: Path) -> None:
    dump = open_dump(write_zip(tmp_path / ZIP))
    assert not isinstance(dump, Problem)
    with pytest.raises(InputError) as long_line:
        list(read_table(dump, "project.csv", ("id",), ("id",), max_line=100))
    assert long_line.value.problems[0].line == 1
    assert "over 100 characters" in long_line.value.problems[0].message
    with pytest.raises(InputError) as too_big:
        list(read_table(dump, "organization.csv", ("projectID",), (), max_bytes=1000))
    assert "once decompressed" in too_big.value.problems[0].message


def test_not_utf8_is_refused_with_its_line(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "unzipped")
    text = (folder / "organization.csv").read_bytes()
    (folder / "organization.csv").write_bytes(text.replace(b"Tartu", b"Tart\xfc", 1))
    (parsed,) = parse_path(folder)
    problem = only(parsed)
    assert problem.file == "unzipped/organization.csv"
    assert "not UTF-8" in problem.message
