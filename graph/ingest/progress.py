"""A progress line with rows/s for large loads: redrawn in place on a terminal, else periodic."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressLine:
    """Counts rows by phase and shows the rate; quiet below `min_rows` so small loads stay terse."""

    def __init__(self, stream: TextIO | None = None, min_rows: int = 5000) -> None:
        self.total = 0
        self.stream = stream or sys.stderr
        self.min_rows = min_rows
        self.enabled = False
        self.tty = self.stream.isatty()
        self.done = 0
        self.started = time.perf_counter()
        self._last_draw = 0.0

    def start(self, total: int) -> None:
        self.total = total
        self.enabled = total >= self.min_rows
        self.started = time.perf_counter()

    def __call__(self, phase: str, rows: int) -> None:
        self.done += rows
        now = time.perf_counter()
        # On a terminal redraw up to 10 times a second; in logs, a line every 2 s is plenty.
        if not self.enabled or now - self._last_draw < (0.1 if self.tty else 2.0):
            return
        self._last_draw = now
        self._draw(phase, now)

    def _draw(self, phase: str, now: float) -> None:
        elapsed = max(now - self.started, 1e-9)
        rate = self.done / elapsed
        width = 30
        frac = min(self.done / self.total, 1.0) if self.total else 1.0
        bar = "#" * int(frac * width) + "-" * (width - int(frac * width))
        line = f"[{bar}] {self.done:,}/{self.total:,} rows {rate:,.0f} rows/s ({phase})"
        self.stream.write(("\r" + line) if self.tty else (line + "\n"))
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self._draw("done", time.perf_counter())
            if self.tty:
                self.stream.write("\n")
