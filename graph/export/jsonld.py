"""JSON-LD 1.1: schema.org types and terms where they fit, PROV-O for where each fact came from.

The document is a named graph: the export itself (`prov:generatedAtTime`), holding every node
(`schema:Organization`, `schema:Person`, ...) and every relationship as an object of its own
(`from`, `to`, its properties); each derives from its sources (`prov:wasDerivedFrom`), with the
place and quote of each citation (`prov:qualifiedDerivation`) where kept. A relationship whose
load named an organisation by text carries, on that citation's `prov:Derivation`, the name as
written (`matchedName`) and the matcher's confidence (`matchConfidence`, an `xsd:double`). The
context is inline: nothing is fetched to read it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import orjson
from neo4j.time import Date, DateTime

from graph.cypher import Label
from graph.export.chunks import CHUNK_BYTES
from graph.export.graphrows import COLUMNS, EDGE_PROPERTIES, Citation, EdgeRow, GraphRows, NodeRow

BASE = "urn:partnergraph:"
CONTEXT: dict[str, Any] = {
    "@vocab": f"{BASE}vocab:",
    "schema": "https://schema.org/",
    "prov": "http://www.w3.org/ns/prov#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "Organization": "schema:Organization",
    "Person": "schema:Person",
    "Event": "schema:Event",
    "Dataset": "schema:Dataset",
    "Project": "schema:Project",
    "CreativeWork": "schema:CreativeWork",
    "name": "schema:name",
    "alternateName": "schema:alternateName",
    "description": "schema:description",
    "email": "schema:email",
    "telephone": "schema:telephone",
    "url": {"@id": "schema:url", "@type": "@id"},
    "sameAs": {"@id": "schema:sameAs", "@type": "@id"},
    "foundingDate": "schema:foundingDate",
    "keywords": "schema:keywords",
    "startDate": "schema:startDate",
    "endDate": "schema:endDate",
    "datePublished": "schema:datePublished",
    "publisher": "schema:publisher",
    "latitude": "schema:latitude",
    "longitude": "schema:longitude",
    "from": {"@type": "@id"},
    "to": {"@type": "@id"},
    "prov:wasDerivedFrom": {"@type": "@id"},
    "prov:entity": {"@type": "@id"},
    "prov:generatedAtTime": {"@type": "xsd:dateTime"},
    # Typed: a JSON-LD reader would read a confidence of 1.0 as an xsd:integer.
    "matchConfidence": {"@type": "xsd:double"},
}
_TYPES: dict[Label, list[str]] = {
    Label.ORGANISATION: ["Organization"],
    Label.PERSON: ["Person"],
    Label.AGREEMENT: ["CreativeWork", "Agreement"],
    Label.EVENT: ["Event"],
    Label.DATASET: ["Dataset"],
    Label.PROJECT: ["Project"],
    Label.SOURCE: ["CreativeWork", "prov:Entity"],
}
# Properties with a schema.org term; the rest are partnergraph's own (the @vocab).
_TERMS = {
    "names": "alternateName",
    "phone": "telephone",
    "website": "url",
    "established": "foundingDate",
    "topics": "keywords",
    "title": "name",
    "published": "datePublished",
    "lat": "latitude",
    "lng": "longitude",
}
_DATED = {Label.EVENT: {"date": "startDate", "end": "endDate"}}
_DATED[Label.PROJECT] = {"start": "startDate", "end": "endDate"}


def node_iri(global_id: str) -> str:
    return BASE + global_id


def _derivation(citations: list[Citation], source_ids: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if source_ids:
        out["prov:wasDerivedFrom"] = [node_iri(f"Source:{s}") for s in source_ids]
    qualified = [
        {
            "@type": "prov:Derivation",
            "prov:entity": node_iri(f"Source:{c.source}"),
            **({"where": c.where} if c.where else {}),
            **({"quote": c.quote} if c.quote else {}),
            **({"matchedName": c.matched_name} if c.matched_name is not None else {}),
            **({"matchConfidence": c.match_confidence} if c.match_confidence is not None else {}),
        }
        for c in citations
        if c.where or c.quote or c.matched_name is not None
    ]
    if qualified:
        out["prov:qualifiedDerivation"] = qualified
    return out


def node_object(node: NodeRow) -> dict[str, Any]:
    out: dict[str, Any] = {"@id": node_iri(node.id), "@type": _TYPES[node.label], "key": node.key}
    dated = _DATED.get(node.label, {})
    for name, value in zip(COLUMNS[node.label], node.values, strict=True):
        if value is None or value == []:
            continue
        out[dated.get(name) or _TERMS.get(name, name)] = value
    same = []
    if ror := out.get("ror"):
        same.append(f"https://ror.org/{ror}")
    if wikidata := out.get("wikidata"):
        same.append(f"https://www.wikidata.org/entity/{wikidata}")
    if same:
        out["sameAs"] = same
    if node.origins:
        out["origins"] = node.origins
    out.update(_derivation(node.citations, node.source_ids))
    return out


def edge_object(edge: EdgeRow) -> dict[str, Any]:
    out: dict[str, Any] = {
        "@type": edge.type.value,
        "from": node_iri(edge.start),
        "to": node_iri(edge.end),
    }
    if edge.key:
        out["key"] = edge.key
    out.update({k: v for k, v in zip(EDGE_PROPERTIES, edge.values, strict=True) if v is not None})
    if edge.origins:
        out["origins"] = edge.origins
    out.update(_derivation(edge.citations, edge.source_ids))
    return out


def _iso(value: object) -> str:
    """Neo4j's dates and times, which orjson does not know, in ISO 8601."""
    if isinstance(value, Date | DateTime):
        return str(value.iso_format())
    raise TypeError(f"not JSON: {type(value).__name__}")


def opening(now: dt.datetime) -> bytes:
    head = {
        "@context": CONTEXT,
        "@id": f"{BASE}export:{now.strftime('%Y%m%dT%H%M%SZ')}",
        "@type": "prov:Entity",
        "prov:generatedAtTime": now.isoformat(timespec="seconds").replace("+00:00", "Z"),
    }
    # The document's opening: the object without its closing brace, then the graph's array.
    return orjson.dumps(head)[:-1] + b',"@graph":[\n'


def jsonld(rows: GraphRows) -> Iterator[bytes]:
    parts: list[bytes] = [opening(dt.datetime.now(dt.UTC))]
    first = True
    size = 0

    def put(item: dict[str, Any]) -> None:
        nonlocal first, size
        data = orjson.dumps(item, default=_iso)
        parts.append(data if first else b",\n" + data)
        size += len(data) + 2
        first = False

    for node in rows.nodes():
        put(node_object(node))
        if size >= CHUNK_BYTES:
            yield b"".join(parts)
            parts.clear()
            size = 0
    for edge in rows.edges():
        put(edge_object(edge))
        if size >= CHUNK_BYTES:
            yield b"".join(parts)
            parts.clear()
            size = 0
    parts.append(b"\n]}\n")
    yield b"".join(parts)
