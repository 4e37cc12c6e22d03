"""Query limits: measured on the document (pure), enforced over HTTP before any Cypher runs."""

from __future__ import annotations

import ast
import asyncio
import inspect
import json
import re
import sys
from collections.abc import Iterator
from typing import Any

import httpx2
import orjson
import pytest
import strawberry
from graphql import (
    GraphQLError,
    GraphQLObjectType,
    OperationDefinitionNode,
    get_introspection_query,
    get_named_type,
    get_nullable_type,
    get_operation_ast,
    is_leaf_type,
    is_list_type,
    parse,
)
from graphql.language import parser as graphql_parser
from starlette.testclient import TestClient

from graph.api.compile.tables import NESTED_ESTIMATES, TYPES
from graph.api.execution.adapter import graphql_schema
from graph.api.execution.limits.measure import Measure, measure
from graph.api.execution.limits.repeats import most_repeated
from graph.api.execution.limits.rules import Limits, check, enforce
from graph.api.execution.limits.tokens import MAX_LITERAL_NESTING, document_tokens, literal_tokens
from graph.api.execution.limits.width import filter_terms
from graph.api.http.app import create_app
from graph.dbserver import ServerInfo
from graph.errors import StoreError, StoreTimeout
from graph.settings import Settings
from graph.store import Store, Target
from tests.neo4j_test import ROOT, free_port, target_of

GRAPHQL_RESPONSE = "application/graphql-response+json"
DEBUG = "X-Partnergraph-Debug"
TWO_HOPS = """{ organisations { edges { node { name
    agreements { role agreement { title parties { role organisation { name } } } } } } } }"""


def refusals(schema: strawberry.Schema, query: str) -> list[str]:
    """The limits every operation of `query` breaks, with the default settings."""
    document = parse(query)
    return [
        e.limit
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode)
        for e in enforce(Limits(), graphql_schema(schema), document, d)
    ]


def measured(schema: strawberry.Schema, query: str, **variables: Any) -> Measure:
    document = parse(query)
    operation = get_operation_ast(document)
    assert operation is not None
    return measure(graphql_schema(schema), document, operation, variables)


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
        gtype = graphql_schema(schema).type_map[name]
        assert isinstance(gtype, GraphQLObjectType)
        for field_name, field in gtype.fields.items():
            object_list = is_list_type(get_nullable_type(field.type)) and not is_leaf_type(
                get_named_type(field.type)
            )
            if object_list and field_name != "provenance":
                hops.add((name, field_name))
    node_estimates = {key for key in NESTED_ESTIMATES if key[0] in TYPES}
    assert node_estimates == hops


def test_fragment_bombs_and_cycles_are_measured_without_expanding_them(
    schema: strawberry.Schema,
) -> None:
    bomb = "{ organisations { edges { node { ...F0 } } } }" + "".join(
        f"fragment F{i} on Organisation {{ a: name x: parents {{ organisation {{ ...F{i + 1} }} }}"
        f" y: children {{ organisation {{ ...F{i + 1} }} }} }}"
        for i in range(40)
    )
    bomb += " fragment F40 on Organisation { name }"
    # Expanded, this would be 2^40 selections: that the measure returns at all (with the
    # exact counts) shows each fragment was measured once.
    result = measured(schema, bomb)
    assert result.depth == 84
    assert result.aliases > 2**40
    assert result.cost == 2**53 - 1  # saturated, still a JSON-safe integer
    cycle = "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }"
    assert measured(schema, cycle) == Measure(depth=1, aliases=0, cost=0)


def test_fragment_chains_past_the_stack_are_too_deep(schema: strawberry.Schema) -> None:
    chain = "{ ...F0 } " + " ".join(f"fragment F{i} on Query {{ ...F{i + 1} }}" for i in range(249))
    chain += " fragment F249 on Query { __typename }"
    assert measured(schema, chain).depth == 1  # 2000 tokens of chain: within Python's stack
    document = parse(chain)
    operation = get_operation_ast(document)
    assert operation is not None
    before = sys.getrecursionlimit()
    # A stack 100 frames deeper than here stands for a raised token limit's longer chain.
    sys.setrecursionlimit(len(inspect.stack()) + 100)
    try:
        too_deep = measure(graphql_schema(schema), document, operation)
    finally:
        sys.setrecursionlimit(before)
    (error,) = check(Limits(), too_deep)
    assert (error.limit, error.maximum) == ("depth", 10)
    assert "too many levels" in error.message


