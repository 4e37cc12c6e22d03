"""A deterministic synthetic ecosystem (organisations, people, agreements, projects) as a Bundle.

Built for property tests of paging, filters and sorting: names repeat on purpose (across
countries, so entity resolution keeps them apart) to give sort ties; names are in Estonian,
Finnish, German, English and Hangul; established years, countries and signing dates are
sometimes missing, so that null handling shows.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from graph.ingest.names import name_keys
from graph.ingest.write import load
from graph.model import (
    AgreementKind,
    AgreementStatus,
    Bundle,
    Name,
    OrgKind,
    ProjectKind,
    ProjectRole,
)
from graph.parsed import Parsed
from graph.store import Store
from tests.neo4j_test import server_for_tests, wipe

SOURCE = "gen-src"
COUNTRIES = ("EE", "KR", "FI", "DE")
TOPICS = (
    "ai-healthcare",
    "genomics",
    "digital-health",
    "biobanking",
    "e-government",
    "cybersecurity",
    "talent-development",
    "medtech",
)
SECTORS = ("health", "ict", "education", "public")
# A small pool drawn often: the same display name on several organisations (sort ties).
POPULAR = (
    "Tartu Ülikool",
    "tartu ülikool",
    "Alpha Institute",
    "서울대학교",
    "Õpetajate Liit",
    "Aalto-yliopisto",
    "Zeta GmbH",
)
STEMS = (
    "Ülikool",
    "Tehnikaülikool",
    "Maaülikool",
    "Haigla",
    "Teaduspark",
    "Ühing",
    "yliopisto",
    "Säätiö",
    "Universität",
    "Klinikum",
    "Institute",
    "Agency",
    "Technopark",
    "대학교",
    "테크노파크",
    "병원",
    "연구원",
)
PLACES = (
    "Tartu",
    "Tallinn",
    "Pärnu",
    "Võru",
    "Jõgeva",
    "Helsinki",
    "Åbo",
    "Oulu",
    "München",
    "Köln",
    "Berlin",
    "Seoul",
    "Gangwon",
    "서울",
    "강원",
    "부산",
    "alpha",
    "Beta",
    "gamma",
    "Šiauliai",
    "Žilina",
)
KOREAN_ALIASES = ("한국", "강원", "서울", "대전", "춘천")
GIVEN = ("Mari", "Jaan", "Õie", "Ülle", "Jürgen", "Aino", "Min-jun", "Seo-yeon", "Anna", "Kai")
FAMILY = ("Tamm", "Saar", "Kask", "Mägi", "Virtanen", "Müller", "Kim", "Lee", "Park", "Kõiv")
HANGUL_FAMILY = {"Kim": "김", "Lee": "이", "Park": "박"}
TITLES = ("Director", "Rector", "CEO", "Head of International Relations", "Researcher")


def _date(rng: random.Random, start: int, end: int) -> str:
    first = dt.date(start, 1, 1).toordinal()
    last = dt.date(end, 12, 31).toordinal()
    return dt.date.fromordinal(rng.randint(first, last)).isoformat()


def _cite() -> list[dict[str, Any]]:
    return [{"source": SOURCE}]


def _acronym(name: str) -> str:
    letters = [w[0] for w in name.split() if w[:1].isalpha()]
    return "".join(letters).upper() or "X"


class _Names:
    """Hands out display names, never two organisations with one name key in one country."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.taken: set[str] = set()

    def _free(self, names: list[dict[str, Any]], country: str | None) -> bool:
        keys = name_keys([Name.model_validate(n) for n in names], country)
        return not self.taken.intersection(keys)

    def _take(self, names: list[dict[str, Any]], country: str | None) -> None:
        self.taken.update(name_keys([Name.model_validate(n) for n in names], country))

    def pick(self, country: str | None) -> tuple[list[dict[str, Any]], str | None]:
        rng = self.rng
        for _ in range(20):
            if rng.random() < 0.15:
                display = rng.choice(POPULAR)
            else:
                display = f"{rng.choice(PLACES)} {rng.choice(STEMS)}"
            names: list[dict[str, Any]] = [
                {"value": display, "lang": "en", "types": ["display", "label"]}
            ]
            if rng.random() < 0.4:
                alias = f"{rng.choice(KOREAN_ALIASES)} {rng.choice(STEMS)} {rng.randint(1, 99)}"
                names.append({"value": alias, "lang": "ko", "types": ["alias"]})
            if rng.random() < 0.3:
                names.append({"value": _acronym(display), "types": ["acronym"]})
            if self._free(names, country):
                self._take(names, country)
                return names, country
            # Taken in this country: try elsewhere, or without a country (never merged by name).
            for other in [*rng.sample(COUNTRIES, len(COUNTRIES)), None]:
                if self._free(names, other):
                    self._take(names, other)
                    return names, other
        raise RuntimeError("could not find a free name: widen the pools")


