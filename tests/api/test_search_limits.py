"""`search(text:)` with many words: a user error with the limit, never Lucene's TooManyClauses."""

from __future__ import annotations

import string

import strawberry
from graphql import ExecutionResult

from graph.api.schema.context import Context
from graph.api.schema.roots import MAX_SEARCH_WORDS
from graph.store import Store
from tests.api.executing import executor_of

QUERY = "query($t: String!) { search(text: $t) { edges { score node { id } } } }"


async def _search(schema: strawberry.Schema, store: Store, text: str) -> ExecutionResult:
    return await executor_of(schema).run(QUERY, Context(store=store.view()), {"t": text})


async def test_the_most_words_allowed_are_answered(
    schema: strawberry.Schema, seeded: Store
) -> None:
    # Single letters and short stems: the prefixes that expand to the most terms.
    words = [*string.ascii_lowercase, "ta", "tar", "un", "uni", "est", "ko", "gan", "ai"]
    words = (words * 4)[:MAX_SEARCH_WORDS]
    result = await _search(schema, seeded, " ".join(words))
    assert result.errors is None, result.errors
    assert result.data is not None
    assert result.data["search"]["edges"]


async def test_500_words_are_refused_with_the_limit(
    schema: strawberry.Schema, seeded: Store
) -> None:
    result = await _search(schema, seeded, " ".join(["tartu"] * 500))
    assert result.errors is not None
    (error,) = result.errors
    assert error.extensions is not None
    assert error.extensions["code"] == "BAD_USER_INPUT", error
    assert f"at most {MAX_SEARCH_WORDS}" in error.message
