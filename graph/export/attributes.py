"""The typed attributes the XML formats declare before the graph (GraphML keys, GEXF attributes),
and the cells of one node or edge under them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from graph.export.graphrows import NUMBERS, EdgeRow, NodeRow
from graph.export.values import as_text, matches, provenance, typed


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


def cells(attributes: Sequence[Attribute], values: Sequence[object]) -> list[tuple[str, str]]:
    """(attribute id, text) of each value there is to write, `values` in `attributes`' order;
    a number that does not fit its type is left out, so a reader that checks types never meets
    a value of another type."""
    out = []
    for attribute, value in zip(attributes, values, strict=True):
        if value is None:  # most properties of most rows are absent: no call for them
            continue
        kind = attribute.kind
        # Short paths for what most cells are: text, and numbers of their declared type.
        if kind is None:
            cell = value if type(value) is str else as_text(value)
        elif type(value) is float and kind == "double":
            cell = repr(value)
        elif type(value) is int and kind != "double":
            cell = str(value)
        else:
            cell = typed(value, kind)
        if cell is not None:
            out.append((attribute.id, cell))
    return out


def of(declared: Mapping[str, Attribute], names: Sequence[str]) -> tuple[Attribute, ...]:
    return tuple(declared[name] for name in names)


def node_values(node: NodeRow) -> tuple[object, ...]:
    """A node's values as the XML formats list them: type, key, its columns, provenance."""
    provenance_ = provenance(node.source_ids, node.origins, node.quoted)
    return (node.label.value, node.key, *node.values, *provenance_)


def edge_values(edge: EdgeRow) -> tuple[object, ...]:
    """An edge's values as the XML formats list them: type, key, properties, provenance, the
    match columns."""
    return (
        edge.type.value,
        edge.key or None,
        *edge.values,
        *provenance(edge.source_ids, edge.origins, edge.quoted),
        *matches(edge.matched),
    )
