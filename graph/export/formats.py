"""The export formats: their media types, file names, and the writer of each."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from graph.errors import InputError, Problem
from graph.export import csvfiles
from graph.export.gexf import gexf
from graph.export.graphml import graphml
from graph.export.graphrows import GraphRows
from graph.export.jsonld import jsonld
from graph.threads import in_thread

# Blocking: reads and formats in the thread graph/threads.py gives it (`Output.write`).
Writer = Callable[[GraphRows], Iterator[bytes]]


class Format(StrEnum):
    CSV = "csv"
    GRAPHML = "graphml"
    GEXF = "gexf"
    JSONLD = "jsonld"


@dataclass(frozen=True, slots=True)
class Output:
    """One file of an export: what it is called, its media type, and how it is written."""

    filename: str
    media_type: str
    writer: Writer

    def write(self, rows: GraphRows) -> AsyncGenerator[bytes, None]:
        """The file's bytes, made in a worker thread, for the event loop to send."""
        return in_thread(lambda: self.writer(rows))


FORMATS: tuple[str, ...] = tuple(f.value for f in Format)
CSV_PARTS: tuple[str, ...] = tuple(csvfiles.FILES)


def output(fmt: str, part: str | None = None, stem: str = "partnergraph") -> Output:
    """The file to write for a format; for CSV, `part` picks `nodes` or `edges` (else a zip)."""
    if fmt not in FORMATS:
        raise InputError(
            [
                Problem(
                    "export",
                    f"unknown format {fmt!r}; one of: {', '.join(FORMATS)}",
                    field="format",
                )
            ]
        )
    if part is not None and (fmt != Format.CSV or part not in CSV_PARTS):
        message = f"`file` is for CSV only, one of: {', '.join(CSV_PARTS)}; not {part!r}"
        raise InputError([Problem("export", message, field="file")])
    match Format(fmt):
        case Format.CSV if part is not None:
            return Output(f"{stem}-{part}.csv", "text/csv; charset=utf-8", csvfiles.FILES[part])
        case Format.CSV:
            return Output(f"{stem}-csv.zip", "application/zip", csvfiles.zipped)
        case Format.GRAPHML:
            return Output(f"{stem}.graphml", "application/graphml+xml", graphml)
        case Format.GEXF:
            return Output(f"{stem}.gexf", "application/gexf+xml", gexf)
        case Format.JSONLD:
            return Output(f"{stem}.jsonld", "application/ld+json", jsonld)
