"""Keyset paging against Cypher ground truth, on a generated ecosystem (tests/api/generated.py).

Every sort of `organisations` (and the date and count sorts of `agreements` and `projects`),
both directions, forward and backward, several page sizes, writes between pages, totalCount,
argument caps and bad cursors. The ground truth is this module's own Cypher
(`ORDER BY <sort>, n.id`), never the compiler's.
"""

from __future__ import annotations

import base64
import random
from types import SimpleNamespace
from typing import Any, cast

import pytest
import strawberry
from graphql import (
    FieldNode,
    GraphQLInputObjectType,
    OperationDefinitionNode,
    coerce_input_value,
    parse,
)

from graph.api.compile.compiler import Compiler
from graph.api.compile.connections import compile_connection
from graph.api.compile.paging import Page
from graph.api.compile.where import present
from graph.api.execution.adapter import graphql_schema
from graph.api.schema.build import build_schema
from graph.api.schema.context import Context
from graph.errors import UserError
from graph.ingest.write import load
from graph.store import Store
from tests.api.conftest import Run, runner
from tests.api.executing import executor_of
from tests.api.generated import ecosystem, ensure_loaded, extra_organisations

ECO = ecosystem()
N = len(ECO.bundle.organisations)

# Each sort as the API documents it (a missing value stands for the lowest), written independently:
# `IS NOT NULL` puts missing values first when ascending, last when descending; counts are of
# distinct agreements and projects (an organisation in one project with two roles has one).
TRUTH_ORDER: dict[str, list[str]] = {
    "NAME": ["n.name"],
    "COUNTRY": ["n.country IS NOT NULL", "n.country"],
    "ESTABLISHED": ["n.established IS NOT NULL", "n.established"],
    "AGREEMENT_COUNT": ["agreements"],
    "PROJECT_COUNT": ["projects"],
    "KEY": [],
}
TRUTH_QUERY = (
    "MATCH (n:Organisation) WHERE {where} "
    "OPTIONAL MATCH (n)-[:PARTY_TO]->(a:Agreement) "
    "WITH n, count(DISTINCT a) AS agreements "
    "OPTIONAL MATCH (n)-[:PARTICIPATES_IN]->(p:Project) "
    "WITH n, agreements, count(DISTINCT p) AS projects "
    "ORDER BY {keys} RETURN n.id AS id"
)
SORTS = list(TRUTH_ORDER)


def page_query(root: str, type_name: str) -> str:
    return f"""
query($first: Int, $after: String, $last: Int, $before: String,
      $order: {type_name}OrderBy, $where: {type_name}Where) {{
  {root}(first: $first, after: $after, last: $last, before: $before,
         orderBy: $order, where: $where) {{
    edges {{ cursor node {{ key }} }}
    pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }}
  }}
}}"""


PAGE = page_query("organisations", "Organisation")
PAGES = {
    "organisations": PAGE,
    "agreements": page_query("agreements", "Agreement"),
    "projects": page_query("projects", "Project"),
}
Conn = dict[str, Any]


@pytest.fixture
async def eco(session_store: Store) -> Store:
    """The generated ecosystem in the test Neo4j (reloaded only when a test changed it)."""
    await ensure_loaded(session_store, ECO)
    return session_store.view()


@pytest.fixture
def run(schema: strawberry.Schema, eco: Store) -> Run:
    return runner(schema, eco)


async def truth(store: Store, sort: str, descending: bool, where: str = "true") -> list[str]:
    direction = " DESC" if descending else ""
    keys = ", ".join(e + direction for e in [*TRUTH_ORDER[sort], "n.id"])
    query = TRUTH_QUERY.format(where=where, keys=keys)
    return [r["id"] for r in await store.read(query)]


def order(sort: str, descending: bool) -> dict[str, str]:
    return {"field": sort, "direction": "DESC" if descending else "ASC"}


def keys_of(conn: Conn) -> list[str]:
    return [e["node"]["key"] for e in conn["edges"]]


