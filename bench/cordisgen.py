"""A CORDIS dump of any size in the real layout: project.csv, organization.csv, euroSciVoc.csv
and topics.csv, `;`-separated, quoted where needed (multi-line objectives), zipped.

Full size is ~55,000 projects and ~300,000 participations from ~60,000 PICs (Horizon 2020 and
Horizon Europe together). Participants are drawn with a long tail (a few organisations in
thousands of projects, most in one), and a share of them carry names of real organisations so
that the load matches some against the graph: TARTU ULIKOOL among them.

    python -m bench.cordisgen --projects 55000 --out /tmp/cordis-full.zip
"""

from __future__ import annotations

import argparse
import csv
import itertools
import random
import tempfile
import zipfile
from pathlib import Path
from typing import Any, TextIO

from tests.cordisdump import ORG_HEADER, PROJECT_HEADER, SCIVOC_HEADER, TOPICS_HEADER

FULL_PROJECTS = 55_000
PARTICIPANTS_PER_PROJECT = 5.5  # 300,000 / 55,000
PICS_PER_PROJECT = 60_000 / 55_000
# (name, country, activity type): real names the seeds and ROR know, in CORDIS's spelling.
KNOWN = [
    ("TARTU ULIKOOL", "EE", "HES"),
    ("TALLINNA TEHNIKAULIKOOL", "EE", "HES"),
    ("TALLINNA ULIKOOL", "EE", "HES"),
    ("EESTI MAAULIKOOL", "EE", "HES"),
    ("KOREA ADVANCED INSTITUTE OF SCIENCE AND TECHNOLOGY", "KR", "HES"),
    ("SEOUL NATIONAL UNIVERSITY R&DB FOUNDATION", "KR", "HES"),
]
COUNTRIES = ["DE", "FR", "IT", "ES", "NL", "BE", "EL", "UK", "SE", "AT", "PT", "FI", "DK", "EE",
             "PL", "IE", "CZ", "NO", "CH", "KR"]  # fmt: skip
WEIGHTS = [14, 12, 11, 11, 8, 6, 5, 7, 4, 4, 4, 3, 3, 1, 3, 2, 2, 2, 2, 1]
ACTIVITY = ["HES", "REC", "PRC", "PUB", "OTH"]
ROLES = ["participant"] * 8 + ["associatedPartner", "thirdParty"]
SCHEMES = ["HORIZON-RIA", "HORIZON-IA", "HORIZON-CSA", "ERC-STG", "MSCA-PF", "RIA", "IA"]
FIELDS = [
    "/medical and health sciences/health sciences/public health",
    "/medical and health sciences/health sciences/digital health",
    "/natural sciences/computer and information sciences/artificial intelligence",
    "/engineering and technology/environmental engineering/energy and fuels",
    "/social sciences/economics and business/business and management",
]
WORDS = ["ADVANCED", "SYSTEMS", "NORDIC", "BIO", "DIGITAL", "ENERGY", "HEALTH", "DATA", "GREEN",
         "MARINE", "QUANTUM", "SMART", "CITY", "CLINICAL", "ROBOTICS"]  # fmt: skip
SUFFIX = {"HES": "UNIVERSITY", "REC": "RESEARCH INSTITUTE", "PRC": "GMBH", "PUB": "AGENCY",
          "OTH": "ASSOCIATION"}  # fmt: skip


def _organisations(count: int, rng: random.Random) -> list[tuple[str, str, str, str]]:
    """(PIC, name, country, activity type); the first few real, the rest made up but unique."""
    orgs = [(f"{999_000_000 + i:09d}", *known) for i, known in enumerate(KNOWN)]
    for i in range(len(orgs), count):
        country = rng.choices(COUNTRIES, WEIGHTS)[0]
        activity = rng.choice(ACTIVITY)
        words = " ".join(rng.sample(WORDS, 2))
        orgs.append(
            (f"{900_000_000 + i:09d}", f"{words} {SUFFIX[activity]} {i}", country, activity)
        )
    return orgs


