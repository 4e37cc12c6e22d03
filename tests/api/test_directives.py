"""`@include` and `@skip` with variable conditions, in the compiled selections: the compiler reads
the operation's variables as graphql-core coerced them."""

from __future__ import annotations

import pytest

from tests.api.conftest import Run

QUERY = """query($on: Boolean!) {
  organisations(first: 3, orderBy: {field: KEY}) {
    edges { node { key name @include(if: $on) country @skip(if: $on) } }
  }
}"""


@pytest.mark.parametrize("on", [True, False])
async def test_include_and_skip_read_their_variables(gql: Run, on: bool) -> None:
    data, _ = await gql(QUERY, on=on)
    nodes = [edge["node"] for edge in data["organisations"]["edges"]]
    assert len(nodes) == 3
    for node in nodes:
        assert ("name" in node) is on
        assert ("country" in node) is not on


async def test_a_fragment_spread_and_inline_fragment_take_variable_directives(gql: Run) -> None:
    query = """query($on: Boolean!) {
      organisations(first: 2, orderBy: {field: KEY}) { edges { node {
        key ...names @include(if: $on) ... on Organisation @skip(if: $on) { country }
      } } }
    }
    fragment names on Organisation { name }"""
    on, _ = await gql(query, on=True)
    off, _ = await gql(query, on=False)
    assert all(set(e["node"]) == {"key", "name"} for e in on["organisations"]["edges"])
    assert all(set(e["node"]) == {"key", "country"} for e in off["organisations"]["edges"])