def check_cursors(conn: Conn) -> None:
    edges, info = conn["edges"], conn["pageInfo"]
    assert info["startCursor"] == (edges[0]["cursor"] if edges else None)
    assert info["endCursor"] == (edges[-1]["cursor"] if edges else None)


async def walk_forward(
    run: Run, k: int, after: str | None = None, root: str = "organisations", **args: Any
) -> list[Conn]:
    """Pages of `k` from `after` (or the start) until `hasNextPage` is false."""
    query = PAGES[root]
    pages: list[Conn] = []
    while True:
        data, trips = await run(query, first=k, after=after, **args)
        assert trips == 1
        conn = data[root]
        check_cursors(conn)
        pages.append(conn)
        if not conn["pageInfo"]["hasNextPage"]:
            return pages
        after = conn["pageInfo"]["endCursor"]
        assert len(pages) <= N, "hasNextPage never became false"


async def walk_backward(
    run: Run, k: int, before: str | None = None, root: str = "organisations", **args: Any
) -> list[Conn]:
    """Pages of `k` back from `before` (or the end) until `hasPreviousPage` is false."""
    query = PAGES[root]
    pages: list[Conn] = []
    while True:
        data, trips = await run(query, last=k, before=before, **args)
        assert trips == 1
        conn = data[root]
        check_cursors(conn)
        pages.append(conn)
        if not conn["pageInfo"]["hasPreviousPage"]:
            return pages
        before = conn["pageInfo"]["startCursor"]
        assert len(pages) <= N, "hasPreviousPage never became false"


def expected_sizes(total: int, k: int) -> list[int]:
    full, rest = divmod(total, k)
    return [k] * full + ([rest] if rest or not full else [])


# --- whole walks --------------------------------------------------------------------------------


@pytest.mark.parametrize("k", [1, 7, 20, 100])
@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("sort", SORTS)
async def test_forward_walk_sees_everything_once_in_order(
    run: Run, eco: Store, sort: str, descending: bool, k: int
) -> None:
    expected = await truth(eco, sort, descending)
    assert len(expected) == N
    pages = await walk_forward(run, k, order=order(sort, descending))
    assert [len(p["edges"]) for p in pages] == expected_sizes(N, k)
    assert [key for p in pages for key in keys_of(p)] == expected
    assert [p["pageInfo"]["hasPreviousPage"] for p in pages] == [False] + [True] * (len(pages) - 1)
    assert [p["pageInfo"]["hasNextPage"] for p in pages] == [True] * (len(pages) - 1) + [False]


@pytest.mark.parametrize("k", [1, 7, 20, 100])
@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("sort", SORTS)
async def test_backward_walk_sees_everything_once_in_order(
    run: Run, eco: Store, sort: str, descending: bool, k: int
) -> None:
    expected = await truth(eco, sort, descending)
    pages = await walk_backward(run, k, order=order(sort, descending))
    assert [len(p["edges"]) for p in pages] == expected_sizes(N, k)
    assert [key for p in reversed(pages) for key in keys_of(p)] == expected
    assert [p["pageInfo"]["hasNextPage"] for p in pages] == [False] + [True] * (len(pages) - 1)
    assert [p["pageInfo"]["hasPreviousPage"] for p in pages] == [True] * (len(pages) - 1) + [False]


WHERES: list[tuple[dict[str, Any], str]] = [
    ({"country": {"eq": "EE"}}, "n.country = 'EE'"),
    ({"established": {"gte": 1990}}, "n.established >= 1990"),
    ({"topics": {"includes": "genomics"}}, "'genomics' IN n.topics"),
    ({"key": {"eq": "no-such-organisation"}}, "false"),
    # The filter makes `established` present: ESTABLISHED is then ordered plainly (read.py).
    (
        {"AND": [{"country": {"in": ["EE", "KR", "DE"]}}, {"established": {"gte": 1990}}]},
        "n.country IN ['EE', 'KR', 'DE'] AND n.established >= 1990",
    ),
]


