"""What of `variables` the limits read, as a hashable key: the limits' verdict is cached by it.

The limits (graph/api/execution/limits/rules.py) read variables through
graph/api/execution/limits/measure.py (page sizes: ints; `ids`: a list's length),
graph/api/execution/limits/width.py (a filter's terms: its dicts, lists and non-null leaves) and
graph/api/execution/limits/tokens.py (tokens and nesting: dicts, lists, one token per leaf). None of
them reads a string's text: a string is one token, one term, and never a page size. So two variable
sets that differ only in their strings get the same verdict, and the key replaces every string by
one marker while keeping everything else exactly: numbers with their type (1, 1.0 and True are equal
in Python but not to the limits: `first: true` is no page size), nulls, the keys of every object and
the length of every list. A look-up by key (`node(id: $v)`) then hits the cache for every key;
`first: $n` does not hit it for another `n`.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

_STRING = ("s",)
# Deeper than any value the limits let through (tokens.MAX_LITERAL_NESTING is far below): such
# a value is not worth a key, and its verdict is computed afresh.
MAX_KEY_NESTING = 64
# Values above this many leaves are computed afresh too: a key must stay cheaper than the walk.
MAX_KEY_ITEMS = 2000


def limit_key(variables: Mapping[str, Any] | None) -> Hashable | None:
    """The key of `variables` for the limits' cache; None when not worth caching."""
    if not variables:
        return ()
    out: list[Hashable] = []
    pending: list[tuple[Any, int]] = [(dict(variables), 0)]
    while pending:
        item, depth = pending.pop()
        if len(out) > MAX_KEY_ITEMS or depth > MAX_KEY_NESTING:
            return None
        if isinstance(item, str):
            out.append(_STRING)
        elif isinstance(item, dict):
            # Pre-order with lengths: the flat sequence reads back as exactly one tree.
            out.append(("{", len(item)))
            for name, value in reversed(item.items()):
                pending.append((value, depth + 1))
                pending.append((("k", str(name)), depth + 1))
        elif isinstance(item, list):
            out.append(("[", len(item)))
            pending.extend((value, depth + 1) for value in reversed(item))
        elif isinstance(item, tuple):  # an object's key, pushed above
            out.append(item)
        elif item is None or isinstance(item, bool | int | float):
            out.append((type(item).__name__, item))
        else:  # not JSON: never cached
            return None
    return tuple(out)
