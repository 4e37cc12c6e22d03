"""The local server's default heap and page cache, sized from the machine's memory."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.dbserver import LocalServer
from graph.dbserver.memory import GIB, recommended_heap, recommended_pagecache
from graph.settings import Settings


@pytest.mark.parametrize(
    ("total_gib", "heap"),
    [(4, "2g"), (8, "2g"), (16, "3g"), (23.5, "4g"), (64, "11g"), (512, "31g"), (0, "2g")],
)
def test_a_sixth_of_memory_between_2g_and_31g(total_gib: float, heap: str) -> None:
    assert recommended_heap(int(total_gib * GIB)) == heap


@pytest.mark.parametrize(
    ("total_gib", "pagecache"),
    [(2, "512m"), (4, "1g"), (23.5, "4g"), (64, "11g"), (512, "85g"), (0, "512m")],
)
def test_the_page_cache_takes_a_sixth_too(total_gib: float, pagecache: str) -> None:
    assert recommended_pagecache(int(total_gib * GIB)) == pagecache


def test_the_local_server_gets_the_sized_page_cache(tmp_path: Path) -> None:
    server = LocalServer.from_settings(Settings(home=tmp_path))
    assert server.pagecache == recommended_pagecache()


def test_a_chosen_heap_wins_over_the_sized_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARTNERGRAPH_NEO4J_HEAP", "768m")
    assert LocalServer.from_settings(Settings()).heap == "768m"
    monkeypatch.delenv("PARTNERGRAPH_NEO4J_HEAP")
    assert LocalServer.from_settings(Settings()).heap == recommended_heap()