@pytest.mark.parametrize(("where", "cypher_where"), WHERES)
@pytest.mark.parametrize("sort", ["NAME", "ESTABLISHED", "AGREEMENT_COUNT"])
async def test_filtered_walks_both_ways(
    run: Run, eco: Store, sort: str, where: dict[str, Any], cypher_where: str
) -> None:
    for descending in (False, True):
        expected = await truth(eco, sort, descending, cypher_where)
        args: dict[str, Any] = {"order": order(sort, descending), "where": where}
        forward = await walk_forward(run, 7, **args)
        assert [key for p in forward for key in keys_of(p)] == expected
        backward = await walk_backward(run, 7, **args)
        assert [key for p in reversed(backward) for key in keys_of(p)] == expected
        if not expected:
            (page,) = forward
            assert page["pageInfo"] == {
                "hasNextPage": False,
                "hasPreviousPage": False,
                "startCursor": None,
                "endCursor": None,
            }


# --- from the middle ----------------------------------------------------------------------------


@pytest.mark.parametrize("sort", SORTS)
async def test_pages_from_any_cursor_in_the_middle(run: Run, eco: Store, sort: str) -> None:
    rng = random.Random(sort)
    for descending in (False, True):
        expected = await truth(eco, sort, descending)
        walked = await walk_forward(run, 100, order=order(sort, descending))
        cursors = [e["cursor"] for p in walked for e in p["edges"]]
        for i in [*rng.sample(range(N), 6), 0, N - 1]:
            k = rng.choice([1, 5, 13, 100])
            args = {"order": order(sort, descending)}
            data, _ = await run(PAGE, first=k, after=cursors[i], **args)
            conn = data["organisations"]
            check_cursors(conn)
            assert keys_of(conn) == expected[i + 1 : i + 1 + k]
            assert conn["pageInfo"]["hasPreviousPage"] is True  # the cursor's own item
            assert conn["pageInfo"]["hasNextPage"] is (i + 1 + k < N)

            data, _ = await run(PAGE, last=k, before=cursors[i], **args)
            conn = data["organisations"]
            check_cursors(conn)
            assert keys_of(conn) == expected[max(0, i - k) : i]
            assert conn["pageInfo"]["hasNextPage"] is True  # the cursor's own item
            assert conn["pageInfo"]["hasPreviousPage"] is (i - k > 0)

            # `before` alone pages backward by the default size.
            data, _ = await run(PAGE, before=cursors[i], **args)
            assert keys_of(data["organisations"]) == expected[max(0, i - 20) : i]


async def test_first_zero_returns_no_edges(run: Run) -> None:
    data, _ = await run(PAGE, first=0)
    conn = data["organisations"]
    assert conn["edges"] == []
    assert conn["pageInfo"]["hasNextPage"] is True


async def test_default_page_is_twenty(run: Run, eco: Store) -> None:
    data, _ = await run(PAGE)
    assert keys_of(data["organisations"]) == (await truth(eco, "NAME", False))[:20]


async def test_cursors_are_the_same_under_any_alias_and_without_edge_cursors(run: Run) -> None:
    # Edge cursors are encoded only when asked for (graph/api/compile/connections.py): under an
    # alias, twice, or not at all, the pageInfo cursors stay those of the first and last edges.
    data, _ = await run(
        "{ organisations(first: 3) { edges { cursor c: cursor n: node { key } } "
        "pageInfo { startCursor endCursor } } }"
    )
    conn = data["organisations"]
    assert [e["cursor"] for e in conn["edges"]] == [e["c"] for e in conn["edges"]]
    assert len({e["c"] for e in conn["edges"]}) == 3
    assert conn["pageInfo"] == {
        "startCursor": conn["edges"][0]["c"],
        "endCursor": conn["edges"][-1]["c"],
    }
    bare, _ = await run("{ organisations(first: 3) { pageInfo { startCursor endCursor } } }")
    assert bare["organisations"]["pageInfo"] == conn["pageInfo"]
    nodes, _ = await run("{ organisations(first: 3) { edges { node { key } } } }")
    assert all(set(e) == {"node"} for e in nodes["organisations"]["edges"])


