"""Whether a load from files has anything to write: the files' digests a finished load left.

A load from files (`partnergraph load`, a streamed bundle-lines file) leaves, for each unit it
wrote, the digest of the file that made it and the organisations' fingerprint after it
(graph.cypher.loadmark FINISHED). A later load of files with the same digests has nothing to
write when every unit they made is still there, finished (no incomplete mark), and the
organisations are as that load left them: a load matches names and resolves records against
the organisations, so a graph whose organisations changed since (another load, an API write)
may give another answer, and the files are loaded again. So does a graph where anything was
deleted (a delete forgets every digest), and one where the unit was loaded by another way.

The digest covers what makes the load's outcome besides the graph: the files' bytes and names
(a unit's origin comes from its file's name), the options that change what is written, and
DIGEST_FORMAT, raised when what a record writes changes (graph/ingest/rows.py, claims.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from graph.cypher import loadmark as cypher_loadmark
from graph.store import Store

DIGEST_FORMAT = "2"
_BLOCK = 1 << 20


def files_digest(path: Path, *options: str) -> str | None:
    """SHA-256 of a file, or of a folder's files (names relative to it and bytes, in order),
    with its name and `options`; read in blocks, so memory stays flat. None when a file cannot
    be read: the parser then says which and why, as for any load."""
    try:
        return _digest(path, options)
    except OSError:
        return None


def _digest(path: Path, options: tuple[str, ...]) -> str:
    digest = hashlib.sha256()
    for part in (DIGEST_FORMAT, path.name, *options):
        digest.update(part.encode() + b"\0")
    if path.is_dir():
        files = [(p.relative_to(path).as_posix(), p) for p in sorted(path.rglob("*"))]
    else:
        files = [("", path)]
    for name, file in files:
        if not file.is_file():
            continue
        digest.update(name.encode() + b"\0")
        with file.open("rb") as f:
            while block := f.read(_BLOCK):
                digest.update(block)
        digest.update(b"\0")
    return digest.hexdigest()


async def unchanged(store: Store, digests: Sequence[str]) -> list[str] | None:
    """The origins the files of `digests` made, when none has anything to write; else None.
    One read."""
    (row,) = await store.read(cypher_loadmark.LOADED, {"digests": list(digests)})
    by_digest: dict[str, list[Mapping[str, Any]]] = {}
    for unit in row["loaded"]:
        by_digest.setdefault(unit["digest"], []).append(unit)
    origins: list[str] = []
    for digest in digests:
        units = by_digest.get(digest, [])
        if not units or any(
            u["incomplete"]
            or u["fingerprint"] != row["fingerprint"]
            or sorted(u["units"] or []) != sorted(v["origin"] for v in units)
            for u in units
        ):
            return None
        origins += sorted(u["origin"] for u in units)
    return origins


def finished(digests: Mapping[str, str]) -> dict[str, Any]:
    """FINISHED's parameters for a load of units from files: origin -> its file's digest."""
    made: dict[str, list[str]] = {}
    for origin, digest in digests.items():
        made.setdefault(digest, []).append(origin)
    return {
        "units": [
            {"origin": origin, "digest": digest, "units": sorted(made[digest])}
            for origin, digest in sorted(digests.items())
        ]
    }
