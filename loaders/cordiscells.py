"""One CORDIS cell -> a value: the columns the parser reads, the EU's vocabularies, ids.

Each reader raises CellError with the column it read, so the parser can name file, line and
column.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from graph.errors import CellError
from graph.model import Place
from loaders.cordisfiles import Row

CORDIS_PRIORITY = 50  # a registry, as ROR (see Bundle.priority)
DESCRIPTION_CHARS = 4000  # the model's longest text; the row the citation names has the rest

PROJECT_COLUMNS = (
    "id",
    "acronym",
    "status",
    "title",
    "startDate",
    "endDate",
    "totalCost",
    "ecMaxContribution",
    "topics",
    "ecSignatureDate",
    "frameworkProgramme",
    "fundingScheme",
    "objective",
)
PROJECT_REQUIRED = ("id", "title", "status", "startDate", "endDate")
ORG_COLUMNS = (
    "projectID",
    "organisationID",
    "name",
    "shortName",
    "activityType",
    "city",
    "country",
    "organizationURL",
    "order",
    "role",
    "ecContribution",
    "endOfParticipation",
)
ORG_REQUIRED = ("projectID", "organisationID", "name", "country", "role")

# The EU writes Greece and the United Kingdom by their own codes, not ISO 3166's.
EU_COUNTRIES = {"EL": "GR", "UK": "GB"}
STATUS = {
    "SIGNED": ("active", "signed"),
    "CLOSED": ("completed", "expired"),
    "TERMINATED": ("cancelled", "terminated"),
}
ROLES = {
    "coordinator": "coordinator",
    "participant": "participant",
    "beneficiary": "participant",
    "partner": "partner",
    "associatedpartner": "associated_partner",
    "thirdparty": "third_party",
}
# Beneficiaries sign the grant agreement; associated partners and third parties do not.
SIGNING = {"coordinator": "lead", "participant": "party"}
KINDS = {
    "HES": "university",
    "REC": "research_institute",
    "PRC": "company",
    "PUB": "government_agency",
    "OTH": "other",
}
_NOT_SLUG = re.compile("[^a-z0-9]+")
_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T][0-9:.]+)?$")
PIC = re.compile(r"^[0-9]{9}$")


def slug(text: str) -> str:
    return _NOT_SLUG.sub("-", text.lower()).strip("-")[:120].strip("-")


def project_id(grant: str) -> str:
    return f"cordis-{grant}"


def agreement_id(grant: str) -> str:
    return f"grant-agreement-{grant}"


def org_id(pic: str) -> str:
    return f"pic-{pic}"


def placeholder(pic: str) -> str:
    return f"named-pic-{pic}"


def date(row: Row, column: str) -> dt.date | None:
    text = row.cells.get(column, "")
    if not text:
        return None
    found = _DATE.match(text)
    try:
        if found is None:
            raise ValueError
        return dt.date.fromisoformat(found.group(1))
    except ValueError:
        raise CellError(f"{column} {text!r} is not a date (YYYY-MM-DD)", column) from None


def amount(row: Row, column: str) -> float | None:
    text = row.cells.get(column, "")
    if not text:
        return None
    # Older files write a decimal comma; a thousands separator never appears.
    try:
        value = Decimal(
            text.replace(",", ".") if text.count(",") == 1 and "." not in text else text
        )
    except InvalidOperation:
        raise CellError(f"{column} {text!r} is not an amount (e.g. 1234567.89)", column) from None
    if not value.is_finite() or value < 0:
        raise CellError(f"{column} {text!r} is not an amount of zero or more", column)
    return float(value)


def eur(amount: float | None) -> dict[str, Any] | None:
    return None if amount is None else {"amount": amount, "currency": "EUR"}


def country(row: Row) -> str | None:
    text = row.cells.get("country", "").upper()
    if not text:
        return None
    code = EU_COUNTRIES.get(text, text)
    try:
        Place(country=code)  # the model's own check
    except ValidationError:
        raise CellError(
            f"country {text!r} is not a country code (e.g. EE, EL, UK)", "country"
        ) from None
    return code


def website(text: str) -> str | None:
    if not text:
        return None
    return text if "://" in text else f"http://{text}"
