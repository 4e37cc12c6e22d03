"""Reading field values from compiled Cypher maps: the resolvers below the root, and their twins.

graphql-core calls the resolvers (`by_key`, `citations`, `resolve_type`) with an Info; the
fast path (graph/api/execution/fastpath.py) calls the twins with the response key and the field name
instead. Each twin is the same read, so both paths see the same values.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
from graphql import GraphQLResolveInfo

_MISSING = object()


def read_key(source: Any, key: str, name: str) -> Any:
    # Maps are keyed by response key (aliases of one field coexist); values filled by Python
    # code (connection shapes, questions) are keyed by field name.
    value = source.get(key, _MISSING)
    return source.get(name) if value is _MISSING else value


def read_citations(source: Any, key: str, name: str) -> Any:
    raw = read_key(source, key, name)
    if raw is None:
        return []
    sources = {s["key"]: s for s in raw["sources"]}
    out = []
    for entry in raw["entries"]:
        citation = orjson.loads(entry)
        citation["source"] = sources.get(citation["source"])
        citation.setdefault("where", None)
        citation.setdefault("quote", None)
        out.append(citation)
    return out


def by_key(source: Any, info: GraphQLResolveInfo[Any], **_: Any) -> Any:
    return read_key(source, info.path.key, info.field_name)  # type: ignore[arg-type]


def citations(source: Any, info: GraphQLResolveInfo[Any], **_: Any) -> Any:
    return read_citations(source, info.path.key, info.field_name)  # type: ignore[arg-type]


def resolve_type(value: Any, info: GraphQLResolveInfo[Any], abstract: Any) -> str | None:
    return value.get("__typename") if isinstance(value, dict) else None


MapRead = Callable[[Any, str, str], Any]
# The resolvers that read a map, with the twin the fast path calls instead.
MAP_RESOLVERS: dict[Callable[..., Any], MapRead] = {by_key: read_key, citations: read_citations}
TYPENAME_RESOLVERS: frozenset[Callable[..., Any]] = frozenset({resolve_type})
