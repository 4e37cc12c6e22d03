"""Claims -> node properties: what all origins assert about a node, merged deterministically."""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson

from graph.cypher import Label
from graph.ingest.names import name_keys
from graph.ingest.rows import Claim, Props
from graph.model import Citation, Name, NameType

Claimed = dict[str, Any]  # one decoded claim: origin, priority, props, names, aliases, citations

_DATE_KEYS = frozenset(
    {"signed", "validFrom", "validTo", "date", "end", "start", "published", "retrieved"}
)
_NAMED = frozenset({Label.ORGANISATION, Label.PERSON})


class Dumps:
    """JSON forms of citations, dumped once per distinct citation in a load.

    Records repeat the same citation thousands of times and pydantic's `model_dump` is the
    costly part of building a claim; frozen models hash by value, so equal ones share one dump.
    """

    __slots__ = ("_citations",)

    def __init__(self) -> None:
        self._citations: dict[Citation, dict[str, Any]] = {}

    def citation(self, citation: Citation) -> dict[str, Any]:
        out = self._citations.get(citation)
        if out is None:
            out = self._citations[citation] = citation.model_dump(mode="json", exclude_none=True)
        return out


def claim_record(origin: str, priority: int, claim: Claim, dumps: Dumps | None = None) -> Claimed:
    """The claim as stored (decoded); `encode_claim` is its JSON text. Treat it as read-only:
    its citations are shared with other claims through `dumps`."""
    dumps = dumps or Dumps()
    return {
        "origin": origin,
        "priority": priority,
        "props": claim.props,
        "names": [n.model_dump(mode="json", exclude_none=True) for n in claim.names],
        "aliases": claim.aliases,
        "citations": [dumps.citation(c) for c in claim.citations],
    }


def encode_claim(origin: str, priority: int, claim: Claim, dumps: Dumps | None = None) -> str:
    return orjson.dumps(claim_record(origin, priority, claim, dumps)).decode()


_ORIGIN_PREFIX = '{"origin":"'


def claim_origin(encoded: str) -> str:
    # Claims are written with the origin first (claim_record): read it without decoding the
    # whole claim, unless it holds an escape, which only a full decode reads right.
    if encoded.startswith(_ORIGIN_PREFIX):
        end = encoded.find('"', len(_ORIGIN_PREFIX))
        origin = encoded[len(_ORIGIN_PREFIX) : end]
        if end > 0 and "\\" not in origin:
            return origin
    return str(orjson.loads(encoded)["origin"])


def to_neo4j(key: str, value: Any) -> Any:
    """ISO dates (as claims keep them) back to dates, so Neo4j stores and compares them as such."""
    if key in _DATE_KEYS and isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value


def props_to_neo4j(props: Props) -> Props:
    """`to_neo4j` on each property that is set (None ones dropped), in one pass: a relationship
    row's properties, built for every relationship of a load."""
    date, keys = dt.date.fromisoformat, _DATE_KEYS
    return {
        k: date(v) if k in keys and isinstance(v, str) else v
        for k, v in props.items()
        if v is not None
    }


def merge_claims(
    label: Label,
    node_id: str,
    encoded: list[str],
    decoded: list[Claimed] | None = None,
    keys: list[str] | None = None,
) -> Props:
    """The node's full property map; the same claims always give the same map, in any order.

    `decoded`: the claims already as dicts, in the order of `encoded` (a load builds them before
    encoding, so decoding them again is waste). `keys`: the name keys of a single claim's
    record (`org_name_keys`), used when they are what merging would compute.
    """
    if decoded is None:
        decoded = [orjson.loads(c) for c in encoded]
    claims = sorted(decoded, key=lambda c: (c["priority"], c["origin"]))
    props: Props = {"id": node_id}
    for claim in claims:
        for key, value in claim["props"].items():
            if isinstance(value, list):
                seen = props.setdefault(key, [])
                seen.extend(v for v in value if v not in seen)
            elif props.get(key) is None and value is not None:
                props[key] = to_neo4j(key, value)
    props = {k: v for k, v in props.items() if v is not None}

    if label in _NAMED:
        # Claims hold names and citations as the models dumped them (validated once, when
        # parsed): merging works on those dicts, which keeps a 50k-organisation load fast.
        names: dict[tuple[str, str], dict[str, Any]] = {}
        for claim in claims:
            for raw in claim["names"]:
                key = (raw["value"], raw.get("lang") or "")
                if key in names:
                    merged = dict.fromkeys([*names[key]["types"], *raw["types"]])
                    names[key] = {**names[key], "types": list(merged)}
                else:
                    names[key] = raw
        ordered = list(names.values())
        display = next((n for n in ordered if NameType.DISPLAY in n["types"]), ordered[0])
        props["name"] = display["value"]
        props["names"] = [n["value"] for n in ordered]
        props["nameLangs"] = [n.get("lang") or "" for n in ordered]
        props["nameTypes"] = [",".join(n["types"]) for n in ordered]
        props["searchText"] = " | ".join(n["value"] for n in ordered)
        if label is Label.ORGANISATION:
            # Resolution's keys are the record's: the same as merging gives only for one claim
            # whose names did not fold together (types of namesakes merge, acronyms drop out).
            if keys is None or len(claims) > 1 or len(ordered) != len(claims[0]["names"]):
                as_names = [
                    Name.model_construct(value=n["value"], types=[NameType(t) for t in n["types"]])
                    for n in ordered
                ]
                keys = name_keys(as_names, props.get("country"))
            props["nameKeys"] = keys
            props["ids"] = sorted({a for c in claims for a in c["aliases"]} | {node_id})

    provenance: list[str] = []
    for claim in claims:
        for raw in claim["citations"]:
            # The same text provenance_entry() gives: origin first, then the citation as dumped.
            entry = orjson.dumps({"origin": claim["origin"], **raw}).decode()
            if entry not in provenance:
                provenance.append(entry)
    props["origins"] = sorted({c["origin"] for c in claims})
    props["provenance"] = provenance
    props["sourceIds"] = sorted({c["source"] for cl in claims for c in cl["citations"]})
    props["claims"] = sorted(encoded)
    return props
