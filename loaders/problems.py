"""Problems the parsers share: unreadable files, and pydantic errors as readable messages."""

from __future__ import annotations

import difflib
import re
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from graph.errors import Problem
from graph.model import ID_PATTERN

Loc = tuple[str | int, ...]

# A bulk file broken throughout (a wrong export, a shifted column) would otherwise list one
# problem per row: 400k rows printed 400k lines and held 2.7 GB. Past this many, parsing stops
# and says so; the first ones show what is wrong.
MAX_PROBLEMS = 1000


def stopped(file: str, cap: int, line: int | None = None) -> Problem:
    return Problem(file, f"stopped after {cap} problems: fix these and load again", line=line)


def read_text(
    path: Path, file: str, max_bytes: int, hint: str = ""
) -> tuple[str | None, list[Problem]]:
    """A source file's text, or the Problem that stops it (too big, unreadable, not UTF-8).

    The size is checked before reading, so a huge file is refused without being read. A byte
    order mark is dropped: spreadsheets and some editors write one.
    """
    try:
        size = path.stat().st_size
        if size > max_bytes:
            limit = max_bytes // (1024 * 1024)
            return None, [Problem(file, f"file is {size} bytes, over the {limit} MB limit")]
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(file, f"cannot read the file: {exc.strerror or exc}")]
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        message = f"not UTF-8 text: byte {exc.start} (0x{raw[exc.start]:02X}) is invalid{hint}"
        return None, [Problem(file, message, line=line)]


def record_model(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside an annotation such as `list[Name]`, `Place | None`, Annotated."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = record_model(arg)
        if found is not None:
            return found
    return None


def dotted(path: Loc) -> str:
    """`("agreements", 0, "parties", 1)` -> `"agreements[0].parties[1]"`."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def closest(word: object, choices: typing.Iterable[str]) -> str | None:
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(word: object, choices: typing.Iterable[str]) -> str:
    close = closest(word, choices)
    return f"; did you mean {close!r}?" if close else ""


def _model_at(model: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    current: type[BaseModel] | None = model
    for part in loc:
        if isinstance(part, int):
            continue
        if current is None or part not in current.model_fields:
            return None
        current = record_model(current.model_fields[part].annotation)
    return current


def shown(value: object) -> str:
    """A value as the reader typed it, cut short enough for one line of a report."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def error_message(error: ErrorDetails, model: type[BaseModel]) -> str:
    """One pydantic error as a sentence that names the offending value and, if any, a fix."""
    kind, loc, msg, value = error["type"], error["loc"], error["msg"], error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return f"required field {loc[-1]!r} is missing"
    if kind == "extra_forbidden":
        owner = _model_at(model, loc[:-1])
        allowed = list(owner.model_fields) if owner else []
        hint = did_you_mean(loc[-1], allowed)
        return f"unknown field {loc[-1]!r}{hint} (allowed: {', '.join(allowed)})"
    if kind == "model_type":
        return f"expected a mapping of fields (key: value), got {shown(value)}"
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == ID_PATTERN:
        return (
            "must be a slug (lower-case letters, digits and inner hyphens, as in "
            f"'tartu-science-park'), got {shown(value)}"
        )
    for prefix in ("Value error, ", "Assertion failed, "):
        msg = msg.removeprefix(prefix)
    if isinstance(value, str | int | float | bool) and kind != "value_error":
        msg += f" (got {shown(value)}"
        if kind == "enum":
            msg += did_you_mean(value, re.findall(r"'([^']*)'", str(ctx.get("expected", ""))))
        msg += ")"
    return msg
