"""Bundle lines (`*.bundle.jsonl`): one load unit as JSON lines, read a chunk of records at a time.

The format for loads too big to hold in memory (a million organisations): the first line is the
unit's settings and sources, every other line one record under its collection's name:

    {"origin": "registry-x", "priority": 50, "sources": [{"id": "reg", "title": "Registry"}]}
    {"organisations": {"id": "org-1", "kind": "company", "names": [...]}}
    {"people": {"id": "person-1", "names": [...], "positions": [...]}}

`BundleLines.chunks()` reads the file from the start each time it is called (a streamed load
reads it twice: once to check everything, once to write) and yields `Parsed` chunks of at most
`chunk_size` records, each record validated, each problem located by file, line and field.
Only the current chunk is held in memory.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from pydantic import BaseModel, ValidationError

from graph.errors import Problem
from graph.model import Bundle
from graph.parsed import Location, Parsed
from loaders.problems import dotted, error_message
from loaders.seeds import COLLECTIONS, SETTINGS, TOP_LEVEL_KEYS

SUFFIX = ".bundle.jsonl"
MAX_LINE_BYTES = 8 * 1024**2
HEADER_KEYS = (*SETTINGS, "sources")


def is_bundle_lines(path: Path) -> bool:
    return path.name.endswith(SUFFIX) and path.is_file()


@dataclass(slots=True)
class BundleLines:
    """A bundle-lines file; `header` (origin, priority, sources) is read on construction."""

    path: Path
    chunk_size: int = 5000
    header: Bundle = field(init=False)
    problems: list[Problem] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        self.header = Bundle(origin=self.path.name.removesuffix(SUFFIX)[:200] or "bundle")
        try:
            with self.path.open("rb") as f:
                first = f.readline(MAX_LINE_BYTES)
        except OSError as exc:
            self.problems.append(Problem(self.file, f"cannot read the file: {exc.strerror or exc}"))
            return
        data = self._json(first, 1)
        if data is None:
            return
        unknown = [k for k in data if k not in HEADER_KEYS]
        if unknown:
            message = (
                f"the first line holds the unit's {', '.join(HEADER_KEYS)}; found {unknown[0]!r} "
                "(records go on the following lines, one per line)"
            )
            self.problems.append(Problem(self.file, message, line=1, field=unknown[0]))
            return
        try:
            self.header = Bundle.model_validate(data)
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                message = error_message(error, Bundle)
                where = dotted(tuple(error["loc"]))
                self.problems.append(Problem(self.file, message, line=1, field=where))

    @property
    def file(self) -> str:
        return str(self.path)

    @property
    def origin(self) -> str:
        return self.header.origin

    def _json(self, raw: bytes, line: int) -> dict[str, Any] | None:
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            self.problems.append(Problem(self.file, f"not valid JSON: {exc}", line=line))
            return None
        if not isinstance(data, dict):
            message = "expected a JSON object on each line"
            self.problems.append(Problem(self.file, message, line=line))
            return None
        return data

    def digest(self) -> str | None:
        """SHA-256 of the file's bytes: what a finished load of it remembers (a reload of the
        same bytes has nothing to write). Read in blocks: memory stays flat. None when the
        file cannot be read (reading its chunks reports why)."""
        digest = hashlib.sha256()
        try:
            with self.path.open("rb") as f:
                while block := f.read(1 << 20):
                    digest.update(block)
        except OSError:
            return None
        return digest.hexdigest()

    def chunks(self) -> Iterator[Parsed]:
        """The records in chunks, from the start of the file; the header's problems and sources
        come with the first chunk (which may hold no record)."""
        self.problems = []
        self.__post_init__()
        settings = {"origin": self.header.origin, "priority": self.header.priority}
        pending: dict[str, list[BaseModel]] = {name: [] for name in COLLECTIONS}
        pending["sources"] = list(self.header.sources)
        locations: dict[str, Location] = {}
        count = 0
        try:
            with self.path.open("rb") as f:
                f.readline(MAX_LINE_BYTES)
                for number, raw in enumerate(f, start=2):
                    if not raw.strip():
                        continue
                    record = self._record(raw, number)
                    if record is not None:
                        collection, model = record
                        pending[collection].append(model)
                        locations[f"{collection}:{getattr(model, 'id', '')}"] = Location(
                            self.file, number
                        )
                        count += 1
                    if count >= self.chunk_size:
                        yield self._chunk(settings, pending, locations)
                        pending = {name: [] for name in COLLECTIONS}
                        locations, count = {}, 0
        except OSError as exc:
            self.problems.append(Problem(self.file, f"cannot read the file: {exc.strerror or exc}"))
        yield self._chunk(settings, pending, locations)

    def _chunk(
        self,
        settings: dict[str, Any],
        records: dict[str, list[BaseModel]],
        locations: dict[str, Location],
    ) -> Parsed:
        # Each record is validated already; the bundle only groups them (no copy, no re-check).
        values: dict[str, Any] = {**settings, **records}
        bundle = Bundle.model_construct(None, **values)
        parsed = Parsed(bundle, locations=locations, problems=self.problems)
        self.problems = []
        return parsed

    def _record(self, raw: bytes, line: int) -> tuple[str, BaseModel] | None:
        data = self._json(raw, line)
        if data is None:
            return None
        if len(data) != 1 or next(iter(data)) not in COLLECTIONS:
            keys = ", ".join(repr(k) for k in data) or "nothing"
            message = (
                "each line after the first is one record under its collection's name "
                f"({', '.join(k for k in TOP_LEVEL_KEYS if k in COLLECTIONS)}); found {keys}"
            )
            self.problems.append(Problem(self.file, message, line=line))
            return None
        collection, value = next(iter(data.items()))
        model = COLLECTIONS[collection]
        record_id = value.get("id") if isinstance(value, dict) else None
        try:
            return collection, model.model_validate(value)
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                self.problems.append(
                    Problem(
                        self.file,
                        error_message(error, model),
                        line=line,
                        field=dotted(tuple(error["loc"])) or None,
                        id=str(record_id) if record_id is not None else None,
                    )
                )
            return None


def write_lines(data: dict[str, Any], path: Path) -> None:
    """A bundle (the dicts a seed file holds) as bundle lines: settings first, then each record."""
    with path.open("wb") as f:
        header = {k: data[k] for k in HEADER_KEYS if k in data}
        f.write(orjson.dumps(header) + b"\n")
        for collection in COLLECTIONS:
            if collection in HEADER_KEYS:
                continue
            for record in data.get(collection) or ():
                f.write(orjson.dumps({collection: record}) + b"\n")
