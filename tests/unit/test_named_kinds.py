"""The labels that carry `nameText` are exactly those of the kinds with a `name` filter: a kind
given one without its label in graph.cypher.nametext.NAMED would filter with a stale or
missing string and lose matches."""

from __future__ import annotations

from graph.cypher import nametext
from graph.kinds import KINDS, AnyName


def test_every_kind_filtered_by_name_carries_name_text() -> None:
    named = {
        kind.label
        for kind in KINDS.values()
        if any(isinstance(f, AnyName) for f in kind.filters.values())
    }
    assert named == set(nametext.NAMED)
