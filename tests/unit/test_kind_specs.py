"""Registry entries are written with keywords: no bare `True` a reader must look up."""

from __future__ import annotations

import dataclasses

import pytest

from graph.cypher import RelType
from graph.kinds.specs import AnyName, EdgeRel, Embedded, Kind, Lookup, Quantified, Rel

ENTRIES = [Rel, EdgeRel, Quantified, AnyName, Embedded, Lookup, Kind]


@pytest.mark.parametrize("cls", ENTRIES, ids=lambda c: c.__name__)
def test_every_field_is_keyword_only(cls: type) -> None:
    positional = [f.name for f in dataclasses.fields(cls) if not f.kw_only]
    assert not positional, f"{cls.__name__} takes {positional} by position"


def test_a_bare_direction_is_refused() -> None:
    with pytest.raises(TypeError):
        Rel(RelType.HOLDS_DATA, True, "Dataset")  # type: ignore[call-arg]
    assert Rel(type=RelType.HOLDS_DATA, outgoing=True, target="Dataset").outgoing is True
