"""GEXF 1.3 (https://gexf.net/): attribute declarations before nodes and edges; Gephi's format."""

from __future__ import annotations

import datetime as dt
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
from graph.export.xmltext import attr, attrs

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


# Every attribute of a node of each label, and of an edge, in the order their values are listed.
_NODE_CELLS = {
    label: (
        *of(_NODE_IDS, ("type", "key")),
        *of(_NODE_IDS, COLUMNS[label]),
        *of(_NODE_IDS, PROVENANCE_COLUMNS),
    )
    for label in Label
}
_EDGE_CELLS = of(_EDGE_IDS, EDGE_ATTRIBUTES)


def _values(pairs: list[tuple[str, str]]) -> str:
    if not pairs:
        return ""
    quoted = attrs([cell for _, cell in pairs])
    parts = [f'<attvalue for="{i}" value={v}/>' for (i, _), v in zip(pairs, quoted, strict=True)]
    return "<attvalues>" + "".join(parts) + "</attvalues>"


def node_element(node: NodeRow) -> str:
    attvalues = _values(cells(_NODE_CELLS[node.label], node_values(node)))
    return f"<node id={attr(node.id)} label={attr(node.title)}>{attvalues}</node>\n"


def edge_element(number: int, edge: EdgeRow) -> str:
    attvalues = _values(cells(_EDGE_CELLS, edge_values(edge)))
    return (
        f'<edge id="{number}" source={attr(edge.start)} target={attr(edge.end)} '
        f"label={attr(edge.type.value)}>{attvalues}</edge>\n"
    )


def gexf(rows: GraphRows) -> Iterator[bytes]:
    sink = Sink()
    sink.write(header(dt.datetime.now(dt.UTC).date()) + "<nodes>\n")
    for node in rows.nodes():
        sink.write(node_element(node))
        if sink.full():
            yield sink.take()
    sink.write("</nodes>\n<edges>\n")
    for number, edge in enumerate(rows.edges()):
        sink.write(edge_element(number, edge))
        if sink.full():
            yield sink.take()
    sink.write("</edges>\n</graph>\n</gexf>\n")
    yield sink.take()
