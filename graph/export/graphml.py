"""GraphML 1.0 (http://graphml.graphdrawing.org/): typed `<key>`s declared before the graph, then
nodes, then edges; opens in yEd, Gephi, Cytoscape and networkx."""

from __future__ import annotations

from collections.abc import AsyncIterator

from graph.export.chunks import Sink
from graph.export.rows import EDGE_PROPERTIES, NODE_PROPERTIES, NUMBERS, GraphRows
from graph.export.values import PROVENANCE_COLUMNS, as_text, provenance, typed
from graph.export.xmltext import attr, text

HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
    'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
)
NODE_KEYS: tuple[str, ...] = ("label", "type", "key", *NODE_PROPERTIES, *PROVENANCE_COLUMNS)
EDGE_KEYS: tuple[str, ...] = ("relationship", "key", *EDGE_PROPERTIES, *PROVENANCE_COLUMNS)
_NODE_IDS = {name: f"n{i}" for i, name in enumerate(NODE_KEYS)}
_EDGE_IDS = {name: f"e{i}" for i, name in enumerate(EDGE_KEYS)}


def keys() -> str:
    lines = []
    for domain, ids in (("node", _NODE_IDS), ("edge", _EDGE_IDS)):
        for name, key_id in ids.items():
            kind = NUMBERS.get(name, "string")
            lines.append(
                f'<key id="{key_id}" for="{domain}" attr.name={attr(name)} attr.type="{kind}"/>\n'
            )
    return "".join(lines)


def _data(ids: dict[str, str], values: dict[str, object]) -> str:
    parts = []
    for name, value in values.items():
        kind = NUMBERS.get(name)
        cell = typed(value, kind) if kind else as_text(value)
        if cell is not None:
            parts.append(f'<data key="{ids[name]}">{text(cell)}</data>')
    return "".join(parts)


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
        sink.write(
            f'<edge id="e{number}" source={attr(edge.start)} target={attr(edge.end)}>'
            f"{_data(_EDGE_IDS, values)}</edge>\n"
        )
        number += 1
        if sink.full():
            yield sink.take()
    sink.write("</graph>\n</graphml>\n")
    yield sink.take()
