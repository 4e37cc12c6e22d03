"""GraphML 1.0 (http://graphml.graphdrawing.org/): typed `<key>`s declared before the graph, then
nodes, then edges; opens in yEd, Gephi, Cytoscape and networkx."""

from __future__ import annotations

from collections.abc import AsyncIterator

from graph.export.attributes import Attribute, cells, declare
from graph.export.chunks import Sink
from graph.export.rows import EDGE_PROPERTIES, NODE_PROPERTIES, GraphRows
from graph.export.values import MATCH_COLUMNS, PROVENANCE_COLUMNS, matches, provenance
from graph.export.xmltext import attr, text

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


def keys() -> str:
    lines = []
    for domain, declared in (("node", _NODE_IDS), ("edge", _EDGE_IDS)):
        for a in declared.values():
            lines.append(
                f'<key id="{a.id}" for="{domain}" attr.name={attr(a.name)} '
                f'attr.type="{a.kind or "string"}"/>\n'
            )
    return "".join(lines)


def _data(declared: dict[str, Attribute], values: dict[str, object]) -> str:
    return "".join(
        f'<data key="{key}">{text(cell)}</data>' for key, cell in cells(declared, values)
    )


async def graphml(rows: GraphRows) -> AsyncIterator[bytes]:
    sink = Sink()
    sink.write(HEADER + keys() + '<graph id="partnergraph" edgedefault="directed">\n')
    async for node in rows.nodes():
        values: dict[str, object] = {"label": node.title, "type": node.label.value, "key": node.key}
        values.update(node.props)
        prov = provenance(node.source_ids, node.origins, node.citations)
        values.update(zip(PROVENANCE_COLUMNS, prov, strict=True))
        sink.write(f"<node id={attr(node.id)}>{_data(_NODE_IDS, values)}</node>\n")
        if sink.full():
            yield sink.take()
    number = 0
    async for edge in rows.edges():
        values = {"relationship": edge.type.value, "key": edge.key or None}
        values.update(edge.props)
        prov = provenance(edge.source_ids, edge.origins, edge.citations)
        values.update(zip(PROVENANCE_COLUMNS, prov, strict=True))
        values.update(zip(MATCH_COLUMNS, matches(edge.citations), strict=True))
        sink.write(
            f'<edge id="e{number}" source={attr(edge.start)} target={attr(edge.end)}>'
            f"{_data(_EDGE_IDS, values)}</edge>\n"
        )
        number += 1
        if sink.full():
            yield sink.take()
    sink.write("</graph>\n</graphml>\n")
    yield sink.take()
