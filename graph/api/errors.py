"""Errors the API shows users as they are: what was wrong with the request and how to fix it."""

from __future__ import annotations

from graph.errors import PartnergraphError


class UserError(PartnergraphError):
    """A request that cannot be answered as asked (a bad cursor, a page too large, ...)."""

    code = "bad_request"
