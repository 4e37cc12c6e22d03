"""`where` inputs -> a Cypher predicate over one node variable; every value a parameter."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from enum import Enum
from typing import Any

from graph.api.specs import TYPES
from graph.cypher import RelType
from graph.cypher import filters as cf
from graph.cypher import project as cy

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


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _operators(expr: str, ops: Any, param: Param) -> list[str]:
    """Every operator given in a filter input, each two-valued (see filters.two_valued)."""
    out: list[str] = []
    for f in dataclasses.fields(ops):
        value = getattr(ops, f.name)
        if value is None:
            continue
        out.append(cf.two_valued(cf.compare(expr, f.name, param(_plain(value)))))
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
            parts.extend(cf.grouped(predicate(type_name, w, var, param, new_var)) for w in value)
        elif f.name == "OR":
            parts.append(cf.any_of([predicate(type_name, w, var, param, new_var) for w in value]))
        elif f.name == "NOT":
            parts.append(cf.negated(predicate(type_name, value, var, param, new_var)))
        else:
            parts.extend(_field(specs[f.name], value, var, param, new_var))
    return cf.all_of(parts)


def _field(spec: _Spec, value: Any, var: str, param: Param, new_var: Var) -> list[str]:
    match spec:
        case Scalar(prop=prop):
            return _operators(cy.prop(var, prop), value, param)
        case AnyName():
            name = new_var()
            ops = _operators(name, value, param)
            if not ops:
                return []
            return [cf.any_name(var, name, ops)]
        case Quantified(type=rel, outgoing=outgoing, target=target):
            other = new_var()
            match = cf.related_pattern(var, rel, outgoing, other, TYPES[target].label)
            out: list[str] = []
            if value.some is not None:
                out.append(cf.some(match, predicate(target, value.some, other, param, new_var)))
            if value.none is not None:
                out.append(cf.none(match, predicate(target, value.none, other, param, new_var)))
            if value.all is not None:
                out.append(cf.every(match, predicate(target, value.all, other, param, new_var)))
            return out
    raise ValueError(f"unknown filter spec {spec!r}")