def _organisation(rng: random.Random, i: int, names: _Names) -> dict[str, Any]:
    country = None if rng.random() < 0.1 else rng.choice(COUNTRIES)
    org_names, country = names.pick(country)
    # Ids are shuffled against names, so that id order and name order differ.
    record: dict[str, Any] = {
        "id": f"org-{(i * 37) % 1000:03d}",
        "kind": rng.choice(list(OrgKind)).value,
        "names": org_names,
        "status": rng.choices(["active", "inactive", "withdrawn"], [8, 1, 1])[0],
        "topics": rng.sample(TOPICS, rng.randint(0, 3)),
        "sectors": rng.sample(SECTORS, rng.randint(0, 2)),
        "sources": _cite(),
    }
    if country is not None:
        record["location"] = {"country": country, "city": rng.choice(PLACES)}
    if rng.random() < 0.8:
        # A narrow range, so that years tie.
        record["established"] = rng.choice([rng.randint(1990, 2024), rng.randint(1632, 1990)])
    if i % 3 == 0:
        # Identifiers for a third (drawn from `i`, not `rng`: the rest of the bundle is as it
        # was), so that filters on them select few of many, as in real data.
        record["identifiers"] = {
            "ror": f"0{i:06d}{i % 100:02d}",
            "wikidata": f"Q{1000 + i}",
            "isni": f"{i:016d}",
            "grid": f"grid.{i}.{i % 16:x}",
            "fundref": f"{100000 + i}",
            "registry_code": f"R-{i:05d}",
            "pic": f"{900000000 + i}",
        }
    return record


def _person(rng: random.Random, i: int, org_ids: list[str]) -> dict[str, Any]:
    given, family = rng.choice(GIVEN), rng.choice(FAMILY)
    names: list[dict[str, Any]] = [
        {"value": f"{given} {family}", "lang": "en", "types": ["display", "label"]}
    ]
    if family in HANGUL_FAMILY:
        names.append({"value": f"{HANGUL_FAMILY[family]}{given[:1]}", "lang": "ko"})
    positions = [
        {"organisation": org, "title": rng.choice(TITLES)}
        for org in rng.sample(org_ids, rng.randint(1, 2))
    ]
    return {"id": f"person-{i:03d}", "names": names, "positions": positions, "sources": _cite()}


def _agreement(rng: random.Random, i: int, org_ids: list[str], people: list[str]) -> dict[str, Any]:
    parties = rng.sample(org_ids, rng.randint(2, 4))
    record: dict[str, Any] = {
        "id": f"agreement-{i:03d}",
        "kind": rng.choice(list(AgreementKind)).value,
        "title": f"{rng.choice(['MoU', 'Data sharing', 'Sopimus', '협약'])} {i}",
        "status": rng.choice(list(AgreementStatus)).value,
        "topics": rng.sample(TOPICS, rng.randint(0, 3)),
        "parties": [
            {"organisation": p, "role": "lead" if n == 0 and rng.random() < 0.5 else "party"}
            for n, p in enumerate(parties)
        ],
        "sources": _cite(),
    }
    if rng.random() < 0.8:
        record["signed"] = _date(rng, 2015, 2025)
    if rng.random() < 0.3:
        record["signatories"] = [{"person": rng.choice(people), "on_behalf_of": parties[0]}]
    return record


