"""The matcher: whole-name and acronym hits in an affiliation, scored, ranked, and chosen or not."""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass, field

from graph.match.countries import country_in
from graph.match.index import MAX_WORDS, Entry, NameIndex
from graph.match.normalise import Key, acronym_key
from graph.match.parts import Part, groups
from graph.match.record import OrgRecord

# Chosen only at or above this confidence (tuned on the bench's tuning split, see bench/matching).
CHOOSE_AT = 0.85
NAME_WHOLE = 0.75  # a name that is a whole part ("..., University of Tartu, ...")
NAME_PARTIAL = 0.55  # a name inside a part ("Dept of Physics University of Tartu")
ACRONYM_WHOLE = 0.55
ACRONYM_PARTIAL = 0.45
MAX_CANDIDATES = 5
UNIT_WORDS = frozenset(
    {"dept", "fac", "sch", "division", "chair", "unit", "section", "clinic", "graduate", "lab"}
)


@dataclass(frozen=True, slots=True)
class Reason:
    kind: str  # name | acronym | country | city | successor | parent | ambiguous
    part: str  # the text of the affiliation it is about
    value: str  # what that text matched: a name, a country code, a city, an organisation


@dataclass(frozen=True, slots=True)
class Candidate:
    record: OrgRecord
    confidence: float
    chosen: bool
    reasons: tuple[Reason, ...]
    features: tuple[float, ...] = ()  # what the confidence was computed from (FEATURES)


@dataclass(slots=True)
class _Hit:
    """One name (or acronym) of one organisation found in one group of the affiliation."""

    entry: Entry
    group: int
    start: int  # word span in the group's key words
    end: int
    whole: bool  # the span is exactly one or more whole parts
    acronym: bool
    text: str  # the affiliation's words it covers
    record: str = ""  # after redirection (withdrawn -> successor)
    score: float = 0.0
    reasons: list[Reason] = field(default_factory=list)
    evidence: dict[str, float] = field(default_factory=dict)


@dataclass(slots=True)
class _Group:
    parts: list[Part]
    words: list[str]  # the parts' key words, concatenated
    starts: set[int]
    ends: set[int]
    part_of: list[int]  # word position -> part index
    clause_of: list[int]  # word position -> clause (parts joined by conjunctions are one)


def _group(parts: list[Part]) -> _Group:
    words: list[str] = []
    starts: set[int] = set()
    ends: set[int] = set()
    part_of: list[int] = []
    clause_of: list[int] = []
    clause = -1
    for i, p in enumerate(parts):
        clause += 0 if p.joined and i else 1
        starts.add(len(words))
        words.extend(p.key)
        part_of.extend([i] * len(p.key))
        clause_of.extend([clause] * len(p.key))
        ends.add(len(words))
    return _Group(parts, words, starts, ends, part_of, clause_of)


def _name_hits(index: NameIndex, g: _Group, gi: int) -> list[_Hit]:
    hits: list[_Hit] = []
    n = len(g.words)
    for i in range(n):
        for j in range(i + 1, min(n, i + MAX_WORDS) + 1):
            span: Key = tuple(g.words[i:j])
            if span not in index.prefixes:
                break
            whole = i in g.starts and j in g.ends
            # A name may hold commas ("Ministry of Trade, Industry and Energy"), so a span may
            # run over parts, but only whole ones: "Tartu, University Hospital" is no name.
            if not whole and g.clause_of[i] != g.clause_of[j - 1] and i not in g.starts:
                continue
            for entry in index.phrases.get(span, ()):
                text = " ".join(g.words[i:j])
                hits.append(_Hit(entry, gi, i, j, whole, False, text))
    return hits


