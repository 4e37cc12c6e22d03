"""The `partnergraph` command: db start|stop|status, load, keys, schema, serve, export, match.

Each package adds its own subcommands from its command.py (graph/dbserver, graph/export,
graph/match); every option is checked first (graph/cliargs.py).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from graph import cliargs
from graph.auth import KeyStore, Role, keys_file
from graph.connect import target_for
from graph.dbserver.command import add_db_commands, run_db_command
from graph.errors import InputError, PartnergraphError, Problem, SettingsError, StoreUnavailable
from graph.export.command import add_export_command, run_export
from graph.ingest.gcpause import gc_paused
from graph.ingest.plan import Report
from graph.ingest.progress import ProgressLine
from graph.ingest.stream import load_stream
from graph.ingest.unchanged import files_digest, unchanged
from graph.ingest.write import load
from graph.logs import configure as configure_logging
from graph.match.command import add_match_command, run_match
from graph.parsed import Parsed
from graph.settings import Settings, load_settings
from graph.store import Store
from loaders.bundlefile import SUFFIX, BundleLines, is_bundle_lines
from loaders.sources import parse_path

EXIT_OK, EXIT_ERROR, EXIT_INVALID, EXIT_UNAVAILABLE = 0, 1, 2, 3
# Enough to see what kind of clean-ups a file needed; the count says how many there were.
SHOWN_WARNINGS = 10


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="partnergraph", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    add_db_commands(sub)

    p_load = sub.add_parser("load", help="validate and load seed directories or ROR dumps")
    p_load.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    p_load.add_argument("--dry-run", action="store_true", help="validate and report; write nothing")
    p_load.add_argument(
        "--origin",
        type=cliargs.text("--origin"),
        help="name the load unit of a single file (default: its name)",
    )
    p_load.add_argument(
        "--batch-size",
        type=cliargs.batch_size,
        default=5000,
        help=f"rows per write (1 to {cliargs.MAX_BATCH:,}; default 5,000)",
    )
    p_load.add_argument(
        "--batched",
        action="store_true",
        help="one transaction per batch, the unit marked incomplete until the last (the default "
        "above 20,000 records)",
    )
    p_load.add_argument(
        "--skip-unmatched",
        action="store_true",
        help="load the CSV rows whose organisation names all matched; leave out and list the "
        "others (default: any unmatched name fails the load); for a CORDIS dump, leave out "
        "and list the rows with a problem",
    )

    add_match_command(sub)
    sub.add_parser("schema", help="print the GraphQL schema (SDL)")

    p_keys = sub.add_parser("keys", help="API keys: create, list, revoke")
    keys = p_keys.add_subparsers(dest="keys_command", required=True)
    p_create = keys.add_parser("create", help="create a key; it is shown once")
    p_create.add_argument(
        "name", type=cliargs.text("the key's name"), help="who holds it, e.g. an agency desk"
    )
    p_create.add_argument("--role", choices=[r.value for r in Role], default=Role.EDITOR.value)
    keys.add_parser("list", help="list keys (never the keys themselves)")
    p_revoke = keys.add_parser("revoke", help="revoke a key by id")
    p_revoke.add_argument("id", type=cliargs.text("the key id"))

    add_export_command(sub)

    p_serve = sub.add_parser("serve", help="serve GraphQL over HTTP")
    p_serve.add_argument("--host", type=cliargs.text("--host", max_length=253))
    p_serve.add_argument("--port", type=cliargs.port, help="1 to 65535")
    return parser


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """The arguments, every value checked; what one option cannot see alone is checked here."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "load" and args.origin is not None and len(args.paths) > 1:
        # One name for several files would make each file's load replace the previous one's.
        parser.error("--origin names the load unit of a single PATH; give one PATH with it")
    if args.command == "load" and any(is_bundle_lines(p) for p in args.paths):
        # Streamed in two passes, alone: all or nothing holds for one such file at a time.
        if len(args.paths) > 1:
            parser.error(f"a {SUFFIX} file is loaded alone (streamed): give it as the one PATH")
        if args.origin is not None or args.skip_unmatched:
            parser.error(
                f"a {SUFFIX} file names its origin on its first line and matches no names: "
                "no --origin, no --skip-unmatched"
            )
    return args


