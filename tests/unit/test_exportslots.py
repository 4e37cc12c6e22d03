"""The export caps (graph/api/http/exportslots.py): per address, in all, and slots given back."""

from __future__ import annotations

import pytest

from graph.api.http.exportslots import ExportSlots
from graph.errors import ConfigError, Refusal


def test_an_address_over_its_share_gets_429_and_a_full_server_503() -> None:
    slots = ExportSlots(total=3, per_client=2)
    slots.take("a")
    slots.take("a")
    with pytest.raises(Refusal) as mine:
        slots.take("a")
    assert (mine.value.status, mine.value.code) == (429, "TOO_MANY_EXPORTS")
    assert mine.value.headers == {"Retry-After": "5"}
    slots.take("b")
    with pytest.raises(Refusal) as full:
        slots.take("c")
    assert (full.value.status, full.value.code) == (503, "EXPORTS_BUSY")
    slots.give_back("a")
    slots.take("c")
    assert slots.running == {"a": 1, "b": 1, "c": 1}


def test_addresses_with_nothing_running_are_forgotten() -> None:
    slots = ExportSlots(total=2, per_client=1)
    slots.take("a")
    slots.give_back("a")
    assert slots.running == {}
    assert slots.in_use == 0


def test_impossible_caps_are_refused() -> None:
    with pytest.raises(ConfigError):
        ExportSlots(total=0, per_client=1)
