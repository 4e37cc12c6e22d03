"""`partnergraph export FORMAT [filters] [-o PATH]`: an export written to files (or stdout)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from graph import cliargs
from graph.connect import target_for
from graph.cypher.export import MAX_DEPTH
from graph.export.formats import CSV_PARTS, FORMATS, Format, Output, output
from graph.export.graphrows import GraphRows
from graph.export.selection import selection
from graph.settings import Settings
from graph.store import Store


def add_export_command(sub: Any) -> None:
    """The subcommand's options, on the CLI's subparsers."""
    p = sub.add_parser(
        "export",
        help="export the graph, or a filtered part, as csv, graphml, gexf or jsonld",
        description="Filters combine (AND); a filter's values are alternatives (OR): "
        "--country EE,KR. What is exported is what anonymous API readers may see.",
    )
    p.add_argument("format", choices=FORMATS)
    for name, what in (
        ("country", "ISO 3166-1 alpha-2 codes, e.g. EE,KR"),
        ("kind", "node kinds, e.g. university,mou"),
        ("type", "node types, e.g. Organisation,Agreement"),
        ("topic", "topics, e.g. ai-healthcare"),
    ):
        p.add_argument(f"--{name}", action="append", help=what)
    p.add_argument(
        "--around",
        type=cliargs.text("--around"),
        help="an organisation's key: export its neighbourhood only",
    )
    p.add_argument(
        "--depth", type=cliargs.whole(1, MAX_DEPTH), help="hops around --around (1-4, default 1)"
    )
    p.add_argument(
        "-o",
        "--output",
        type=cliargs.output_dir_or_file,
        help="the file to write ('-': stdout); for csv a directory for nodes.csv and edges.csv "
        "(default: partnergraph.<format>, or the directory partnergraph-csv)",
    )


async def _write(out: Output, rows: GraphRows, path: Path | None) -> int:
    """Written beside the target and renamed at the end: a failed export leaves no half file."""
    if path is not None and str(path) == "-":
        size = 0
        async for chunk in out.write(rows):
            sys.stdout.buffer.write(chunk)
            size += len(chunk)
        sys.stdout.buffer.flush()
        return size
    target = path or Path(out.filename)
    partial = target.with_name(target.name + ".partial")
    size = 0
    try:
        with partial.open("wb") as file:
            async for chunk in out.write(rows):
                file.write(chunk)
                size += len(chunk)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    print(f"wrote {target} ({size:,} bytes)", file=sys.stderr)
    return size


async def run_export(args: argparse.Namespace, settings: Settings) -> int:
    chosen = selection(
        country=args.country,
        kind=args.kind,
        type=args.type,
        topic=args.topic,
        around=args.around,
        depth=args.depth,
    )
    store = await Store.open(target_for(settings), timeout_s=settings.neo4j_timeout_s)
    try:
        rows = GraphRows(store, chosen)
        await rows.check()
        if args.format == Format.CSV:
            folder = args.output or Path("partnergraph-csv")
            folder.mkdir(parents=True, exist_ok=True)
            for part in CSV_PARTS:
                await _write(output(Format.CSV, part), rows, folder / f"{part}.csv")
        else:
            await _write(output(args.format), rows, args.output)
    finally:
        await store.close()
    return 0
