"""The `partnergraph db start|stop|status` subcommands: thin wrappers over LocalServer."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from graph.dbserver.server import LocalServer

if TYPE_CHECKING:
    from graph.settings import Settings


def add_db_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    db = subparsers.add_parser("db", help="the local Neo4j server (used when NEO4J_URI is unset)")
    actions = db.add_subparsers(dest="db_command", required=True, metavar="{start,stop,status}")
    actions.add_parser("start", help="start the local Neo4j, or reuse the running one")
    actions.add_parser("stop", help="stop the local Neo4j")
    actions.add_parser("status", help="say whether the local Neo4j runs (exit 1 when stopped)")


def run_db_command(args: argparse.Namespace, settings: Settings) -> int:
    """Run `db <command>`; errors propagate as PartnergraphError for the CLI to print."""
    command: str = args.db_command
    if command == "start" and settings.neo4j_uri is not None:
        print(f"NEO4J_URI points at an existing server ({settings.neo4j_uri}); nothing started.")
        return 0
    server = LocalServer.from_settings(settings)
    if command == "start":
        info = server.start()
        print(f"Neo4j is running at {info.uri} (user {info.user})")
        print(f"  password: in {server.password_file}")
        print(f"  java:     {info.java.path} ({info.java.version})")
        print(f"  home:     {info.home}")
        print(f"  pid:      {info.pid}")
        return 0
    if command == "stop":
        print("stopped" if server.stop() else "not running")
        return 0
    if command == "status":
        status = server.status()
        print("running" if status.running else "stopped")
        print(f"  uri:      {status.uri}")
        print(f"  data dir: {status.data_dir}")
        print(f"  pid:      {status.pid if status.pid is not None else '-'}")
        return 0 if status.running else 1
    raise AssertionError(f"unknown db command {command!r}")  # argparse allows only the above