def _project(rng: random.Random, i: int, org_ids: list[str]) -> dict[str, Any]:
    members = rng.sample(org_ids, rng.randint(1, 4))
    roles = list(ProjectRole)
    participants = [{"organisation": m, "role": rng.choice(roles).value} for m in members]
    if rng.random() < 0.2:
        # One organisation in two roles: still one project for it.
        other = [r for r in roles if r.value != participants[0]["role"]]
        participants.append({"organisation": members[0], "role": rng.choice(other).value})
    record: dict[str, Any] = {
        "id": f"project-{i:03d}",
        "kind": rng.choice(list(ProjectKind)).value,
        "title": f"Project {rng.choice(PLACES)} {i}",
        "topics": rng.sample(TOPICS, rng.randint(0, 2)),
        "participants": participants,
        "sources": _cite(),
    }
    if rng.random() < 0.7:
        record["period"] = {"start": _date(rng, 2018, 2026)}
    return record


def ecosystem(
    seed: int = 7,
    organisations: int = 200,
    agreements: int = 150,
    people: int = 80,
    projects: int = 40,
    origin: str = "generated",
) -> Parsed:
    """One bundle; the same arguments always give the same bundle."""
    if not 2 <= organisations <= 1000:
        raise ValueError("between 2 and 1000 organisations (ids are org-000 to org-999)")
    rng = random.Random(seed)
    names = _Names(rng)
    orgs = [_organisation(rng, i, names) for i in range(organisations)]
    org_ids = [o["id"] for o in orgs]
    persons = [_person(rng, i, org_ids) for i in range(people)]
    person_ids = [p["id"] for p in persons]
    data = {
        "origin": origin,
        "priority": 10,
        "sources": [{"id": SOURCE, "title": "A generated ecosystem"}],
        "organisations": orgs,
        "people": persons,
        "agreements": [_agreement(rng, i, org_ids, person_ids) for i in range(agreements)],
        "projects": [_project(rng, i, org_ids) for i in range(projects)],
    }
    return Parsed(Bundle.model_validate(data))


def extra_organisations(names: list[tuple[str, str]], origin: str = "extra") -> Parsed:
    """A second bundle of organisations `(id, display name)`, without a country (never merged)."""
    orgs = [
        {
            "id": key,
            "kind": "company",
            "names": [{"value": name, "lang": "en", "types": ["display"]}],
            "sources": _cite(),
        }
        for key, name in names
    ]
    data = {
        "origin": origin,
        "sources": [{"id": SOURCE, "title": "A generated ecosystem"}],
        "organisations": orgs,
    }
    return Parsed(Bundle.model_validate(data))


async def _holds(store: Store, parsed: Parsed) -> bool:
    bundle = parsed.bundle
    rows = await store.read(
        "CALL () { MATCH (o:Organisation) RETURN count(o) AS orgs } "
        "CALL () { MATCH (o:Organisation) WHERE o.ror IS NOT NULL RETURN count(o) AS ror } "
        "CALL () { MATCH (a:Agreement) RETURN count(a) AS agreements } "
        "CALL () { MATCH (p:Person) RETURN count(p) AS people } "
        "CALL () { MATCH (p:Project) RETURN count(p) AS projects } "
        "CALL () { MATCH (s:Source) RETURN collect(s.id) AS sources } "
        "CALL () { MATCH (n) WHERE n.origins <> [$origin] RETURN count(n) AS foreign } "
        "RETURN orgs, ror, agreements, people, projects, sources, foreign",
        {"origin": bundle.origin},
    )
    row = rows[0]
    return bool(
        row["orgs"] == len(bundle.organisations)
        and row["ror"] == sum(o.identifiers.ror is not None for o in bundle.organisations)
        and row["agreements"] == len(bundle.agreements)
        and row["people"] == len(bundle.people)
        and row["projects"] == len(bundle.projects)
        and row["sources"] == [SOURCE]
        and row["foreign"] == 0
    )


async def ensure_loaded(store: Store, parsed: Parsed) -> None:
    """The test database holds exactly this bundle: loaded once, reloaded if a test changed it.

    Checking costs one read; reloading (wipe + load) a few hundred milliseconds.
    """
    if await _holds(store, parsed):
        return
    await wipe(store, server_for_tests())
    await load([parsed], store)
    if not await _holds(store, parsed):
        raise AssertionError("the generated bundle did not load one node per record")
