"""The typed attributes the XML formats declare before the graph (GraphML keys, GEXF attributes),
and the cells of one node or edge under them."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from graph.export.rows import NUMBERS
from graph.export.values import as_text, typed


@dataclass(frozen=True, slots=True)
class Attribute:
    id: str  # what a node's or edge's value refers to
    name: str
    kind: str | None  # NUMBERS' type (`int`, `long`, `double`); None for text


def declare(names: Sequence[str], prefix: str = "") -> dict[str, Attribute]:
    """Each name's attribute, numbered in order (`prefix` + index) and typed by NUMBERS."""
    return {
        name: Attribute(f"{prefix}{i}", name, NUMBERS.get(name)) for i, name in enumerate(names)
    }


def cells(
    declared: Mapping[str, Attribute], values: Mapping[str, object]
) -> Iterator[tuple[str, str]]:
    """(attribute id, text) of each value there is to write; a number that does not fit its
    type is left out, so a reader that checks types never meets a value of another type."""
    for name, value in values.items():
        if value is None:  # most properties of most rows are absent: no call for them
            continue
        attribute = declared[name]
        cell = typed(value, attribute.kind) if attribute.kind else as_text(value)
        if cell is not None:
            yield attribute.id, cell
