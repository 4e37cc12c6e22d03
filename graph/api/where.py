"""`where` inputs -> a Cypher predicate over one node variable; every value a parameter."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from enum import Enum
from typing import Any

from graph.api.specs import TYPES
from graph.cypher import RelType

Param = Callable[[Any], str]
Var = Callable[[], str]


@dataclasses.dataclass(frozen=True, slots=True)
class Scalar:
    prop: str


@dataclasses.dataclass(frozen=True, slots=True)
class AnyName:
    """Any of the element's names (display name, labels, aliases, acronyms)."""


@dataclasses.dataclass(frozen=True, slots=True)
class Quantified:
    type: RelType
    outgoing: bool
    target: str


_Spec = Scalar | AnyName | Quantified

_ORG: dict[str, _Spec] = {
    "key": Scalar("id"),
    "name": AnyName(),
    **{p: Scalar(p) for p in ("kind", "status", "country", "city", "established")},
    **{p: Scalar(p) for p in ("ror", "wikidata", "topics", "sectors")},
    "agreements": Quantified(RelType.PARTY_TO, True, "Agreement"),
    "projects": Quantified(RelType.PARTICIPATES_IN, True, "Project"),
    "events": Quantified(RelType.PARTICIPATED_IN, True, "Event"),
    "datasets": Quantified(RelType.HOLDS_DATA, True, "Dataset"),
}

WHERE: dict[str, dict[str, _Spec]] = {
    "Organisation": _ORG,
    "Person": {
        "key": Scalar("id"),
        "name": AnyName(),
        "organisations": Quantified(RelType.HOLDS_POSITION, True, "Organisation"),
        "agreements": Quantified(RelType.SIGNED, True, "Agreement"),
    },
    "Agreement": {
        "key": Scalar("id"),
        **{p: Scalar(p) for p in ("kind", "status", "title", "signed", "topics")},
        "parties": Quantified(RelType.PARTY_TO, False, "Organisation"),
        "signatories": Quantified(RelType.SIGNED, False, "Person"),
    },
    "Event": {
        "key": Scalar("id"),
        **{p: Scalar(p) for p in ("kind", "title", "date", "topics")},
        "place_country": Scalar("placeCountry"),
        "participants": Quantified(RelType.PARTICIPATED_IN, False, "Organisation"),
    },
    "Dataset": {
        "key": Scalar("id"),
        **{p: Scalar(p) for p in ("title", "modalities", "individuals", "country", "topics")},
        "holder": Quantified(RelType.HOLDS_DATA, False, "Organisation"),
    },
    "Project": {
        "key": Scalar("id"),
        **{p: Scalar(p) for p in ("kind", "status", "title", "start", "topics")},
        "participants": Quantified(RelType.PARTICIPATES_IN, False, "Organisation"),
    },
    "Source": {"key": Scalar("id"), "title": Scalar("title")},
}

_COMPARE = {"eq": "=", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _operators(expr: str, ops: Any, param: Param) -> list[str]:
    # Cypher compares null to anything as null, and NOT null is null: an organisation without a
    # country would vanish from both `country: {eq: "KR"}` and its NOT. Users read a missing
    # value as "not equal", so every comparison is two-valued.
    return [f"coalesce({p}, false)" for p in _comparisons(expr, ops, param)]


def _comparisons(expr: str, ops: Any, param: Param) -> list[str]:
    out: list[str] = []
    for f in dataclasses.fields(ops):
        value = getattr(ops, f.name)
        if value is None:
            continue
        value = _plain(value)
        match f.name:
            case "eq" | "lt" | "lte" | "gt" | "gte":
                out.append(f"{expr} {_COMPARE[f.name]} {param(value)}")
            case "in_":
                out.append(f"{expr} IN {param(value)}")
            case "contains":
                out.append(f"toLower({expr}) CONTAINS toLower({param(value)})")
            case "starts_with":
                out.append(f"toLower({expr}) STARTS WITH toLower({param(value)})")
            case "ends_with":
                out.append(f"toLower({expr}) ENDS WITH toLower({param(value)})")
            case "includes":
                out.append(f"{param(value)} IN coalesce({expr}, [])")
            case "includes_any":
                out.append(f"any(x IN {param(value)} WHERE x IN coalesce({expr}, []))")
            case "includes_all":
                out.append(f"all(x IN {param(value)} WHERE x IN coalesce({expr}, []))")
            case _:
                raise ValueError(f"unknown operator {f.name}")
    return out


def predicate(type_name: str, where: Any, var: str, param: Param, new_var: Var) -> str:
    """A Cypher boolean over `var` for a `<Type>Where` input; `true` when nothing is asked."""
    specs = WHERE[type_name]
    parts: list[str] = []
    for f in dataclasses.fields(where):
        value = getattr(where, f.name)
        if value is None:
            continue
        if f.name == "AND":
            parts.extend(f"({predicate(type_name, w, var, param, new_var)})" for w in value)
        elif f.name == "OR":
            alts = [f"({predicate(type_name, w, var, param, new_var)})" for w in value]
            parts.append("(" + (" OR ".join(alts) or "false") + ")")
        elif f.name == "NOT":
            parts.append(f"NOT ({predicate(type_name, value, var, param, new_var)})")
        else:
            parts.extend(_field(specs[f.name], value, var, param, new_var))
    return " AND ".join(parts) or "true"


def _field(spec: _Spec, value: Any, var: str, param: Param, new_var: Var) -> list[str]:
    match spec:
        case Scalar(prop=prop):
            return _operators(f"{var}.{prop}", value, param)
        case AnyName():
            name = new_var()
            ops = _operators(name, value, param)
            if not ops:
                return []
            return [f"any({name} IN coalesce({var}.names, []) WHERE {' AND '.join(ops)})"]
        case Quantified(type=rel, outgoing=outgoing, target=target):
            other = new_var()
            label = TYPES[target].label.value
            arrow = f"-[:{rel.value}]->" if outgoing else f"<-[:{rel.value}]-"
            pattern = f"({var}){arrow}({other}:{label})"
            out: list[str] = []
            if value.some is not None:
                cond = predicate(target, value.some, other, param, new_var)
                out.append(f"EXISTS {{ MATCH {pattern} WHERE {cond} }}")
            if value.none is not None:
                cond = predicate(target, value.none, other, param, new_var)
                out.append(f"NOT EXISTS {{ MATCH {pattern} WHERE {cond} }}")
            if value.all is not None:
                cond = predicate(target, value.all, other, param, new_var)
                out.append(f"NOT EXISTS {{ MATCH {pattern} WHERE NOT ({cond}) }}")
            return out
    raise ValueError(f"unknown filter spec {spec!r}")
