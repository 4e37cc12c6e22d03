"""A synthetic partnership ecosystem of any size: realistic proportions, skewed degrees, seeded.

Per 100 organisations: 60 people, 15 agreements (2-4 parties), 10 events, 3 data sets and
8 projects. Organisations are picked for parties, positions and participations by a mix of
uniform choice and a Zipf law over a shuffled rank, so a few hubs collect hundreds of links
while most organisations have one or two, as in the ROR dump and in the seed ecosystem.
The output is plain data (the dicts a seed file would hold); validating it into a `Bundle` is
the loader's work and is timed with it.
"""

from __future__ import annotations

import datetime as dt
import random
from bisect import bisect_left
from itertools import accumulate
from typing import Any

Record = dict[str, Any]

PER_100 = {"people": 60, "agreements": 15, "events": 10, "datasets": 3, "projects": 8}
HUB_SHARE = 0.3  # share of picks that follow the Zipf law; the rest are uniform
ZIPF_S = 1.1

_COUNTRIES = (
    ("KR", 30),
    ("EE", 15),
    ("US", 10),
    ("DE", 8),
    ("FI", 5),
    ("JP", 5),
    ("GB", 5),
    ("FR", 4),
    ("SE", 4),
    ("LV", 3),
    ("LT", 3),
    ("NL", 3),
    ("SG", 2),
    ("CA", 2),
    ("XK", 1),
)
_KINDS = (
    ("company", 30),
    ("startup", 20),
    ("university", 10),
    ("research_institute", 8),
    ("hospital", 6),
    ("government_agency", 5),
    ("association", 5),
    ("nonprofit", 4),
    ("local_government", 3),
    ("funder", 2),
    ("technopark", 2),
    ("accelerator", 2),
    ("ministry", 1),
    ("biobank", 1),
    ("facility", 1),
)
_TOPICS = (
    "ai-healthcare",
    "genomics",
    "health-data",
    "biotech",
    "cleantech",
    "ict",
    "e-government",
    "cybersecurity",
    "talent-development",
    "startups",
    "medical-devices",
    "digital-health",
)
_WORDS = (
    "Aurora",
    "Baltic",
    "Cedar",
    "Delta",
    "Nordic",
    "Han",
    "River",
    "Summit",
    "Coral",
    "Granite",
    "Silver",
    "Meridian",
    "Pioneer",
    "Harbor",
    "Lumen",
    "Vertex",
    "Quantum",
    "Orchid",
    "Tundra",
    "Sejong",
    "Tallinn",
    "Gangwon",
    "Hanseatic",
    "Amber",
    "Pine",
)
_SUFFIX = {
    "company": "Corporation",
    "startup": "Labs",
    "university": "University",
    "research_institute": "Research Institute",
    "hospital": "Hospital",
    "government_agency": "Agency",
    "association": "Association",
    "nonprofit": "Foundation",
    "local_government": "City Government",
    "funder": "Fund",
    "technopark": "Technopark",
    "accelerator": "Accelerator",
    "ministry": "Ministry",
    "biobank": "Biobank",
    "facility": "Facility",
}
_GIVEN = (
    "Min-jun",
    "Ji-woo",
    "Seo-yeon",
    "Mari",
    "Kadri",
    "Jaan",
    "Anna",
    "Lukas",
    "Emma",
    "Hiro",
    "Sofia",
    "Mikko",
    "Liis",
)
_FAMILY = (
    "Kim",
    "Lee",
    "Park",
    "Choi",
    "Tamm",
    "Saar",
    "Sepp",
    "Kask",
    "Muller",
    "Smith",
    "Tanaka",
    "Virtanen",
    "Jung",
)
_TITLES = ("Director", "Head of Research", "Chief Executive", "Professor", "Project Manager")
_SOURCES = tuple(f"syn-source-{i}" for i in range(8))
_START = dt.date(2000, 1, 1).toordinal()
_DAYS = dt.date(2025, 12, 31).toordinal() - _START


