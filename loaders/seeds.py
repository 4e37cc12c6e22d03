"""The seeds parser: a directory of human-edited YAML files -> one Bundle and every problem."""

from __future__ import annotations

import typing
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from graph.errors import Problem
from graph.model import Bundle, Citation
from graph.parsed import Location, Parsed
from loaders.problems import Loc, did_you_mean, dotted, error_message, record_model
from loaders.yamlfile import YamlList, YamlMap, load_yaml, mark_at

DATASET_FILE = "dataset.yaml"
_SUFFIXES = (".yaml", ".yml")


# Bundle's list fields and the record class each holds, read from the model so that a kind added
# there is parsed here without a change.
COLLECTIONS: dict[str, type[BaseModel]] = {
    name: model
    for name, info in Bundle.model_fields.items()
    if typing.get_origin(info.annotation) is list
    and (model := record_model(info.annotation)) is not None
}
SETTINGS = tuple(name for name in Bundle.model_fields if name not in COLLECTIONS)
TOP_LEVEL_KEYS = tuple(Bundle.model_fields)
# Curated seeds win over analysts' CSV files and registries where values disagree (see Bundle).
SEED_PRIORITY = 10


def find_seed_dirs(path: Path) -> list[Path]:
    """`path` itself if it holds a dataset.yaml, else its immediate subdirectories that do."""
    if (path / DATASET_FILE).is_file():
        return [path]
    if not path.is_dir():
        return []
    return sorted(d for d in path.iterdir() if d.is_dir() and (d / DATASET_FILE).is_file())


@dataclass(frozen=True, slots=True)
class _Entry:
    """One raw record and where it stands: `path` leads from the file's top to it."""

    file: str
    root: YamlMap
    path: Loc
    raw: Any

    @property
    def collection(self) -> str:
        return str(self.path[0])

    @property
    def id(self) -> str | None:
        value = self.raw.get("id") if isinstance(self.raw, dict) else None
        return value.strip() if isinstance(value, str) else None

    @property
    def line(self) -> int | None:
        mark = mark_at(self.root, self.path)
        return mark.line if mark else None

    def problem(self, message: str, sub: Loc = (), field: str | None = None) -> Problem:
        mark = mark_at(self.root, self.path + sub)
        return Problem(
            self.file,
            message,
            line=mark.line if mark else None,
            column=mark.column if mark else None,
            field=field if field is not None else dotted(self.path + sub),
            id=self.id,
        )


def _validate(entry: _Entry, model: type[BaseModel]) -> tuple[BaseModel | None, list[Problem]]:
    try:
        return model.model_validate(entry.raw), []
    except ValidationError as exc:
        problems = [
            entry.problem(error_message(error, model), tuple(error["loc"]))
            for error in exc.errors(include_url=False)
        ]
        return None, problems