def test_introspection_fits_the_default_limits(schema: strawberry.Schema) -> None:
    assert refusals(schema, get_introspection_query(descriptions=True)) == []


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
        assert refusals(schema, query) == [], query
    for name in STRESS_TESTS:
        (stress,) = questions[name]
        assert refusals(schema, stress) == ["depth", "cost"]


def test_check_reports_every_limit_broken_with_value_and_maximum() -> None:
    broken = check(Limits(max_depth=3, max_aliases=1, max_cost=10), Measure(4, 2, 11))
    assert [(e.limit, e.value, e.maximum) for e in broken] == [
        ("depth", 4, 3),
        ("aliases", 2, 1),
        ("cost", 11, 10),
    ]
    assert all(e.code == "GRAPHQL_VALIDATION_FAILED" for e in broken)


def test_limits_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Limits.from_settings(Settings()) == Limits()
    monkeypatch.setenv("PARTNERGRAPH_MAX_DEPTH", "4")
    monkeypatch.setenv("PARTNERGRAPH_MAX_TOKENS", "50")
    monkeypatch.setenv("PARTNERGRAPH_MAX_ALIASES", "0")
    monkeypatch.setenv("PARTNERGRAPH_MAX_COST", "99")
    monkeypatch.setenv("PARTNERGRAPH_MAX_BODY_BYTES", "1000")
    monkeypatch.setenv("PARTNERGRAPH_MAX_REPEATS", "2")
    monkeypatch.setenv("PARTNERGRAPH_MAX_FILTER_TERMS", "3")
    assert Limits.from_settings(Settings()) == Limits(4, 50, 0, 99, 1000, 2, 3)


def repeated(
    schema: strawberry.Schema, query: str, cap: int = 10, levels: int = 10
) -> tuple[int, str, bool]:
    document = parse(query)
    operation = get_operation_ast(document)
    assert operation is not None
    found = most_repeated(document, operation, cap, levels)
    return found.count, found.path, found.fragments


def test_repeats_count_what_one_place_of_the_response_gets(schema: strawberry.Schema) -> None:
    assert repeated(schema, "{ stats { nodes } }") == (1, "stats", False)
    assert repeated(schema, "{ " + "stats { nodes } " * 490 + "}") == (490, "stats", False)
    inline = "{ " + "... on Query { __typename } " * 12 + "}"
    assert repeated(schema, inline) == (12, "__typename", False)
    # Copies multiply down: 3 copies of `stats`, each asking `nodes` 4 times.
    nested_copies = "{ " + "stats { nodes nodes nodes nodes } " * 3 + "}"
    assert repeated(schema, nested_copies) == (12, "stats.nodes", False)
    # Fragments: each counts once per place, however often it is spread there.
    fragments = "{ stats { ...A ...A ...B nodes } } fragment A on GraphStats { nodes } "
    fragments += "fragment B on GraphStats { nodes ...A }"
    assert repeated(schema, fragments) == (3, "stats.nodes", False)
    many = (
        "{ stats { "
        + " ".join(f"...F{i}" for i in range(12))
        + " } } "
        + " ".join(f"fragment F{i} on GraphStats {{ n{i}: nodes }}" for i in range(12))
    )
    assert repeated(schema, many) == (12, "stats", True)
    # Counting stops at the first place over the cap, and `levels` down.
    assert repeated(schema, "{ " + "__typename " * 50 + "}", cap=3)[0] == 50
    cycle = """{ organisationByIdentifier(scheme: ROR, value: "x") { ...A } }
        fragment A on Organisation { parents { organisation { ...A } } }"""
    assert repeated(schema, cycle, levels=3)[0] == 1


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
    with TestClient(create_app(Settings(neo4j_timeout_s=1), target)) as test_client:
        yield test_client


def post(
    client: TestClient, query: str, *, accept: str = GRAPHQL_RESPONSE, **variables: Any
) -> httpx2.Response:
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
            " children { organisation { children { organisation { name } } } } } } } } } }",
            "cost",
            25510201,
            250000,
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
        "code": "GRAPHQL_VALIDATION_FAILED",
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


