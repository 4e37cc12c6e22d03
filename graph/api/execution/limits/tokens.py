"""Lexical tokens and nesting: of a parsed document, and of `variables` as if written inline.

A value sent in `variables` costs Neo4j what the same value written in the query costs (a filter
of 3,000 `OR` branches is as heavy either way), so it is counted as its literal would be:
a scalar is one token, a list its brackets and items, an object its braces and, per field, a
name, a colon and the value. Commas are not tokens in GraphQL.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from graphql import DocumentNode, Token, TokenKind

# How deep graphql-core's parser lets a literal nest (graphql.language.parser.MAX_NESTING_DEPTH,
# counting selection sets, lists and objects); a variable may nest no deeper.
MAX_LITERAL_NESTING = 200

_NOT_COUNTED = (TokenKind.SOF, TokenKind.EOF, TokenKind.COMMENT)


def document_tokens(document: DocumentNode) -> int:
    """The lexical tokens of a parsed document, as the parser's `max_lexical_tokens` counts."""
    if document.loc is None:
        return 0
    count = 0
    token: Token | None = document.loc.start_token
    while token is not None:
        if token.kind not in _NOT_COUNTED:
            count += 1
        token = token.next
    return count


def literal_tokens(values: Iterable[Any], budget: int) -> tuple[int, int]:
    """The tokens of `values` as GraphQL literals, and how deep the deepest nests.

    The walk stops once the count passes `budget` (the count is then just over it), and is
    iterative: JSON may nest deeper than Python's stack.
    """
    tokens, deepest = 0, 0
    pending: list[tuple[Any, int]] = [(value, 0) for value in values]
    while pending and tokens <= budget:
        item, depth = pending.pop()
        if isinstance(item, dict):
            tokens += 2 + 2 * len(item)  # braces; a name and a colon per field
            deepest = max(deepest, depth + 1)
            pending.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            tokens += 2
            deepest = max(deepest, depth + 1)
            pending.extend((v, depth + 1) for v in item)
        else:
            tokens += 1
    return tokens, deepest
