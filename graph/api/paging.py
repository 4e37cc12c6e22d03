"""Relay connections with keyset cursors: (sort value, key), never offsets; stable under writes."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from dataclasses import dataclass
from typing import Any

import orjson

from graph.api.errors import UserError

MAX_PAGE = 100
DEFAULT_PAGE = 20


def encode_cursor(sort_value: Any, key: str) -> str:
    if hasattr(sort_value, "iso_format"):  # a Neo4j date
        sort_value = {"d": sort_value.iso_format()}
    elif isinstance(sort_value, dt.date):
        sort_value = {"d": sort_value.isoformat()}
    raw = orjson.dumps([sort_value, key])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[Any, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value, key = orjson.loads(raw)
    except (binascii.Error, ValueError, TypeError):
        raise UserError(f"invalid cursor {cursor!r}: use a cursor this API returned") from None
    if isinstance(value, dict) and set(value) == {"d"}:
        value = dt.date.fromisoformat(value["d"])
    if not isinstance(key, str) or not isinstance(value, str | int | float | dt.date):
        raise UserError(f"invalid cursor {cursor!r}: use a cursor this API returned")
    return value, key


@dataclass(frozen=True, slots=True)
class Page:
    """The validated paging arguments of one connection."""

    size: int
    backward: bool
    cursor: tuple[Any, str] | None

    @classmethod
    def from_args(
        cls, first: int | None, after: str | None, last: int | None, before: str | None
    ) -> Page:
        if first is not None and last is not None:
            raise UserError("give `first` (with `after`) or `last` (with `before`), not both")
        if after is not None and before is not None:
            raise UserError("give `after` or `before`, not both")
        backward = last is not None or (before is not None and first is None)
        size = (last if backward else first) or DEFAULT_PAGE
        if (last is not None and after is not None) or (first is not None and before is not None):
            raise UserError("page forward with `first`/`after`, backward with `last`/`before`")
        if size < 0:
            raise UserError("`first` and `last` cannot be negative")
        if size > MAX_PAGE:
            raise UserError(f"`first` and `last` are capped at {MAX_PAGE}: page with cursors")
        cursor_text = before if backward else after
        cursor = decode_cursor(cursor_text) if cursor_text is not None else None
        return cls(size=size, backward=backward, cursor=cursor)
