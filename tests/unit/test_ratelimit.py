"""Token buckets per key, with a fake clock: bursts, refill, independence, bounded memory."""

from __future__ import annotations

import pytest

from graph.api.http.ratelimit import RateLimiter, retry_after


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_burst_then_refill_at_the_rate() -> None:
    clock = Clock()
    limiter = RateLimiter(rate=2.0, burst=3, clock=clock)
    assert [limiter.take("k") for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = limiter.take("k")
    assert wait == pytest.approx(0.5)
    assert retry_after(wait) == "1"
    clock.now += 0.5
    assert limiter.take("k") == 0.0


def test_keys_are_independent() -> None:
    limiter = RateLimiter(rate=1.0, burst=1, clock=Clock())
    assert limiter.take("key:a") == 0.0
    assert limiter.take("key:a") > 0
    assert limiter.take("ip:127.0.0.1") == 0.0


def test_memory_is_bounded() -> None:
    limiter = RateLimiter(rate=1.0, burst=1, max_keys=10, clock=Clock())
    for i in range(100):
        limiter.take(f"ip:{i}")
    assert len(limiter._buckets) == 10
