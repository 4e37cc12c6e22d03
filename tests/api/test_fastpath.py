"""The fast path answers exactly as graphql-core's own execution does (a differential test).

hypothesis-graphql builds queries from the schema, over every root field of Query, with
arguments drawn where data is (global ids of the seed graph, words of its names, small page
sizes) as well as anywhere else; each query runs on the seed graph through graphql-core with
strawberry's executor and with `FastExecutor`, and data and errors must be identical, key order
included. Mutations are left out: they write, so two runs could not see the same graph; their
payloads are completed by the same code.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import graphql
import orjson
import pytest
import strawberry
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes, queries

from graph.api.execution.adapter import ExecutionContext as Normal
from graph.api.execution.adapter import graphql_schema
from graph.api.execution.fastpath import FastExecutor, is_map_type
from graph.api.execution.masking import classify
from graph.api.schema.context import Context
from graph.auth import ANONYMOUS, Principal, Role
from graph.store import Store

EXAMPLES = 300
WORDS = ["tartu", "health", "korea", "estonia", "gangwon", "biobank", "ministry", "ai", "Tartu"]
READER = Principal(name="reader", role=Role.READER)


class Counting(FastExecutor):
    """Counts the objects graphql-core completed itself: zero when the fast path did it all."""

    slow_objects = 0

    def complete_object_value(self, *args: Any, **kwargs: Any) -> Any:
        type(self).slow_objects += 1
        return super().complete_object_value(*args, **kwargs)


async def run(
    schema: strawberry.Schema,
    store: Store,
    document: graphql.DocumentNode,
    executor: type[Any],
    principal: Principal = ANONYMOUS,
) -> dict[str, Any]:
    context = Context(store=store.view(), principal=principal)
    outcome = graphql.execute(
        graphql_schema(schema), document, context_value=context, executor_class=executor
    )
    result = await outcome if graphql.pyutils.is_awaitable(outcome) else outcome
    assert isinstance(result, graphql.ExecutionResult)
    for error in result.errors or []:
        classify(error)
    return {"data": result.data, "errors": [e.formatted for e in result.errors or []]}


def same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    # Serialised, so that key order counts: clients may rely on the selection's order.
    return orjson.dumps(a) == orjson.dumps(b)


async def global_ids(store: Store) -> list[str]:
    rows = await store.read(
        "MATCH (n) WHERE n.id IS NOT NULL AND NOT n:AuditEntry "
        "RETURN labels(n)[0] + ':' + n.id AS id ORDER BY id"
    )
    return [r["id"] for r in rows]


def generated(schema: strawberry.Schema, ids: list[str], examples: int) -> list[str]:
    """Query texts from hypothesis-graphql, collected first and run afterwards (async)."""
    scalars = {
        # Most ID arguments name an organisation; other kinds and junk now and then.
        "ID": (
            st.sampled_from([i for i in ids if i.startswith("Organisation:")])
            | st.sampled_from([*ids, "Organisation:nope", "junk"])
        ).map(nodes.String),
        "Int": st.integers(1, 12).map(nodes.Int),
        "String": (st.sampled_from(WORDS) | st.text(max_size=6)).map(nodes.String),
        "Date": st.dates(dt.date(2000, 1, 1), dt.date(2030, 12, 31))
        .map(dt.date.isoformat)
        .map(nodes.String),
        "JSON": st.just(graphql.NullValueNode()),
    }
    out: list[str] = []

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(query=queries(schema.as_str(), custom_scalars=scalars))
    def collect(query: str) -> None:
        out.append(query)

    collect()
    return out


@pytest.fixture
async def ids(seeded: Store) -> list[str]:
    found = await global_ids(seeded)
    assert len(found) > 50
    return found


async def test_generated_queries_answer_identically(
    schema: strawberry.Schema, seeded: Store, ids: list[str]
) -> None:
    texts = generated(schema, ids, EXAMPLES)
    fast_only = with_data = 0
    unique = sorted(set(texts))
    for text in unique:
        document = graphql.parse(text)
        assert not graphql.validate(graphql_schema(schema), document), text
        for principal in (ANONYMOUS, READER):
            normal = await run(schema, seeded, document, Normal, principal)
            Counting.slow_objects = 0
            fast = await run(schema, seeded, document, Counting, principal)
            assert same(normal, fast), f"{text}\nnormal: {normal}\nfast:   {fast}"
            if fast["data"] and any(v for v in fast["data"].values()):
                with_data += 1
                fast_only += Counting.slow_objects == 0
    # No test that cannot fail: the generated queries must reach data, and the fast path must
    # have completed most of it by itself (a fallback everywhere would pass the check above).
    assert with_data >= len(unique) // 2, (with_data, len(unique))  # of twice as many runs
    assert fast_only >= with_data // 2, (fast_only, with_data)


LIST = """{ organisations(first: 30) { totalCount edges { cursor node {
  __typename id key name kind status country established website topics
  names { value lang types }
  provenance { origin verified where quote source { id title kind published } }
  agreements { role agreement { title signed parties { role organisation { name } } } }
} } pageInfo { hasNextPage endCursor } } }"""


async def test_a_plain_list_is_completed_without_graphql_core(
    schema: strawberry.Schema, seeded: Store
) -> None:
    document = graphql.parse(LIST)
    assert not graphql.validate(graphql_schema(schema), document)
    Counting.slow_objects = 0
    fast = await run(schema, seeded, document, Counting)
    assert not fast["errors"], fast["errors"]
    assert Counting.slow_objects == 0
    normal = await run(schema, seeded, document, Normal)
    assert same(normal, fast)
    edges = fast["data"]["organisations"]["edges"]
    assert len(edges) == 22
    assert any(e["node"]["provenance"] for e in edges)
    assert any(e["node"]["agreements"] for e in edges)


async def test_a_broken_record_falls_back_to_graphql_cores_errors(
    schema: strawberry.Schema, seeded: Store
) -> None:
    """A node without its non-null name: the error, its path and the nulled parent match."""
    await seeded.write("MATCH (n:Organisation {id: 'gangwon-technopark'}) REMOVE n.name")
    document = graphql.parse(
        """{ nodes(ids: ["Organisation:tartu-science-park", "Organisation:gangwon-technopark",
             "Organisation:university-of-tartu"]) { id ... on Organisation { name } } }"""
    )
    fast = await run(schema, seeded, document, FastExecutor)
    normal = await run(schema, seeded, document, Normal)
    assert same(normal, fast)
    assert [e["path"] for e in fast["errors"]] == [["nodes", 1, "name"]]
    assert fast["data"]["nodes"][1] is None
    assert fast["data"]["nodes"][0]["name"]
    assert fast["data"]["nodes"][2]["name"]


def test_map_types_cover_the_graph() -> None:
    from graph.api.schema.build import build_schema

    gql = graphql_schema(build_schema())
    for name in ("Organisation", "OrganisationConnection", "Node", "Citation", "PageInfo"):
        assert is_map_type(gql.type_map[name]), name  # type: ignore[arg-type]
    assert not is_map_type(gql.type_map["GraphStats"])  # type: ignore[arg-type]


async def test_a_value_that_cannot_be_coerced_is_reported_where_it_is(
    schema: strawberry.Schema, seeded: Store
) -> None:
    """An Int beyond 32 bits: graphql-core's error, at the leaf's path, on both paths."""
    await seeded.write(
        "MATCH (n:Organisation {id: 'university-of-tartu'}) SET n.established = 10000000000"
    )
    document = graphql.parse(
        """{ a: node(id: "Organisation:university-of-tartu") { ... on Organisation {
               name established } }
             b: node(id: "Organisation:tartu-science-park") { id } }"""
    )
    fast = await run(schema, seeded, document, FastExecutor)
    normal = await run(schema, seeded, document, Normal)
    assert same(normal, fast)
    assert [e["path"] for e in fast["errors"]] == [["a", "established"]]
    assert fast["data"]["a"]["established"] is None
    assert fast["data"]["b"]["id"] == "Organisation:tartu-science-park"
