"""What every parser hands the write path: a validated Bundle and where each record came from."""

from __future__ import annotations

from dataclasses import dataclass, field

from graph.errors import Problem
from graph.model import Bundle


@dataclass(frozen=True, slots=True)
class Location:
    file: str
    line: int | None = None


@dataclass(frozen=True, slots=True)
class NamedOrganisation:
    """A cell that names an organisation by free text, not by id (CSV `..._by_name` columns).

    The record holds `placeholder` where the organisation's id goes; the write path matches
    `text` against the organisations (graph.match) and links only a chosen match.
    """

    placeholder: str
    text: str
    file: str
    line: int
    column: int | None  # 1-based, as in Problem
    field: str  # the column's name
    record: str  # "<collection>:<id>" of the record holding the reference
    country: str | None = None  # the row's country, a hint for the matcher
    # The load's own organisation record (e.g. CORDIS's `pic-<PIC>`) that stands in when the
    # matcher is not sure: linked instead of failing, and left out when the matcher chooses.
    fallback: str | None = None


@dataclass(slots=True)
class Parsed:
    """A parser's result. `problems` non-empty means the bundle must not be written.

    `warnings` are what the parser cleaned up on its own (a record related to itself, an
    identifier that is none of its scheme): the bundle loads without them, and the user is told
    what was left out and where, in the same form as problems.

    `locations` maps `"<collection>:<id>"` (e.g. `"agreements:gwtp-tsp-mou-2024"`) to where
    the record was defined, so that checks across records can still name file and line.
    """

    bundle: Bundle
    locations: dict[str, Location] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    # A registry extract (ROR): relations to records outside it are dropped, not errors.
    partial: bool = False
    warnings: list[Problem] = field(default_factory=list)
    # Organisations named by free text, to be matched when the load is planned.
    names: list[NamedOrganisation] = field(default_factory=list)

    def where(self, collection: str, record_id: str) -> Location:
        return self.locations.get(f"{collection}:{record_id}", Location(self.bundle.origin))