# Date sort keys travel in cursors as dates; a missing date stands for the lowest.
OTHER_SORTS: list[tuple[str, str, str, list[str]]] = [
    ("agreements", "Agreement", "SIGNED", ["n.signed IS NOT NULL", "n.signed"]),
    ("agreements", "Agreement", "TITLE", ["n.title"]),
    ("agreements", "Agreement", "PARTY_COUNT", ["COUNT { (o:Organisation)-[:PARTY_TO]->(n) }"]),
    ("projects", "Project", "START", ["n.start IS NOT NULL", "n.start"]),
    ("projects", "Project", "TITLE", ["n.title"]),
]


@pytest.mark.parametrize(
    ("root", "label", "sort", "truth_order"),
    OTHER_SORTS,
    ids=[f"{r}-{s}" for r, _, s, _ in OTHER_SORTS],
)
async def test_walks_over_other_types_and_date_cursors(
    run: Run, eco: Store, root: str, label: str, sort: str, truth_order: list[str]
) -> None:
    for descending in (False, True):
        direction = " DESC" if descending else ""
        keys = ", ".join(e + direction for e in [*truth_order, "n.id"])
        rows = await eco.read(f"MATCH (n:{label}) WITH n ORDER BY {keys} RETURN n.id AS id")
        expected = [r["id"] for r in rows]
        assert expected
        for k in (7, 100):
            args: dict[str, Any] = {"order": order(sort, descending), "root": root}
            forward = await walk_forward(run, k, **args)
            assert [key for p in forward for key in keys_of(p)] == expected
            backward = await walk_backward(run, k, **args)
            assert [key for p in reversed(backward) for key in keys_of(p)] == expected


async def test_a_cursor_of_another_sort_is_refused(
    schema: strawberry.Schema, run: Run, eco: Store
) -> None:
    # A NAME cursor holds a name; under ESTABLISHED it would compare a name with years and
    # silently answer "nothing more". It must be refused instead.
    data, _ = await run(PAGE, first=5)
    cursor = data["organisations"]["pageInfo"]["endCursor"]
    errors = await errors_of(
        schema, eco, PAGE, first=5, after=cursor, order=order("ESTABLISHED", False)
    )
    assert the_user_error(errors).startswith("invalid cursor")


# --- writes between pages -----------------------------------------------------------------------


@pytest.mark.parametrize("delete_cursor_item", [False, True], ids=["keep", "delete-cursor"])
@pytest.mark.parametrize("sort", ["NAME", "ESTABLISHED"])
async def test_forward_paging_is_stable_under_writes(
    run: Run, eco: Store, sort: str, delete_cursor_item: bool
) -> None:
    before = await truth(eco, sort, False)
    data, _ = await run(PAGE, first=20, order=order(sort, False))
    first = data["organisations"]
    seen = keys_of(first)
    assert seen == before[:20]
    cursor_key = seen[-1]
    name = (
        await eco.read("MATCH (n:Organisation {id: $id}) RETURN n.name AS name", {"id": seen[-1]})
    )[0]["name"]

    # New organisations before and after the cursor, and two that tie with it on name.
    extra = extra_organisations(
        [
            ("aaa-before", "0 First"),
            ("zzz-after", "힣 Last"),
            ("aaa-tie", name),
            ("zzz-tie", name),
        ]
    )
    await load([extra], eco)
    after_inserts = await truth(eco, sort, False)
    deleted = {seen[3], seen[-1]} if delete_cursor_item else {seen[3]}
    await eco.write(
        "MATCH (n:Organisation) WHERE n.id IN $ids DETACH DELETE n", {"ids": sorted(deleted)}
    )

    rest = [
        key
        for page in await walk_forward(
            run, 20, order=order(sort, False), after=first["pageInfo"]["endCursor"]
        )
        for key in keys_of(page)
    ]
    assert not set(rest) & set(seen), "an item seen on page 1 came again"
    assert set(before[20:]) <= set(rest), "an item never seen was skipped"
    position = after_inserts.index(cursor_key)
    assert rest == [k for k in after_inserts[position + 1 :] if k not in deleted]