def test_cost_follows_the_page_size_variable(neo4j_server: ServerInfo) -> None:
    # Both requests are refused, so neither runs and neither starts the background read of the
    # graph's degree statistics (graph/api/execution/limits/degrees.py): the estimates stay the
    # fixed table for both, whenever that read would have finished.
    query = """query ($n: Int) { organisations(first: $n) { edges { node {
        children { organisation { children { organisation { name } } } } } } } }"""
    with TestClient(create_app(Settings(max_cost=2), target_of(neo4j_server))) as client:
        costs = []
        for n in (1, 100):
            refused = post(client, query, n=n)
            assert refused.status_code == 422
            (error,) = refused.json()["errors"]
            assert error["extensions"]["limit"] == "cost"
            costs.append(error["extensions"]["value"])
    one, hundred = costs
    assert hundred - 1 == 100 * (one - 1)


def test_the_token_limit_is_a_parse_error_with_400(client: TestClient) -> None:
    query = "{ " + "__typename " * 2000 + "}"
    response = post(client, query)
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["extensions"] == {
        "code": "GRAPHQL_PARSE_FAILED",
        "limit": "tokens",
        "maximum": 2000,
    }
    assert "more than 2000 tokens" in error["message"]
    # Comments count too: they cost the lexer as much as tokens do.
    commented = "{ __typename " + "#\n" * 2001 + "}"
    assert post(client, commented).status_code == 400


def test_limits_hold_with_neo4j_unreachable_so_no_cypher_ran(no_neo4j: TestClient) -> None:
    for query in (nested(12), alias_flood(31), "{ " + "__typename " * 2001 + "}"):
        response = post(no_neo4j, query)
        assert response.status_code in (400, 422), response.text
        assert "limit" in response.json()["errors"][0]["extensions"]
    # The same app does go to Neo4j for a query within the limits.
    assert post(no_neo4j, "{ stats { nodes } }").status_code == 503


def test_configured_limits_apply(neo4j_server: ServerInfo) -> None:
    settings = Settings(max_depth=2, max_aliases=0)
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


def test_floods_are_refused_by_the_limits(no_neo4j: TestClient) -> None:
    # How fast they are refused is the bench's to measure (no timed assertions in tests).
    fragment_bomb = (
        "{ organisations { edges { node { ...F0 } } } }"
        + "".join(
            f"fragment F{i} on Organisation {{ x: parents {{ organisation {{ ...F{i + 1} }} }}"
            f" y: children {{ organisation {{ ...F{i + 1} }} }} }}"
            for i in range(30)
        )
        + " fragment F30 on Organisation { name }"
    )
    # Unlimited, graphql-core's validation takes seconds over the last three.
    duplicates = "{ " + "stats { nodes } " * 490 + "}"
    unused = "{ __typename } fragment F on Query { " + "stats { nodes } " * 480 + "}"
    one_field_fragments = "{ stats { " + " ".join(f"...F{i}" for i in range(200)) + " } } "
    one_field_fragments += " ".join(f"fragment F{i} on GraphStats {{ nodes }}" for i in range(200))
    floods = (nested(60), alias_flood(600), fragment_bomb, duplicates, unused, one_field_fragments)
    for query in floods:
        for i in range(3):
            # A new text each time: the parse and validation caches must not help.
            response = post(no_neo4j, f"{query} #{i}")
            assert response.status_code == 422, response.text
            assert response.json()["errors"], response.text


