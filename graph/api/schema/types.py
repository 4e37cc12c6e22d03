"""GraphQL object types; their values come from compiled Cypher maps, not per-field queries.

Each kind's type is declared by `_kind` with the fields of its registry entry (graph/kinds), and
its `<Kind>Connection` and `<Kind>Edge` are generated, one pair per kind (CONNECTIONS); the edge
and embedded types, and the rest, are written here.
"""

from __future__ import annotations

import re
import types
from enum import Enum
from typing import Any, TypeVar

import strawberry

from graph import kinds
from graph.api.schema.marks import reads_maps
from graph.kinds import EDGES, KINDS, FieldSpec
from graph.model import AccessRights

_REGISTERED: set[type[Enum]] = set()


def api_enum(enum: type[Enum]) -> type[Enum]:
    """`enum` declared a GraphQL enum, once: the model's enums are the API's, so there is one
    list of values. Neo4j returns their values as strings, which StrEnum members equal, so they
    serialise without conversion."""
    if enum not in _REGISTERED:
        strawberry.enum(enum)
        _REGISTERED.add(enum)
    return enum


T = TypeVar("T", bound=type)
_SNAKE = re.compile(r"(?<=[a-z])(?=[A-Z])")


def _field(spec: FieldSpec) -> tuple[Any, str | None]:
    """A registry field's strawberry annotation and description; other object types are named
    (forward references, resolved in this module)."""
    match spec:
        case kinds.Prop(of=of, description=description):
            values = kinds.value_type(of)[0]
            if issubclass(values, Enum):
                api_enum(values)
            return of, description
        case kinds.Names():
            return "list[NameVariant]", None
        case kinds.Provenance():
            return "list[Citation]", None
        case kinds.Embedded(of=of, optional_on=optional_on, description=description):
            return (of if optional_on is None else f"{of} | None"), description
        case kinds.Rel(target=target, many=many, description=description):
            return (f"list[{target}]" if many else f"{target} | None"), description
        case kinds.EdgeRel(edge=edge, description=description):
            return f"list[{edge}]", description
        case kinds.Lookup(target=target, description=description):
            return f"{target} | None", description
        case kinds.End(target=target, optional=optional, description=description):
            return (f"{target} | None" if optional else target), description
        case kinds.GlobalId():
            raise TypeError("the global id is the Node interface's field")


def _declare(cls: T, fields: dict[str, FieldSpec], description: str) -> T:
    """`cls` declared a strawberry type of the registry's `fields`, whose values are maps."""
    cls.__annotations__ = {}
    for name, spec in fields.items():
        if isinstance(spec, kinds.GlobalId):
            continue  # the Node interface's
        # A Python name as strawberry would camel-case back; the GraphQL name is given.
        python = _SNAKE.sub("_", name).lower()
        cls.__annotations__[python], field_description = _field(spec)
        setattr(cls, python, strawberry.field(name=name, description=field_description))
    return reads_maps(strawberry.type(cls, description=description))


def _kind(cls: T) -> T:
    """`cls`, a kind's class, declared with the fields of its registry entry."""
    kind = KINDS[cls.__name__]
    return _declare(cls, kind.fields, kind.description)


def _edge(cls: T) -> T:
    """`cls`, an edge type's class, declared with the fields of its registry entry."""
    edge = EDGES[cls.__name__]
    return _declare(cls, edge.fields, edge.description)


@reads_maps
@strawberry.interface(description="Relay Global Object Identification: anything with a global id.")
class Node:
    id: strawberry.ID = strawberry.field(description="Global id, e.g. `Organisation:ut`.")


@_kind
class Source(Node):
    """Fields and description: graph/kinds/registry.py SOURCE."""


@reads_maps
@strawberry.type(description="Where one fact comes from: a source, where in it, and if verified.")
class Citation:
    origin: str = strawberry.field(description="The load unit that asserted the fact.")
    source: Source | None
    where: str | None
    quote: str | None
    verified: bool
    matched_name: str | None = strawberry.field(
        default=None,
        description="The organisation's name as the load wrote it, where it named the "
        "organisation by text (CSV `_by_name` columns) and the matcher chose this one; null "
        "for a link by id.",
    )
    match_confidence: float | None = strawberry.field(
        default=None, description="The matcher's confidence in that choice (0 to 1)."
    )


@reads_maps
@strawberry.type(description="A name in one language: display name, label, alias or acronym.")
class NameVariant:
    value: str
    lang: str | None
    types: list[str]


@reads_maps
@strawberry.type
class Place:
    city: str | None
    country: str | None


@reads_maps
@strawberry.type
class Money:
    amount: float
    currency: str


@_kind
class Organisation(Node):
    """Fields and description: graph/kinds/registry.py ORGANISATION."""


@_edge
class OrganisationLink:
    """Fields and description: graph/kinds/registry.py EDGES."""


@_kind
class Person(Node):
    """Fields and description: graph/kinds/registry.py PERSON."""


@_edge
class Position:
    """Fields and description: graph/kinds/registry.py EDGES."""


@_kind
class Agreement(Node):
    """Fields and description: graph/kinds/registry.py AGREEMENT."""


@_edge
class AgreementParty:
    """Fields and description: graph/kinds/registry.py EDGES."""


@_edge
class Signature:
    """Fields and description: graph/kinds/registry.py EDGES."""


@_kind
class Event(Node):
    """Fields and description: graph/kinds/registry.py EVENT."""


@_edge
class EventParticipation:
    """Fields and description: graph/kinds/registry.py EDGES."""


api_enum(AccessRights)


@reads_maps
@strawberry.type(description="Conditions of access to a data set (HealthDCAT-AP).")
class DataAccess:
    rights: AccessRights | None
    legal_basis: str | None
    conditions: list[str]
    limitations: list[str]
    contact: str | None
    body: Organisation | None = strawberry.field(description="The health data access body.")


@_kind
class Dataset(Node):
    """Fields and description: graph/kinds/registry.py DATASET."""


@_kind
class Project(Node):
    """Fields and description: graph/kinds/registry.py PROJECT."""


@_edge
class ProjectParticipation:
    """Fields and description: graph/kinds/registry.py EDGES."""


@reads_maps
@strawberry.type(description="Relay page information.")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@reads_maps
@strawberry.type(description="A full-text match: how well it matched, and what.")
class SearchEdge:
    cursor: str
    score: float
    node: Node


@reads_maps
@strawberry.type
class SearchConnection:
    edges: list[SearchEdge]
    page_info: PageInfo


def _object(name: str, annotations: dict[str, Any]) -> type[Any]:
    """A class made at run time, declared a strawberry object type whose values are maps."""
    made = types.new_class(
        name, (), {}, lambda ns: ns.update(__module__=__name__, __annotations__=annotations)
    )
    return reads_maps(strawberry.type(made))


def _connection(name: str) -> type[Any]:
    """`<Kind>Connection` and its `<Kind>Edge`, as Relay has them: every kind's are alike."""
    edge = _object(f"{name}Edge", {"cursor": str, "node": globals()[name]})
    # types.GenericAlias is `list[edge]`, which mypy would read as a type a variable cannot be.
    edges = types.GenericAlias(list, (edge,))
    return _object(f"{name}Connection", {"edges": edges, "page_info": PageInfo, "total_count": int})


# Each kind's root connection type (the kind's object type is the class above named after it).
CONNECTIONS: dict[str, type[Any]] = {name: _connection(name) for name in KINDS}
