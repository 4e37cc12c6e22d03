"""The vocabulary of the kind registry: how a field is read, how a filter filters, a Kind."""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass, field

from pydantic import BaseModel

from graph.cypher import Label, RelType

# --- how a GraphQL field is read from the graph ------------------------------------------------


@dataclass(frozen=True, slots=True)
class Prop:
    """A node or relationship property, as is."""

    name: str


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

    props: dict[str, str]
    optional_on: str | None = None  # null when this property is null
    rels: dict[str, Rel] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class Rel:
    """Nodes at the far end of a relationship: a list, or one node (`many=False`)."""

    type: RelType
    outgoing: bool
    target: str  # GraphQL type name
    many: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class EdgeRel:
    """Edge objects: the relationship's own properties plus both of its ends."""

    type: RelType
    outgoing: bool | None  # None: either direction (RELATED_TO is stored once, either way)
    target: str  # GraphQL type of the far end; "Node" when it may be several
    edge: str  # GraphQL edge type
    near: str  # edge field holding the node we came from
    far: str  # edge field holding the far node; "*": the field named after its label


@dataclass(frozen=True, slots=True, kw_only=True)
class Lookup:
    """A node found by an id kept in a relationship property (a signature's `onBehalfOf`)."""

    target: str
    prop: str


FieldSpec = Prop | GlobalId | Names | Provenance | Embedded | Rel | EdgeRel | Lookup
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
    fields: dict[str, FieldSpec]  # GraphQL field -> how it is read (relationships aside)
    relationships: dict[str, Relationship] = field(default_factory=dict)
    # `<Name>Where` field (Python name) -> how it filters, in the input's order
    filters: dict[str, FilterSpec] = field(default_factory=dict)
    sorts: dict[str, Sort] = field(default_factory=dict)  # `<Name>Sort` value -> key, in order
    default_sort: str = "KEY"
    fanout: dict[str, int] = field(default_factory=dict)  # list field -> rows per parent
    model: type[BaseModel] | None = None  # the pydantic model of its seed-format record
    record: tuple[str, ...] = ()  # the record's fields (model and typed input)

    @property
    def all_fields(self) -> dict[str, FieldSpec]:
        return {**self.fields, **self.relationships}


@dataclass(frozen=True, slots=True)
class EdgeSpec:
    fields: dict[str, FieldSpec]  # Prop (of the relationship), Provenance, Lookup
