"""Faults under load: stop Neo4j mid-run and start it again, watch /ready, measure the outage."""

from __future__ import annotations

import asyncio
import os
import signal
from dataclasses import dataclass, field

import httpx2 as httpx

from bench.loadmix import Outcome, Run, Sample
from graph.dbserver import LocalServer

READY_POLL_S = 0.2
WARM_UP_CAP_S = 60.0


@dataclass(frozen=True, slots=True)
class ChaosPlan:
    at_s: float  # when to stop Neo4j, in seconds since the run began
    down_s: float  # how long to leave it stopped before starting it again
    kill: bool = False  # SIGKILL (a crash) instead of SIGTERM (a clean shutdown)
    settle_s: float = 3.0  # the run goes on at least this long once Neo4j is back
    # ... and not before the clients had this many writes acknowledged (on a slow machine the
    # first writes take seconds: a fault before any of them would prove nothing)
    after_acked: int = 0
    # ... and, once Neo4j is back, not before this many writes begun since were acknowledged:
    # the first writes against a restarted Neo4j (cold caches, every query planned again) took
    # more than the 2 s a test settles for when its suite had run before it on a 2-core machine
    acked_after_restart: int = 0


@dataclass(slots=True)
class ChaosTimes:
    """Seconds since the run began; None for what did not happen."""

    signal: str
    stop_at: float | None = None
    stopped_at: float | None = None
    start_at: float | None = None
    started_at: float | None = None
    error: str | None = None


async def stop_and_restart(run: Run, server: LocalServer, plan: ChaosPlan) -> ChaosTimes:
    """Holds the run open until Neo4j is back and the clients had `settle_s` against it."""
    times = ChaosTimes(signal="SIGKILL" if plan.kill else "SIGTERM")
    run.holds += 1
    try:
        await asyncio.sleep(max(0.0, plan.at_s - run.now()))
        await _until_acked(run, plan.after_acked, since=0.0, cap=plan.at_s + WARM_UP_CAP_S)
        times.stop_at = run.now()
        # LocalServer blocks (it polls the process); in a thread, the clients keep going.
        if plan.kill:
            pid = server.status().pid
            if pid is not None:
                os.kill(pid, signal.SIGKILL)
        await asyncio.to_thread(server.stop)
        times.stopped_at = run.now()
        await asyncio.sleep(plan.down_s)
        times.start_at = run.now()
        await asyncio.to_thread(server.start)
        times.started_at = back = run.now()
        run.deadline = max(run.deadline, run.now() + plan.settle_s)
        await _until_acked(run, plan.acked_after_restart, since=back, cap=back + WARM_UP_CAP_S)
    except Exception as exc:
        times.error = f"{type(exc).__name__}: {exc}"
        raise
    finally:
        run.holds -= 1
    return times


async def _until_acked(run: Run, count: int, *, since: float, cap: float) -> None:
    """Until the clients had `count` writes begun at `since` or later acknowledged, or the run
    reached `cap` seconds. The ledger is a plain list the clients append to: polled rather than
    signalled."""
    while _acked(run, since) < count and run.now() < cap:  # noqa: ASYNC110
        await asyncio.sleep(0.05)


def _acked(run: Run, since: float) -> int:
    """The clients' writes acknowledged so far, of those begun at `since` or later."""
    return sum(
        1 for w in run.writes if w.client >= 0 and w.outcome is Outcome.ACKED and w.at >= since
    )


@dataclass(slots=True)
class ReadyWatch:
    """/ready polled through the run: (seconds since the run began, answered 200)."""

    points: list[tuple[float, bool]] = field(default_factory=list)

    async def watch(self, run: Run, http: httpx.AsyncClient) -> None:
        ready = run.url.removesuffix("/graphql") + "/ready"
        while not run.over():
            # Stamped when asked: with Neo4j down the answer takes up to the API's timeout.
            asked = run.now()
            try:
                ok = (await http.get(ready)).status_code == 200
            except httpx.TransportError:
                ok = False
            self.points.append((asked, ok))
            await asyncio.sleep(READY_POLL_S)

    def went_down_and_up(self, after: float) -> tuple[float | None, float | None]:
        """When /ready first said no after `after`, and when it next said yes."""
        down = next((t for t, ok in self.points if t >= after and not ok), None)
        if down is None:
            return None, None
        up = next((t for t, ok in self.points if t > down and ok), None)
        return down, up


@dataclass(frozen=True, slots=True)
class Outage:
    """What the clients saw of the fault."""

    unavailable: int  # 503 answers
    with_retry_after: int
    other_errors: int  # anything else that failed between the stop and the recovery
    first_failure: float | None
    recovered: float | None  # the first clean answer after the first failure
    ready_false: float | None
    ready_true: float | None
    seconds_down: float | None  # first failure -> first clean answer
    seconds_to_recover: float | None  # Neo4j answering again -> first clean answer

    def as_dict(self) -> dict[str, float | int | None]:
        return {name: getattr(self, name) for name in self.__slots__}


def outage(samples: list[Sample], times: ChaosTimes, ready: ReadyWatch) -> Outage:
    after = times.stop_at if times.stop_at is not None else 0.0
    ordered = sorted(samples, key=lambda s: s.start + s.ms / 1000)
    failures = [s for s in ordered if s.start >= after and s.error is not None]
    first_failure = failures[0].start if failures else None
    recovered = None
    if first_failure is not None:
        recovered = next(
            (
                s.start + s.ms / 1000
                for s in ordered
                if s.error is None
                and s.start > first_failure
                # Not a straggler answered while Neo4j was still shutting down.
                and (times.start_at is None or s.start + s.ms / 1000 >= times.start_at)
            ),
            None,
        )
    window = [s for s in failures if recovered is None or s.start <= recovered]
    unavailable = [s for s in window if s.status == 503]
    ready_false, ready_true = ready.went_down_and_up(after)
    return Outage(
        unavailable=len(unavailable),
        with_retry_after=sum(1 for s in unavailable if s.retry_after),
        other_errors=len(window) - len(unavailable),
        first_failure=first_failure,
        recovered=recovered,
        ready_false=ready_false,
        ready_true=ready_true,
        seconds_down=(
            recovered - first_failure
            if recovered is not None and first_failure is not None
            else None
        ),
        seconds_to_recover=(
            max(0.0, recovered - times.started_at)
            if recovered is not None and times.started_at is not None
            else None
        ),
    )