async def test_backward_paging_is_stable_under_writes(run: Run, eco: Store) -> None:
    before = await truth(eco, "NAME", False)
    data, _ = await run(PAGE, last=20)
    last = data["organisations"]
    seen = keys_of(last)
    assert seen == before[-20:]
    extra = extra_organisations([("aaa-before", "0 First"), ("zzz-after", "힣 Last")])
    await load([extra], eco)
    await eco.write("MATCH (n:Organisation {id: $id}) DETACH DELETE n", {"id": seen[5]})
    earlier = [
        key
        for page in reversed(await walk_backward(run, 20, before=last["pageInfo"]["startCursor"]))
        for key in keys_of(page)
    ]
    assert earlier == ["aaa-before", *before[:-20]]


# --- totalCount ---------------------------------------------------------------------------------

COUNTED: list[tuple[dict[str, Any] | None, str]] = [
    (None, "true"),
    ({"country": {"eq": "KR"}}, "n.country = 'KR'"),
    ({"established": {"lt": 1990}}, "n.established < 1990"),
    (
        {"topics": {"includesAny": ["genomics", "medtech"]}},
        "any(t IN n.topics WHERE t IN ['genomics', 'medtech'])",
    ),
    (
        {"agreements": {"some": {"signed": {"gte": "2020-01-01"}}}},
        "EXISTS { (n)-[:PARTY_TO]->(a:Agreement) WHERE a.signed >= date('2020-01-01') }",
    ),
    (
        {"name": {"contains": "ülikool"}},
        "any(x IN n.names WHERE toLower(x) CONTAINS 'ülikool')",
    ),
    ({"key": {"in": []}}, "false"),
]

COUNT_QUERY = """query($where: OrganisationWhere, $first: Int, $after: String) {
  organisations(where: $where, first: $first, after: $after) {
    totalCount edges { cursor node { key } } } }"""


@pytest.mark.parametrize(("where", "cypher_where"), COUNTED)
async def test_total_count_equals_cyphers_count_on_every_page(
    run: Run, eco: Store, where: dict[str, Any] | None, cypher_where: str
) -> None:
    rows = await eco.read(f"MATCH (n:Organisation) WHERE {cypher_where} RETURN count(n) AS c")
    expected = rows[0]["c"]
    data, trips = await run(COUNT_QUERY, where=where, first=3)
    conn = data["organisations"]
    assert conn["totalCount"] == expected
    assert trips == 1
    if conn["edges"]:
        data, _ = await run(COUNT_QUERY, where=where, first=3, after=conn["edges"][-1]["cursor"])
        assert data["organisations"]["totalCount"] == expected


COUNT_ONLY = """query($where: OrganisationWhere) {
  organisations(where: $where, first: 1) { __typename totalCount } }"""


@pytest.mark.parametrize(("where", "cypher_where"), COUNTED)
async def test_total_count_alone_equals_cyphers_count(
    run: Run, eco: Store, where: dict[str, Any] | None, cypher_where: str
) -> None:
    # Only totalCount asked: the query is the count alone (no page), with the same answer.
    rows = await eco.read(f"MATCH (n:Organisation) WHERE {cypher_where} RETURN count(n) AS c")
    data, trips = await run(COUNT_ONLY, where=where)
    assert data["organisations"] == {
        "__typename": "OrganisationConnection",
        "totalCount": rows[0]["c"],
    }
    assert trips == 1


def compiled_query(query: str, sort: str = "NAME") -> str:
    """The Cypher `organisations` compiles to, straight from `compile_connection` (no I/O)."""
    operation = parse(query).definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    field = operation.selection_set.selections[0]
    assert isinstance(field, FieldNode)
    info = SimpleNamespace(fragments={}, variable_values={})
    compiler = Compiler(cast(Any, info))
    page = Page(size=20, backward=False, cursor=("x", "y"))
    return compile_connection(compiler, "Organisation", [field], None, sort, False, page).query