def _acronym_hits(index: NameIndex, g: _Group, gi: int) -> list[_Hit]:
    hits: list[_Hit] = []
    offset = 0
    for p in g.parts:
        for raw in p.raw:
            # "KSCSTE-NATPAC" is one acronym; its pieces are others' only when it is none.
            pieces = [raw] if acronym_key(raw) in index.acronyms else raw.split("-")
            for piece in pieces:
                short = acronym_key(piece)
                # Upper case as written: "MIT" is an acronym, "mit" a German word.
                if len(short) < 2 or not piece.replace(".", "").replace("&", "").isupper():
                    continue
                whole = len(p.key) == len(piece.split("-"))
                for entry in index.acronyms.get(short, ()):
                    hits.append(_Hit(entry, gi, offset, offset + len(p.key), whole, True, piece))
        offset += len(p.key)
    return hits


@dataclass(frozen=True, slots=True)
class _Country:
    code: str
    text: str
    group: int  # -1: the caller's hint
    start: int
    end: int


def _countries(gs: list[_Group], hint: str | None) -> list[_Country]:
    """Countries the affiliation names (where), and the caller's hint."""
    found: list[_Country] = []
    for gi, g in enumerate(gs):
        offset = 0
        for i, p in enumerate(g.parts):
            # A country's name inside a part is only read as one at the end of the group:
            # "University of Georgia, Athens" names no country.
            hit = country_in(p.key, suffix=i == len(g.parts) - 1)
            if hit:
                code, size = hit
                end = offset + len(p.key)
                found.append(_Country(code, p.text, gi, end - size, end))
            offset += len(p.key)
    if hint:
        found.append(_Country(hint.upper(), f"country: {hint}", -1, 0, 0))
    return found


def _named(countries: list[_Country], hit: _Hit) -> dict[str, str]:
    """The countries the hit's group names outside the hit's own words, and the caller's hint
    (code -> text). Another group's country is another affiliation's."""
    return {
        c.code: c.text
        for c in countries
        if c.group == -1 or (c.group == hit.group and not (c.start < hit.end and hit.start < c.end))
    }


def _contains(words: list[str], sub: Key, outside: tuple[int, int]) -> bool:
    size = len(sub)
    for i in range(len(words) - size + 1):
        if tuple(words[i : i + size]) == sub and (i + size <= outside[0] or i >= outside[1]):
            return True
    return False


def _score(index: NameIndex, hit: _Hit, g: _Group, mentioned: list[_Country]) -> None:
    record = index.records[hit.record]
    countries = _named(mentioned, hit)
    size = hit.end - hit.start
    ev = hit.evidence
    ev["whole"] = float(hit.whole)
    ev["acronym"] = float(hit.acronym)
    ev["one_word"] = float(size == 1 and not hit.acronym)
    ev["long_name"] = float(size >= 3 and not hit.acronym)
    # "Department of Earth Sciences", "Graduate School of Economics": names a registry holds
    # for a few bodies, and affiliations write for the units of thousands.
    ev["unit_name"] = float(not hit.acronym and g.words[hit.start] in UNIT_WORDS)
    if hit.acronym:
        score = ACRONYM_WHOLE if hit.whole else ACRONYM_PARTIAL
        hit.reasons.append(Reason("acronym", hit.text, hit.entry.name))
    else:
        part_words = sum(
            len(g.parts[k].key) for k in {g.part_of[x] for x in range(hit.start, hit.end)}
        )
        coverage = size / max(part_words, 1)
        ev["partial_coverage"] = 0.0 if hit.whole else coverage
        score = NAME_WHOLE if hit.whole else NAME_PARTIAL + 0.1 * coverage
        if size == 1:
            score -= 0.2  # one word ("Tartu", "Karolinska") names a city or a subject as often
        if hit.entry.kind == "former":
            score -= 0.05
        hit.reasons.append(Reason("name", hit.text, hit.entry.name))
    if countries:
        if record.country in countries:
            score += 0.2
            ev["country"] = 1.0
            hit.reasons.append(Reason("country", countries[record.country], record.country))
        else:
            score -= 0.4
            ev["other_country"] = 1.0
    elif hit.acronym:
        score -= 0.4  # an acronym alone, in no named country, is anybody's
    city = index.city_keys.get(record.id)
    if city and _contains(g.words, city, (hit.start, hit.end)):
        score += 0.1
        ev["city"] = 1.0
        hit.reasons.append(Reason("city", " ".join(city), record.city or ""))
    if record.status == "inactive":
        score -= 0.05
        ev["inactive"] = 1.0
    elif record.status == "withdrawn":
        # Withdrawn without a successor to follow: a record ROR took back, never the answer.
        score -= 0.3
        ev["withdrawn"] = 1.0
    hit.score = score


