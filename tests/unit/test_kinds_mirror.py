"""What is written by hand per kind agrees with the registry (graph/kinds).

The kinds' and edges' object types, their `where` and sort inputs and connections are generated
from the registry, and the typed upsert inputs from the pydantic models: nothing to hold them
to. What remains: the registry's own agreement (an edge's ends and the relationships that name
them, the fan-out of each nested list, the default sort); the embedded object types
(graph/api/schema/types.py), written by hand, which must have the fields the registry reads into
them; and the rows (graph/ingest/rows.py), which must write every property and relationship the
registry reads. And what is derived elsewhere: every scalar `where` filter has its index in
graph/cypher/schema.py, and the exports' node columns follow the API types' field order.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import strawberry
from graphql import (
    GraphQLObjectType,
    build_ast_schema,
    get_named_type,
    get_nullable_type,
    is_leaf_type,
    is_list_type,
    parse,
)

from graph import model as m
from graph.api.compile.tables import NESTED_ESTIMATES
from graph.api.execution.adapter import graphql_schema
from graph.api.schema.build import build_schema
from graph.cypher import Label, RelType
from graph.cypher.schema import SCHEMA
from graph.export.graphrows import COLUMNS
from graph.ingest import rows
from graph.kinds import (
    EDGES,
    KINDS,
    EdgeRel,
    Embedded,
    End,
    Kind,
    Lookup,
    Prop,
    Scalar,
)
from tests.integration.cli import ROOT

KIND_NAMES = sorted(KINDS)


@pytest.fixture(scope="module")
def schema() -> strawberry.Schema:
    return build_schema()


def _object(schema: strawberry.Schema, name: str) -> GraphQLObjectType:
    gtype = graphql_schema(schema).type_map[name]
    assert isinstance(gtype, GraphQLObjectType), name
    return gtype


@pytest.mark.parametrize("edge", sorted(EDGES))
def test_an_edge_has_the_ends_its_relationships_name(edge: str) -> None:
    """Each EdgeRel's `near` is an end holding its kind, its `far` one holding its target ("*":
    the ends named after the kinds they hold, which the compiler tells apart by label); and
    every end of the edge is one of those."""
    ends = {name: spec for name, spec in EDGES[edge].fields.items() if isinstance(spec, End)}
    named: set[str] = set()
    for kind in KINDS.values():
        for field_name, rel in kind.relationships.items():
            if not isinstance(rel, EdgeRel) or rel.edge != edge:
                continue
            where = (kind.name, field_name)
            if rel.near:
                assert ends[rel.near].target == kind.name, where
            if rel.far == "*":
                far = {n: e for n, e in ends.items() if n != rel.near}
                assert all(e.optional and n == e.target.lower() for n, e in far.items()), where
                named |= set(far)
            else:
                assert ends[rel.far].target == rel.target, where
            named |= {rel.near, rel.far} - {"", "*"}
    assert named == set(ends)


@pytest.mark.parametrize("name", KIND_NAMES)
def test_embedded_objects_have_their_properties(schema: strawberry.Schema, name: str) -> None:
    gtype = _object(schema, name)
    for field_name, spec in KINDS[name].fields.items():
        if isinstance(spec, Embedded):
            embedded = get_named_type(gtype.fields[field_name].type)
            assert isinstance(embedded, GraphQLObjectType)
            assert set(embedded.fields) == set(spec.props) | set(spec.rels), (name, field_name)


@pytest.mark.parametrize("name", KIND_NAMES)
def test_the_default_sort_is_a_sort(name: str) -> None:
    assert KINDS[name].default_sort in KINDS[name].sorts


def _object_lists(gtype: GraphQLObjectType) -> set[str]:
    return {
        name
        for name, field in gtype.fields.items()
        if is_list_type(get_nullable_type(field.type))
        and not is_leaf_type(get_named_type(field.type))
        and name != "provenance"
    }


@pytest.mark.parametrize("name", KIND_NAMES)
def test_every_nested_list_has_a_fan_out_and_only_those(
    schema: strawberry.Schema, name: str
) -> None:
    kind: Kind = KINDS[name]
    assert set(kind.fanout) == _object_lists(_object(schema, name))
    for field_name, estimate in kind.fanout.items():
        assert NESTED_ESTIMATES[(name, field_name)] == estimate


# --- rows: every property and relationship the registry reads is one the write path writes ----

# Written by the load for every node (graph/ingest/claims.py, plan.py), not by the rows.
BY_THE_LOAD = {"id", "version", "name", "names", "nameLangs", "nameTypes", "searchText"}
_CITED = [{"source": "s"}]
_NAMED = [{"value": "A", "types": ["display"]}]
_PERIOD = {"start": "2020-01-01", "end": "2021-01-01"}
_PLACE = {"country": "EE", "city": "Tartu"}
# One record of each kind with every optional part given: the rows of each show every property
# and relationship that kind can write.
RECORDS: dict[str, dict[str, Any]] = {
    "Organisation": {
        "id": "a",
        "kind": "university",
        "names": _NAMED,
        "location": _PLACE,
        "relations": [
            {"type": t.value, "organisation": f"o-{t.value}", "period": _PERIOD}
            for t in m.OrgRelationType
        ],
        "sources": _CITED,
    },
    "Person": {
        "id": "p",
        "names": _NAMED,
        "positions": [{"organisation": "a", "title": "Rector", "period": _PERIOD}],
        "sources": _CITED,
    },
    "Agreement": {
        "id": "g",
        "kind": "mou",
        "title": "MoU",
        "signed": "2020-01-01",
        "place": _PLACE,
        "validity": _PERIOD,
        "parties": [{"organisation": "a"}, {"organisation": "b"}],
        "signatories": [{"person": "p", "on_behalf_of": "a", "title": "Rector"}],
        "sources": _CITED,
    },
    "Event": {
        "id": "e",
        "kind": "visit",
        "title": "Visit",
        "date": "2020-01-01",
        "place": _PLACE,
        "participants": [{"organisation": "a", "role": "host"}, {"person": "p"}],
        "agreements": ["g"],
        "projects": ["j"],
        "sources": _CITED,
    },
    "Dataset": {
        "id": "d",
        "title": "Data",
        "holder": "a",
        "modalities": ["genomic"],
        "period": _PERIOD,
        "access": {"rights": "restricted", "body": "b", "contact": "x@example.org"},
        "sources": _CITED,
    },
    "Project": {
        "id": "j",
        "kind": "joint_rnd",
        "title": "Project",
        "period": _PERIOD,
        "budget": {"amount": 1.0, "currency": "EUR"},
        "place": _PLACE,
        "participants": [{"organisation": "a", "period": _PERIOD}],
        "agreement": "g",
        "part_of": "k",
        "datasets": ["d"],
        "sources": _CITED,
    },
    "Source": {"id": "s", "title": "Source"},
}


Written = dict[tuple[RelType, Label, Label], set[str]]


def _rows(name: str) -> tuple[set[str], Written]:
    """The node properties and, per relationship (type, start, end), the properties the rows
    of the kind's record write."""
    kind = KINDS[name]
    if name == "Source":
        source = m.Source.model_validate(RECORDS[name])
        return set(rows.source_claim(source).props) | BY_THE_LOAD, {}
    assert kind.model is not None
    record = kind.model.model_validate(RECORDS[name])
    build = dict(rows._BUILDERS)[KINDS_BY_COLLECTION[name]]
    claim, rels = build(record)
    assert claim.label is kind.label
    written: Written = {}
    for rel in rels:
        written.setdefault((rel.type, rel.start_label, rel.end_label), set()).update(rel.props)
    return set(claim.props) | BY_THE_LOAD, written


