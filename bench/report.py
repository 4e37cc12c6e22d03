"""Figures: the printed table and the JSON file under bench/results/."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from bench.timing import Summary

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass(slots=True)
class Figure:
    """One measured figure; `ratio` is value against baseline, run by run, side by side."""

    group: str
    name: str
    unit: str
    value: Summary | None = None
    baseline: Summary | None = None
    ratio: Summary | None = None
    goal: str | None = None  # ">=0.8" or "<=1.3", checked against the median ratio
    note: str = ""

    @property
    def met(self) -> bool | None:
        if self.goal is None or self.ratio is None:
            return None
        bound = float(self.goal[2:])
        return (
            self.ratio.median >= bound
            if self.goal.startswith(">=")
            else (self.ratio.median <= bound)
        )


@dataclass(slots=True)
class Results:
    command: list[str]
    started: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat())
    machine: dict[str, Any] = field(default_factory=dict)
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _num(x: float) -> str:
    if x == 0:
        return "0"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    if abs(x) >= 1:
        return f"{x:.2f}"
    return f"{x:.3g}"


def _span(s: Summary | None) -> str:
    if s is None:
        return ""
    if s.runs == 1 or s.min == s.max:
        return _num(s.median)
    return f"{_num(s.median)} [{_num(s.min)}-{_num(s.max)}]"


def table(figures: list[Figure]) -> str:
    """Plain text, one figure a line: median [min-max] over runs."""
    head = ("group", "figure", "value", "baseline", "ratio", "goal", "met", "unit")
    rows = [head]
    for f in figures:
        met = "" if f.met is None else ("yes" if f.met else "NO")
        rows.append(
            (
                f.group,
                f.name,
                _span(f.value),
                _span(f.baseline),
                _span(f.ratio),
                f.goal or "",
                met,
                f.unit,
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    notes = [f"  {f.name}: {f.note}" for f in figures if f.note]
    return "\n".join([*lines, "", "notes:", *notes])


def write_markdown(name: str, text: str) -> Path:
    """A written-up result (kept in git, unlike the raw JSON): printed, then saved by name."""
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / name
    out.write_text(text, encoding="utf-8")
    print(f"written to {out}")
    return out


def machine() -> dict[str, Any]:
    return {"cpus": os.cpu_count(), "loadavg_start": os.getloadavg()}


def write(results: Results) -> Path:
    RESULTS.mkdir(exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"{stamp}.json"
    body = dataclasses.asdict(results)
    for raw, figure in zip(body["figures"], results.figures, strict=True):
        raw["met"] = figure.met
    path.write_bytes(orjson.dumps(body, option=orjson.OPT_INDENT_2))
    return path


def publish(results: Results) -> Path:
    """The table and the notes printed, the JSON written; its path."""
    print(table(results.figures))
    for note in results.notes:
        print(f"  {note}")
    path = write(results)
    print(f"wrote {path}")
    return path