def _print_report(report: Report) -> None:
    verb = "would write" if report.dry_run else "loaded"
    nodes = ", ".join(f"{n} {label}" for label, n in sorted(report.nodes.items())) or "no nodes"
    if report.unchanged:
        print(f"{', '.join(report.origins)} unchanged since its last load: nothing written")
        print(f"  in {report.seconds:.1f} s")
        return
    print(f"{verb} {', '.join(report.origins)}: {nodes}; {report.relationships} relationships")
    if report.resolved_names:
        tally = ", ".join(f"{n} {k}" for k, n in sorted(report.resolved_names.items()))
        print(f"  organisations named with a registration code: {tally}")
    if report.merged_organisations:
        print(f"  {report.merged_organisations} organisation(s) merged with ones already known")
    if report.dropped_relations:
        print(f"  {report.dropped_relations} relation(s) to records outside the extract dropped")
    if report.deleted_nodes or report.deleted_relationships:
        print(
            f"  removed {report.deleted_nodes} node(s) and {report.deleted_relationships} "
            "relationship(s) no source asserts any more"
        )
    print(f"  in {report.seconds:.1f} s")


def _print_warnings(units: list[Parsed]) -> None:
    """What the parsers cleaned up on their own: the count, then the first few, on stderr."""
    warnings = [w for u in units for w in u.warnings]
    if warnings:
        _print_problems(
            f"{len(warnings)} warning(s): left out of the load, which goes on:", warnings
        )


def _print_problems(title: str, problems: list[Problem], shown: int = SHOWN_WARNINGS) -> None:
    print(title, file=sys.stderr)
    for problem in problems[:shown]:
        print(f"  {problem}", file=sys.stderr)
    if len(problems) > shown:
        print(f"  ... and {len(problems) - shown} more", file=sys.stderr)


async def _load_stream(args: argparse.Namespace, settings: Settings) -> int:
    """A bundle-lines file: checked whole, then written chunk by chunk (graph.ingest.stream)."""
    source = BundleLines(args.paths[0], chunk_size=args.batch_size)
    if source.problems:
        raise InputError(source.problems)
    store = await Store.open(target_for(settings), timeout_s=settings.neo4j_timeout_s)
    try:
        if not args.dry_run:
            await store.setup_schema()
        progress = ProgressLine()
        report = await load_stream(
            source, store, batch_size=args.batch_size, dry_run=args.dry_run, progress=progress
        )
        progress.close()
    finally:
        await store.close()
    _print_report(report)
    return EXIT_OK


def _digests(args: argparse.Namespace) -> dict[Path, str]:
    """Each PATH's digest, with the options that change what its load writes; empty when one
    cannot be read (the load goes on, and its parser reports the file)."""
    options = (f"origin={args.origin or ''}", f"skip-unmatched={args.skip_unmatched}")
    digests = {path: files_digest(path, *options) for path in args.paths}
    return {p: d for p, d in digests.items() if d is not None} if all(digests.values()) else {}


def _parse_units(
    args: argparse.Namespace, digests: dict[Path, str]
) -> tuple[list[Parsed], dict[str, str]]:
    """The PATHs' units, and each unit's file digest by origin; raises InputError (every
    problem) when any is bad."""
    units: list[Parsed] = []
    made: dict[str, str] = {}
    # Parsers make hundreds of thousands of long-lived objects: the collector's walks over
    # them cost half the parse (graph/ingest/gcpause.py); the load pauses it itself.
    with gc_paused():
        for path in args.paths:
            parsed = parse_path(path, origin=args.origin, skip_bad_rows=args.skip_unmatched)
            units.extend(parsed)
            made.update((unit.bundle.origin, digests[path]) for unit in parsed if path in digests)
    problems = [p for u in units for p in u.problems]
    if problems:
        raise InputError(problems)
    return units, made


