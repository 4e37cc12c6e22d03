"""The allow-lists of node labels and relationship types: the only names Cypher text may hold."""

from __future__ import annotations

from enum import StrEnum
from typing import LiteralString


class Label(StrEnum):
    ORGANISATION = "Organisation"
    PERSON = "Person"
    AGREEMENT = "Agreement"
    EVENT = "Event"
    DATASET = "Dataset"
    PROJECT = "Project"
    SOURCE = "Source"


class RelType(StrEnum):
    PARTY_TO = "PARTY_TO"  # Organisation -> Agreement {role}
    SIGNED = "SIGNED"  # Person -> Agreement {onBehalfOf, title}
    HOLDS_POSITION = "HOLDS_POSITION"  # Person -> Organisation {title, start, end}
    PARTICIPATED_IN = "PARTICIPATED_IN"  # Organisation|Person -> Event {role}
    RESULTED_IN = "RESULTED_IN"  # Event -> Agreement|Project
    HOLDS_DATA = "HOLDS_DATA"  # Organisation -> Dataset
    GOVERNS_ACCESS = "GOVERNS_ACCESS"  # Organisation -> Dataset (health data access body)
    PARTICIPATES_IN = "PARTICIPATES_IN"  # Organisation -> Project {role, start, end}
    RUNS_UNDER = "RUNS_UNDER"  # Project -> Agreement
    USES_DATA = "USES_DATA"  # Project -> Dataset
    PART_OF = "PART_OF"  # Project -> Project
    CHILD_OF = "CHILD_OF"  # Organisation -> Organisation (child to parent)
    SUCCEEDED_BY = "SUCCEEDED_BY"  # Organisation -> Organisation (predecessor to successor)
    RELATED_TO = "RELATED_TO"  # Organisation -> Organisation
    FOUNDED_BY = "FOUNDED_BY"  # Organisation -> Organisation (the founded to its founder)


def checked_label(label: Label) -> LiteralString:
    if not isinstance(label, Label):
        raise ValueError(f"not an allowed label: {label!r}")
    return label.value


def checked_type(rel_type: RelType) -> LiteralString:
    if not isinstance(rel_type, RelType):
        raise ValueError(f"not an allowed relationship type: {rel_type!r}")
    return rel_type.value