def _redirect(index: NameIndex, hits: list[_Hit]) -> list[_Hit]:
    out: list[_Hit] = []
    for hit in hits:
        for rid in index.current(hit.entry.record):
            copy = _Hit(hit.entry, hit.group, hit.start, hit.end, hit.whole, hit.acronym, hit.text)
            copy.record = rid
            if rid != hit.entry.record:
                old = index.records[hit.entry.record]
                copy.reasons.append(Reason("successor", hit.text, f"{old.name} ({old.id})"))
            out.append(copy)
    return out


def _drop_contained(hits: list[_Hit]) -> list[_Hit]:
    """A name inside a longer name found in the same place is not meant: "Tartu University"
    in "Tartu University Hospital". Acronyms are never inside names."""
    spans = {(h.group, h.start, h.end) for h in hits if not h.acronym}
    return [
        h
        for h in hits
        if h.acronym
        or not any(
            g == h.group and s <= h.start and h.end <= e and (s, e) != (h.start, h.end)
            for g, s, e in spans
        )
    ]


def match(
    index: NameIndex,
    text: str,
    country: str | None = None,
    skip: Collection[str] = (),
) -> list[Candidate]:
    """The organisations an affiliation may name, best first; `chosen` only when sure.

    `skip`: records that may not be named here, left out before ranking, so that they are no
    one's rival either: the answer is the one an index without them gives.
    """
    gs = [_group(parts) for parts in groups(text, index.known)]
    countries = _countries(gs, country)
    hits: list[_Hit] = []
    for gi, g in enumerate(gs):
        hits += _name_hits(index, g, gi) + _acronym_hits(index, g, gi)
    if skip:  # before a longer name of theirs hides a shorter one (_drop_contained)
        hits = [h for h in hits if h.entry.record not in skip]
    hits = _redirect(index, _drop_contained(hits))
    if skip:
        hits = [h for h in hits if h.record not in skip]
    for hit in hits:
        _score(index, hit, gs[hit.group], countries)
    # An acronym is only evidence in its country (an acronym elsewhere is another body's).
    hits = [
        h
        for h in hits
        if not (h.acronym and index.records[h.record].country not in _named(countries, h))
    ]
    best: dict[str, _Hit] = {}
    for hit in sorted(hits, key=lambda h: -h.score):
        best.setdefault(hit.record, hit)
    ranked = sorted(best.values(), key=lambda h: (-h.score, h.record))
    return _choose(index, ranked, len(gs))


def _related(index: NameIndex, a: str, b: str) -> bool:
    return a in index.ancestors(b) or b in index.ancestors(a)


def _mentions(hits: list[_Hit]) -> list[list[_Hit]]:
    """Hits of one group split where their words do not overlap, each in rank order."""
    clusters: list[tuple[int, int, list[_Hit]]] = []
    for hit in sorted(hits, key=lambda h: (h.start, h.end)):
        if clusters and hit.start < clusters[-1][1]:
            start, end, members = clusters[-1]
            clusters[-1] = (start, max(end, hit.end), [*members, hit])
        else:
            clusters.append((hit.start, hit.end, [hit]))
    order = {id(h): i for i, h in enumerate(hits)}
    mentions = [sorted(members, key=lambda h: order[id(h)]) for _, _, members in clusters]
    return sorted(mentions, key=lambda m: order[id(m[0])])


