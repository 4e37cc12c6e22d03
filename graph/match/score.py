"""The matcher: whole-name and acronym hits in an affiliation, scored, ranked, and chosen or not."""

from __future__ import annotations

from dataclasses import dataclass, field

from graph.match.countries import country_in
from graph.match.index import MAX_WORDS, Entry, NameIndex
from graph.match.normalise import Key, acronym_key
from graph.match.parts import Part, groups
from graph.match.record import OrgRecord

# Chosen only at or above this confidence (tuned on the bench's tuning split, see bench/matching).
CHOOSE_AT = 0.75
NAME_WHOLE = 0.75  # a name that is a whole part ("..., University of Tartu, ...")
NAME_PARTIAL = 0.55  # a name inside a part ("Dept of Physics University of Tartu")
ACRONYM_WHOLE = 0.55
ACRONYM_PARTIAL = 0.45
MAX_CANDIDATES = 5


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


@dataclass(slots=True)
class _Group:
    parts: list[Part]
    words: list[str]  # the parts' key words, concatenated
    starts: set[int]
    ends: set[int]
    part_of: list[int]  # word position -> part index


def _group(parts: list[Part]) -> _Group:
    words: list[str] = []
    starts: set[int] = set()
    ends: set[int] = set()
    part_of: list[int] = []
    for i, p in enumerate(parts):
        starts.add(len(words))
        words.extend(p.key)
        part_of.extend([i] * len(p.key))
        ends.add(len(words))
    return _Group(parts, words, starts, ends, part_of)


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
            if not whole and g.part_of[i] != g.part_of[j - 1]:
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
            short = acronym_key(raw)
            # Upper case as written: "MIT" is an acronym, "mit" a German word.
            if len(short) < 2 or not raw.replace(".", "").replace("&", "").isupper():
                continue
            for entry in index.acronyms.get(short, ()):
                whole = len(p.key) == 1
                hits.append(_Hit(entry, gi, offset, offset + len(p.key), whole, True, raw))
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
    if hit.acronym:
        score = ACRONYM_WHOLE if hit.whole else ACRONYM_PARTIAL
        hit.reasons.append(Reason("acronym", hit.text, hit.entry.name))
    else:
        part_words = sum(
            len(g.parts[k].key) for k in {g.part_of[x] for x in range(hit.start, hit.end)}
        )
        coverage = size / max(part_words, 1)
        score = NAME_WHOLE if hit.whole else NAME_PARTIAL + 0.1 * coverage
        if size == 1:
            score -= 0.2  # one word ("Tartu", "Karolinska") names a city or a subject as often
        if hit.entry.kind == "former":
            score -= 0.05
        hit.reasons.append(Reason("name", hit.text, hit.entry.name))
    if countries:
        if record.country in countries:
            score += 0.2
            hit.reasons.append(Reason("country", countries[record.country], record.country))
        else:
            score -= 0.4
    elif hit.acronym:
        score -= 0.4  # an acronym alone, in no named country, is anybody's
    city = index.city_keys.get(record.id)
    if city and _contains(g.words, city, (hit.start, hit.end)):
        score += 0.1
        hit.reasons.append(Reason("city", " ".join(city), record.city or ""))
    if record.status == "inactive":
        score -= 0.05
    elif record.status == "withdrawn":
        # Withdrawn without a successor to follow: a record ROR took back, never the answer.
        score = min(score - 0.3, CHOOSE_AT - 0.1)
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


def match(index: NameIndex, text: str, country: str | None = None) -> list[Candidate]:
    """The organisations an affiliation may name, best first; `chosen` only when sure."""
    gs = [_group(parts) for parts in groups(text, index.known)]
    countries = _countries(gs, country)
    hits: list[_Hit] = []
    for gi, g in enumerate(gs):
        hits += _name_hits(index, g, gi) + _acronym_hits(index, g, gi)
    hits = _redirect(index, _drop_contained(hits))
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


def _choose(index: NameIndex, ranked: list[_Hit], n_groups: int) -> list[Candidate]:
    # Hierarchy: a unit and its parent found at the same words are one name shared; the
    # parent is meant. A unit named in words of its own is meant over its parent.
    for hit in ranked:
        for other in ranked:
            if (
                other is not hit
                and (other.group, other.start, other.end) == (hit.group, hit.start, hit.end)
                and other.record in index.ancestors(hit.record)
            ):
                hit.score -= 0.1
                hit.reasons.append(Reason("parent", hit.text, index.records[other.record].name))
    ranked.sort(key=lambda h: (-h.score, h.record))
    chosen: set[str] = set()
    confidences: dict[str, float] = {}
    for gi in range(n_groups):
        in_group = [h for h in ranked if h.group == gi]
        if not in_group:
            continue
        top = in_group[0]
        rivals = [
            h
            for h in in_group[1:]
            if not _related(index, h.record, top.record) and h.record != top.record
        ]
        margin = top.score - rivals[0].score if rivals else 1.0
        confidence = _calibrate(top.score, margin)
        confidences[top.record] = max(confidences.get(top.record, 0.0), confidence)
        if confidence >= CHOOSE_AT - 1e-9:
            chosen.add(top.record)
        for h in in_group[1:]:
            conf = _calibrate(h.score, h.score - top.score)
            confidences[h.record] = max(confidences.get(h.record, 0.0), conf)
    out = [
        Candidate(
            index.records[h.record],
            round(confidences.get(h.record, 0.0), 3),
            h.record in chosen,
            tuple(h.reasons),
        )
        for h in ranked
    ]
    out.sort(key=lambda c: (not c.chosen, -c.confidence, c.record.id))
    return out[:MAX_CANDIDATES]


def _calibrate(score: float, margin: float) -> float:
    """Raw score and margin over the best unrelated rival -> a confidence in [0, 1]."""
    if margin <= 0.02:
        score = min(score, 0.5)  # a tie between unrelated organisations: nobody can tell
    elif margin < 0.15:
        score -= 0.15 - margin
    return max(0.0, min(1.0, score))