async def _load(args: argparse.Namespace, settings: Settings) -> int:
    if is_bundle_lines(args.paths[0]):
        return await _load_stream(args, settings)
    started = time.perf_counter()
    digests = {} if args.dry_run else _digests(args)
    try:
        store = await Store.open(target_for(settings), timeout_s=settings.neo4j_timeout_s)
    except StoreUnavailable:
        _parse_units(args, digests)  # bad input is reported first, store or not
        raise
    try:
        if not args.dry_run:
            await store.setup_schema()
            # Files a finished load read, on a graph as it left it: nothing to parse or write.
            same = await unchanged(store, list(digests.values())) if digests else None
            if same is not None:
                report = Report(same, unchanged=True, seconds=time.perf_counter() - started)
                _print_report(report)
                return EXIT_OK
        units, made = _parse_units(args, digests)
        # After the problems: a load that fails on them is not one that "goes on".
        _print_warnings(units)
        progress = ProgressLine()
        report = await load(
            units,
            store,
            dry_run=args.dry_run,
            batch_size=args.batch_size,
            progress=progress,
            skip_unmatched=args.skip_unmatched,
            batched=args.batched or None,
            digests=made,
        )
        progress.close()
    finally:
        await store.close()
    _print_report(report)
    if report.unmatched:
        # Every one, as an InputError would list them: these are rows to fix and load again.
        rows = len({(p.file, p.line) for p in report.unmatched})
        title = f"{rows} row(s) left out: an organisation name they hold did not match:"
        _print_problems(title, report.unmatched, InputError.SHOWN)
    return EXIT_OK


def _keys(args: argparse.Namespace, settings: Settings) -> int:
    store = KeyStore(keys_file(settings))
    if args.keys_command == "create":
        record, key = store.create(args.name, Role(args.role))
        print(f"created key {record.id} for {record.name} ({record.role}); it is shown only once:")
        print(key)
    elif args.keys_command == "list":
        for r in store.list():
            state = f"revoked {r.revoked}" if r.revoked else "active"
            print(f"{r.id}  {r.role:<6}  {r.name}  created {r.created}  {state}")
    else:
        record = store.revoke(args.id)
        print(f"revoked key {record.id} ({record.name})")
    return EXIT_OK


def banner(host: str, port: int) -> str:
    """Where to go: the explorer first, since that is what most people open."""
    # A server on every interface is reached, from this machine, through loopback.
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104
    base = f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"
    return "\n".join(
        [
            f"partnergraph is serving on {base}",
            f"  explorer:  {base}/",
            f"  GraphiQL:  {base}/graphiql",
            f"  GraphQL:   {base}/graphql (POST; GraphiQL in a browser)",
            f"  exports:   {base}/export/<format>   health: {base}/health, {base}/ready",
        ]
    )


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from graph.api.http.app import create_app
    from graph.api.http.headerdeadline import with_header_deadline

    app = create_app(settings, target_for(settings))
    host = args.host or settings.api_host
    port = args.port or settings.api_port
    print(banner(host, port), flush=True)
    # httptools with a deadline on headers (uvicorn has none); past limit_concurrency uvicorn
    # answers 503 itself (plain text), a backstop behind the app's per-client cap.
    uvicorn.run(
        app,
        host=host,
        port=port,
        loop="uvloop",
        http=with_header_deadline(settings.header_timeout_s, settings.max_header_bytes),
        log_config=None,  # configured once, in main (graph/logs.py)
        log_level="info",
        limit_concurrency=settings.max_connections,
    )
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    configure_logging()
    try:
        settings = load_settings()
        if args.command == "db":
            return run_db_command(args, settings)
        if args.command == "schema":
            from graph.api.schema.build import schema_sdl

            sys.stdout.write(schema_sdl())
            return EXIT_OK
        if args.command == "keys":
            return _keys(args, settings)
        if args.command == "load":
            return asyncio.run(_load(args, settings))
        if args.command == "export":
            return asyncio.run(run_export(args, settings))
        if args.command == "serve":
            return _serve(args, settings)
        if args.command == "match":
            return run_match(args, settings)
    except (InputError, SettingsError) as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return EXIT_INVALID
    except StoreUnavailable as exc:
        where = f" [Neo4j at {exc.uri}]" if exc.uri else ""
        print(f"error: {exc.message}{where}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    except PartnergraphError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