def test_every_operation_of_the_document_is_held_to_the_limits(client: TestClient) -> None:
    two = "query A { __typename } query B " + alias_flood(31)
    for name in ("A", None):
        response = client.post(
            "/graphql",
            json={"query": two, "operationName": name},
            headers={"Accept": GRAPHQL_RESPONSE},
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["extensions"]["limit"] == "aliases"


def test_repeated_selections_are_refused(client: TestClient) -> None:
    response = post(client, "{ " + "stats { nodes } " * 11 + "}")
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["extensions"]["limit"] == "repeats"
    assert error["extensions"]["value"] == 11
    assert "`stats` 11 times" in error["message"]
    assert post(client, "{ " + "stats { nodes } " * 10 + "}").status_code == 200


async def test_neo4j_cuts_a_query_that_runs_past_its_time_limit(session_store: Store) -> None:
    store = Store(driver=session_store.driver, target=session_store.target, timeout_s=1)
    # Without the 1 s transaction timeout this query counts to 10^8 and returns 0: the error,
    # not a stopwatch, proves Neo4j cut it.
    with pytest.raises(StoreError, match="time limit"):
        await store.read("UNWIND range(1, 100000000) AS x WITH x WHERE x < 0 RETURN count(x)")


def test_the_readme_examples_fit_the_default_limits(schema: strawberry.Schema) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    examples = re.findall(r"```graphql\n(.*?)```", readme, flags=re.DOTALL)
    assert examples
    for example in examples:
        assert refusals(schema, example) == [], example


# --- what `variables` bring ------------------------------------------------------------------

WIDE = "query ($w: OrganisationWhere) { organisations(where: $w) { totalCount } }"


def wide_or(branches: int) -> dict[str, Any]:
    return {"OR": [{"name": {"contains": str(i)}} for i in range(branches)]}


def as_literal(value: Any) -> str:
    """A JSON value written as a GraphQL literal."""
    if isinstance(value, dict):
        return "{" + " ".join(f"{k}: {as_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(as_literal(v) for v in value) + "]"
    return json.dumps(value)


@pytest.mark.parametrize(
    "value",
    [
        7,
        "x",
        None,
        True,
        [],
        {},
        [1, [2, 3]],
        wide_or(3),
        {"AND": [{"OR": [{"key": {"eq": "a"}}]}]},
    ],
)
def test_a_variable_counts_the_tokens_its_literal_would(value: Any) -> None:
    inline = document_tokens(parse(f"{{ a(x: {as_literal(value)}) }}"))
    assert literal_tokens([value], 10_000)[0] == inline - len(["{", "a", "(", "x", ":", ")", "}"])


def test_counting_variables_stops_past_the_budget_and_survives_deep_nesting() -> None:
    assert literal_tokens([list(range(100_000))], 50)[0] <= 52
    deep: Any = 1
    for _ in range(5000):  # deeper than Python's stack
        deep = [deep]
    assert literal_tokens([deep], 100_000) == (10_001, 5000)
    assert MAX_LITERAL_NESTING == graphql_parser.MAX_NESTING_DEPTH


def test_a_wide_filter_in_variables_is_refused_with_422_before_any_cypher(
    no_neo4j: TestClient,
) -> None:
    """The probe of issue 13: 3,000 OR branches in `variables` (95 kB, under the body cap)
    kept Neo4j busy 165 s. Held to the token limit as the same filter inline is, it is refused
    without Neo4j (which is unreachable here: any Cypher would answer 503)."""
    body = orjson.dumps({"query": WIDE, "variables": {"w": wide_or(3000)}})
    assert len(body) < Limits().max_body_bytes
    headers = {"Content-Type": "application/json", "Accept": GRAPHQL_RESPONSE}
    response = no_neo4j.post("/graphql", content=body, headers={**headers, DEBUG: "1"})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    payload = response.json()
    assert "data" not in payload
    tokens, width = payload["errors"]
    assert tokens["extensions"] == {
        "code": "GRAPHQL_VALIDATION_FAILED",
        "limit": "tokens",
        "maximum": 2000,
    }
    assert "variables" in tokens["message"]
    assert width["extensions"] == {
        "code": "GRAPHQL_VALIDATION_FAILED",
        "limit": "filter",
        "value": 3000,
        "maximum": 50,
    }
    assert payload["extensions"]["cypherRoundTrips"] == 0
    legacy = no_neo4j.post("/graphql", content=body, headers={"Content-Type": "application/json"})
    assert legacy.status_code == 200
    assert legacy.json()["errors"] == payload["errors"]
    # Inline, the same filter is over the parser's token limit.
    inline = f"{{ organisations(where: {as_literal(wide_or(3000))}) {{ totalCount }} }}"
    assert post(no_neo4j, inline).json()["errors"][0]["extensions"]["limit"] == "tokens"


def test_a_filter_within_the_limits_runs(client: TestClient) -> None:
    response = post(client, WIDE, w=wide_or(50))
    assert response.status_code == 200, response.text
    assert response.json()["extensions"]["cypherRoundTrips"] == 1


def test_a_filter_too_wide_for_the_planner_is_refused_inline_or_sent(no_neo4j: TestClient) -> None:
    """110 OR branches fit the token limit inline, but took Neo4j's planner 7 s (100: 0.2 s)."""
    inline = f"{{ organisations(where: {as_literal(wide_or(51))}) {{ totalCount }} }}"
    for response in (post(no_neo4j, WIDE, w=wide_or(51)), post(no_neo4j, inline)):
        assert response.status_code == 422, response.text
        (error,) = response.json()["errors"]
        assert error["extensions"]["limit"] == "filter"
        assert (error["extensions"]["value"], error["extensions"]["maximum"]) == (51, 50)
    nested = {"AND": [{"name": {"contains": "a"}, "NOT": {"kind": {"in": ["x", "y"]}}}]}
    quantified = {"agreements": {"some": {"OR": [{"title": {"contains": "x", "eq": "y"}}]}}}
    document = parse(
        f"query ($w: OrganisationWhere) {{ a: organisations(where: $w) {{ totalCount }}"
        f" b: organisations(where: {as_literal(nested)}) {{ totalCount }} }}"
    )
    operation = get_operation_ast(document)
    assert operation is not None
    assert filter_terms(document, operation, {"w": quantified}) == 2 + 2
    assert filter_terms(document, operation, {"w": None}) == 2


def test_variables_nested_deeper_than_a_literal_may_are_refused(no_neo4j: TestClient) -> None:
    where: dict[str, Any] = {"key": {"eq": "x"}}
    for _ in range(150):  # an object and a list per level: 300 levels
        where = {"AND": [where]}
    response = post(no_neo4j, WIDE, w=where)
    assert response.status_code == 422, response.text
    (error,) = response.json()["errors"]
    assert error["extensions"]["limit"] == "nesting"
    assert error["extensions"]["maximum"] == MAX_LITERAL_NESTING
    assert response.json()["extensions"]["cypherRoundTrips"] == 0


def test_variables_count_toward_the_cost() -> None:
    query = "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }"
    small = Settings(max_cost=5, neo4j_timeout_s=1)
    target = Target(uri=f"bolt://127.0.0.1:{free_port()}", user="neo4j", password="x")
    with TestClient(create_app(small, target)) as client:
        over = post(client, query, ids=[f"Organisation:o{i}" for i in range(6)])
        assert over.status_code == 422
        assert over.json()["errors"][0]["extensions"]["limit"] == "cost"
        assert over.json()["errors"][0]["extensions"]["value"] == 6


async def test_a_query_past_the_time_limit_is_told_apart_as_a_timeout(
    session_store: Store,
) -> None:
    store = Store(driver=session_store.driver, target=session_store.target, timeout_s=1)
    with pytest.raises(StoreError) as caught:
        await store.read("UNWIND range(1, 100000000) AS x WITH x WHERE x < 0 RETURN count(x)")
    assert isinstance(
        caught.value, StoreTimeout
    )  # the API answers it 504, not 200 with STORE_ERROR
    assert "timed out" in caught.value.message


# --- introspection ------------------------------------------------------------------------------

_TYPE_REF = "name ofType { name ofType { name ofType { name } } }"
INTROSPECTION_ALIAS = (
    f"__schema {{ types {{ name description fields {{ name description args {{ name "
    f"description type {{ {_TYPE_REF} }} }} type {{ {_TYPE_REF} }} }} inputFields {{ name "
    f"type {{ {_TYPE_REF} }} }} enumValues {{ name description }} }} }}"
)


def introspection_flood(count: int, selection: str = INTROSPECTION_ALIAS) -> str:
    return "{ " + " ".join(f"a{i}: {selection}" for i in range(count)) + " }"


def test_introspection_lists_count_as_long_as_the_schema_makes_them(
    schema: strawberry.Schema,
) -> None:
    one = measured(schema, introspection_flood(1)).cost
    types = len(graphql_schema(schema).type_map)
    assert one > types * 5  # every type, each with a few fields and their types
    assert measured(schema, introspection_flood(10)).cost == 10 * one
    # Thirty aliases of every field's args and types: within the alias limit, past the cost.
    assert refusals(schema, introspection_flood(30)) == ["cost"]
    assert refusals(schema, get_introspection_query(descriptions=True)) == []


async def test_introspection_runs_off_the_event_loop_and_is_answered_from_a_cache(
    schema: strawberry.Schema, session_store: Store
) -> None:
    from graph.api.execution.executor import Executor
    from graph.api.schema.context import Context

    executor = Executor(schema, Limits())
    query = introspection_flood(8)
    document = executor.parse(query)
    assert not isinstance(document, GraphQLError)
    assert executor.refusals(query, document, None, None) == []
    ticks = 0
    running = True

    async def tick() -> None:
        nonlocal ticks
        while running:
            ticks += 1
            await asyncio.sleep(0)

    ticker = asyncio.create_task(tick())
    await asyncio.sleep(0)
    before = ticks
    result = await executor.execute(document, Context(store=session_store.view()))
    during = ticks - before
    running = False
    await ticker
    assert result.errors is None
    # Run in the loop, graphql-core's introspection would have let nothing else run meanwhile.
    assert during > 1
    again = await executor.execute(executor.parse(query), Context(store=session_store.view()))  # type: ignore[arg-type]
    assert again is result