@pytest.mark.parametrize("sort", SORTS)
def test_total_count_is_computed_only_when_selected(sort: str) -> None:
    without = compiled_query(
        "{ organisations { edges { node { key } } pageInfo { hasNextPage } } }", sort
    )
    with_total = compiled_query("{ organisations { totalCount edges { node { key } } } }", sort)
    assert "count(" not in without.lower()
    assert "count(" in with_total.lower()


# --- caps and errors ----------------------------------------------------------------------------


async def errors_of(
    schema: strawberry.Schema, store: Store, query: str, **variables: Any
) -> list[Any]:
    result = await executor_of(schema).run(query, Context(store=store.view()), variables)
    return list(result.errors or [])


def the_user_error(errors: list[Any]) -> str:
    assert len(errors) == 1, [e.message for e in errors]
    error = errors[0]
    assert isinstance(error.original_error, UserError), repr(error.original_error)
    return str(error.message)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        ({"first": 101}, "capped at 100"),
        ({"last": 101}, "capped at 100"),
        ({"first": -1}, "negative"),
        ({"first": 5, "last": 5}, "not both"),
        ({"first": 5, "before": "WyJhIiwiYiJd"}, "backward with `last`"),
        ({"last": 5, "after": "WyJhIiwiYiJd"}, "forward with `first`"),
        ({"after": "WyJhIiwiYiJd", "before": "WyJhIiwiYiJd"}, "not both"),
    ],
)
async def test_paging_arguments_are_checked(
    schema: strawberry.Schema, eco: Store, args: dict[str, Any], needle: str
) -> None:
    message = the_user_error(await errors_of(schema, eco, PAGE, **args))
    assert needle in message


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


GARBAGE_CURSORS = [
    "garbage",
    "",
    "!!!!",
    "ü",
    _b64(b"not json"),
    _b64(b"[1]"),
    _b64(b"[1, 2, 3]"),
    _b64(b"42"),
    _b64(b'[null, "org-001"]'),
    _b64(b'[[1, 2], "org-001"]'),
    _b64(b'["a", 5]'),
    _b64(b'[{"d": "not-a-date"}, "org-001"]'),
    _b64(b'[{"d": 5}, "org-001"]'),
    _b64(b'[18446744073709551615, "org-001"]'),
]


@pytest.mark.parametrize("cursor", GARBAGE_CURSORS)
@pytest.mark.parametrize("direction", ["after", "before"])
async def test_a_garbage_cursor_is_a_clear_user_error(
    schema: strawberry.Schema, eco: Store, cursor: str, direction: str
) -> None:
    message = the_user_error(await errors_of(schema, eco, PAGE, **{direction: cursor}))
    assert message.startswith("invalid cursor")


def _where(value: dict[str, Any]) -> dict[str, Any]:
    """An `OrganisationWhere` as graphql-core coerces it for the resolvers (dicts, every field)."""
    gtype = graphql_schema(build_schema()).type_map["OrganisationWhere"]
    assert isinstance(gtype, GraphQLInputObjectType)
    coerced: dict[str, Any] = coerce_input_value(value, gtype)
    return coerced


def test_only_a_plain_comparison_in_the_conjunction_makes_a_sort_key_present() -> None:
    # Under OR or NOT, or with no value-requiring operator, a node without `established` may
    # match: ESTABLISHED must then keep its coalesce() (missing values sort lowest).
    gte = {"gte": 1990}
    ee = {"country": {"eq": "EE"}}
    assert present("Organisation", _where({"established": gte})) == {"established"}
    nested = _where({"AND": [ee, {"established": gte}]})
    assert present("Organisation", nested) == {"country", "established"}
    assert present("Organisation", _where({"OR": [{"established": gte}, ee]})) == set()
    assert present("Organisation", _where({"NOT": {"established": gte}})) == set()
    assert present("Organisation", _where({"established": {}})) == set()