KINDS_BY_COLLECTION = {
    "Organisation": "organisations",
    "Person": "people",
    "Agreement": "agreements",
    "Event": "events",
    "Dataset": "datasets",
    "Project": "projects",
}


def _read_props(kind: Kind) -> set[str]:
    read: set[str] = set()
    for spec in kind.fields.values():
        if isinstance(spec, Prop):
            read.add(spec.name)
        elif isinstance(spec, Embedded):
            read |= set(spec.props.values())
            if spec.optional_on is not None:
                read.add(spec.optional_on)
    for filter_spec in kind.filters.values():
        if isinstance(filter_spec, Scalar):
            read.add(filter_spec.prop)
    return read


@pytest.mark.parametrize("name", KIND_NAMES)
def test_the_rows_write_every_property_the_registry_reads(name: str) -> None:
    props, _ = _rows(name)
    assert _read_props(KINDS[name]) <= props, _read_props(KINDS[name]) - props


@pytest.mark.parametrize("name", KIND_NAMES)
def test_the_rows_write_every_relationship_the_registry_reads(name: str) -> None:
    """Each relationship field reads one the rows write (whichever end's record writes it),
    between the right labels, with the edge's properties."""
    written: Written = {}
    for other in KINDS:
        for key, props in _rows(other)[1].items():
            written.setdefault(key, set()).update(props)
    kind = KINDS[name]
    for field_name, rel in kind.relationships.items():
        far = (
            [k.label for k in KINDS.values()] if rel.target == "Node" else [KINDS[rel.target].label]
        )
        ends = [
            (start, end)
            for f in far
            for start, end in ((kind.label, f), (f, kind.label))
            if (rel.outgoing is not False or start == f) and (rel.outgoing is not True or end == f)
        ]
        found = [written[(rel.type, a, b)] for a, b in ends if (rel.type, a, b) in written]
        assert found, (name, field_name)
        if isinstance(rel, EdgeRel):
            edge = {
                s.name if isinstance(s, Prop) else s.prop
                for s in EDGES[rel.edge].fields.values()
                if isinstance(s, Prop | Lookup)
            }
            for props in found:
                assert edge <= props, (name, field_name, edge - props)


