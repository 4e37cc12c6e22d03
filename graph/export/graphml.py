"""GraphML 1.0 (http://graphml.graphdrawing.org/): typed `<key>`s declared before the graph, then
nodes, then edges; opens in yEd, Gephi, Cytoscape and networkx."""

from __future__ import annotations

from collections.abc import Iterator

from graph.cypher import Label
from graph.export.attributes import cells, declare, edge_values, node_values, of
from graph.export.chunks import Sink
from graph.export.graphrows import (
    COLUMNS,
    EDGE_PROPERTIES,
    NODE_PROPERTIES,
    EdgeRow,
    GraphRows,
    NodeRow,
)
from graph.export.values import MATCH_COLUMNS, PROVENANCE_COLUMNS
from graph.export.xmltext import attr, texts

HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
    'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
)
NODE_KEYS: tuple[str, ...] = ("label", "type", "key", *NODE_PROPERTIES, *PROVENANCE_COLUMNS)
EDGE_KEYS: tuple[str, ...] = (
    "relationship",
    "key",
    *EDGE_PROPERTIES,
    *PROVENANCE_COLUMNS,
    *MATCH_COLUMNS,
)
_NODE_IDS = declare(NODE_KEYS, "n")
_EDGE_IDS = declare(EDGE_KEYS, "e")
# Every cell of a node of each label, and of an edge, in the order their values are listed.
_NODE_CELLS = {
    label: (
        *of(_NODE_IDS, ("label", "type", "key")),
        *of(_NODE_IDS, COLUMNS[label]),
        *of(_NODE_IDS, PROVENANCE_COLUMNS),
    )
    for label in Label
}
_EDGE_CELLS = of(_EDGE_IDS, EDGE_KEYS)
_OPEN = {a.id: f'<data key="{a.id}">' for a in (*_NODE_IDS.values(), *_EDGE_IDS.values())}


def keys() -> str:
    lines = []
    for domain, declared in (("node", _NODE_IDS), ("edge", _EDGE_IDS)):
        for a in declared.values():
            lines.append(
                f'<key id="{a.id}" for="{domain}" attr.name={attr(a.name)} '
                f'attr.type="{a.kind or "string"}"/>\n'
            )
    return "".join(lines)


def _data(pairs: list[tuple[str, str]]) -> str:
    escaped = texts([cell for _, cell in pairs])
    return "".join([_OPEN[i] + c + "</data>" for (i, _), c in zip(pairs, escaped, strict=True)])


def node_element(node: NodeRow) -> str:
    values = (node.title, *node_values(node))
    return f"<node id={attr(node.id)}>{_data(cells(_NODE_CELLS[node.label], values))}</node>\n"


def edge_element(number: int, edge: EdgeRow) -> str:
    data = _data(cells(_EDGE_CELLS, edge_values(edge)))
    return f'<edge id="e{number}" source={attr(edge.start)} target={attr(edge.end)}>{data}</edge>\n'


def graphml(rows: GraphRows) -> Iterator[bytes]:
    sink = Sink()
    sink.write(HEADER + keys() + '<graph id="partnergraph" edgedefault="directed">\n')
    for node in rows.nodes():
        sink.write(node_element(node))
        if sink.full():
            yield sink.take()
    for number, edge in enumerate(rows.edges()):
        sink.write(edge_element(number, edge))
        if sink.full():
            yield sink.take()
    sink.write("</graph>\n</graphml>\n")
    yield sink.take()
