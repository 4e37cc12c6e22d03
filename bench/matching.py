"""Matcher benchmark: a labelled set built from the ROR dump; precision, recall, abstention, ms.

    python -m bench.matching [--dump PATH] [--strings 3000] [--seed 7] [--split test|tune|all]

Each sampled record's names (display, labels in other languages, aliases, acronyms, and
abbreviated forms) are embedded in generated address noise (departments, streets, postcodes,
cities, countries), with case, diacritics, glued words and missing commas varied. Strings
naming no loaded organisation: address noise alone, made-up organisations, and real ROR
records held out of the index. Records split by a hash of their id into `tune` (what the
scoring was tuned on) and `test` (held out: the honest figures). Needs no Neo4j: the index is
built from the dump's records parsed by loaders/ror.py, as the API builds it from rows.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import statistics
import sys
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pycountry

from graph.match import NameIndex, match
from graph.match.normalise import key
from graph.match.record import OrgRecord, from_organisation
from graph.match.score import FEATURES, calibrate
from loaders.ror import parse_ror

ROOT = Path(__file__).resolve().parents[1]
# The project's ../shared; from a git worktree (/work/wt/NAME) one level further up.
_DUMP_NAME = Path("shared") / "data" / "ror" / "ror-records-latest.jsonl.gz"
DUMPS = (ROOT.parent / _DUMP_NAME, ROOT.parent.parent / _DUMP_NAME)
HOLD_OUT = 0.04  # of records without relationships: left out of the index, named by "none" strings

DEPARTMENTS = (
    "Department of Physics",
    "Dept. of Pure Mathematics",
    "Dept of Computer Science",
    "Faculty of Medicine",
    "School of Engineering",
    "Division of Cardiology",
    "Department of Chemistry",
    "Graduate School of Economics",
    "Faculty of Law",
    "Department of Biology",
    "Chair of Organic Chemistry",
    "Unit of Epidemiology",
    "Department of Electrical Engineering",
    "School of Public Health",
    "Dept. Earth Sciences",
    "Faculty of Arts and Humanities",
    "Department of Internal Medicine",
    "Sección de Genética",
    "Abteilung für Neurologie",
    "Département de Mathématiques",
    "Lehrstuhl für Informatik",
    "Clinic of Pediatrics",
    "Department of Psychology",
    "Faculty of Social Sciences",
)
STREETS = (
    "Street",
    "St.",
    "Road",
    "Avenue",
    "Ave.",
    "Blvd.",
    "Straße",
    "Str.",
    "Rue",
    "Via",
    "Lane",
)
STREET_NAMES = (
    "Main",
    "Ostwaldi",
    "Church",
    "Park",
    "Station",
    "Mill",
    "High",
    "King",
    "Oak",
    "Lake",
    "Garden",
    "Harbour",
    "Hill",
    "Market",
    "River",
    "Bridge",
    "Chestnut",
    "Cedar",
)
FAKE_FIRST = (
    "Acme",
    "Northfield",
    "Bluewater",
    "Silverline",
    "Redwood",
    "Harbourview",
    "Greenleaf",
    "Stonebridge",
    "Brightpath",
    "Oakhurst",
    "Maplecrest",
    "Ironwood",
    "Sunfield",
    "Clearwater",
)
FAKE_LAST = (
    "Widgets GmbH",
    "Dental Practice",
    "Consulting Ltd",
    "Family Clinic",
    "Bakery",
    "Logistics Inc.",
    "Software Solutions",
    "Veterinary Surgery",
    "Holdings",
    "Law Office",
    "Community Garden",
    "Print Shop",
    "Marketing Agency",
    "Fitness Club",
)
ABBREVIATIONS = (
    ("University", "Univ."),
    ("Institute", "Inst."),
    ("National", "Natl."),
    ("Center", "Ctr."),
    ("Centre", "Cntr."),
    ("Laboratory", "Lab."),
    ("Technology", "Technol."),
    ("Hospital", "Hosp."),
    ("Science", "Sci."),
    ("Sciences", "Sci."),
    ("Department", "Dept."),
    ("International", "Int."),
    ("Research", "Res."),
    (" and ", " & "),
    ("Academy", "Acad."),
    ("College", "Coll."),
    ("Medical", "Med."),
    ("Saint", "St."),
)
COUNTRY_SHORT = {"US": "USA", "GB": "UK", "CN": "P.R. China", "KR": "South Korea", "RU": "Russia"}


@dataclass(frozen=True, slots=True)
class Case:
    text: str
    truth: frozenset[str]  # acceptable organisations; empty: names none
    kind: str  # what was embedded (display, label, alias, acronym, abbreviated; noise, fake, held)
    split: str
    # A string naming several organisations ("pair"): each one's acceptable ids, all wanted.
    several: tuple[frozenset[str], ...] = ()


def _split(record_id: str) -> str:
    digest = hashlib.sha1(record_id.encode(), usedforsecurity=False).digest()
    return "tune" if digest[0] % 2 == 0 else "test"


def _country_name(code: str, rng: random.Random) -> str:
    if code in COUNTRY_SHORT and rng.random() < 0.5:
        return COUNTRY_SHORT[code]
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return str(getattr(country, "common_name", None) or country.name)


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _abbreviate(name: str, rng: random.Random) -> str:
    for long, short in ABBREVIATIONS:
        if long in name and rng.random() < 0.7:
            name = name.replace(long, short)
    return name


def _name_form(record: OrgRecord, rng: random.Random) -> tuple[str, str] | None:
    by_kind: dict[str, list[str]] = {}
    for n in record.names:
        by_kind.setdefault(n.kind, []).append(n.value)
    roll = rng.random()
    if roll < 0.12 and by_kind.get("acronym"):
        return rng.choice(by_kind["acronym"]), "acronym"
    if roll < 0.27 and by_kind.get("label"):
        return rng.choice(by_kind["label"]), "label"
    if roll < 0.42 and by_kind.get("alias"):
        return rng.choice(by_kind["alias"]), "alias"
    if roll < 0.62:
        abbreviated = _abbreviate(record.name, rng)
        if abbreviated != record.name:
            return abbreviated, "abbreviated"
    return record.name, "display"


def _address(name: str | None, city: str | None, country: str | None, rng: random.Random) -> str:
    parts: list[str] = []
    if rng.random() < 0.5:
        parts.append(rng.choice(DEPARTMENTS))
    if name:
        parts.append(name)
    if rng.random() < 0.3:
        parts.append(f"{rng.randint(1, 300)} {rng.choice(STREET_NAMES)} {rng.choice(STREETS)}")
    if city and rng.random() < 0.75:
        postcode = str(rng.randint(1000, 99999)) if rng.random() < 0.4 else ""
        parts.append(
            f"{postcode} {city}".strip() if rng.random() < 0.5 else f"{city} {postcode}".strip()
        )
    if country and rng.random() < 0.85:
        parts.append(country)
    if not parts:
        return name or ""
    roll = rng.random()
    if roll < 0.08 and len(parts) >= 2:  # two parts glued: "PennsylvaniaPhiladelphia"
        i = rng.randrange(len(parts) - 1)
        parts[i : i + 2] = [parts[i] + parts[i + 1]]
    text = ", ".join(parts) if roll >= 0.16 else " ".join(parts)  # some without commas
    roll = rng.random()
    if roll < 0.08:
        text = text.upper()
    elif roll < 0.13:
        text = text.lower()
    elif roll < 0.23:
        text = _strip_marks(text)
    return text


def build_cases(
    records: list[OrgRecord], index: NameIndex, held: list[OrgRecord], n: int, seed: int
) -> list[Case]:
    rng = random.Random(seed)
    cases: list[Case] = []
    loaded = [r for r in records if r.status != "withdrawn" or index.current(r.id) != (r.id,)]
    for record in rng.sample(loaded, min(n, len(loaded))):
        form = _name_form(record, rng)
        if form is None:
            continue
        name, kind = form
        country_text = _country_name(record.country, rng) if record.country else None
        if kind == "acronym":  # an acronym is only meant with its country: always give it
            text = ", ".join(p for p in (name, record.city, country_text) if p)
        else:
            text = _address(name, record.city, country_text, rng)
        truth = frozenset(index.current(record.id))
        cases.append(Case(text, truth, kind, _split(record.id)))
    # Strings that name no loaded organisation, a third of them of each sort.
    places = [(r.city, r.country) for r in records if r.city and r.country]
    names_loaded = {(key(n.value), r.country) for r in records for n in r.names}
    held_usable = [
        r for r in held if not any((key(nm.value), r.country) in names_loaded for nm in r.names)
    ]
    for i in range(n // 2):
        city, country = rng.choice(places)
        country_text = _country_name(country, rng) if country else None
        sort = i % 3
        if sort == 0:
            text, kind, split = _address(None, city, country_text, rng), "noise", "tune"
        elif sort == 1:
            fake = f"{rng.choice(FAKE_FIRST)} {rng.choice(FAKE_LAST)}"
            text, kind, split = _address(fake, city, country_text, rng), "fake", "tune"
        else:
            other = rng.choice(held_usable)
            form = _name_form(other, rng)
            name = form[0] if form and form[1] != "acronym" else other.name
            other_country = _country_name(other.country, rng) if other.country else None
            text, kind, split = _address(name, other.city, other_country, rng), "held out", ""
            split = _split(other.id)
        if sort != 2:
            split = "tune" if rng.random() < 0.5 else "test"
        cases.append(Case(text, frozenset(), kind, split))
    cases += _pairs(loaded, index, n // 10, rng)
    return cases


PAIR_JOINS = (", ", " and ", "; ", " & ", " / ")


def _pairs(loaded: list[OrgRecord], index: NameIndex, n: int, rng: random.Random) -> list[Case]:
    """Strings naming two unrelated organisations ("University of Tartu and Seoul National
    University, Korea"): both should be chosen."""
    cases: list[Case] = []
    while len(cases) < n:
        a, b = rng.sample(loaded, 2)
        related = b.id in index.ancestors(a.id) or a.id in index.ancestors(b.id)
        if related or a.status == "withdrawn" or b.status == "withdrawn":
            continue
        first, second = a.name, b.name
        roll = rng.random()
        if roll < 0.25 and a.country and b.country:  # each with its country
            first += f", {_country_name(a.country, rng)}"
            second += f", {_country_name(b.country, rng)}"
        elif roll < 0.5 and b.country and a.country == b.country:  # one country for both
            second += f", {_country_name(b.country, rng)}"
        # A country written once at the end, when the first is elsewhere, would be read as the
        # first's too: real affiliations do not write that, so neither does the benchmark.
        text = f"{first}{rng.choice(PAIR_JOINS)}{second}"
        wanted = (frozenset(index.current(a.id)), frozenset(index.current(b.id)))
        cases.append(Case(text, wanted[0] | wanted[1], "pair", _split(a.id), wanted))
    return cases


@dataclass(slots=True)
class Tally:
    correct: int = 0
    wrong: int = 0
    abstained: int = 0

    @property
    def total(self) -> int:
        return self.correct + self.wrong + self.abstained


@dataclass(slots=True)
class Result:
    positives: Tally = field(default_factory=Tally)
    negatives: Tally = field(default_factory=Tally)
    by_kind: dict[str, Tally] = field(default_factory=dict)
    times: list[float] = field(default_factory=list)
    # (confidence decile of the top candidate, whether it is right) -> strings
    calibration: Counter[tuple[int, bool]] = field(default_factory=Counter)
    # Strings naming several: how many had all, some or none of them chosen, or a wrong one.
    several: Counter[str] = field(default_factory=Counter)


def run(index: NameIndex, cases: list[Case], verbose: int) -> Result:
    result = Result()
    positives, negatives = result.positives, result.negatives
    by_kind, times, calibration = result.by_kind, result.times, result.calibration
    shown = 0
    for case in cases:
        started = time.perf_counter()
        candidates = match(index, case.text)
        times.append((time.perf_counter() - started) * 1000)
        chosen = {c.record.id for c in candidates if c.chosen}
        if case.several:
            found = sum(1 for wanted in case.several if chosen & wanted)
            share = "all" if found == len(case.several) else "some" if found else "none"
            result.several["wrong" if chosen - case.truth else share] += 1
            continue
        tally = positives if case.truth else negatives
        kind = by_kind.setdefault(case.kind, Tally())
        if candidates:
            top = candidates[0]
            calibration[(min(int(top.confidence * 10), 9), top.record.id in case.truth)] += 1
        if not chosen:
            outcome = "abstained"
        elif case.truth and chosen <= case.truth:
            outcome = "correct"
        else:
            outcome = "wrong"
        for t in (tally, kind):
            setattr(t, outcome, getattr(t, outcome) + 1)
        missed = outcome == "wrong" or (outcome == "abstained" and bool(case.truth))
        if missed and shown < verbose:
            shown += 1
            want = ", ".join(index.records[t].name for t in case.truth) or "(none)"
            got = "; ".join(
                f"{c.record.name} {c.confidence}{'*' if c.chosen else ''}" for c in candidates[:3]
            )
            print(f"{outcome:9} [{case.kind}] {case.text!r}\n  want {want}\n  got  {got}")
    return result


def _ratio(a: int, b: int) -> float:
    return a / b if b else float("nan")


def report(name: str, result: Result) -> None:
    pos, neg, times = result.positives, result.negatives, result.times
    precision = _ratio(pos.correct, pos.correct + pos.wrong)
    recall = _ratio(pos.correct, pos.total)
    abstention = _ratio(neg.abstained, neg.total)
    print(
        f"{name}: precision {precision:.3f}  recall {recall:.3f}  ({pos.total} strings naming a "
        f"loaded organisation)  abstention {abstention:.3f} ({neg.total} naming none)  "
        f"median {statistics.median(times):.2f} ms  "
        f"p95 {sorted(times)[int(len(times) * 0.95)]:.2f} ms"
    )
    for kind, t in sorted(result.by_kind.items()):
        print(
            f"    {kind:12} n={t.total:5}  correct {t.correct:5}  wrong {t.wrong:4}  "
            f"abstained {t.abstained:5}"
        )
    calibration = result.calibration
    cells = []
    for b in range(10):
        right, wrong = calibration[(b, True)], calibration[(b, False)]
        if right + wrong:
            cells.append(f"{b / 10:.1f}+: {right / (right + wrong):.2f} of {right + wrong}")
    print("    top candidate right, by confidence: " + "; ".join(cells))
    several = result.several
    if several:
        total = sum(several.values())
        print(
            f"    naming two organisations: n={total}  both chosen {several['all']}  one "
            f"{several['some']}  none {several['none']}  a wrong one {several['wrong']}"
        )


def fit(index: NameIndex, cases: list[Case], ridge: float = 1.0) -> tuple[float, ...]:
    """Logistic regression of "this candidate is right" on its features (Newton's method with
    a ridge penalty): the WEIGHTS of graph/match/score.py."""
    rows: list[tuple[tuple[float, ...], float]] = []
    for case in cases:
        for candidate in match(index, case.text):
            if candidate.features:
                rows.append((candidate.features, float(candidate.record.id in case.truth)))
    size = len(FEATURES)
    weights = [0.0] * size
    for _ in range(25):
        gradient = [-ridge * w for w in weights]
        hessian = [[ridge if i == j else 0.0 for j in range(size)] for i in range(size)]
        for x, y in rows:
            p = calibrate(x, tuple(weights))
            for i in range(size):
                gradient[i] += (y - p) * x[i]
                for j in range(size):
                    hessian[i][j] += p * (1 - p) * x[i] * x[j]
        step = _solve(hessian, gradient)
        weights = [w + d for w, d in zip(weights, step, strict=True)]
        if max(abs(d) for d in step) < 1e-6:
            break
    return tuple(round(w, 3) for w in weights)


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    """a x = b by Gaussian elimination with partial pivoting (a is small and positive definite)."""
    n = len(b)
    m = [[*row, rhs] for row, rhs in zip(a, b, strict=True)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[pivot] = m[pivot], m[col]
        for r in range(col + 1, n):
            factor = m[r][col] / m[col][col]
            for c in range(col, n + 1):
                m[r][c] -= factor * m[col][c]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        x[r] = (m[r][n] - sum(m[r][c] * x[c] for c in range(r + 1, n))) / m[r][r]
    return x


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dump", type=Path, default=None)
    parser.add_argument("--strings", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--split", choices=("tune", "test", "all"), default="test")
    parser.add_argument("--verbose", type=int, default=0, help="show this many misses")
    parser.add_argument(
        "--fit", action="store_true", help="fit the confidence's weights on the tuning split"
    )
    args = parser.parse_args(argv)
    dump = args.dump or next((p for p in DUMPS if p.is_file()), None)
    if dump is None or not dump.is_file():
        print("skipped: the ROR dump (../shared/data/ror/) is absent")
        return 0
    started = time.perf_counter()
    parsed = parse_ror(dump)
    everything = [from_organisation(o) for o in parsed.bundle.organisations]
    rng = random.Random(args.seed)
    held_ids = {
        r.id
        for r in everything
        if not (r.parents or r.children or r.successors) and rng.random() < HOLD_OUT
    }
    # What points at a held-out record must not stay either (relations of others to it).
    records = [r for r in everything if r.id not in held_ids]
    held = [r for r in everything if r.id in held_ids]
    parsed_s = time.perf_counter() - started
    started = time.perf_counter()
    index = NameIndex(records)
    built_s = time.perf_counter() - started
    print(
        f"{len(records)} organisations indexed in {built_s:.1f} s "
        f"(dump parsed in {parsed_s:.1f} s), {len(held)} held out"
    )
    cases = build_cases(records, index, held, args.strings, args.seed)
    if args.fit:
        weights = fit(index, [c for c in cases if c.split == "tune"])
        print("WEIGHTS = " + repr(weights) + "  # " + ", ".join(FEATURES))
        return 0
    for split in ("tune", "test") if args.split == "all" else (args.split,):
        chosen = [c for c in cases if c.split == split]
        report(split, run(index, chosen, args.verbose))
    return 0


if __name__ == "__main__":
    sys.exit(main())
