"""The compiler reads `where` as graphql-core coerced it, by GraphQL names: it knows them all.

graph/api/compile/where.py maps the registry's Python names (`registry_code`, `in_`,
`starts_with`) to the names strawberry gives the schema's inputs; a name it got wrong would fail
only when a client used that filter. Here every field of every filter input the schema has is
checked against the compiler's tables (and a name `in` compiled from such a dict), and the root
fields taking a `where` are resolved raw (graph/api/schema/raw.py), skipping strawberry's
conversion of it into input objects.
"""

from __future__ import annotations

from typing import Any

import pytest
from graphql import GraphQLInputObjectType, GraphQLSchema, get_named_type

from graph.api.compile.where import FIELDS, LOGICAL, OPERATORS, predicate
from graph.api.execution.adapter import graphql_schema
from graph.api.schema.build import build_schema
from graph.api.schema.raw import RAW
from graph.cypher import nametext
from graph.kinds import KINDS

QUANTIFIERS = {"some", "none", "all"}


@pytest.fixture(scope="module")
def gql() -> GraphQLSchema:
    return graphql_schema(build_schema())


def _input(gql: GraphQLSchema, name: str) -> GraphQLInputObjectType:
    gtype = gql.type_map[name]
    assert isinstance(gtype, GraphQLInputObjectType), name
    return gtype


@pytest.mark.parametrize("type_name", sorted(KINDS))
def test_every_where_field_is_known_by_its_graphql_name(gql: GraphQLSchema, type_name: str) -> None:
    where = _input(gql, f"{type_name}Where")
    assert set(where.fields) == set(FIELDS[type_name]) | set(LOGICAL)


def test_every_operator_and_quantifier_is_known_by_its_graphql_name(gql: GraphQLSchema) -> None:
    seen: set[str] = set()
    for type_name in KINDS:
        for name, field in _input(gql, f"{type_name}Where").fields.items():
            inner = get_named_type(field.type)
            if name in LOGICAL:
                continue
            assert isinstance(inner, GraphQLInputObjectType)
            names = set(inner.fields)
            if inner.name.endswith("Quantifier"):
                assert names == QUANTIFIERS, inner.name
            else:
                assert names <= set(OPERATORS), (inner.name, names - set(OPERATORS))
                seen |= names
    # Every operator the compiler knows is one some filter input offers.
    assert seen == set(OPERATORS)
    assert {"in", "startsWith", "includesAny"} <= seen


def test_the_root_fields_taking_a_where_are_resolved_from_raw_arguments(
    gql: GraphQLSchema,
) -> None:
    query = gql.query_type
    assert query is not None
    with_where = {name for name, field in query.fields.items() if "where" in field.args}
    assert with_where == set(RAW)
    for name in RAW:
        assert query.fields[name].resolve is RAW[name], name


def _compiled(where: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    params: dict[str, Any] = {}

    def param(value: Any) -> str:
        params[f"p{len(params)}"] = value
        return f"$p{len(params) - 1}"

    counter = iter(range(1, 100))
    return predicate("Organisation", where, "n", param, lambda: f"v{next(counter)}"), params


def _name_in(values: list[str]) -> dict[str, Any]:
    ops = {"eq": None, "in": values, "contains": None, "startsWith": None, "endsWith": None}
    return {name: (ops if name == "name" else None) for name in FIELDS["Organisation"]}


def test_a_name_in_reads_the_name_text_once_per_value_then_tests_exactly() -> None:
    cond, params = _compiled(_name_in(["Tartu Ülikool", "UT"]))
    assert cond == (
        "(n.nameText CONTAINS '\\u001f' + toLower($p1) + '\\u001f' OR "
        "n.nameText CONTAINS '\\u001f' + toLower($p2) + '\\u001f') AND "
        "any(v1 IN coalesce(n.names, []) WHERE v1 IN $p0)"
    )
    assert params == {"p0": ["Tartu Ülikool", "UT"], "p1": "Tartu Ülikool", "p2": "UT"}


@pytest.mark.parametrize("count", [0, nametext.MAX_NARROWED_IN + 1])
def test_an_empty_or_long_name_in_keeps_the_exact_test_alone(count: int) -> None:
    values = [f"name {i}" for i in range(count)]
    cond, params = _compiled(_name_in(values))
    assert cond == "any(v1 IN coalesce(n.names, []) WHERE v1 IN $p0)"
    assert params == {"p0": values}
