"""GraphQL inputs: the operator filters, and each kind's `where` and sort inputs, from the registry.

The operator filters (`StringFilter`, ...) and `SortDirection` are written here; the rest is
generated from graph/kinds, in the registry's order:
- `<Kind>Where`: one field per entry of `Kind.filters` (its Python name, camel-cased by
  strawberry; the entry's description), then AND, OR, NOT. A `Scalar` takes the operator filter
  of its values (`of`), an enum's being `<Enum>Filter` (eq, in); `AnyName` a `StringFilter`; a
  `Quantified` its target's `<Target>Quantifier` (some, none, all).
- `<Kind>Sort`, an enum of the keys of `Kind.sorts`, and `<Kind>OrderBy` (field, direction).
The generated classes are in WHERE, QUANTIFIERS, SORTS and ORDER_BY by kind name. They are
`type[Any]`: mypy cannot see the fields of a class made at run time (and the compiler reads a
`where` as graphql-core coerced it, graph/api/compile/where.py, never these classes).
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from datetime import date
from datetime import date as Date  # noqa: N812  (the GraphQL scalar's name)
from enum import Enum
from typing import Any, cast

import strawberry

from graph.kinds import KINDS, AnyName, FilterSpec, Quantified, Scalar


@strawberry.input(description="Operators on a string; all given operators must hold.")
class StringFilter:
    eq: str | None = None
    in_: list[str] | None = strawberry.field(name="in", default=None)
    contains: str | None = None
    starts_with: str | None = None
    ends_with: str | None = None


@strawberry.input(description="Operators on a number.")
class IntFilter:
    eq: int | None = None
    in_: list[int] | None = strawberry.field(name="in", default=None)
    lt: int | None = None
    lte: int | None = None
    gt: int | None = None
    gte: int | None = None


@strawberry.input(description="Operators on a date (YYYY-MM-DD).")
class DateFilter:
    eq: Date | None = None
    lt: Date | None = None
    lte: Date | None = None
    gt: Date | None = None
    gte: Date | None = None


@strawberry.input(description="Operators on a list of strings (topics, sectors, modalities).")
class ListFilter:
    includes: str | None = None
    includes_any: list[str] | None = None
    includes_all: list[str] | None = None


@strawberry.enum
class SortDirection(Enum):
    ASC = "ASC"
    DESC = "DESC"


# (annotation, description) of an optional input field.
_Field = tuple[Any, str | None]

# The type descriptions the generated inputs have (the API's, in schema.graphql); others have none.
_DESCRIPTIONS = {
    "OrganisationWhere": "Organisations: every given condition must hold.",
    "OrganisationQuantifier": "Related organisations: some, none or all of them must match.",
}
_ORDER_BY = "Sort key and direction; ties are broken by key."


def _class(name: str) -> type[Any]:
    """An empty class to declare as an input; made before any is declared, so that inputs can
    name each other (a `where` its quantifiers, a quantifier its `where`)."""
    return types.new_class(name, (), {}, lambda ns: ns.update(__module__=__name__))


def _optional(cls: type[Any], fields: Mapping[str, _Field]) -> type[Any]:
    """`cls` declared as a strawberry input of `fields`, each optional (null by default)."""
    cls.__annotations__ = {name: annotation | None for name, (annotation, _) in fields.items()}
    for name, (_, description) in fields.items():
        # `in_`: a Python keyword's escape; the GraphQL name is `in`.
        graphql_name = name.removesuffix("_") if name.endswith("_") else None
        setattr(
            cls, name, strawberry.field(default=None, description=description, name=graphql_name)
        )
    return strawberry.input(cls, description=_DESCRIPTIONS.get(cls.__name__))


def _list(item: type[Any]) -> Any:
    """`list[item]` (mypy reads `list[variable]` as a type, which a variable cannot be)."""
    return types.GenericAlias(list, (item,))


def _enum_filter(enum: type[Enum]) -> type[Any]:
    """`<Enum>Filter`: equal to one of the enum's values, or to any of several."""
    fields = {"eq": (enum, None), "in_": (_list(enum), None)}
    return _optional(_class(f"{enum.__name__}Filter"), fields)


_SCALARS: dict[type[object], type[Any]] = {
    str: StringFilter,
    int: IntFilter,
    date: DateFilter,
    list: ListFilter,
}
_ENUMS: dict[type[object], type[Any]] = {
    spec.of: _enum_filter(spec.of)
    for kind in KINDS.values()
    for spec in kind.filters.values()
    if isinstance(spec, Scalar) and issubclass(spec.of, Enum)
}
WHERE: dict[str, type[Any]] = {name: _class(f"{name}Where") for name in KINDS}
QUANTIFIERS: dict[str, type[Any]] = {
    spec.target: _class(f"{spec.target}Quantifier")
    for kind in KINDS.values()
    for spec in kind.filters.values()
    if isinstance(spec, Quantified)
}


def _filter(spec: FilterSpec) -> type[Any]:
    match spec:
        case Scalar(of=of):
            return _ENUMS.get(of) or _SCALARS[of]
        case AnyName():
            return StringFilter
        case Quantified(target=target):
            return QUANTIFIERS[target]


def _declare_where(name: str) -> None:
    where = WHERE[name]
    filters = {
        field: (_filter(spec), spec.description) for field, spec in KINDS[name].filters.items()
    }
    logical = {"AND": (_list(where), None), "OR": (_list(where), None), "NOT": (where, None)}
    _optional(where, {**filters, **logical})


def _declare_quantifier(target: str) -> None:
    _optional(QUANTIFIERS[target], dict.fromkeys(("some", "none", "all"), (WHERE[target], None)))


def _sort(name: str, values: list[str]) -> type[Enum]:
    # mypy types the functional Enum API's result as a member, not as the class it is.
    made = cast("type[Enum]", Enum(name, [(v, v) for v in values], module=__name__))
    return strawberry.enum(made)


def _order_by(name: str) -> type[Any]:
    cls = _class(f"{name}OrderBy")
    cls.__annotations__ = {"field": SORTS[name], "direction": SortDirection}
    cls.direction = SortDirection.ASC
    return strawberry.input(cls, description=_ORDER_BY)


for _name in WHERE:
    _declare_where(_name)
for _name in QUANTIFIERS:
    _declare_quantifier(_name)
SORTS: dict[str, type[Enum]] = {
    name: _sort(f"{name}Sort", list(k.sorts)) for name, k in KINDS.items()
}
ORDER_BY: dict[str, type[Any]] = {name: _order_by(name) for name in KINDS}
