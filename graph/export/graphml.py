"""GraphML 1.0 (http://graphml.graphdrawing.org/): typed `<key>`s declared before the graph, then
nodes, then edges; opens in yEd, Gephi, Cytoscape and networkx."""

from __future__ import annotations

from collections.abc import Iterator

from graph.export.attributes import by_label, cells, declare, of
from graph.export.chunks import Sink
from graph.export.rows import EDGE_PROPERTIES, NODE_PROPERTIES, EdgeRow, GraphRows, NodeRow
from graph.export.values import MATCH_COLUMNS, PROVENANCE_COLUMNS, matches, provenance
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
_NODE_HEAD = of(_NODE_IDS, ("label", "type", "key"))
_NODE_COLUMNS = by_label(_NODE_IDS)
_NODE_PROVENANCE = of(_NODE_IDS, PROVENANCE_COLUMNS)
_EDGE_HEAD = of(_EDGE_IDS, ("relationship", "key"))
_EDGE_COLUMNS = of(_EDGE_IDS, EDGE_PROPERTIES)
_EDGE_PROVENANCE = of(_EDGE_IDS, PROVENANCE_COLUMNS)
_EDGE_MATCHES = of(_EDGE_IDS, MATCH_COLUMNS)


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
    return "".join(
        [f'<data key="{i}">{c}</data>' for (i, _), c in zip(pairs, escaped, strict=True)]
    )


def node_element(node: NodeRow) -> str:
    pairs = cells(_NODE_HEAD, (node.title, node.label.value, node.key))
    pairs += cells(_NODE_COLUMNS[node.label], node.values)
    pairs += cells(_NODE_PROVENANCE, provenance(node.source_ids, node.origins, node.quoted))
    return f"<node id={attr(node.id)}>{_data(pairs)}</node>\n"


def edge_element(number: int, edge: EdgeRow) -> str:
    pairs = cells(_EDGE_HEAD, (edge.type.value, edge.key or None))
    pairs += cells(_EDGE_COLUMNS, edge.values)
    pairs += cells(_EDGE_PROVENANCE, provenance(edge.source_ids, edge.origins, edge.quoted))
    pairs += cells(_EDGE_MATCHES, matches(edge.matched))
    return (
        f'<edge id="e{number}" source={attr(edge.start)} target={attr(edge.end)}>'
        f"{_data(pairs)}</edge>\n"
    )


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
