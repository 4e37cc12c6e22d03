"""graph/coalesce.py's scheduling, with a read whose answer the test releases (no Neo4j: what is
tested is which keys go in which read, and when; tests/api/test_coalesced_lookups.py asks the
real one)."""

from __future__ import annotations

import asyncio
from typing import Any, LiteralString

import pytest

from graph import coalesce
from graph.coalesce import Coalescer

QUERY: LiteralString = "MATCH (n) WHERE n.id IN $keys RETURN n.id AS key"


class _Reads:
    """Each read waits until the test releases it; answers one row per key, unknown keys none."""

    def __init__(self, known: set[str] | None = None, fail: bool = False) -> None:
        self.sent: list[dict[str, Any]] = []
        self.release: list[asyncio.Event] = []
        self.known = known
        self.fail = fail

    async def __call__(self, query: LiteralString, params: dict[str, Any]) -> list[dict[str, Any]]:
        assert query == QUERY
        gate = asyncio.Event()
        self.sent.append(params)
        self.release.append(gate)
        await gate.wait()
        if self.fail:
            raise RuntimeError("the store failed")
        keys = params["keys"]
        return [{"key": k, "extra": params.get("extra")} for k in keys if k in (self.known or keys)]


async def _turns(n: int = 5) -> None:
    for _ in range(n):
        await asyncio.sleep(0)


async def test_alone_a_lookup_is_read_at_once_with_its_keys() -> None:
    reads, lookups = _Reads(), Coalescer()
    task = asyncio.create_task(lookups.rows(reads, QUERY, {"keys": ["a"]}, "keys", ["a"]))
    await _turns()
    assert reads.sent == [{"keys": ["a"]}]
    reads.release[0].set()
    assert await task == [{"key": "a", "extra": None}]


async def test_lookups_asked_during_a_read_share_the_next_one() -> None:
    reads, lookups = _Reads(), Coalescer()
    first = asyncio.create_task(lookups.rows(reads, QUERY, {"keys": ["a"]}, "keys", ["a"]))
    await _turns()
    later = [
        asyncio.create_task(lookups.rows(reads, QUERY, {"keys": [k]}, "keys", [k]))
        for k in ("b", "c", "b", "d")
    ]
    await _turns()
    # Not added to the read in flight (it was sent before they were asked), nor sent yet.
    assert reads.sent == [{"keys": ["a"]}]
    reads.release[0].set()
    await _turns()
    assert reads.sent[1] == {"keys": ["b", "c", "d"]}  # once each, in the order asked
    reads.release[1].set()
    assert await first == [{"key": "a", "extra": None}]
    assert [await t for t in later] == [[{"key": k, "extra": None}] for k in ("b", "c", "b", "d")]
    assert (lookups.reads, lookups.lookups) == (2, 5)


async def test_each_caller_gets_only_its_own_rows() -> None:
    reads, lookups = _Reads(known={"a", "c"}), Coalescer()
    busy = asyncio.create_task(lookups.rows(reads, QUERY, {"keys": ["z"]}, "keys", ["z"]))
    await _turns()
    mine = asyncio.create_task(lookups.rows(reads, QUERY, {"keys": ["a", "b"]}, "keys", ["a", "b"]))
    theirs = asyncio.create_task(lookups.rows(reads, QUERY, {"keys": ["c"]}, "keys", ["c"]))
    await _turns()
    reads.release[0].set()
    await _turns()
    reads.release[1].set()
    assert await busy == []
    assert await mine == [{"key": "a", "extra": None}]
    assert await theirs == [{"key": "c", "extra": None}]


async def test_other_parameters_make_another_shape() -> None:
    reads, lookups = _Reads(), Coalescer()
    one = asyncio.create_task(
        lookups.rows(reads, QUERY, {"keys": ["a"], "extra": 1}, "keys", ["a"])
    )
    two = asyncio.create_task(
        lookups.rows(reads, QUERY, {"keys": ["b"], "extra": 2}, "keys", ["b"])
    )
    await _turns()
    assert reads.sent == [{"extra": 1, "keys": ["a"]}, {"extra": 2, "keys": ["b"]}]
    for gate in reads.release:
        gate.set()
    assert await one == [{"key": "a", "extra": 1}]
    assert await two == [{"key": "b", "extra": 2}]


async def test_an_error_is_every_callers_and_the_next_read_still_goes() -> None:
    reads, lookups = _Reads(fail=True), Coalescer()
    first = asyncio.create_task(lookups.rows(reads, QUERY, {"keys": ["a"]}, "keys", ["a"]))
    await _turns()
    joined = [
        asyncio.create_task(lookups.rows(reads, QUERY, {"keys": [k]}, "keys", [k])) for k in "bc"
    ]
    await _turns()
    reads.release[0].set()
    with pytest.raises(RuntimeError, match="the store failed"):
        await first
    await _turns()
    reads.release[1].set()
    for task in joined:
        with pytest.raises(RuntimeError, match="the store failed"):
            await task
    # Nothing left in flight or waiting: the shape is free, a new look-up is read at once.
    reads.fail = False
    again = asyncio.create_task(lookups.rows(reads, QUERY, {"keys": ["d"]}, "keys", ["d"]))
    await _turns()
    reads.release[2].set()
    assert await again == [{"key": "d", "extra": None}]


async def test_a_cancelled_caller_leaves_the_read_to_the_others() -> None:
    reads, lookups = _Reads(), Coalescer()
    busy = asyncio.create_task(lookups.rows(reads, QUERY, {"keys": ["z"]}, "keys", ["z"]))
    await _turns()
    leaving = asyncio.create_task(lookups.rows(reads, QUERY, {"keys": ["a"]}, "keys", ["a"]))
    staying = asyncio.create_task(lookups.rows(reads, QUERY, {"keys": ["b"]}, "keys", ["b"]))
    await _turns()
    leaving.cancel()
    reads.release[0].set()
    await _turns()
    reads.release[1].set()
    assert await staying == [{"key": "b", "extra": None}]
    assert await busy == [{"key": "z", "extra": None}]
    assert leaving.cancelled()


async def test_a_full_read_is_sent_beside_the_one_in_flight(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(coalesce, "MAX_KEYS", 2)
    reads, lookups = _Reads(), Coalescer()
    tasks = [
        asyncio.create_task(lookups.rows(reads, QUERY, {"keys": [k]}, "keys", [k])) for k in "abcd"
    ]
    await _turns()
    # a alone; b and c fill the next read, which goes when d arrives to find it full.
    assert reads.sent == [{"keys": ["a"]}, {"keys": ["b", "c"]}]
    for gate in reads.release:
        gate.set()
    await _turns()
    assert reads.sent[2] == {"keys": ["d"]}
    reads.release[2].set()
    assert [await t for t in tasks] == [[{"key": k, "extra": None}] for k in "abcd"]


async def test_parameters_json_cannot_compare_are_read_alone() -> None:
    reads, lookups = _Reads(), Coalescer()
    odd = {"keys": ["a"], "extra": object()}
    task = asyncio.create_task(lookups.rows(reads, QUERY, odd, "keys", ["a"]))
    await _turns()
    reads.release[0].set()
    [row] = await task
    assert row["key"] == "a"
    assert lookups.reads == 0  # not through the shared reads at all