def _citations(value: Any, path: Loc) -> Iterator[tuple[Loc, Citation]]:
    if isinstance(value, Citation):
        yield path, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _citations(getattr(value, name), (*path, name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _citations(item, (*path, index))


class _Reader:
    """Accumulates one seed directory: raw entries from every file, then records and problems."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.problems: list[Problem] = []
        self.entries: list[_Entry] = []
        # Bundle's single values (origin, priority): the value and the entry that gave it.
        self.settings: dict[str, _Entry] = {}
        self.unreadable: set[Path] = set()  # files whose own problem stopped them

    def read(self) -> None:
        if not (self.directory / DATASET_FILE).is_file():
            message = (
                f"no {DATASET_FILE} here: a seed directory declares its origin and sources in it"
            )
            self.problems.append(Problem(str(self.directory / DATASET_FILE), message))
        try:
            files = sorted(
                p
                for p in self.directory.iterdir()
                # Dot files are editor or OS leftovers (e.g. macOS "._x.yaml"), not seed data.
                if p.suffix in _SUFFIXES and p.is_file() and not p.name.startswith(".")
            )
        except OSError as exc:
            message = f"cannot list the directory: {exc.strerror or exc}"
            self.problems.append(Problem(str(self.directory), message))
            return
        for path in files:
            self._read_file(path)

    def _read_file(self, path: Path) -> None:
        file = str(path)
        data, problems = load_yaml(path)
        self.problems += problems
        if data is None:
            self.unreadable.add(path)
            return
        if not isinstance(data, YamlMap):
            found = "a list" if isinstance(data, YamlList) else f"the value {data!r}"
            message = (
                f"the top level must be a mapping of {', '.join(TOP_LEVEL_KEYS)}; found {found}"
            )
            self.problems.append(Problem(file, message, line=1))
            return
        for key, value in data.items():
            entry = _Entry(file, data, (key,), value)
            if key in SETTINGS:
                if key in self.settings:
                    first = self.settings[key]
                    where = f"{first.file}:{first.line}"
                    self.problems.append(entry.problem(f"{key} is already given in {where}"))
                else:
                    self.settings[key] = entry
            elif key not in COLLECTIONS:
                hint = did_you_mean(key, TOP_LEVEL_KEYS)
                allowed = ", ".join(TOP_LEVEL_KEYS)
                message = f"unknown top-level key {key!r}{hint} (allowed: {allowed})"
                self.problems.append(entry.problem(message))
            elif value is None:
                continue  # `people:` with nothing under it yet: an empty list, not a mistake
            elif not isinstance(value, YamlList):
                message = f"{key} must be a list of records (each item starting with '- ')"
                self.problems.append(entry.problem(message))
            else:
                self.entries += [
                    _Entry(file, data, (key, index), item) for index, item in enumerate(value)
                ]

    def bundle_settings(self) -> dict[str, Any]:
        """origin and priority, checked; a missing or bad value falls back so parsing goes on."""
        fallback = {
            "origin": self.directory.resolve().name[:200] or "seed",
            "priority": SEED_PRIORITY,
        }
        dataset = self.directory / DATASET_FILE
        # An unreadable dataset.yaml has its own problem; a missing origin would only echo it.
        if "origin" not in self.settings and dataset not in self.unreadable:
            message = "origin is missing: name this load unit, e.g. `origin: korea-estonia`"
            self.problems.append(Problem(str(dataset), message))
        given = {key: entry.raw for key, entry in self.settings.items()}
        try:
            checked = Bundle.model_validate({**fallback, **given})
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                entry = self.settings[str(error["loc"][0])]
                self.problems.append(entry.problem(error_message(error, Bundle)))
                given.pop(entry.collection, None)
            checked = Bundle.model_validate({**fallback, **given})
        return {key: getattr(checked, key) for key in SETTINGS}

    def validate(self) -> list[tuple[_Entry, BaseModel]]:
        """Every record that validated, with its entry; duplicates after the first are refused."""
        valid: list[tuple[_Entry, BaseModel]] = []
        # Ids are global across kinds: a source, an organisation and a person share one space.
        first_seen: dict[str, _Entry] = {}
        for entry in self.entries:
            record_id = entry.id
            if record_id is not None and record_id in first_seen:
                first = first_seen[record_id]
                message = (
                    f"id {record_id!r} is already used by {first.collection} at "
                    f"{first.file}:{first.line}; ids are unique across all kinds"
                )
                self.problems.append(entry.problem(message, ("id",)))
                continue
            if record_id is not None:
                first_seen[record_id] = entry
            record, problems = _validate(entry, COLLECTIONS[entry.collection])
            self.problems += problems
            if record is not None:
                valid.append((entry, record))
        return valid

    def check_citations(self, valid: list[tuple[_Entry, BaseModel]]) -> None:
        if self.unreadable:
            return  # the sources may be declared in the file that could not be read
        # A source entry that failed validation is still declared: its own problem is the root
        # cause, and its citations are not reported again as unknown.
        declared = [str(e.id) for e in self.entries if e.collection == "sources" and e.id]
        for entry, record in valid:
            for sub, citation in _citations(record, ()):
                if citation.source not in declared:
                    hint = did_you_mean(citation.source, declared)
                    message = (
                        f"cites source {citation.source!r}, which no `sources:` entry declares"
                        f"{hint}"
                    )
                    self.problems.append(entry.problem(message, (*sub, "source")))


def parse_seed_dir(path: Path) -> Parsed:
    """Parse one seed directory; `problems` lists everything wrong in all of its files at once.

    The bundle holds the records that validated, so a caller can show them, but it must not be
    written while `problems` is non-empty.
    """
    reader = _Reader(path)
    reader.read()
    settings = reader.bundle_settings()
    valid = reader.validate()
    reader.check_citations(valid)
    records: dict[str, list[BaseModel]] = {name: [] for name in COLLECTIONS}
    locations: dict[str, Location] = {}
    for entry, record in valid:
        records[entry.collection].append(record)
        locations[f"{entry.collection}:{entry.id}"] = Location(entry.file, entry.line)
    bundle = Bundle.model_validate({**settings, **records})
    problems = sorted(reader.problems, key=lambda p: (p.file, p.line or 0, p.column or 0))
    return Parsed(bundle=bundle, locations=locations, problems=problems)
