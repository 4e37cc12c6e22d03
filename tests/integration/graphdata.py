"""Helpers for integration tests: small bundles built in code, and a fingerprint of the graph."""

from __future__ import annotations

import hashlib
from typing import Any

import orjson

from graph.cypher import schema as cypher_schema
from graph.model import Bundle
from graph.parsed import Parsed
from graph.store import Store


def cite(source: str = "src-a", where: str = "p1") -> list[dict[str, Any]]:
    return [{"source": source, "where": where}]


def org(
    id: str, name: str, country: str = "EE", source: str = "src-a", **extra: Any
) -> dict[str, Any]:
    return {
        "id": id,
        "kind": extra.pop("kind", "university"),
        "names": [{"value": name, "lang": "en", "types": ["display", "label"]}],
        "location": {"country": country},
        "sources": cite(source),
        **extra,
    }


def bundle(origin: str, source: str = "src-a", priority: int = 10, **collections: Any) -> Parsed:
    data = {
        "origin": origin,
        "priority": priority,
        "sources": [{"id": source, "title": f"Source {source}"}],
        **collections,
    }
    return Parsed(Bundle.model_validate(data))


async def fingerprint(store: Store) -> str:
    """A hash of every node and relationship with all their properties."""
    nodes = await store.read(cypher_schema.FINGERPRINT_NODES)
    rels = await store.read(cypher_schema.FINGERPRINT_RELS)
    blob = orjson.dumps([nodes, rels], default=str, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(blob).hexdigest()
