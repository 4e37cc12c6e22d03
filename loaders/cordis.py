"""The CORDIS parser: the EU's project dumps (Horizon Europe, Horizon 2020) -> a Bundle.

Each project becomes a Project (dates, status, budget, programme, scheme, topics) and the grant
agreement it runs under (signed on ecSignatureDate, its beneficiaries the parties); each row of
organization.csv a participation with role, order, EU contribution and whether it ended. A
participant is named by its registered name and country, with its PIC: the write path links it
to the organisation the graph knows by that PIC, else to the one the matcher is sure of (which
then holds the PIC too), else writes the fallback record `pic-<PIC>` (graph.ingest.byname).
Every record cites the dump and the row it came from.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from graph.errors import CellError, InputError, Problem
from graph.model import (
    Agreement,
    Bundle,
    Citation,
    Organisation,
    Project,
    Source,
    clean_text,
)
from graph.parsed import Location, NamedOrganisation, Parsed
from loaders.cordiscells import (
    CORDIS_PRIORITY,
    DESCRIPTION_CHARS,
    KINDS,
    ORG_COLUMNS,
    ORG_REQUIRED,
    PIC,
    PROJECT_COLUMNS,
    PROJECT_REQUIRED,
    ROLES,
    SIGNING,
    STATUS,
    agreement_id,
    amount,
    country,
    date,
    eur,
    org_id,
    placeholder,
    project_id,
    slug,
    website,
)
from loaders.cordisfiles import Dump, Row, open_dump, read_table
from loaders.problems import MAX_PROBLEMS, stopped


@dataclass(slots=True)
class _Org:
    """One participant (one PIC), as its first row registered it."""

    pic: str
    row: Row
    name: str
    country: str | None
    record: Organisation | None = None


@dataclass(slots=True)
class _Reader:
    dump: Dump
    source: Source
    skip: bool
    problems: list[Problem] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)
    projects: dict[str, dict[str, Any]] = field(default_factory=dict)  # grant -> record data
    project_rows: dict[str, Row] = field(default_factory=dict)
    refused: dict[str, Row] = field(default_factory=dict)  # projects with a problem, by id
    topics: dict[str, list[str]] = field(default_factory=dict)
    orgs: dict[str, _Org] = field(default_factory=dict)
    names: list[NamedOrganisation] = field(default_factory=list)
    locations: dict[str, Location] = field(default_factory=dict)

    def bad(self, problem: Problem) -> None:
        (self.skipped if self.skip else self.problems).append(problem)

    def full(self) -> bool:
        return len(self.problems) >= MAX_PROBLEMS

    def cite(self, row: Row, grant: str, extra: str = "") -> list[Citation]:
        table = row.file.rsplit("/", 1)[-1]
        where = f"{table} line {row.line}, project {grant}{extra}"
        return [Citation(source=self.source.id, where=where)]

    def rows(self, table: str, wanted: tuple[str, ...], required: tuple[str, ...]) -> Iterator[Row]:
        try:
            for row in read_table(self.dump, table, wanted, required):
                if self.full():
                    self.problems.append(stopped(row.file, MAX_PROBLEMS, row.line))
                    return
                yield row
        except InputError as exc:
            self.problems += exc.problems

    # --- project.csv ---------------------------------------------------------------------

    def read_projects(self) -> None:
        for row in self.rows("project.csv", PROJECT_COLUMNS, PROJECT_REQUIRED):
            grant = row.cells["id"]
            try:
                data = self._project(row, grant)
            except CellError as exc:
                self.bad(row.problem(str(exc), exc.column, grant or None))
                self.refused.setdefault(grant, row)
                continue
            if grant in self.projects:
                first = self.project_rows[grant].line
                self.bad(
                    row.problem(
                        f"project {grant} appears twice (first at line {first})", "id", grant
                    )
                )
                continue
            self.projects[grant] = data
            self.project_rows[grant] = row

    def _project(self, row: Row, grant: str) -> dict[str, Any]:
        if not grant.isdigit():
            raise CellError(f"id {grant!r} is not a grant agreement number", "id")
        status = row.cells["status"].upper()
        if status not in STATUS:
            raise CellError(f"status {status!r} is none of {', '.join(STATUS)}", "status")
        start, end = date(row, "startDate"), date(row, "endDate")
        if start and end and end < start:
            raise CellError(f"endDate {end} is before startDate {start}", "endDate")
        signed = date(row, "ecSignatureDate")
        budget, contribution = amount(row, "totalCost"), amount(row, "ecMaxContribution")
        description = clean_text(row.cells.get("objective", "")) or None
        if description and len(description) > DESCRIPTION_CHARS:
            description = description[: DESCRIPTION_CHARS - 1].rsplit(" ", 1)[0] + "…"
        topics = [slug(t) for t in row.cells.get("topics", "").split(",") if slug(t)]
        return {
            "status": status,
            "signed": signed,
            "project": {
                "id": project_id(grant),
                "kind": "joint_rnd",
                "title": row.cells["title"],
                "acronym": row.cells.get("acronym") or None,
                "description": description,
                "status": STATUS[status][0],
                "period": {"start": start, "end": end},
                "budget": eur(budget),
                "contribution": eur(contribution),
                "programme": row.cells.get("frameworkProgramme") or None,
                "funding_scheme": row.cells.get("fundingScheme") or None,
                "topics": topics,
                "participants": [],
                "sources": self.cite(row, grant),
            },
            "parties": [],
        }

    # --- topics.csv and euroSciVoc.csv ---------------------------------------------------

    def read_topics(self) -> None:
        tables = (
            ("topics.csv", ("projectID", "topic"), ("topic",)),
            (
                "euroSciVoc.csv",
                ("projectID", "euroSciVocPath", "euroSciVocTitle"),
                ("euroSciVocPath", "euroSciVocTitle"),
            ),
        )
        for table, wanted, values in tables:
            if not self.dump.has(table):
                continue
            for row in self.rows(table, wanted, ("projectID", values[0])):
                grant = row.cells["projectID"]
                if grant not in self.projects:
                    self._unknown_project(row, grant)
                    continue
                found = self.topics.setdefault(grant, [])
                for column in values:
                    # A field's path (/medical and health sciences/health sciences/public
                    # health): each level is a topic, so broader questions find it too.
                    for part in row.cells.get(column, "").split("/"):
                        if (topic := slug(part)) and topic not in found:
                            found.append(topic)

    def _unknown_project(self, row: Row, grant: str) -> None:
        if grant in self.refused:
            # Its project's problem is reported already; skipping, the row goes with it.
            if self.skip:
                line = self.refused[grant].line
                message = f"left out with its project {grant} (project.csv line {line})"
                self.skipped.append(row.problem(message, "projectID", grant))
            return
        table = row.file.rsplit("/", 1)[-1]
        message = f"projectID {grant!r} is not a project of project.csv; {table} rows name one"
        self.bad(row.problem(message, "projectID", grant or None))

    # --- organization.csv ----------------------------------------------------------------

    def read_participations(self) -> None:
        if not self.dump.has("organization.csv"):
            message = "not a whole CORDIS dump: organization.csv is missing"
            self.problems.append(Problem(str(self.dump.path), message))
            return
        for row in self.rows("organization.csv", ORG_COLUMNS, ORG_REQUIRED):
            grant = row.cells["projectID"]
            if grant not in self.projects:
                self._unknown_project(row, grant)
                continue
            try:
                self._participation(row, grant)
            except CellError as exc:
                self.bad(row.problem(str(exc), exc.column, grant))

    def _participation(self, row: Row, grant: str) -> None:
        pic = row.cells["organisationID"]
        if not PIC.match(pic):
            raise CellError(f"organisationID {pic!r} is not a PIC (9 digits)", "organisationID")
        role = ROLES.get(row.cells["role"].lower())
        if role is None:
            raise CellError(f"role {row.cells['role']!r} is none of {', '.join(ROLES)}", "role")
        name = clean_text(row.cells["name"])
        if not name:
            raise CellError("name is empty, but it is required", "name")
        code = country(row)
        order_text = row.cells.get("order", "")
        if order_text and not order_text.isdigit():
            raise CellError(f"order {order_text!r} is not a whole number", "order")
        contribution = amount(row, "ecContribution")
        ended = row.cells.get("endOfParticipation", "").lower()
        if ended not in ("", "true", "false"):
            raise CellError(
                f"endOfParticipation {ended!r} is not true or false", "endOfParticipation"
            )
        org = self.orgs.get(pic)
        if org is None:
            org = self.orgs[pic] = _Org(pic, row, name, code)
        data = self.projects[grant]
        ref = placeholder(pic)
        participants: list[dict[str, Any]] = data["project"]["participants"]
        if any(p["organisation"] == ref and p["role"] == role for p in participants):
            message = f"PIC {pic} is listed twice as {role} of project {grant}: kept once"
            self.bad(row.problem(message, "organisationID", grant))
            return
        cited = self.cite(row, grant, f", PIC {pic}")
        participants.append(
            {
                "organisation": ref,
                "role": role,
                "order": int(order_text) if order_text else None,
                "contribution": eur(contribution),
                "ended": ended == "true" if ended else None,
                "sources": cited,
            }
        )
        self._named(org, row, grant, "projects", project_id(grant), "participants")
        if role in SIGNING and all(p["organisation"] != ref for p in data["parties"]):
            data["parties"].append({"organisation": ref, "role": SIGNING[role], "sources": cited})
            self._named(org, row, grant, "agreements", agreement_id(grant), "parties")

    def _named(
        self, org: _Org, row: Row, grant: str, collection: str, record: str, fld: str
    ) -> None:
        self.names.append(
            NamedOrganisation(
                placeholder(org.pic),
                org.name,
                row.file,
                row.line,
                row.columns.get("name"),
                fld,
                f"{collection}:{record}",
                org.country,
                fallback=org_id(org.pic),
            )
        )

    # --- records -------------------------------------------------------------------------

    def organisation(self, org: _Org) -> dict[str, Any]:
        short = clean_text(org.row.cells.get("shortName", ""))
        names: list[dict[str, Any]] = [{"value": org.name, "types": ["display"]}]
        if short and short.casefold() != org.name.casefold():
            names.append({"value": short, "types": ["acronym"]})
        city = clean_text(org.row.cells.get("city", "")) or None
        return {
            "id": org_id(org.pic),
            "kind": KINDS.get(org.row.cells.get("activityType", "").upper(), "other"),
            "names": names,
            "identifiers": {"pic": org.pic},
            "location": {"country": org.country, "city": city} if org.country else None,
            "website": website(org.row.cells.get("organizationURL", "")),
            "sources": self.cite(org.row, org.row.cells["projectID"], f", PIC {org.pic}"),
        }


def _validated(reader: _Reader, model: Any, data: dict[str, Any], row: Row, grant: str) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"])
        message = f"{model.__name__.lower()} {where}: {error['msg']}"
        reader.bad(row.problem(message, None, grant))
        return None


def _website_ok(data: dict[str, Any]) -> dict[str, Any]:
    """An organisation's record without a website the model refuses (CORDIS has typos there)."""
    try:
        Organisation.model_validate(data)
    except ValidationError as exc:
        if all(e["loc"][:1] == ("website",) for e in exc.errors()):
            return {**data, "website": None}
    return data


