"""A small CORDIS dump in the real layout, written by the tests: `;`-separated UTF-8 CSV with a
header, quoted where a field holds `;`, `"` or a line break, zipped or as a folder."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from typing import Any

PROJECT_HEADER = [
    "id",
    "acronym",
    "status",
    "title",
    "startDate",
    "endDate",
    "totalCost",
    "ecMaxContribution",
    "legalBasis",
    "topics",
    "ecSignatureDate",
    "frameworkProgramme",
    "masterCall",
    "subCall",
    "fundingScheme",
    "nature",
    "objective",
    "contentUpdateDate",
    "rcn",
    "grantDoi",
]
ORG_HEADER = [
    "projectID",
    "projectAcronym",
    "organisationID",
    "vatNumber",
    "name",
    "shortName",
    "SME",
    "activityType",
    "street",
    "postCode",
    "city",
    "country",
    "nutsCode",
    "geolocation",
    "organizationURL",
    "contactForm",
    "order",
    "role",
    "ecContribution",
    "netEcContribution",
    "totalCost",
    "endOfParticipation",
    "active",
    "contentUpdateDate",
    "rcn",
]
SCIVOC_HEADER = [
    "projectID",
    "euroSciVocCode",
    "euroSciVocPath",
    "euroSciVocTitle",
    "euroSciVocDescription",
]
TOPICS_HEADER = ["projectID", "topic", "title"]

OBJECTIVE = (
    'Digital health for all; a "learning" health system.\n'
    "The consortium builds federated AI on Estonian and Korean health data;\n"
    "second line of the objective."
)

PROJECTS: list[dict[str, str]] = [
    {
        "id": "101057001",
        "acronym": "HEALTHBRIDGE",
        "status": "SIGNED",
        "title": "AI healthcare bridge; Europe and Korea",
        "startDate": "2023-01-01",
        "endDate": "2026-12-31",
        "totalCost": "5000000.50",
        "ecMaxContribution": "4800000",
        "legalBasis": "HORIZON.2.1",
        "topics": "HORIZON-HLTH-2022-TOOL-11-02",
        "ecSignatureDate": "2022-11-15",
        "frameworkProgramme": "HORIZON",
        "fundingScheme": "HORIZON-RIA",
        "objective": OBJECTIVE,
        "contentUpdateDate": "2024-01-05 10:12:13",
    },
    {
        "id": "952001",
        "acronym": "GRIDX",
        "status": "CLOSED",
        "title": "Smart grids",
        "startDate": "2020-03-01",
        "endDate": "2022-02-28",
        "totalCost": "1200000,75",
        "ecMaxContribution": "1000000",
        "topics": "LC-SC3-2020",
        "ecSignatureDate": "2020-02-10",
        "frameworkProgramme": "H2020",
        "fundingScheme": "IA",
        "objective": "Grids.",
    },
]

# projectID, PIC, name, shortName, activityType, city, country, order, role, ecContribution
PARTICIPATIONS: list[tuple[str, ...]] = [
    (
        "101057001",
        "999894237",
        "TARTU ULIKOOL",
        "UT",
        "HES",
        "Tartu",
        "EE",
        "1",
        "coordinator",
        "2000000",
    ),
    (
        "101057001",
        "999842536",
        "TALLINNA TEHNIKAULIKOOL",
        "TalTech",
        "HES",
        "Tallinn",
        "EE",
        "2",
        "participant",
        "1500000",
    ),
    (
        "101057001",
        "906000001",
        "TERVISETEHNOLOOGIATE ARENDUSKESKUS AS",
        "TAK",
        "PRC",
        "Tartu",
        "EE",
        "3",
        "participant",
        "800000",
    ),
    (
        "101057001",
        "906000002",
        "ETHNIKO KAI KAPODISTRIAKO PANEPISTIMIO ATHINON",
        "NKUA",
        "HES",
        "Athina",
        "EL",
        "4",
        "participant",
        "500000",
    ),
    (
        "101057001",
        "906000003",
        "UNIVERSITY OF NEW ENGLAND",
        "",
        "HES",
        "London",
        "UK",
        "5",
        "associatedPartner",
        "0",
    ),
    (
        "952001",
        "999894237",
        "TARTU ULIKOOL",
        "UT",
        "HES",
        "Tartu",
        "EE",
        "1",
        "coordinator",
        "600000",
    ),
    (
        "952001",
        "906000002",
        "ETHNIKO KAI KAPODISTRIAKO PANEPISTIMIO ATHINON",
        "NKUA",
        "HES",
        "Athina",
        "EL",
        "2",
        "participant",
        "400000",
    ),
]
SCIVOC: list[list[str]] = [
    [
        "101057001",
        "/29/105/",
        "/medical and health sciences/health sciences/digital health",
        "digital health",
        "",
    ],
]
TOPICS: list[list[str]] = [["101057001", "HORIZON-HLTH-2022-TOOL-11-02", "AI in health"]]


def participation_rows(rows: list[tuple[str, ...]] | None = None) -> list[dict[str, str]]:
    out = []
    for grant, pic, name, short, activity, city, country, order, role, money in (
        rows if rows is not None else PARTICIPATIONS
    ):
        out.append(
            {
                "projectID": grant,
                "organisationID": pic,
                "name": name,
                "shortName": short,
                "SME": "false",
                "activityType": activity,
                "city": city,
                "country": country,
                "order": order,
                "role": role,
                "ecContribution": money,
                "endOfParticipation": "false",
                "active": "true",
            }
        )
    return out


def table(header: list[str], rows: list[dict[str, str]] | list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(h, "") for h in header] if isinstance(row, dict) else row)
    return out.getvalue()


def tables(**changes: Any) -> dict[str, str]:
    """The dump's files and their text; `changes` replaces whole files (None drops one)."""
    files: dict[str, str] = {
        "project.csv": table(PROJECT_HEADER, PROJECTS),
        "organization.csv": table(ORG_HEADER, participation_rows()),
        "euroSciVoc.csv": table(SCIVOC_HEADER, SCIVOC),
        "topics.csv": table(TOPICS_HEADER, TOPICS),
    }
    for name, text in changes.items():
        key = name.replace("_", ".")
        if text is None:
            files.pop(key, None)
        else:
            files[key] = text
    return files


def write_zip(path: Path, files: dict[str, str] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in (files or tables()).items():
            archive.writestr(name, text.encode("utf-8"))
    return path


def write_folder(path: Path, files: dict[str, str] | None = None) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    for name, text in (files or tables()).items():
        (path / name).write_text(text, encoding="utf-8")
    return path
