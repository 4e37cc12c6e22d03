"""Relay global ids: `Type:key`, the type one of the kinds (the allow-list), read back here."""

from __future__ import annotations

from graph.errors import UserError
from graph.kinds import KINDS


def split_id(global_id: str, *expected: str) -> tuple[str, str]:
    """`Type:key` -> (type, key), the type checked against the allow-list (and `expected`)."""
    type_name, sep, key = global_id.partition(":")
    if not sep or type_name not in KINDS or not key or (expected and type_name not in expected):
        kinds = " or ".join(expected) if expected else "<Type>"
        raise UserError(
            f"invalid id {global_id!r}: expected {kinds}:<key>, e.g. "
            f"{expected[0] if expected else 'Organisation'}:university-of-tartu"
        )
    return type_name, key
