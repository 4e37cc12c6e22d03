"""The rows every format writes: nodes, then relationships, streamed from Neo4j with provenance."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, LiteralString

import orjson

from graph.api.compile.compiler import HIDDEN_FROM_ANONYMOUS
from graph.api.compile.tables import EDGES, TYPES, Embedded, Lookup, Names, Prop
from graph.cypher import Label, RelType
from graph.cypher import export as cypher_export
from graph.cypher.export import Hidden
from graph.cypher.props import BUDGET_AMOUNT, CONTRIBUTION_AMOUNT, GEONAMES_ID
from graph.errors import InputError, Problem
from graph.export.selection import Selection
from graph.store import Store

# Rows to a record (Cypher's `$batch`), and records to a fetch: an export's memory is these
# batches plus one output chunk.
BATCH = 1000
FETCH_SIZE = 2
# An export may take longer than one API read (30 s): the 51k-organisation ROR graph takes ~5 s.
TIMEOUT_S = 600.0


def _node_columns(label: Label) -> tuple[str, ...]:
    """The properties the API exposes for a label (graph/api/compile/tables.py), key and id
    aside."""
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
    GEONAMES_ID: "long",
    "individuals": "long",
    "lat": "double",
    "lng": "double",
    BUDGET_AMOUNT: "double",
    CONTRIBUTION_AMOUNT: "double",
    "order": "int",
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


def _citations(entries: Iterable[str]) -> list[Citation]:
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


# An entry holding this key (a JSON object's key: unescaped quotes, then a colon) may carry it;
# one holding the words only inside a string value cannot. Most entries carry neither, and
# reading this beats parsing each one (the CSV and XML formats need only these two).
_QUOTE_KEY = '"quote":'
_MATCH_KEY = '"matchedName":'


def _title_at(label: Label) -> int | None:
    columns = COLUMNS[label]
    return next((columns.index(c) for c in ("name", "title") if c in columns), None)


_TITLE_AT: dict[Label, int | None] = {label: _title_at(label) for label in Label}


class _Cited:
    """A row's citations, read from its provenance entries as stored (JSON)."""

    __slots__ = ()
    entries: list[str]

    @property
    def citations(self) -> list[Citation]:
        return _citations(self.entries)

    @property
    def quoted(self) -> list[Citation]:
        """The citations that may hold a quote (all that do; only these are parsed)."""
        return _citations(e for e in self.entries if _QUOTE_KEY in e)


@dataclass(frozen=True, slots=True)
class NodeRow(_Cited):
    label: Label
    key: str
    values: Sequence[Any]  # COLUMNS[label], in that order; None where absent
    source_ids: list[str]
    origins: list[str]
    entries: list[str]  # the provenance as stored: JSON citations (see `citations`)

    @property
    def id(self) -> str:
        """The API's global id (`Organisation:<key>`): keys are unique per label only."""
        return f"{self.label.value}:{self.key}"

    @property
    def title(self) -> str:
        at = _TITLE_AT[self.label]
        return str((self.values[at] if at is not None else None) or self.key)


@dataclass(frozen=True, slots=True)
class EdgeRow(_Cited):
    type: RelType
    start: str  # global ids, as NodeRow.id
    end: str
    key: str
    values: Sequence[Any]  # EDGE_PROPERTIES, in that order; None where absent
    source_ids: list[str]
    origins: list[str]
    entries: list[str]

    @property
    def matched(self) -> list[Citation]:
        """The citations that may name an end by text (all that do; only these are parsed)."""
        return _citations(e for e in self.entries if _MATCH_KEY in e)


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

    # Blocking, as Store.stream_blocking: the writers iterate these in a worker thread.
    def nodes(self) -> Iterator[NodeRow]:
        scope, params = self.selection.scope, {**self.selection.params, "batch": BATCH}
        for label in self.selection.labels:
            query = cypher_export.node_rows(label, COLUMNS[label], scope, _hidden(label))
            end = 1 + len(COLUMNS[label])
            for (rows,) in self._batches(query, params):
                for row in rows:
                    yield NodeRow(label, row[0], row[1:end], row[end], row[end + 1], row[end + 2])

    def edges(self) -> Iterator[EdgeRow]:
        scope, params = self.selection.scope, {**self.selection.params, "batch": BATCH}
        labels = self.selection.labels
        end = 5 + len(EDGE_PROPERTIES)
        for rel_type in RelType:
            query = cypher_export.edge_rows(rel_type, EDGE_PROPERTIES, scope, labels)
            if query is None:
                continue
            for (rows,) in self._batches(query, params):
                for row in rows:
                    yield EdgeRow(
                        rel_type,
                        f"{row[1]}:{row[0]}",
                        f"{row[3]}:{row[2]}",
                        row[4] or "",
                        row[5:end],
                        row[end],
                        row[end + 1],
                        row[end + 2],
                    )

    def _batches(self, query: LiteralString, params: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
        return self.store.stream_blocking(query, params, fetch_size=FETCH_SIZE, timeout_s=TIMEOUT_S)
