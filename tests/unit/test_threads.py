"""graph/threads.py: producers in their own threads, bounded, stopped when the consumer goes."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator

import pytest

from graph.threads import ahead, in_thread

# Generous bounds for what should take milliseconds: the tests check what happens, not speed.
SETTLE_S = 5.0


class Producer:
    """Counts what it made, records its thread, and whether its generator was closed."""

    def __init__(self, count: int, fail_at: int | None = None) -> None:
        self.count = count
        self.fail_at = fail_at
        self.made = 0
        self.closed = threading.Event()
        self.thread: str | None = None

    def __call__(self) -> Iterator[int]:
        self.thread = threading.current_thread().name
        try:
            for i in range(self.count):
                if i == self.fail_at:
                    raise ValueError(f"broke at {i}")
                self.made += 1
                yield i
        finally:
            self.closed.set()


def test_ahead_gives_every_item_in_order_from_another_thread() -> None:
    producer = Producer(1000)
    assert list(ahead(producer, depth=3, name="reader")) == list(range(1000))
    assert producer.thread == "reader"
    assert producer.closed.wait(SETTLE_S)


def test_ahead_raises_the_producers_error_after_the_items_before_it() -> None:
    producer = Producer(10, fail_at=4)
    got: list[int] = []
    with pytest.raises(ValueError, match="broke at 4"):
        got.extend(ahead(producer))
    assert got == [0, 1, 2, 3]


def test_a_slow_consumer_holds_the_producer_at_depth() -> None:
    producer = Producer(100)
    items = ahead(producer, depth=3)
    assert next(items) == 0
    time.sleep(0.3)  # room for the producer to run on, were it unbounded
    # One taken, three waiting, one made and waiting for room.
    assert producer.made <= 1 + 3 + 1
    items.close()


def test_a_consumer_that_stops_stops_the_producer_and_closes_it() -> None:
    producer = Producer(1_000_000)
    items = ahead(producer, depth=2)
    assert [next(items), next(items)] == [0, 1]
    time.sleep(0.3)  # the producer fills the room and waits for more
    items.close()
    assert producer.closed.wait(SETTLE_S)
    made = producer.made
    time.sleep(0.3)
    assert producer.made == made < 10


async def test_in_thread_hands_items_to_the_event_loop() -> None:
    producer = Producer(500)
    got = [item async for item in in_thread(producer, depth=2, name="writer")]
    assert got == list(range(500))
    assert producer.thread == "writer"
    assert threading.current_thread().name != "writer"


async def test_in_thread_raises_the_producers_error_on_the_loop() -> None:
    producer = Producer(10, fail_at=0)
    with pytest.raises(ValueError, match="broke at 0"):
        async for _ in in_thread(producer):
            pass


async def test_in_thread_stops_its_producer_when_the_loop_stops_reading() -> None:
    producer = Producer(1_000_000)
    items = in_thread(producer, depth=2)
    assert await anext(items) == 0
    await asyncio.sleep(0.3)  # the producer fills the room and waits for more
    await items.aclose()  # as a server does when the client goes away
    assert producer.closed.wait(SETTLE_S)
    assert producer.made < 10
