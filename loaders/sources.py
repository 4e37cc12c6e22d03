"""Which parser reads a path: seed directories (YAML), ROR dumps (JSON), analysts' CSV files."""

from __future__ import annotations

from pathlib import Path

from graph.errors import Problem
from graph.model import Bundle
from loaders.base import Parsed
from loaders.ror import parse_ror
from loaders.seeds import find_seed_dirs, parse_seed_dir

_ROR_SUFFIXES = (".json", ".jsonl", ".ndjson", ".gz", ".zip")


def parse_path(path: Path, origin: str | None = None) -> list[Parsed]:
    """Parse one command-line path into load units; an unusable path becomes a Problem."""
    if path.is_dir():
        dirs = find_seed_dirs(path)
        if not dirs:
            return [_unusable(path, "no dataset.yaml here or in its subdirectories")]
        return [parse_seed_dir(d) for d in dirs]
    if not path.exists():
        return [_unusable(path, "no such file or directory")]
    if path.name.endswith(_ROR_SUFFIXES):
        parsed = parse_ror(path, origin=origin)
        parsed.partial = True  # a registry dump names neighbours it does not carry
        return [parsed]
    return [
        _unusable(
            path,
            "unknown file type: give a seed directory (with dataset.yaml) "
            "or a ROR dump (.json, .jsonl, .gz, .zip)",
        )
    ]


def _unusable(path: Path, message: str) -> Parsed:
    return Parsed(Bundle(origin=str(path)), problems=[Problem(file=str(path), message=message)])
