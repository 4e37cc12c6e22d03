"""The local server's default heap, sized from the machine's memory."""

from __future__ import annotations

import pytest

from graph.dbserver import LocalServer
from graph.dbserver.memory import GIB, recommended_heap
from graph.settings import Settings


@pytest.mark.parametrize(
    ("total_gib", "heap"),
    [(4, "2g"), (8, "3g"), (16, "6g"), (23.5, "9g"), (64, "25g"), (512, "31g"), (0, "2g")],
)
def test_two_fifths_of_memory_between_2g_and_31g(total_gib: float, heap: str) -> None:
    assert recommended_heap(int(total_gib * GIB)) == heap


def test_a_chosen_heap_wins_over_the_sized_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARTNERGRAPH_NEO4J_HEAP", "768m")
    assert LocalServer.from_settings(Settings()).heap == "768m"
    monkeypatch.delenv("PARTNERGRAPH_NEO4J_HEAP")
    assert LocalServer.from_settings(Settings()).heap == recommended_heap()
