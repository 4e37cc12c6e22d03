"""Warnings through the real CLI: what a parser cleaned up is told, and the load goes on."""

from __future__ import annotations

from pathlib import Path

import orjson

from graph.cli import SHOWN_WARNINGS
from graph.dbserver import ServerInfo
from graph.store import Store
from tests.integration.cli import ROR_FIXTURES, CliRun, run_cli

EXIT_OK = 0
CLEANUPS = ROR_FIXTURES / "cleanups.jsonl"


def warning_lines(run: CliRun) -> list[str]:
    return [line.strip() for line in run.stderr.splitlines() if line.startswith("  ")]


async def test_load_prints_warnings_and_loads(store: Store, neo4j_server: ServerInfo) -> None:
    run = await run_cli(neo4j_server, "load", CLEANUPS)
    assert run.code == EXIT_OK, run.stderr
    assert "4 warning(s): left out of the load, which goes on:" in run.stderr
    assert warning_lines(run) == [
        f"{CLEANUPS}:1 id=0gggggg86 field=external_ids[0]: "
        "'100011307' is not a grid identifier; left out",
        f"{CLEANUPS}:1 id=0gggggg86 field=external_ids[1]: "
        "'not-q' is not a wikidata identifier; left out",
        f"{CLEANUPS}:1 id=0gggggg86 field=relationships[0].id: "
        "a child relation to the record itself; left out",
        f"{CLEANUPS}:1 id=0gggggg86 field=relationships[2]: "
        "repeats relationships[1] (parent 0ffffff14); left out",
    ]
    assert run.stdout.startswith("loaded ror:cleanups.jsonl: 2 Organisation"), run.stdout
    rows = await store.read(
        "MATCH (a:Organisation)-[r]->(b:Organisation) "
        "RETURN a.ror AS a, type(r) AS type, b.ror AS b ORDER BY a, type"
    )
    # The parent link, as both records state it; no self-loop, no second parent link.
    assert rows == [{"a": "0gggggg86", "type": "CHILD_OF", "b": "0ffffff14"}]


async def test_dry_run_prints_warnings_and_writes_nothing(
    store: Store, neo4j_server: ServerInfo
) -> None:
    run = await run_cli(neo4j_server, "load", "--dry-run", CLEANUPS)
    assert run.code == EXIT_OK, run.stderr
    assert "4 warning(s)" in run.stderr
    assert len(warning_lines(run)) == 4
    assert run.stdout.startswith("would write ror:cleanups.jsonl: 2 Organisation"), run.stdout
    assert await store.read("MATCH (n) RETURN count(n) AS n") == [{"n": 0}]


async def test_many_warnings_show_the_count_and_the_first_few(
    tmp_path: Path, store: Store, neo4j_server: ServerInfo
) -> None:
    count = SHOWN_WARNINGS + 3
    itself = [{"type": "related", "id": "https://ror.org/0nnnnnn58", "label": "itself"}]
    record = {
        "id": "https://ror.org/0nnnnnn58",
        "names": [{"lang": "en", "types": ["ror_display"], "value": "Example Institute"}],
        "types": ["facility"],
        "relationships": itself * count,
    }
    path = tmp_path / "many.jsonl"
    path.write_bytes(orjson.dumps(record) + b"\n")
    run = await run_cli(neo4j_server, "load", "--dry-run", path)
    assert run.code == EXIT_OK, run.stderr
    assert f"{count} warning(s)" in run.stderr
    shown = warning_lines(run)
    assert len(shown) == SHOWN_WARNINGS + 1
    assert shown[0].startswith(f"{path}:1 id=0nnnnnn58 field=relationships[0].id: ")
    assert shown[-1] == "... and 3 more"
