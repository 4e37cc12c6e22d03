"""Query limits: measured on the document (pure), enforced over HTTP before any Cypher runs."""

from __future__ import annotations

import ast
import statistics
import time
from collections.abc import Iterator
from typing import Any

import pytest
import strawberry
from graphql import (
    GraphQLObjectType,
    get_introspection_query,
    get_named_type,
    get_nullable_type,
    get_operation_ast,
    is_leaf_type,
    is_list_type,
    parse,
)
from starlette.testclient import TestClient

from graph.api.app import create_app
from graph.api.limits import NESTED_ESTIMATES, Limits, Measure, check, measure
from graph.api.specs import TYPES
from graph.dbserver import ServerInfo
from graph.errors import StoreError
from graph.settings import Settings
from graph.store import Store, Target
from tests.neo4j_test import ROOT, free_port, target_of

GRAPHQL_RESPONSE = "application/graphql-response+json"
TWO_HOPS = """{ organisations { edges { node { name
    agreements { role agreement { title parties { role organisation { name } } } } } } } }"""


def measured(schema: strawberry.Schema, query: str, **variables: Any) -> Measure:
    document = parse(query)
    operation = get_operation_ast(document)
    assert operation is not None
    return measure(schema._schema, document, operation, variables)


def nested(levels: int) -> str:
    """A query nesting exactly `levels` selection sets (parents of parents of ...)."""
    extra = levels - 4  # { organisations { edges { node { name } } } } has 4
    body = "parents { start }" if extra % 2 else "name"
    for _ in range(extra // 2):
        body = f"parents {{ organisation {{ {body} }} }}"
    return f"{{ organisations(first: 1) {{ edges {{ node {{ {body} }} }} }} }}"


def alias_flood(count: int) -> str:
    return "{ " + " ".join(f"a{i}: __typename" for i in range(count)) + " }"


# --- measuring (pure) -------------------------------------------------------------------------


def test_depth_counts_nested_selection_sets(schema: strawberry.Schema) -> None:
    assert measured(schema, "{ __typename }").depth == 1
    assert measured(schema, "{ stats { nodes } }").depth == 2
    assert measured(schema, TWO_HOPS).depth == 8
    for levels in (4, 5, 8, 11, 12):
        assert measured(schema, nested(levels)).depth == levels


def test_depth_expands_fragments_and_inline_fragments(schema: strawberry.Schema) -> None:
    query = """{ organisations { ...Page } }
        fragment Page on OrganisationConnection { edges { node { ...Org } } }
        fragment Org on Organisation {
          ... on Organisation { parents { organisation { name } } } }"""
    assert measured(schema, query).depth == 6


def test_aliases_are_counted_through_fragments(schema: strawberry.Schema) -> None:
    query = """{ a: stats { n: nodes } ...F ...F }
        fragment F on Query { b: stats { r: relationships } }"""
    assert measured(schema, query).aliases == 2 + 2 * 2


def test_cost_counts_pages_and_nested_fan_out(schema: strawberry.Schema) -> None:
    assert measured(schema, "{ stats { nodes } }").cost == 1
    # connection 1 + 20 edges + 20 nodes, the default page.
    assert measured(schema, "{ organisations { edges { node { name } } } }").cost == 41
    assert measured(schema, "{ organisations(first: 5) { edges { node { name } } } }").cost == 11
    assert measured(schema, "{ organisations(last: 3) { edges { node { name } } } }").cost == 7
    assert measured(schema, '{ search(text: "x") { edges { node { id } } } }').cost == 41
    by_variable = "query ($n: Int = 5) { organisations(first: $n) { edges { node { name } } } }"
    assert measured(schema, by_variable).cost == 11
    assert measured(schema, by_variable, n=50).cost == 101
    assert measured(schema, '{ nodes(ids: ["a", "b", "c"]) { id } }').cost == 3
    # 41 + 20 nodes x 50 agreements x (party + agreement + 10 x (party + organisation)).
    assert measured(schema, TWO_HOPS).cost == 41 + 20 * 50 * (2 + 10 * 2)


def test_nodes_counts_its_ids_or_the_compiler_cap(schema: strawberry.Schema) -> None:
    query = "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }"
    assert measured(schema, query).cost == 500
    assert measured(schema, query, ids=["a"] * 7).cost == 7


def test_every_relationship_list_has_an_estimate_and_none_is_stale(
    schema: strawberry.Schema,
) -> None:
    """The node types' lists are the graph's hops, where fan-out matters; each needs a number."""
    hops = set()
    for name in TYPES:
        gtype = schema._schema.type_map[name]
        assert isinstance(gtype, GraphQLObjectType)
        for field_name, field in gtype.fields.items():
            object_list = is_list_type(get_nullable_type(field.type)) and not is_leaf_type(
                get_named_type(field.type)
            )
            if object_list and field_name != "provenance":
                hops.add((name, field_name))
    assert set(NESTED_ESTIMATES) == hops


def test_fragment_bombs_and_cycles_are_measured_without_expanding_them(
    schema: strawberry.Schema,
) -> None:
    bomb = "{ organisations { edges { node { ...F0 } } } }" + "".join(
        f"fragment F{i} on Organisation {{ a: name x: parents {{ organisation {{ ...F{i + 1} }} }}"
        f" y: children {{ organisation {{ ...F{i + 1} }} }} }}"
        for i in range(40)
    )
    bomb += " fragment F40 on Organisation { name }"
    started = time.perf_counter()
    result = measured(schema, bomb)
    assert time.perf_counter() - started < 0.1
    assert result.depth == 84
    assert result.aliases > 2**40
    assert result.cost == 2**53 - 1  # saturated, still a JSON-safe integer
    cycle = "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }"
    assert measured(schema, cycle) == Measure(depth=1, aliases=0, cost=0)


def test_introspection_fits_the_default_limits(schema: strawberry.Schema) -> None:
    result = measured(schema, get_introspection_query(descriptions=True))
    assert check(Limits(), result) == []


# A stress test of the compiler, not a question: four hops from a page of 50 could produce
# ~50M rows (depth 12, cost 52,630,101), which is what the limits exist to refuse over HTTP.
STRESS_TESTS = {"test_nested_query_of_depth_four_costs_one_round_trip"}


def _question_queries() -> dict[str, list[str]]:
    tree = ast.parse((ROOT / "tests" / "api" / "test_questions.py").read_text(encoding="utf-8"))
    out: dict[str, list[str]] = {}
    for test in tree.body:
        if isinstance(test, ast.AsyncFunctionDef | ast.FunctionDef):
            for node in ast.walk(test):
                if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "gql":
                    first = node.args[0] if node.args else None
                    if isinstance(first, ast.Constant) and isinstance(first.value, str):
                        out.setdefault(test.name, []).append(first.value)
    return out


def test_the_questions_the_api_exists_for_fit_the_default_limits(
    schema: strawberry.Schema,
) -> None:
    questions = _question_queries()
    assert set(questions) >= STRESS_TESTS
    queries = [q for name, qs in questions.items() if name not in STRESS_TESTS for q in qs]
    assert len(queries) >= 10
    for query in queries:
        assert check(Limits(), measured(schema, query)) == [], query
    for name in STRESS_TESTS:
        (stress,) = questions[name]
        assert {e.limit for e in check(Limits(), measured(schema, stress))} == {"depth", "cost"}


def test_check_reports_every_limit_broken_with_value_and_maximum() -> None:
    broken = check(Limits(max_depth=3, max_aliases=1, max_cost=10), Measure(4, 2, 11))
    assert [(e.limit, e.value, e.maximum) for e in broken] == [
        ("depth", 4, 3),
        ("aliases", 2, 1),
        ("cost", 11, 10),
    ]
    assert all(e.code == "limit_exceeded" for e in broken)


def test_limits_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Limits.from_settings(Settings()) == Limits()
    monkeypatch.setenv("PARTNERGRAPH_MAX_DEPTH", "4")
    monkeypatch.setenv("PARTNERGRAPH_MAX_TOKENS", "50")
    monkeypatch.setenv("PARTNERGRAPH_MAX_ALIASES", "0")
    monkeypatch.setenv("PARTNERGRAPH_MAX_COST", "99")
    monkeypatch.setenv("PARTNERGRAPH_MAX_BODY_BYTES", "1000")
    assert Limits.from_settings(Settings()) == Limits(4, 50, 0, 99, 1000)


# --- enforced over HTTP ----------------------------------------------------------------------


@pytest.fixture
def client(neo4j_server: ServerInfo) -> Iterator[TestClient]:
    app = create_app(Settings(), target_of(neo4j_server))
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def no_neo4j() -> Iterator[TestClient]:
    """The app pointed at a port nothing listens on: any Cypher would end in a 503."""
    target = Target(uri=f"bolt://127.0.0.1:{free_port()}", user="neo4j", password="x")
    with TestClient(create_app(Settings(NEO4J_TIMEOUT=1), target)) as test_client:
        yield test_client


def post(
    client: TestClient, query: str, *, accept: str = GRAPHQL_RESPONSE, **variables: Any
) -> Any:
    body: dict[str, Any] = {"query": query, "variables": variables or None}
    headers = {"Accept": accept, "X-Partnergraph-Debug": "1"}
    return client.post("/graphql", json=body, headers=headers)


@pytest.mark.parametrize(
    ("query", "limit", "value", "maximum"),
    [
        (nested(12), "depth", 12, 10),
        (alias_flood(31), "aliases", 31, 30),
        (
            "{ organisations(first: 100) { edges { node { children { organisation {"
            " children { organisation { name } } } } } } } }",
            "cost",
            510201,
            50000,
        ),
    ],
)
def test_each_limit_is_refused_with_422_before_any_cypher(
    client: TestClient, query: str, limit: str, value: int, maximum: int
) -> None:
    response = post(client, query)
    assert response.status_code == 422
    body = response.json()
    assert "data" not in body
    (error,) = body["errors"]
    assert error["extensions"] == {
        "code": "limit_exceeded",
        "limit": limit,
        "value": value,
        "maximum": maximum,
    }
    assert str(value) in error["message"]
    assert str(maximum) in error["message"]
    assert body["extensions"]["cypherRoundTrips"] == 0
    # Legacy clients get the same errors with 200, as the GraphQL-over-HTTP draft asks.
    legacy = post(client, query, accept="application/json")
    assert legacy.status_code == 200
    assert legacy.json()["errors"] == body["errors"]


def test_queries_within_the_limits_run(client: TestClient) -> None:
    response = post(client, nested(10))
    assert response.status_code == 200
    assert response.json()["extensions"]["cypherRoundTrips"] == 1
    assert post(client, alias_flood(30)).status_code == 200


def test_cost_follows_the_page_size_variable(client: TestClient) -> None:
    query = """query ($n: Int) { organisations(first: $n) { edges { node {
        children { organisation { children { organisation { name } } } } } } } }"""
    assert post(client, query, n=1).status_code == 200
    refused = post(client, query, n=100)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["extensions"]["limit"] == "cost"


def test_the_token_limit_is_a_parse_error_with_400(client: TestClient) -> None:
    query = "{ " + "__typename " * 2000 + "}"
    response = post(client, query)
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["extensions"] == {"code": "limit_exceeded", "limit": "tokens", "maximum": 2000}
    assert "more than 2000 tokens" in error["message"]
    # Comments count too: they cost the lexer as much as tokens do.
    commented = "{ __typename " + "#\n" * 2001 + "}"
    assert post(client, commented).status_code == 400


def test_limits_hold_with_neo4j_unreachable_so_no_cypher_ran(no_neo4j: TestClient) -> None:
    for query in (nested(12), alias_flood(31), "{ " + "__typename " * 2001 + "}"):
        response = post(no_neo4j, query)
        assert response.status_code in (400, 422), response.text
        assert response.json()["errors"][0]["extensions"]["code"] == "limit_exceeded"
    # The same app does go to Neo4j for a query within the limits.
    assert post(no_neo4j, "{ stats { nodes } }").status_code == 503


def test_configured_limits_apply(neo4j_server: ServerInfo) -> None:
    settings = Settings(PARTNERGRAPH_MAX_DEPTH=2, PARTNERGRAPH_MAX_ALIASES=0)
    with TestClient(create_app(settings, target_of(neo4j_server))) as client:
        assert post(client, "{ stats { nodes } }").status_code == 200
        assert post(client, "{ organisations { totalCount } }").status_code == 200
        refused = post(client, "{ organisations { edges { cursor } } }")
        assert refused.json()["errors"][0]["extensions"]["maximum"] == 2
        assert post(client, "{ a: __typename }").status_code == 422


def test_oversized_bodies_get_413_before_being_read(client: TestClient) -> None:
    big = b'{"query": "{ __typename }", "pad": "' + b"x" * 100_000 + b'"}'
    response = client.post("/graphql", content=big, headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "TOO_LARGE"

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while it streams in
        yield b'{"query": "{ __typename }", "pad": "'
        for _ in range(200):
            yield b"x" * 1000
        yield b'"}'

    streamed = client.post(
        "/graphql", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert streamed.status_code == 413


def test_rejections_take_milliseconds(no_neo4j: TestClient) -> None:
    fragment_bomb = (
        "{ organisations { edges { node { ...F0 } } } }"
        + "".join(
            f"fragment F{i} on Organisation {{ x: parents {{ organisation {{ ...F{i + 1} }} }}"
            f" y: children {{ organisation {{ ...F{i + 1} }} }} }}"
            for i in range(30)
        )
        + " fragment F30 on Organisation { name }"
    )
    for query in (nested(60), alias_flood(600), fragment_bomb):
        timings = []
        for _ in range(20):
            response = post(no_neo4j, query)
            assert response.status_code == 422
            timings.append(response.json()["extensions"]["totalMs"])
        # Generous: measured at well under 5 ms on a 2-core machine.
        assert statistics.median(timings) < 50, timings


async def test_neo4j_cuts_a_query_that_runs_past_its_time_limit(session_store: Store) -> None:
    store = Store(driver=session_store.driver, target=session_store.target, timeout_s=1)
    started = time.perf_counter()
    with pytest.raises(StoreError, match="time limit"):
        await store.read("UNWIND range(1, 100000000) AS x WITH x WHERE x < 0 RETURN count(x)")
    assert time.perf_counter() - started < 10