# --- what is derived from the registry elsewhere, held to it -----------------------------------

# `(n:Label) ON (n.prop` of a range index, or `(n:Label) REQUIRE n.prop IS UNIQUE`: the first
# property, the one a seek on that property alone can use.
_INDEXED = re.compile(r"FOR \(n:(\w+)\) (?:ON \(n\.(\w+)|REQUIRE n\.(\w+) IS UNIQUE)")


def _indexed() -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for statement in SCHEMA:
        if "FULLTEXT" in statement or (hit := _INDEXED.search(statement)) is None:
            continue
        found.add((hit[1], hit[2] or hit[3]))
    return found


def test_the_index_pattern_reads_the_schema() -> None:
    # A pattern that matched nothing would make the test below vacuous instead of failing.
    assert {("Organisation", "id"), ("Organisation", "country"), ("Project", "start")} <= _indexed()


@pytest.mark.parametrize("name", KIND_NAMES)
def test_every_scalar_filter_has_an_index(name: str) -> None:
    """graph/cypher/schema.py cannot import the registry (the Cypher builders are pure), so a new
    `where` filter's index is written there by hand: this holds the two together, so that no
    filter on a single value is a scan of the label. List properties (topics, sectors) are
    matched element by element and have no range index to use."""
    kind = KINDS[name]
    wanted = {
        (kind.label.value, spec.prop)
        for spec in kind.filters.values()
        if isinstance(spec, Scalar) and spec.of is not list
    }
    assert wanted <= _indexed(), sorted(wanted - _indexed())


def _sdl_fields(type_name: str) -> list[str]:
    """A type's fields in the order of the committed schema.graphql (what API users read)."""
    sdl = build_ast_schema(parse((ROOT / "schema.graphql").read_text(encoding="utf-8")))
    gtype = sdl.type_map[type_name]
    assert isinstance(gtype, GraphQLObjectType), type_name
    return list(gtype.fields)


@pytest.mark.parametrize("name", KIND_NAMES)
def test_export_columns_follow_the_api_type(name: str) -> None:
    """An export's node columns for a kind are in the order of its GraphQL type's fields, the
    one order users see in schema.graphql (README, Exports)."""
    label = KINDS[name].label
    fields = _sdl_fields(name)
    columns = COLUMNS[label]
    assert [c for c in columns if c in fields] == [f for f in fields if f in columns]
    assert len([c for c in columns if c in fields]) >= 2, columns
