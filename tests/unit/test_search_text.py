"""User text to Lucene: operators and special characters never reach the query parser raw."""

from __future__ import annotations

import pytest

from graph.api.schema.roots import MAX_SEARCH_WORDS, lucene_query
from graph.errors import UserError


def test_words_become_terms_and_prefixes() -> None:
    assert lucene_query("Tartu Ülikool") == "(tartu OR tartu*) (ülikool OR ülikool*)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x OR 1=1", "(x OR x*) (or OR or*) (1=1 OR 1=1*)"),
        ("name:*", "(name\\:\\* OR name\\:\\**)"),
        ('"}) //', '(\\"\\}\\) OR \\"\\}\\)*) (\\/\\/ OR \\/\\/*)'),
    ],
)
def test_operators_and_special_characters_are_neutralised(text: str, expected: str) -> None:
    assert lucene_query(text) == expected


def test_empty_text_is_a_user_error() -> None:
    with pytest.raises(UserError, match="empty"):
        lucene_query("   ")


def test_too_many_words_is_a_user_error_that_says_the_limit() -> None:
    lucene_query(" ".join(["tartu"] * MAX_SEARCH_WORDS))
    with pytest.raises(UserError, match=f"has 500 words; at most {MAX_SEARCH_WORDS}"):
        lucene_query(" ".join(["tartu"] * 500))
