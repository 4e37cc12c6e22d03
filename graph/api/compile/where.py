"""`where` inputs -> a Cypher predicate over one node variable; every value a parameter.

A `where` arrives as graphql-core coerced it: nested dicts keyed by the GraphQL names
(`registryCode`, `startsWith`, `in`), every field of an input present (None when not given), enums
as their Python members. The root fields hand it over as it is (graph/api/schema/raw.py):
strawberry's conversion into input objects was the largest piece of a filtered list request's
Python (84 `convert_argument` calls), and the compiler only reads it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import Enum
from typing import Any

from graph.api.compile.tables import TYPES
from graph.cypher import filters as cf
from graph.cypher import nametext
from graph.cypher import project as cy
from graph.kinds import KINDS, AnyName, FilterSpec, Quantified, Scalar

Param = Callable[[Any], str]
Var = Callable[[], str]
Where = Mapping[str, Any]

_Spec = FilterSpec

# The `where` fields of each type (Python names of the `<Type>Where` input's fields).
WHERE: dict[str, dict[str, FilterSpec]] = {name: kind.filters for name, kind in KINDS.items()}
LOGICAL = ("AND", "OR", "NOT")


def graphql_name(python_name: str) -> str:
    """The GraphQL name strawberry gives a Python field name: camel case, a trailing `_` (a
    Python keyword's escape, `in_`) dropped. tests/unit/test_where_names.py holds it to the
    schema's inputs."""
    head, *rest = python_name.rstrip("_").split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


# The same, by the GraphQL names the dicts are keyed by.
FIELDS: dict[str, dict[str, FilterSpec]] = {
    name: {graphql_name(field): spec for field, spec in specs.items()}
    for name, specs in WHERE.items()
}
OPERATORS: dict[str, str] = {graphql_name(op): op for op in sorted(cf.OPERATORS)}


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _given(ops: Mapping[str, Any], param: Param) -> list[tuple[str, str, Any]]:
    """(operator, parameter reference, value) of every operator given in a filter input."""
    return [
        (OPERATORS[name], param(plain), plain)
        for name, value in ops.items()
        if value is not None
        for plain in (_plain(value),)
    ]


def _operators(expr: str, ops: Mapping[str, Any], param: Param) -> list[str]:
    """Every operator given in a filter input, plain: negations make them two-valued
    (graph/cypher/filters.py says why)."""
    return [cf.compare(expr, op, ref) for op, ref, _ in _given(ops, param)]


def predicate(type_name: str, where: Where, var: str, param: Param, new_var: Var) -> str:
    """A Cypher boolean over `var` for a `<Type>Where` input; `true` when nothing is asked."""
    specs = FIELDS[type_name]
    parts: list[str] = []
    for name, value in where.items():
        if value is None:
            continue
        if name == "AND":
            parts.extend(cf.grouped(predicate(type_name, w, var, param, new_var)) for w in value)
        elif name == "OR":
            parts.append(cf.any_of([predicate(type_name, w, var, param, new_var) for w in value]))
        elif name == "NOT":
            parts.append(cf.negated(predicate(type_name, value, var, param, new_var)))
        else:
            parts.extend(_field(specs[name], value, var, param, new_var))
    return cf.all_of(parts)


# Operators false on a missing property wherever they are plain (every positive position).
_NEEDS_VALUE = ("eq", "in", "lt", "lte", "gt", "gte")


def _fixed(type_name: str, where: Where, operators: tuple[str, ...]) -> set[str]:
    """Properties compared by one of `operators` at the top of the conjunction (or inside its
    ANDs): every node matching `where` satisfies each such comparison."""
    specs = FIELDS[type_name]
    out: set[str] = set()
    for name, value in where.items():
        if value is None or name in ("OR", "NOT"):
            continue
        if name == "AND":
            for w in value:
                out |= _fixed(type_name, w, operators)
            continue
        spec = specs[name]
        compared = any(value.get(op) is not None for op in operators)
        if isinstance(spec, Scalar) and compared:
            out.add(spec.prop)
    return out


def present(type_name: str, where: Where) -> set[str]:
    """Properties every node matching `where` has: those compared by a plain operator, where a
    missing value reads as false."""
    return _fixed(type_name, where, _NEEDS_VALUE)


def equal(type_name: str, where: Where) -> set[str]:
    """Properties `where` fixes to one value (an `eq`): every matching node has the same value."""
    return _fixed(type_name, where, ("eq",))


def _narrowing(var: str, op: str, ref: str, value: Any, param: Param) -> str | None:
    """The name-text index's superset for one operator on names: an `in` by one parameter per
    value (its list stays one parameter for the exact test)."""
    if op == "in_":
        if not 0 < len(value) <= nametext.MAX_NARROWED_IN:
            return None
        return nametext.narrowing_any(var, [param(v) for v in value])
    return nametext.narrowing(var, op, ref)


def _field(spec: _Spec, value: Any, var: str, param: Param, new_var: Var) -> list[str]:
    match spec:
        case Scalar(prop=prop):
            return _operators(cy.prop(var, prop), value, param)
        case AnyName():
            given = _given(value, param)
            if not given:
                return []
            name = new_var()
            exact = cf.any_name(var, name, [cf.compare(name, op, ref) for op, ref, _ in given])
            # The index-served superset first (graph/cypher/nametext.py), then the exact test.
            narrowed = [_narrowing(var, op, ref, plain, param) for op, ref, plain in given]
            return [*(n for n in narrowed if n is not None), exact]
        case Quantified(type=rel, outgoing=outgoing, target=target):
            other = new_var()
            match = cf.related_pattern(var, rel, outgoing, other, TYPES[target].label)
            out: list[str] = []
            if value["some"] is not None:
                out.append(cf.some(match, predicate(target, value["some"], other, param, new_var)))
            if value["none"] is not None:
                out.append(cf.none(match, predicate(target, value["none"], other, param, new_var)))
            if value["all"] is not None:
                out.append(cf.every(match, predicate(target, value["all"], other, param, new_var)))
            return out
    raise ValueError(f"unknown filter spec {spec!r}")
