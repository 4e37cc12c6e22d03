"""Relay connections with keyset cursors: (sort value, key), never offsets; stable under writes."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from dataclasses import dataclass
from typing import Any

import orjson

from graph.errors import UserError

MAX_PAGE = 100
DEFAULT_PAGE = 20


def encode_cursor(sort_value: Any, key: str, sort: str | None = None) -> str:
    """An opaque cursor: the sort value, the key that breaks ties, and the sort it belongs to."""
    if hasattr(sort_value, "iso_format"):  # a Neo4j date
        sort_value = {"d": sort_value.iso_format()}
    elif isinstance(sort_value, dt.date):
        sort_value = {"d": sort_value.isoformat()}
    raw = orjson.dumps([sort_value, key] if sort is None else [sort_value, key, sort])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _invalid(cursor: str) -> UserError:
    return UserError(f"invalid cursor {cursor!r}: use a cursor this API returned")


def decode_cursor(cursor: str, sort: str | None = None) -> tuple[Any, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        parts = orjson.loads(raw)
        if not isinstance(parts, list) or len(parts) != (2 if sort is None else 3):
            raise ValueError("not a cursor")
        value, key = parts[0], parts[1]
        if sort is not None and parts[2] != sort:
            # Comparing a year with a name would silently give an empty page.
            raise UserError(
                f"invalid cursor {cursor!r}: it belongs to another sort order "
                f"({parts[2]}, not {sort}); use a cursor this query returned"
            )
        if isinstance(value, dict) and set(value) == {"d"}:
            value = dt.date.fromisoformat(value["d"])
    except (binascii.Error, ValueError, TypeError):
        raise _invalid(cursor) from None
    if not isinstance(key, str) or not isinstance(value, str | int | float | dt.date):
        raise _invalid(cursor)
    if isinstance(value, bool) or (isinstance(value, int) and not -(2**63) <= value < 2**63):
        raise _invalid(cursor)  # Neo4j integers are 64-bit
    return value, key


@dataclass(frozen=True, slots=True)
class Page:
    """The validated paging arguments of one connection."""

    size: int
    backward: bool
    cursor: tuple[Any, str] | None

    @classmethod
    def from_args(
        cls,
        first: int | None,
        after: str | None,
        last: int | None,
        before: str | None,
        sort: str | None = None,
    ) -> Page:
        if first is not None and last is not None:
            raise UserError("give `first` (with `after`) or `last` (with `before`), not both")
        if after is not None and before is not None:
            raise UserError("give `after` or `before`, not both")
        backward = last is not None or (before is not None and first is None)
        size = last if backward else first
        if size is None:
            size = DEFAULT_PAGE
        if (last is not None and after is not None) or (first is not None and before is not None):
            raise UserError("page forward with `first`/`after`, backward with `last`/`before`")
        if size < 0:
            raise UserError("`first` and `last` cannot be negative")
        if size > MAX_PAGE:
            raise UserError(f"`first` and `last` are capped at {MAX_PAGE}: page with cursors")
        cursor_text = before if backward else after
        cursor = decode_cursor(cursor_text, sort) if cursor_text is not None else None
        return cls(size=size, backward=backward, cursor=cursor)
