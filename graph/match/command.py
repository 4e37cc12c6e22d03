"""`partnergraph match FILE.csv --column C`: a CSV's affiliations matched, the file written back."""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import sys
from typing import Any, TextIO

from graph import cliargs
from graph.errors import InputError, Problem
from graph.match.cache import IndexCache
from graph.match.index import NameIndex
from graph.match.score import Candidate, match

# Added to each row, after the file's own columns; several chosen are joined with " | ".
COLUMNS = ("match_id", "match_ror", "match_name", "match_confidence", "match_reason")


def add_match_command(sub: Any) -> None:
    p = sub.add_parser("match", help="match a CSV's free-text affiliations to organisations")
    p.add_argument("file", type=cliargs.existing_file, metavar="FILE.csv")
    p.add_argument(
        "--column",
        required=True,
        type=cliargs.text("--column"),
        help="the column holding the affiliations",
    )
    p.add_argument(
        "--country-column",
        type=cliargs.text("--country-column"),
        help="a column holding ISO country codes, if any",
    )
    p.add_argument(
        "--out", type=cliargs.output_file, help="where to write (default: standard output)"
    )


def _reason(candidate: Candidate) -> str:
    return "; ".join(f"{r.kind} {r.part!r} = {r.value!r}" for r in candidate.reasons)


def matched_columns(candidates: list[Candidate]) -> dict[str, str]:
    chosen = [c for c in candidates if c.chosen]
    if not chosen:
        best = candidates[0] if candidates else None
        return {
            "match_id": "",
            "match_ror": "",
            "match_name": "",
            "match_confidence": f"{best.confidence:.3f}" if best else "",
            "match_reason": f"not sure: best {best.record.name} ({_reason(best)})"
            if best
            else "no organisation named",
        }
    return {
        "match_id": " | ".join(c.record.id for c in chosen),
        "match_ror": " | ".join(c.record.ror or "" for c in chosen),
        "match_name": " | ".join(c.record.name for c in chosen),
        "match_confidence": " | ".join(f"{c.confidence:.3f}" for c in chosen),
        "match_reason": " | ".join(_reason(c) for c in chosen),
    }


def match_csv(
    index: NameIndex,
    source: TextIO,
    out: TextIO,
    column: str,
    country_column: str | None,
    name: str,
) -> int:
    """Write `source` to `out` with the match columns; returns how many rows were matched."""
    reader = csv.DictReader(source)
    fields = list(reader.fieldnames or [])
    for wanted in filter(None, (column, country_column)):
        if wanted not in fields:
            shown = ", ".join(fields) or "none"
            raise InputError([Problem(name, f"no column {wanted!r} (columns: {shown})", line=1)])
    writer = csv.DictWriter(out, [*fields, *(c for c in COLUMNS if c not in fields)])
    writer.writeheader()
    matched = 0
    for row in reader:
        text = row.get(column) or ""
        country = (row.get(country_column) or "").strip() or None if country_column else None
        columns = matched_columns(match(index, text, country) if text.strip() else [])
        matched += bool(columns["match_id"])
        writer.writerow({**row, **columns})
    return matched


async def _run(args: argparse.Namespace, store: Any) -> int:
    index = await IndexCache().get(store)
    try:
        text = args.file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([Problem(str(args.file), f"cannot read it: {exc}")]) from exc
    out = io.StringIO()
    matched = match_csv(
        index, io.StringIO(text, newline=""), out, args.column, args.country_column, str(args.file)
    )
    if args.out:
        args.out.write_text(out.getvalue(), encoding="utf-8", newline="")
    else:
        sys.stdout.write(out.getvalue())
    print(f"matched {matched} row(s) against {len(index)} organisations", file=sys.stderr)
    return 0


def run_match(args: argparse.Namespace, settings: Any) -> int:
    from graph.connect import target_for
    from graph.store import Store

    async def go() -> int:
        store = await Store.open(target_for(settings), timeout_s=settings.neo4j_timeout_s)
        try:
            return await _run(args, store)
        finally:
            await store.close()

    return asyncio.run(go())
