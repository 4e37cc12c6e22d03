"""Export filters from user values (query parameters, CLI options) to a checked `Selection`."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from graph.cypher import Label
from graph.cypher.export import MAX_DEPTH, Scope
from graph.errors import InputError, Problem
from graph.model import ID_PATTERN, AgreementKind, EventKind, OrgKind, ProjectKind, SourceKind
from graph.model import _country as checked_country

# `kind` is the node's own kind (an organisation's, an agreement's, ...), any of the enums.
KINDS: frozenset[str] = frozenset(
    k.value for enum in (OrgKind, AgreementKind, EventKind, ProjectKind, SourceKind) for k in enum
)
_LABELS = {label.value.lower(): label for label in Label}
_ID = re.compile(ID_PATTERN)
_WHERE = "export filter"
# Bad values reported per parameter; past it, one line says how many more. An error reply must
# not be an amplifier: `kind=a,a,...` (15,000 values, a 30 KB URL) was answered 8.4 MB.
SHOWN_PER_FIELD = 5


@dataclass(frozen=True, slots=True)
class Selection:
    """What an export holds: nodes of `labels` passing every filter (values OR-ed within one)."""

    labels: tuple[Label, ...] = tuple(Label)
    countries: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    around: str | None = None  # an organisation's key: its neighbourhood only
    depth: int = 1

    @property
    def scope(self) -> Scope:
        return Scope(
            country=bool(self.countries),
            kind=bool(self.kinds),
            topic=bool(self.topics),
            depth=self.depth if self.around is not None else None,
        )

    @property
    def params(self) -> dict[str, Any]:
        return {
            "countries": list(self.countries),
            "kinds": list(self.kinds),
            "topics": list(self.topics),
            "around": self.around,
        }


def _values(raw: Iterable[str] | str | None) -> list[str]:
    """`EE,KR` and repeated values alike; blanks and repeats dropped (each is judged once)."""
    if raw is None:
        return []
    items = [raw] if isinstance(raw, str) else list(raw)
    return list(dict.fromkeys(v.strip() for item in items for v in item.split(",") if v.strip()))


def _capped(problems: list[Problem]) -> list[Problem]:
    """At most SHOWN_PER_FIELD problems per field, then one saying how many more there are."""
    out: list[Problem] = []
    seen: dict[str | None, int] = {}
    for problem in problems:
        seen[problem.field] = seen.get(problem.field, 0) + 1
        if seen[problem.field] <= SHOWN_PER_FIELD:
            out.append(problem)
    for field, count in seen.items():
        if count > SHOWN_PER_FIELD:
            more = f"... and {count - SHOWN_PER_FIELD} more bad `{field}` value(s)"
            out.append(Problem(file=_WHERE, field=field, message=more))
    return out


def selection(
    *,
    country: Iterable[str] | str | None = None,
    kind: Iterable[str] | str | None = None,
    type: Iterable[str] | str | None = None,
    topic: Iterable[str] | str | None = None,
    around: str | None = None,
    depth: int | str | None = None,
) -> Selection:
    """A checked selection; every bad value is reported at once (InputError)."""
    problems: list[Problem] = []

    def bad(field: str, message: str) -> None:
        problems.append(Problem(file=_WHERE, field=field, message=message))

    countries: list[str] = []
    for value in _values(country):
        try:
            countries.append(checked_country(value))
        except ValueError as exc:
            bad("country", str(exc))
    kinds = _values(kind)
    for value in kinds:
        if value not in KINDS:
            bad("kind", f"unknown kind {value!r}; one of: {', '.join(sorted(KINDS))}")
    labels: list[Label] = []
    for value in _values(type):
        label = _LABELS.get(value.lower())
        if label is None:
            bad("type", f"unknown type {value!r}; one of: {', '.join(lb.value for lb in Label)}")
        elif label not in labels:
            labels.append(label)
    topics = _values(topic)
    for value in topics:
        if not _ID.match(value):
            bad("topic", f"{value!r} is not a topic (lower-case words joined by '-')")
    key = around.strip().removeprefix("Organisation:") if around else None
    if key is not None and not _ID.match(key):
        bad("around", f"{around!r} is not an organisation key or id")
    hops = 1
    if depth is not None and str(depth).strip():
        try:
            hops = int(depth)
        except ValueError:
            hops = -1
        if not 1 <= hops <= MAX_DEPTH:
            bad("depth", f"depth must be a whole number from 1 to {MAX_DEPTH}, not {depth!r}")
        elif key is None:
            bad("depth", "depth needs `around` (the organisation whose neighbourhood to export)")
    if problems:
        raise InputError(_capped(problems))
    return Selection(
        labels=tuple(labels) or tuple(Label),
        countries=tuple(dict.fromkeys(countries)),  # `ee` and `EE` are one country
        kinds=tuple(kinds),
        topics=tuple(topics),
        around=key,
        depth=hops,
    )
