"""The vocabulary of the kind registry: how a field is read, how a filter filters, a Kind."""

from __future__ import annotations

import types
from dataclasses import KW_ONLY, dataclass, field
from typing import Any, get_args, get_origin

from pydantic import BaseModel

from graph.cypher import Label, RelType
from graph.cypher.read import sort_field

# --- how a GraphQL field is read from the graph ------------------------------------------------


@dataclass(frozen=True, slots=True)
class Prop:
    """A node or relationship property, as is.

    `of` is the GraphQL field's value type as a strawberry annotation (`int | None`, an enum,
    `list[str]`), from which a kind's object type, its `where` filters and its sort keys are
    made; a field that cannot be null says so (`of=str`).
    """

    name: str
    _: KW_ONLY
    of: Any = str | None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class GlobalId:
    """`<Type>:<key>`: the Relay id."""


@dataclass(frozen=True, slots=True)
class Names:
    """The parallel lists `names`, `nameLangs`, `nameTypes` as a list of name objects."""


@dataclass(frozen=True, slots=True)
class Provenance:
    """Citations (JSON strings) with their Source nodes; parsed by the field's resolver."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Embedded:
    """A nested object made of the element's own properties (a place, a budget), and of
    relationships of the element shown inside it (a data set's access body)."""

    of: str  # the GraphQL object type (written by hand in graph/api/schema/types.py)
    props: dict[str, str]
    optional_on: str | None = None  # null when this property is null
    rels: dict[str, Rel] = field(default_factory=dict)
    description: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Rel:
    """Nodes at the far end of a relationship: a list, or one node (`many=False`)."""

    type: RelType
    outgoing: bool
    target: str  # GraphQL type name
    many: bool = True
    description: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class EdgeRel:
    """Edge objects: the relationship's own properties plus both of its ends."""

    type: RelType
    outgoing: bool | None  # None: either direction (RELATED_TO is stored once, either way)
    target: str  # GraphQL type of the far end; "Node" when it may be several
    edge: str  # GraphQL edge type
    near: str  # edge field holding the node we came from
    far: str  # edge field holding the far node; "*": the field named after its label
    description: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Lookup:
    """A node found by an id kept in a relationship property (a signature's `onBehalfOf`)."""

    target: str
    prop: str
    description: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class End:
    """An edge's field holding one of its two nodes: the `near` or `far` of the EdgeRels that
    use the edge; `optional` where it holds one kind of node or another."""

    target: str
    optional: bool = False
    description: str | None = None


FieldSpec = Prop | GlobalId | Names | Provenance | Embedded | Rel | EdgeRel | Lookup | End
Relationship = Rel | EdgeRel

# --- how a `where` field filters ---------------------------------------------------------------


# Each becomes a field of the kind's `<Name>Where` input (graph/api/schema/inputs.py), with the
# entry's `description`.


@dataclass(frozen=True, slots=True)
class Scalar:
    """A property compared by the operators of its values' filter input: `StringFilter` for
    str, `IntFilter` for int, `DateFilter` for date, `ListFilter` for a list of strings, and
    `<Enum>Filter` (eq, in) for a model enum."""

    prop: str
    _: KW_ONLY
    of: type[object] = str
    description: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AnyName:
    """Any of the element's names (display name, labels, aliases, acronyms)."""

    description: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Quantified:
    """Related elements of one kind (`<target>Quantifier`): some, none or all must match."""

    type: RelType
    outgoing: bool
    target: str
    description: str | None = None


FilterSpec = Scalar | AnyName | Quantified

# A sort key: a Cypher expression over `n`, and the value that stands in for null so that keyset
# cursors can compare.
Sort = tuple[str, object]


def value_type(of: Any) -> tuple[type[object], bool]:
    """The type of a field's values (`list` for any list), and whether the field may be null."""
    args = get_args(of) if isinstance(of, types.UnionType) else ()
    if args:
        (inner,) = (a for a in args if a is not type(None))
        return value_type(inner)[0], True
    return (list if get_origin(of) is list else of), False


def _prop(fields: dict[str, FieldSpec], name: str) -> Prop:
    spec = fields[name]
    if not isinstance(spec, Prop):
        raise TypeError(f"{name} is not a scalar field: {spec!r}")
    return spec


def scalar_filters(
    fields: dict[str, FieldSpec], *names: str, description: str | None = None
) -> dict[str, FilterSpec]:
    """`where` filters on scalar fields, by their Python names (`registry_code` filters the
    field `registryCode`): each compares the field's property with its values' operators."""
    out: dict[str, FilterSpec] = {}
    for name in names:
        head, *rest = name.split("_")
        prop = _prop(fields, head + "".join(r.capitalize() for r in rest))
        out[name] = Scalar(prop.name, of=value_type(prop.of)[0], description=description)
    return out


def field_sorts(fields: dict[str, FieldSpec], *values: str) -> dict[str, Sort]:
    """Sort keys on scalar fields, by `<Kind>Sort` value (`NAME` sorts by the field `name`)."""
    out: dict[str, Sort] = {}
    for value in values:
        prop = _prop(fields, value.lower())
        of, optional = value_type(prop.of)
        out[value] = sort_field(prop.name, of, optional=optional)
    return out


# Rows per parent of a nested list, for the cost limit. The numbers are the fan-out the data
# has, measured on the ROR dump (51,370 organisations: children p99.9 = 50, max 1,019; parents
# max 17; related p99.9 = 15, max 57; successors max 4) and the seed ecosystem (agreements have
# 2-4 parties); graph/api/execution/limits/rules.py says why they are not the compiler's cap.
FEW, SOME, MANY = 10, 20, 50
# Citations of one fact: a handful of sources at most.
PROVENANCE_ESTIMATE = FEW


@dataclass(frozen=True, slots=True, kw_only=True)
class Kind:
    """One kind of record, in the graph (label), the API (fields) and the seed format."""

    name: str  # the GraphQL type, and the first part of a global id
    label: Label
    description: str  # the GraphQL type's
    # GraphQL field -> how it is read, relationships included, in the object type's order.
    fields: dict[str, FieldSpec]
    # `<Name>Where` field (Python name) -> how it filters, in the input's order
    filters: dict[str, FilterSpec] = field(default_factory=dict)
    sorts: dict[str, Sort] = field(default_factory=dict)  # `<Name>Sort` value -> key, in order
    default_sort: str = "KEY"
    fanout: dict[str, int] = field(default_factory=dict)  # list field -> rows per parent
    model: type[BaseModel] | None = None  # the pydantic model of its seed-format record

    @property
    def relationships(self) -> dict[str, Relationship]:
        return {name: f for name, f in self.fields.items() if isinstance(f, Rel | EdgeRel)}


@dataclass(frozen=True, slots=True, kw_only=True)
class EdgeSpec:
    """An edge type: its GraphQL fields in order, the two `End`s among them."""

    description: str
    fields: dict[str, FieldSpec]  # Prop (of the relationship), End, Provenance, Lookup
