"""A root field that fails cancels its siblings (graphql-core): their queries must not leak."""

from __future__ import annotations

import gc

import strawberry

from graph.api.schema.context import Context
from graph.store import Store
from tests.api.executing import executor_of

QUERY = """{
  a: organisations(first: 100) { edges { node { name agreements { agreement { title } } } } }
  b: search(text: "tartu") { edges { node { id } } }
  c: organisations(after: "not a cursor") { totalCount }
}"""


async def test_sibling_queries_cancelled_by_a_failing_field_leave_no_socket(
    schema: strawberry.Schema, seeded: Store
) -> None:
    """pytest turns the ResourceWarning of a socket the driver dropped into a failure."""
    for _ in range(30):
        result = await executor_of(schema).run(QUERY, Context(store=seeded.view()))
        assert result.data is None  # `organisations` is non-null: its error nulls the data
        assert result.errors is not None
        assert [e.path for e in result.errors] == [["c"]]
    gc.collect()
    assert (await seeded.read("RETURN 1 AS one"))[0]["one"] == 1
