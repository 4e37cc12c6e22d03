"""CSV: a nodes file and an edges file (headers Gephi's spreadsheet import knows), or both zipped.

Cells are neutralised against CSV injection (OWASP): a text cell starting with `=`, `+`, `-`,
`@`, a tab or a carriage return gets a leading `'`, so that a spreadsheet shows it rather than
running it as a formula. Numbers are numbers and stay as they are.
"""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Callable, Iterator
from typing import Any

from graph.cypher import Label
from graph.export.chunks import BinarySink, Sink
from graph.export.graphrows import (
    COLUMNS,
    EDGE_PROPERTIES,
    NODE_PROPERTIES,
    EdgeRow,
    GraphRows,
    NodeRow,
)
from graph.export.values import MATCH_COLUMNS, PROVENANCE_COLUMNS, as_text, matches, provenance

NODE_HEADER: tuple[str, ...] = ("id", "label", "type", "key", *NODE_PROPERTIES, *PROVENANCE_COLUMNS)
EDGE_HEADER: tuple[str, ...] = (
    "source",
    "target",
    "relationship",
    "key",
    *EDGE_PROPERTIES,
    *PROVENANCE_COLUMNS,
    *MATCH_COLUMNS,
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(cell: str | None) -> str:
    if cell is None:
        return ""
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


def _cell(value: Any) -> str:
    # Absent values and strings first: they are most cells of most rows (a row has a column
    # for every label's properties), and the general path costs a node record 1.4x as much.
    if value is None:
        return ""
    if type(value) is str:
        return neutralised(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return repr(value) if isinstance(value, float) else str(value)
    return neutralised(as_text(value))


# Where each label's columns go among NODE_PROPERTIES (a row has a cell for every label's).
_NODE_AT: dict[Label, tuple[int, ...]] = {
    label: tuple(NODE_PROPERTIES.index(c) for c in COLUMNS[label]) for label in Label
}


def node_record(node: NodeRow) -> list[str]:
    props = [""] * len(NODE_PROPERTIES)
    for at, value in zip(_NODE_AT[node.label], node.values, strict=True):
        if value is not None:
            props[at] = _cell(value)
    prov = provenance(node.source_ids, node.origins, node.quoted)
    head = [node.id, node.title, node.label.value, node.key]
    return [neutralised(c) for c in head] + props + [neutralised(c) for c in prov]


def edge_record(edge: EdgeRow) -> list[str]:
    props = [_cell(v) for v in edge.values]
    prov = provenance(edge.source_ids, edge.origins, edge.quoted)
    head = [edge.start, edge.end, edge.type.value, edge.key]
    matched = [_cell(c) for c in matches(edge.matched)]
    return [neutralised(c) for c in head] + props + [neutralised(c) for c in prov] + matched


def nodes_csv(rows: GraphRows) -> Iterator[bytes]:
    sink = Sink()
    out = csv.writer(sink, lineterminator="\r\n")  # RFC 4180
    out.writerow(NODE_HEADER)
    for node in rows.nodes():
        out.writerow(node_record(node))
        if sink.full():
            yield sink.take()
    yield sink.take()


def edges_csv(rows: GraphRows) -> Iterator[bytes]:
    sink = Sink()
    out = csv.writer(sink, lineterminator="\r\n")
    out.writerow(EDGE_HEADER)
    for edge in rows.edges():
        out.writerow(edge_record(edge))
        if sink.full():
            yield sink.take()
    yield sink.take()


FILES: dict[str, Callable[[GraphRows], Iterator[bytes]]] = {
    "nodes": nodes_csv,
    "edges": edges_csv,
}


def zipped(rows: GraphRows) -> Iterator[bytes]:
    """nodes.csv and edges.csv in one zip, written as it streams (zipfile does not need to seek:
    sizes go in data descriptors after each file)."""
    raw = BinarySink()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, make in FILES.items():
            with archive.open(f"{name}.csv", "w") as entry:
                for chunk in make(rows):
                    entry.write(chunk)
                    if data := raw.take():
                        yield data
    yield raw.take()