def generate(path: Path, projects: int, seed: int = 7) -> tuple[int, int]:
    """Write the dump; (projects, participations) written."""
    rng = random.Random(seed)
    orgs = _organisations(max(len(KNOWN) + 10, int(projects * PICS_PER_PROJECT)), rng)
    # A long tail: rank r drawn with weight 1/(r+1), so a few PICs are in thousands of projects.
    cumulative = list(itertools.accumulate(1 / (rank + 1) ** 0.9 for rank in range(len(orgs))))
    indexes = range(len(orgs))
    participations = 0
    # A zip takes one member being written at a time: the tables go to files first.
    with tempfile.TemporaryDirectory(dir=path.parent) as folder:
        tables: dict[str, tuple[TextIO, Any, list[str]]] = {}
        for name, header in (
            ("project.csv", PROJECT_HEADER),
            ("organization.csv", ORG_HEADER),
            ("euroSciVoc.csv", SCIVOC_HEADER),
            ("topics.csv", TOPICS_HEADER),
        ):
            text = (Path(folder) / name).open("w", encoding="utf-8", newline="")
            writer = csv.writer(text, delimiter=";", lineterminator="\n")
            writer.writerow(header)
            tables[name] = (text, writer, header)
        for n in range(projects):
            grant = str(101_000_000 + n)
            start_year = rng.randint(2015, 2025)
            programme = "H2020" if start_year < 2021 else "HORIZON"
            topic = f"{programme}-CL{rng.randint(1, 6)}-{start_year}-{rng.randint(1, 40):02d}"
            row = {
                "id": grant,
                "acronym": f"P{n}",
                "status": "CLOSED" if start_year < 2020 else "SIGNED",
                "title": f"Project {n}; {rng.choice(WORDS).lower()} research",
                "startDate": f"{start_year}-{rng.randint(1, 12):02d}-01",
                "endDate": f"{start_year + 3}-{rng.randint(1, 12):02d}-28",
                "totalCost": f"{rng.randint(100_000, 9_000_000)}.{rng.randint(0, 99):02d}",
                "ecMaxContribution": str(rng.randint(100_000, 8_000_000)),
                "topics": topic,
                "ecSignatureDate": f"{start_year - 1}-{rng.randint(1, 12):02d}-15",
                "frameworkProgramme": programme,
                "fundingScheme": rng.choice(SCHEMES),
                "objective": f'Objective of project {n}.\nIt spans lines; and quotes "x".',
            }
            _, project_writer, project_header = tables["project.csv"]
            project_writer.writerow([row.get(h, "") for h in project_header])
            size = max(1, round(rng.expovariate(1 / PARTICIPANTS_PER_PROJECT)))
            members = set(rng.choices(indexes, cum_weights=cumulative, k=size))
            _, org_writer, org_header = tables["organization.csv"]
            for order, index in enumerate(sorted(members), start=1):
                pic, name, country, activity = orgs[index]
                role = "coordinator" if order == 1 else rng.choice(ROLES)
                cells = {
                    "projectID": grant,
                    "organisationID": pic,
                    "name": name,
                    "activityType": activity,
                    "country": country,
                    "city": "",
                    "order": str(order),
                    "role": role,
                    "ecContribution": str(rng.randint(0, 2_000_000)),
                    "endOfParticipation": "false",
                }
                org_writer.writerow([cells.get(h, "") for h in org_header])
                participations += 1
            tables["euroSciVoc.csv"][1].writerow([grant, "/1/", rng.choice(FIELDS), "", ""])
            tables["topics.csv"][1].writerow([grant, topic, "A call topic"])
        for handle, _, _ in tables.values():
            handle.close()
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name in tables:
                archive.write(Path(folder) / name, name)
    return projects, participations


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--projects", type=int, default=FULL_PROJECTS)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    projects, participations = generate(args.out, args.projects, args.seed)
    print(f"wrote {args.out}: {projects:,} projects, {participations:,} participations")


if __name__ == "__main__":
    main()
