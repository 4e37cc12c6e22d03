"""GEXF 1.3 (https://gexf.net/): attribute declarations before nodes and edges; Gephi's format."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

from graph.export.attributes import Attribute, cells, declare
from graph.export.chunks import Sink
from graph.export.rows import EDGE_PROPERTIES, NODE_PROPERTIES, GraphRows
from graph.export.values import MATCH_COLUMNS, PROVENANCE_COLUMNS, matches, provenance
from graph.export.xmltext import attr

# `label` and `id` are GEXF's own attributes of a node or edge; these are the rest.
NODE_ATTRIBUTES: tuple[str, ...] = ("type", "key", *NODE_PROPERTIES, *PROVENANCE_COLUMNS)
# An edge's `key` is `relationshipKey` here: readers (networkx) pass attributes as keywords, and
# `key` is the multigraph edge key there.
EDGE_ATTRIBUTES: tuple[str, ...] = (
    "relationship",
    "relationshipKey",
    *EDGE_PROPERTIES,
    *PROVENANCE_COLUMNS,
    *MATCH_COLUMNS,
)
_NODE_IDS = declare(NODE_ATTRIBUTES)
_EDGE_IDS = declare(EDGE_ATTRIBUTES)
_TYPES = {"int": "integer", "long": "long", "double": "double"}


def header(today: dt.date) -> str:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        '<gexf xmlns="http://gexf.net/1.3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd" version="1.3">\n',
        f'<meta lastmodifieddate="{today.isoformat()}"><creator>partnergraph</creator>'
        "<description>partnership ecosystem export</description></meta>\n",
        '<graph defaultedgetype="directed" mode="static">\n',
    ]
    for domain, declared in (("node", _NODE_IDS), ("edge", _EDGE_IDS)):
        lines.append(f'<attributes class="{domain}" mode="static">\n')
        for a in declared.values():
            kind = _TYPES.get(a.kind or "", "string")
            lines.append(f'<attribute id="{a.id}" title={attr(a.name)} type="{kind}"/>\n')
        lines.append("</attributes>\n")
    return "".join(lines)


def _values(declared: dict[str, Attribute], values: dict[str, object]) -> str:
    parts = [f'<attvalue for="{i}" value={attr(cell)}/>' for i, cell in cells(declared, values)]
    return "<attvalues>" + "".join(parts) + "</attvalues>" if parts else ""


async def gexf(rows: GraphRows) -> AsyncIterator[bytes]:
    sink = Sink()
    sink.write(header(dt.datetime.now(dt.UTC).date()) + "<nodes>\n")
    async for node in rows.nodes():
        values: dict[str, object] = {"type": node.label.value, "key": node.key, **node.props}
        prov = provenance(node.source_ids, node.origins, node.citations)
        values.update(zip(PROVENANCE_COLUMNS, prov, strict=True))
        sink.write(
            f"<node id={attr(node.id)} label={attr(node.title)}>"
            f"{_values(_NODE_IDS, values)}</node>\n"
        )
        if sink.full():
            yield sink.take()
    sink.write("</nodes>\n<edges>\n")
    number = 0
    async for edge in rows.edges():
        values = {
            "relationship": edge.type.value,
            "relationshipKey": edge.key or None,
            **edge.props,
        }
        prov = provenance(edge.source_ids, edge.origins, edge.citations)
        values.update(zip(PROVENANCE_COLUMNS, prov, strict=True))
        values.update(zip(MATCH_COLUMNS, matches(edge.citations), strict=True))
        sink.write(
            f'<edge id="{number}" source={attr(edge.start)} target={attr(edge.end)} '
            f"label={attr(edge.type.value)}>{_values(_EDGE_IDS, values)}</edge>\n"
        )
        number += 1
        if sink.full():
            yield sink.take()
    sink.write("</edges>\n</graph>\n</gexf>\n")
    yield sink.take()