def _another(index: NameIndex, hit: _Hit, chosen: list[_Hit]) -> bool:
    """Whether a mention's top may be chosen beside the group's mentions chosen before it."""
    if not chosen:
        return True
    # A one-word name beside an organisation is its city ("..., Hartford, USA"), not a second
    # organisation; a unit and its parent are one organisation meant, the better placed chosen.
    one_word = hit.end - hit.start == 1 and not hit.acronym
    return not one_word and not any(_related(index, hit.record, c.record) for c in chosen)


def _choose(index: NameIndex, ranked: list[_Hit], n_groups: int) -> list[Candidate]:
    # Hierarchy: a unit and its parent found at the same words are one name shared; the
    # parent is meant. A unit named in words of its own is meant over its parent.
    for hit in ranked:
        for other in ranked:
            if other is hit or other.group != hit.group:
                continue
            if other.record not in index.ancestors(hit.record):
                continue
            if (other.start, other.end) == (hit.start, hit.end):
                hit.score -= 0.1
                hit.reasons.append(Reason("parent", hit.text, index.records[other.record].name))
            else:
                hit.score += 0.05
    ranked.sort(key=lambda h: (-h.score, h.record))
    chosen: set[str] = set()
    confidences: dict[str, float] = {}
    features: dict[str, tuple[float, ...]] = {}
    for gi in range(n_groups):
        # Each mention (hits over the same words) has its own top: "University of Tartu and
        # Tartu University Hospital" names two organisations, and neither is the other's rival.
        chosen_here: list[_Hit] = []
        for mention in _mentions([h for h in ranked if h.group == gi]):
            top = mention[0]
            rivals = [
                h
                for h in mention[1:]
                if not _related(index, h.record, top.record) and h.record != top.record
            ]
            margin = top.score - rivals[0].score if rivals else 1.0
            for h in mention:
                if h.record in features:
                    continue
                features[h.record] = _features(h, margin if h is top else h.score - top.score)
                confidence = calibrate(features[h.record])
                confidences[h.record] = confidence
                sure = confidence >= CHOOSE_AT and not h.evidence.get("withdrawn")
                if h is top and sure and _another(index, h, chosen_here):
                    chosen.add(h.record)
                    chosen_here.append(h)
    out = [
        Candidate(
            index.records[h.record],
            round(confidences.get(h.record, 0.0), 3),
            h.record in chosen,
            tuple(h.reasons),
            features.get(h.record, ()),
        )
        for h in ranked
    ]
    out.sort(key=lambda c: (not c.chosen, -c.confidence, c.record.id))
    return out[:MAX_CANDIDATES]


# The confidence is a logistic function of these (1.0 first: the intercept), with WEIGHTS
# fitted on the bench's tuning split (`python -m bench.matching --fit`): on strings like the
# bench's, a confidence of 0.9 is right about nine times in ten.
FEATURES = (
    "bias",
    "whole",
    "partial_coverage",
    "acronym",
    "one_word",
    "long_name",
    "country",
    "other_country",
    "city",
    "inactive",
    "withdrawn",
    "margin",
    "tie",
    "score",
    "unit_name",
)
WEIGHTS: tuple[float, ...] = (
    -1.548,
    1.99,
    -0.087,
    -2.162,
    -0.867,
    0.917,
    1.027,
    -2.305,
    2.513,
    -0.188,
    -0.043,
    0.939,
    -3.13,
    1.084,
    -3.005,
)


def _features(hit: _Hit, margin: float) -> tuple[float, ...]:
    values = {
        **hit.evidence,
        "bias": 1.0,
        "margin": max(-1.0, min(1.0, margin)),
        "tie": float(margin <= 0.02),
        "score": hit.score,
    }
    return tuple(values.get(name, 0.0) for name in FEATURES)


def calibrate(features: tuple[float, ...], weights: tuple[float, ...] = WEIGHTS) -> float:
    """The confidence that a candidate with these features is the organisation meant."""
    z = sum(w * x for w, x in zip(weights, features, strict=True))
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