class _Picker:
    """Picks organisation indexes: HUB_SHARE of the time by Zipf rank, else uniformly."""

    def __init__(self, rng: random.Random, n: int) -> None:
        self.rng = rng
        self.n = n
        ranks = list(range(n))
        rng.shuffle(ranks)  # hubs are spread over ids and names, not the first records
        self.by_rank = ranks
        self.cum = list(accumulate(1.0 / (r + 1) ** ZIPF_S for r in range(n)))

    def one(self) -> int:
        if self.rng.random() < HUB_SHARE:
            rank = bisect_left(self.cum, self.rng.random() * self.cum[-1])
            return self.by_rank[min(rank, self.n - 1)]
        return self.rng.randrange(self.n)

    def distinct(self, k: int) -> list[int]:
        chosen: list[int] = []
        for _ in range(k * 20):  # bounded: hubs repeat, so a few draws are wasted
            if len(chosen) == k:
                break
            i = self.one()
            if i not in chosen:
                chosen.append(i)
        return chosen


def _weighted(rng: random.Random, table: tuple[tuple[str, int], ...], k: int) -> list[str]:
    values, weights = zip(*table, strict=True)
    return rng.choices(values, weights=weights, k=k)


def _date(rng: random.Random) -> str:
    return dt.date.fromordinal(_START + rng.randrange(_DAYS)).isoformat()


def _cite(rng: random.Random) -> list[Record]:
    picks = rng.sample(_SOURCES, rng.choice((1, 1, 2)))
    return [{"source": s, "where": f"p{rng.randrange(1, 40)}"} for s in picks]


def _topics(rng: random.Random) -> list[str]:
    return rng.sample(_TOPICS, rng.randint(1, 3))


def _ror(i: int) -> str:
    # Crockford base32, which ROR uses, has no "u": these ids can never clash with real ones.
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    body = ""
    for _ in range(5):
        i, r = divmod(i, 36)
        body = digits[r] + body
    return f"0u{body}{i % 100:02d}"


def _organisations(rng: random.Random, n: int) -> list[Record]:
    countries = _weighted(rng, _COUNTRIES, n)
    kinds = _weighted(rng, _KINDS, n)
    orgs: list[Record] = []
    for i in range(n):
        kind = kinds[i]
        name = f"{rng.choice(_WORDS)} {rng.choice(_WORDS)} {_SUFFIX[kind]} {i}"
        names = [{"value": name, "lang": "en", "types": ["display", "label"]}]
        if rng.random() < 0.3:
            acronym = "".join(w[0] for w in name.split()[:3]) + str(i)
            names.append({"value": acronym, "types": ["acronym"]})
        org: Record = {
            "id": f"syn-org-{i}",
            "kind": kind,
            "names": names,
            "location": {"country": countries[i], "city": f"City {rng.randrange(40)}"},
            "established": rng.randint(1900, 2024),
            "topics": _topics(rng),
            "sources": _cite(rng),
        }
        identifiers: Record = {}
        if rng.random() < 0.4:
            identifiers["ror"] = _ror(i)
        if rng.random() < 0.2:
            identifiers["wikidata"] = f"Q{900_000_000 + i}"
        if identifiers:
            org["identifiers"] = identifiers
        orgs.append(org)
    return orgs


