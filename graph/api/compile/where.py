"""`where` inputs -> a Cypher predicate over one node variable; every value a parameter."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from enum import Enum
from typing import Any

from graph.api.compile.tables import TYPES
from graph.cypher import filters as cf
from graph.cypher import nametext
from graph.cypher import project as cy
from graph.kinds import KINDS, AnyName, FilterSpec, Quantified, Scalar

Param = Callable[[Any], str]
Var = Callable[[], str]


_Spec = FilterSpec

# The `where` fields of each type (Python names of the `<Type>Where` input's fields).
WHERE: dict[str, dict[str, FilterSpec]] = {name: kind.filters for name, kind in KINDS.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _given(ops: Any, param: Param) -> list[tuple[str, str]]:
    """(operator, parameter reference) of every operator given in a filter input."""
    out: list[tuple[str, str]] = []
    for f in dataclasses.fields(ops):
        value = getattr(ops, f.name)
        if value is not None:
            out.append((f.name, param(_plain(value))))
    return out


def _operators(expr: str, ops: Any, param: Param) -> list[str]:
    """Every operator given in a filter input, plain: negations make them two-valued
    (graph/cypher/filters.py says why)."""
    return [cf.compare(expr, op, ref) for op, ref in _given(ops, param)]


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


# Operators false on a missing property wherever they are plain (every positive position).
_NEEDS_VALUE = ("eq", "in_", "lt", "lte", "gt", "gte")


def _fixed(type_name: str, where: Any, operators: tuple[str, ...]) -> set[str]:
    """Properties compared by one of `operators` at the top of the conjunction (or inside its
    ANDs): every node matching `where` satisfies each such comparison."""
    specs = WHERE[type_name]
    out: set[str] = set()
    for f in dataclasses.fields(where):
        value = getattr(where, f.name)
        if value is None or f.name in ("OR", "NOT"):
            continue
        if f.name == "AND":
            for w in value:
                out |= _fixed(type_name, w, operators)
            continue
        spec = specs[f.name]
        compared = any(getattr(value, op, None) is not None for op in operators)
        if isinstance(spec, Scalar) and compared:
            out.add(spec.prop)
    return out


def present(type_name: str, where: Any) -> set[str]:
    """Properties every node matching `where` has: those compared by a plain operator, where a
    missing value reads as false."""
    return _fixed(type_name, where, _NEEDS_VALUE)


def equal(type_name: str, where: Any) -> set[str]:
    """Properties `where` fixes to one value (an `eq`): every matching node has the same value."""
    return _fixed(type_name, where, ("eq",))


def _field(spec: _Spec, value: Any, var: str, param: Param, new_var: Var) -> list[str]:
    match spec:
        case Scalar(prop=prop):
            return _operators(cy.prop(var, prop), value, param)
        case AnyName():
            given = _given(value, param)
            if not given:
                return []
            name = new_var()
            exact = cf.any_name(var, name, [cf.compare(name, op, ref) for op, ref in given])
            # The index-served superset first (graph/cypher/nametext.py), then the exact test.
            narrowed = [nametext.narrowing(var, op, ref) for op, ref in given]
            return [*(n for n in narrowed if n is not None), exact]
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
