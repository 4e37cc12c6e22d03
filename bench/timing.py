"""Timing and statistics: A/B pairs run interleaved, percentiles, min/median/max summaries."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

Timed = Callable[[int], Awaitable[float]]  # run number -> seconds it took

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True, slots=True)
class Summary:
    """min / median / max of several runs (runs: how many)."""

    min: float
    median: float
    max: float
    runs: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Summary:
        if not values:
            raise ValueError("no values to summarise")
        return cls(min(values), statistics.median(values), max(values), len(values))

    def scaled(self, factor: float) -> Summary:
        return Summary(self.min * factor, self.median * factor, self.max * factor, self.runs)


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100), linear between the closest ranks."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def ratios(a: Sequence[float], b: Sequence[float]) -> list[float]:
    """Pairwise a/b of runs made side by side."""
    return [x / y for x, y in zip(a, b, strict=True) if y > 0]


class Deadline:
    """A time budget: every benchmark loop checks it, so none can run away."""

    def __init__(self, seconds: float) -> None:
        self.ends = time.monotonic() + seconds

    def passed(self) -> bool:
        return time.monotonic() >= self.ends

    def left(self) -> float:
        return max(0.0, self.ends - time.monotonic())


async def interleaved(
    a: Timed, b: Timed, runs: int, deadline: Deadline
) -> tuple[list[float], list[float]]:
    """Run A and B `runs` times each, alternating which goes first (ABBA), until the deadline.

    Alternating cancels drift (a warming cache, a neighbour's load) that would favour whichever
    always runs second. At least one pair runs whatever the deadline says.
    """
    times_a: list[float] = []
    times_b: list[float] = []
    for run in range(runs):
        if run and deadline.passed():
            break
        if run % 2 == 0:
            times_a.append(await a(run))
            times_b.append(await b(run))
        else:
            times_b.append(await b(run))
            times_a.append(await a(run))
    return times_a, times_b


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far, from /proc/<pid>/stat."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as file:
        stat = file.read()
    # The command name may hold spaces and parentheses: fields start after the last ")".
    fields = stat[stat.rindex(")") + 2 :].split()
    utime, stime = int(fields[11]), int(fields[12])
    return (utime + stime) / CLOCK_TICKS
