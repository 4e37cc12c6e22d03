"""Which parser reads a path: seed directories (YAML), ROR dumps (JSON), analysts' CSV files."""

from __future__ import annotations

from pathlib import Path

from graph.errors import Problem
from graph.model import Bundle
from graph.parsed import Parsed
from loaders.cordis import parse_cordis
from loaders.cordisfiles import is_cordis_dump
from loaders.csvfile import parse_csv
from loaders.ror import parse_ror
from loaders.seeds import DATASET_FILE, find_seed_dirs, parse_seed_dir

_ROR_SUFFIXES = (".json", ".jsonl", ".ndjson", ".gz", ".zip")


def csv_files(directory: Path) -> list[Path]:
    """The CSV files of a directory; dot files are editor or OS leftovers, not data."""
    return sorted(
        p
        for p in directory.iterdir()
        if p.suffix.lower() == ".csv" and p.is_file() and not p.name.startswith(".")
    )


def parse_path(
    path: Path, origin: str | None = None, *, skip_bad_rows: bool = False
) -> list[Parsed]:
    """Parse one command-line path into load units; an unusable path becomes a Problem.

    `skip_bad_rows`: a CORDIS dump's rows with a problem are left out and listed (warnings)
    instead of stopping the load. Callers parsing large inputs hold
    graph.ingest.gcpause.gc_paused around parse and load.
    """
    if is_cordis_dump(path):
        return [parse_cordis(path, origin, skip_bad_rows=skip_bad_rows)]
    if path.is_dir():
        units = [parse_seed_dir(d) for d in find_seed_dirs(path)]
        # A directory of CSV files is one unit; a seed directory's stray CSV files are not data.
        tables = [] if (path / DATASET_FILE).is_file() else csv_files(path)
        if tables:
            units.append(parse_csv(tables, origin=origin or f"csv:{path.resolve().name}"))
        if not units:
            message = "no dataset.yaml here or in its subdirectories, and no .csv files here"
            return [_unusable(path, message)]
        return units
    if not path.exists():
        return [_unusable(path, "no such file or directory")]
    if path.name.endswith(_ROR_SUFFIXES):
        parsed = parse_ror(path, origin=origin)
        parsed.partial = True  # a registry dump names neighbours it does not carry
        return [parsed]
    if path.suffix.lower() == ".csv":
        return [parse_csv([path], origin=origin)]
    return [
        _unusable(
            path,
            "unknown file type: give a seed directory (with dataset.yaml), a ROR dump "
            "(.json, .jsonl, .gz, .zip), a CORDIS dump (cordis-...projects-csv.zip or its "
            "folder), or analysts' CSV files (a .csv file such as organisations.csv, or a "
            "directory of them)",
        )
    ]


def _unusable(path: Path, message: str) -> Parsed:
    return Parsed(Bundle(origin=str(path)), problems=[Problem(file=str(path), message=message)])