def generate(n_orgs: int, seed: int = 1) -> Record:
    """The data of one load unit (origin `synthetic-<n>`) with `n_orgs` organisations."""
    rng = random.Random(seed)
    picker = _Picker(rng, n_orgs)
    orgs = _organisations(rng, n_orgs)
    for i, org in enumerate(orgs):
        if rng.random() < 0.05:  # a subsidiary of a (likely hub) parent
            parent = picker.one()
            if parent != i:
                org["relations"] = [{"type": "parent", "organisation": f"syn-org-{parent}"}]
    count = {k: max(1, n_orgs * v // 100) for k, v in PER_100.items()}

    people: list[Record] = []
    staff: dict[int, list[str]] = {}
    for i in range(count["people"]):
        pid = f"syn-person-{i}"
        positions = []
        for org_i in picker.distinct(1 if rng.random() < 0.8 else 2):
            title = rng.choice(_TITLES)
            positions.append({"organisation": f"syn-org-{org_i}", "title": title})
            staff.setdefault(org_i, []).append(pid)
        name = f"{rng.choice(_GIVEN)} {rng.choice(_FAMILY)} {i}"
        people.append(
            {
                "id": pid,
                "names": [{"value": name, "lang": "en", "types": ["display"]}],
                "positions": positions,
                "sources": _cite(rng),
            }
        )

    agreements: list[Record] = []
    for i in range(count["agreements"]):
        parties = picker.distinct(rng.randint(2, 4))
        signatories = [
            {"person": rng.choice(staff[p]), "on_behalf_of": f"syn-org-{p}", "title": "Director"}
            for p in parties
            if p in staff and rng.random() < 0.4
        ]
        first, second = orgs[parties[0]]["names"][0]["value"], orgs[parties[1]]["names"][0]
        agreements.append(
            {
                "id": f"syn-agreement-{i}",
                "kind": rng.choice(("mou", "mou", "contract", "data_sharing")),
                "title": f"Memorandum between {first} and {second['value']}",
                "topics": _topics(rng),
                "signed": _date(rng),
                "parties": [
                    {"organisation": f"syn-org-{p}", "role": "lead" if k == 0 else "party"}
                    for k, p in enumerate(parties)
                ],
                "signatories": signatories,
                "sources": _cite(rng),
            }
        )

    datasets: list[Record] = []
    for i in range(count["datasets"]):
        dataset: Record = {
            "id": f"syn-dataset-{i}",
            "title": f"Data set {i}",
            "holder": f"syn-org-{picker.one()}",
            "modalities": [rng.choice(("genomic", "ehr", "imaging", "claims", "survey"))],
            "individuals": rng.randrange(100, 1_000_000),
            "topics": _topics(rng),
            "sources": _cite(rng),
        }
        if rng.random() < 0.3:
            body = f"syn-org-{picker.one()}"
            dataset["access"] = {"rights": "restricted", "body": body}
        datasets.append(dataset)

    projects: list[Record] = []
    for i in range(count["projects"]):
        members = picker.distinct(rng.randint(2, 5))
        project: Record = {
            "id": f"syn-project-{i}",
            "kind": rng.choice(("joint_rnd", "joint_rnd", "programme", "accelerator_programme")),
            "title": f"Joint project {i}",
            "topics": _topics(rng),
            "participants": [
                {"organisation": f"syn-org-{m}", "role": "coordinator" if k == 0 else "partner"}
                for k, m in enumerate(members)
            ],
            "sources": _cite(rng),
        }
        if agreements and rng.random() < 0.2:
            project["agreement"] = rng.choice(agreements)["id"]
        if i > 0 and rng.random() < 0.05:
            project["part_of"] = f"syn-project-{rng.randrange(i)}"
        if datasets and rng.random() < 0.1:
            project["datasets"] = [rng.choice(datasets)["id"]]
        projects.append(project)

    events: list[Record] = []
    for i in range(count["events"]):
        participants: list[Record] = [
            {"organisation": f"syn-org-{o}"} for o in picker.distinct(rng.randint(2, 6))
        ]
        participants += [
            {"person": f"syn-person-{p}"}
            for p in rng.sample(range(len(people)), min(len(people), rng.randint(0, 2)))
        ]
        event: Record = {
            "id": f"syn-event-{i}",
            "kind": rng.choice(("meeting", "talks", "conference", "visit", "signing")),
            "title": f"Meeting {i}",
            "date": _date(rng),
            "place": {"country": _weighted(rng, _COUNTRIES, 1)[0]},
            "topics": _topics(rng),
            "participants": participants,
            "sources": _cite(rng),
        }
        if rng.random() < 0.2:
            event["agreements"] = [rng.choice(agreements)["id"]]
        if rng.random() < 0.1:
            event["projects"] = [rng.choice(projects)["id"]]
        events.append(event)

    return {
        "origin": f"synthetic-{n_orgs}",
        "priority": 50,
        "sources": [
            {"id": s, "title": f"Synthetic source {s}", "kind": "dataset"} for s in _SOURCES
        ],
        "organisations": orgs,
        "people": people,
        "agreements": agreements,
        "events": events,
        "datasets": datasets,
        "projects": projects,
    }
