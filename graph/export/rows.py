"""The rows every format writes: nodes, then relationships, streamed from Neo4j with provenance."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import orjson
from neo4j.time import Date, DateTime

from graph.api.compile import HIDDEN_FROM_ANONYMOUS
from graph.api.specs import EDGES, TYPES, Embedded, Lookup, Names, Prop
from graph.cypher import Label, RelType
from graph.cypher import export as cypher_export
from graph.cypher.export import Hidden
from graph.errors import InputError, Problem
from graph.export.filters import Selection
from graph.store import Store

# Rows the driver holds at a time; an export's memory is this batch plus one output chunk.
FETCH_SIZE = 2000
# An export may take longer than one API read (30 s): the 51k-organisation ROR graph takes ~5 s.
TIMEOUT_S = 600.0


def _node_columns(label: Label) -> tuple[str, ...]:
    """The properties the API exposes for a label (graph/api/specs.py), key and id aside."""
    spec = next(s for s in TYPES.values() if s.label is label)
    out: list[str] = []
    for field in spec.fields.values():
        match field:
            case Prop(name=name) if name != "id":
                out.append(name)
            case Names():
                out.append("names")
            case Embedded(props=props):
                out.extend(props.values())
    return tuple(dict.fromkeys(out))


COLUMNS: dict[Label, tuple[str, ...]] = {label: _node_columns(label) for label in Label}
# Every node property of any label, in a stable order: the header of CSV and the keys of XML.
NODE_PROPERTIES: tuple[str, ...] = tuple(dict.fromkeys(c for cs in COLUMNS.values() for c in cs))
EDGE_PROPERTIES: tuple[str, ...] = tuple(
    dict.fromkeys(
        f.name if isinstance(f, Prop) else f.prop
        for edge in EDGES.values()
        for f in edge.fields.values()
        if isinstance(f, Prop | Lookup)
    )
)
# Properties that are not strings (the formats with typed attributes declare these).
NUMBERS: dict[str, str] = {
    "version": "int",
    "established": "int",
    "geonamesId": "long",
    "individuals": "long",
    "lat": "double",
    "lng": "double",
    "budgetAmount": "double",
    "matchConfidence": "double",
}


def _hidden(label: Label) -> dict[str, Hidden]:
    prefix = next(name for name, s in TYPES.items() if s.label is label) + "."
    return {
        key.removeprefix(prefix): condition
        for key, condition in HIDDEN_FROM_ANONYMOUS.items()
        if key.startswith(prefix)
    }


@dataclass(frozen=True, slots=True)
class Citation:
    source: str
    origin: str
    where: str | None
    quote: str | None
    # Where the load named the organisation by text and the matcher chose it (graph.ingest.byname);
    # None for a link by id.
    matched_name: str | None = None
    match_confidence: float | None = None


def _citations(entries: list[str]) -> list[Citation]:
    out = []
    for entry in entries:
        raw = orjson.loads(entry)
        out.append(
            Citation(
                raw.get("source", ""),
                raw["origin"],
                raw.get("where"),
                raw.get("quote"),
                raw.get("matchedName"),
                raw.get("matchConfidence"),
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class NodeRow:
    label: Label
    key: str
    props: dict[str, Any]  # NODE_PROPERTIES of this label; None where absent
    source_ids: list[str]
    origins: list[str]
    citations: list[Citation]

    @property
    def id(self) -> str:
        """The API's global id (`Organisation:<key>`): keys are unique per label only."""
        return f"{self.label.value}:{self.key}"

    @property
    def title(self) -> str:
        return str(self.props.get("name") or self.props.get("title") or self.key)


@dataclass(frozen=True, slots=True)
class EdgeRow:
    type: RelType
    start: str  # global ids, as NodeRow.id
    end: str
    key: str
    props: dict[str, Any]
    source_ids: list[str]
    origins: list[str]
    citations: list[Citation]


def plain(value: Any) -> Any:
    """Neo4j temporal values as ISO strings; the rest as the driver gives them."""
    if isinstance(value, Date | DateTime):
        return value.iso_format()
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def _props(raw: dict[str, Any]) -> dict[str, Any]:
    # Most values are absent or strings: only the others go through `plain`.
    return {k: v if v is None or type(v) is str else plain(v) for k, v in raw.items()}


class GraphRows:
    """The rows of one selection, read lazily: each iteration runs its queries afresh."""

    def __init__(self, store: Store, chosen: Selection) -> None:
        self.store = store
        self.selection = chosen

    async def check(self) -> None:
        """Refuse, before any byte is sent, a neighbourhood of an organisation that is not there."""
        if self.selection.around is None:
            return
        rows = await self.store.read(cypher_export.AROUND_EXISTS, self.selection.params)
        if not rows:
            problem = Problem(
                file="export filter",
                field="around",
                message=f"no organisation with key {self.selection.around!r}",
            )
            raise InputError([problem])

    async def nodes(self) -> AsyncIterator[NodeRow]:
        scope, params = self.selection.scope, self.selection.params
        for label in self.selection.labels:
            query = cypher_export.node_rows(label, COLUMNS[label], scope, _hidden(label))
            rows = self.store.stream(query, params, fetch_size=FETCH_SIZE, timeout_s=TIMEOUT_S)
            async for key, props, source_ids, origins, provenance in rows:
                yield NodeRow(
                    label, key, _props(props), source_ids, origins, _citations(provenance)
                )

    async def edges(self) -> AsyncIterator[EdgeRow]:
        scope, params = self.selection.scope, self.selection.params
        labels = self.selection.labels
        for rel_type in RelType:
            query = cypher_export.edge_rows(rel_type, EDGE_PROPERTIES, scope, labels)
            if query is None:
                continue
            rows = self.store.stream(query, params, fetch_size=FETCH_SIZE, timeout_s=TIMEOUT_S)
            async for start, start_label, end, end_label, key, props, ids, origins, prov in rows:
                yield EdgeRow(
                    rel_type,
                    f"{start_label}:{start}",
                    f"{end_label}:{end}",
                    key or "",
                    _props(props),
                    ids,
                    origins,
                    _citations(prov),
                )