def cordis_source(path: Path) -> Source:
    programme = "Horizon 2020" if "h2020" in path.name.lower() else "Horizon Europe"
    return Source(
        id=("cordis-" + slug(path.name.removesuffix(".zip")).removeprefix("cordis-"))[:120].strip(
            "-"
        ),
        title=f"CORDIS: EU research projects under {programme} ({path.name})",
        kind="dataset",
        publisher="European Commission, CORDIS",
        url="https://cordis.europa.eu/",
    )


def parse_cordis(path: Path, origin: str | None = None, *, skip_bad_rows: bool = False) -> Parsed:
    """Parse one dump. With `skip_bad_rows`, rows with a problem are left out and listed as
    warnings (the rest loads); without it any problem stops the load, nothing written."""
    origin = origin or f"cordis:{path.name}"
    dump = open_dump(path)
    if isinstance(dump, Problem):
        return Parsed(Bundle(origin=origin), problems=[dump])
    reader = _Reader(dump, cordis_source(path), skip_bad_rows)
    reader.read_projects()
    if reader.problems and not reader.projects:
        return Parsed(Bundle(origin=origin), problems=reader.problems)
    reader.read_topics()
    reader.read_participations()
    if reader.problems:
        return Parsed(Bundle(origin=origin), problems=reader.problems)
    return _bundle(reader, origin)


