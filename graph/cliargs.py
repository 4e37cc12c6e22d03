"""Checked values for CLI options: argparse refuses a bad one (exit 2) before anything runs."""

from __future__ import annotations

import argparse
import unicodedata
from collections.abc import Callable
from pathlib import Path

# A batch of 1M rows is already one transaction of gigabytes; more is never what was meant.
MAX_BATCH = 1_000_000


def whole(low: int, high: int) -> Callable[[str], int]:
    """A whole number from `low` to `high` inclusive."""

    def check(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"expected a whole number from {low:,} to {high:,}, not {text!r}"
            )
        return value

    return check


port = whole(1, 65535)
batch_size = whole(1, MAX_BATCH)


def text(what: str, max_length: int = 200) -> Callable[[str], str]:
    """Non-blank text without control characters, at most `max_length` characters."""

    def check(value: str) -> str:
        stripped = value.strip()
        if not stripped:
            raise argparse.ArgumentTypeError(f"{what} cannot be blank")
        if len(stripped) > max_length:
            raise argparse.ArgumentTypeError(
                f"{what} is {len(stripped):,} characters long; at most {max_length}"
            )
        if any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn") for c in stripped):
            raise argparse.ArgumentTypeError(f"{what} {value!r} holds control characters")
        return stripped

    return check


def existing_file(value: str) -> Path:
    path = Path(value)
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"{value!r} is not a file")
    return path


def output_file(value: str) -> Path:
    """A file to write, or '-' for standard output: its directory must exist and not be it."""
    path = Path(value)
    if value == "-":
        return path
    if not value.strip():
        raise argparse.ArgumentTypeError("the output path cannot be blank")
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{value!r} is a directory, not a file")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise argparse.ArgumentTypeError(f"no directory {str(parent)!r} to write {value!r} in")
    return path


def output_dir_or_file(value: str) -> Path:
    """An export's target: a file, '-', or (for CSV) a directory that exists or can be made."""
    path = Path(value)
    if value == "-" or path.is_dir():
        return path
    return output_file(value)
