"""Property values as the text formats write them: lists joined, numbers as numbers."""

from __future__ import annotations

from typing import Any

from graph.export.graphrows import Citation

LIST_SEPARATOR = "; "


def as_text(value: Any) -> str | None:
    """One cell or attribute (dates in ISO 8601); None when there is nothing to write."""
    if isinstance(value, str):
        return value
    if value is None:
        return None
    kind = type(value)
    if kind is list:
        if value and type(value[0]) is str:  # Neo4j's lists hold one type: most are of text
            return LIST_SEPARATOR.join([v for v in value if v]) or None
        items = [as_text(v) for v in value]
        return LIST_SEPARATOR.join([i for i in items if i]) or None
    if kind is bool:
        return "true" if value else "false"
    return str(value)  # numbers; Neo4j's dates and times, whose str() is ISO 8601


def typed(value: Any, kind: str) -> str | None:
    """A value for a typed attribute (`int`, `long`, `double`); None when it does not fit, so a
    reader that checks types never meets a value of another type."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value) if kind == "double" else int(value)
    except (TypeError, ValueError):
        return None
    return repr(number) if kind == "double" else str(number)


def quotes(citations: list[Citation]) -> str | None:
    """The quotes kept with the citations, each after its source id (`source: "quote"`)."""
    kept = [f'{c.source}: "{c.quote}"' for c in citations if c.quote]
    return " | ".join(kept) or None


def provenance(
    source_ids: list[str], origins: list[str], citations: list[Citation]
) -> list[str | None]:
    """The provenance columns: source ids, origins (the load units), quotes."""
    return [as_text(source_ids), as_text(origins), quotes(citations)]


PROVENANCE_COLUMNS: tuple[str, ...] = ("sourceIds", "origins", "quotes")


def matches(citations: list[Citation]) -> list[object | None]:
    """The match columns of a relationship: the names its loads wrote where they named an end by
    text (distinct, in order), and the lowest confidence among those matches (the weakest one is
    what an analyst checks first; a number, so typed formats declare it `double`). Both None for
    a link by id."""
    names = [c.matched_name for c in citations if c.matched_name is not None]
    confidences = [c.match_confidence for c in citations if c.match_confidence is not None]
    return [as_text(list(dict.fromkeys(names))), min(confidences) if confidences else None]


# Relationships only: a load names by text the organisation at one end of a link, not a node.
MATCH_COLUMNS: tuple[str, ...] = ("matchedName", "matchConfidence")