def _bundle(reader: _Reader, origin: str) -> Parsed:
    projects: list[Project] = []
    agreements: list[Agreement] = []
    organisations: list[Organisation] = []
    locations: dict[str, Location] = {}
    for grant, data in reader.projects.items():
        row = reader.project_rows[grant]
        record = data["project"]
        for topic in reader.topics.get(grant, []):
            if topic not in record["topics"]:
                record["topics"].append(topic)
        # A grant agreement needs two beneficiaries to be an agreement between organisations;
        # a single-beneficiary grant (ERC, fellowships) is the project alone.
        if len(data["parties"]) >= 2:
            agreement = _validated(
                reader,
                Agreement,
                {
                    "id": agreement_id(grant),
                    "kind": "grant_agreement",
                    "title": f"Grant agreement {grant}"
                    + (f" ({record['acronym']})" if record["acronym"] else ""),
                    "signed": data["signed"],
                    "status": STATUS[data["status"]][1],
                    "topics": record["topics"],
                    "parties": data["parties"],
                    "sources": record["sources"],
                },
                row,
                grant,
            )
            if agreement is not None:
                agreements.append(agreement)
                record["agreement"] = agreement.id
                locations[f"agreements:{agreement.id}"] = Location(row.file, row.line)
        project = _validated(reader, Project, record, row, grant)
        if project is not None:
            projects.append(project)
            locations[f"projects:{project.id}"] = Location(row.file, row.line)
    for org in reader.orgs.values():
        data = _website_ok(reader.organisation(org))
        model = _validated(reader, Organisation, data, org.row, org.row.cells["projectID"])
        if model is not None:
            organisations.append(model)
            locations[f"organisations:{model.id}"] = Location(org.row.file, org.row.line)
    if reader.problems:
        return Parsed(Bundle(origin=origin), problems=reader.problems)
    kept = {p.id for p in projects} | {a.id for a in agreements}
    names = [n for n in reader.names if n.record.partition(":")[2] in kept]
    bundle = Bundle(
        origin=origin,
        priority=CORDIS_PRIORITY,
        sources=[reader.source],
        organisations=organisations,
        agreements=agreements,
        projects=projects,
    )
    return Parsed(bundle, locations, warnings=reader.skipped, names=names)
