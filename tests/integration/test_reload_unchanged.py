"""A reload of unchanged files through the real CLI: nothing parsed or written while the graph is
as the last load left it; loaded again whenever anything that changes its outcome changed (the
files, the options, the organisations it resolves against, a delete, an unfinished load)."""

from __future__ import annotations

from pathlib import Path

from graph.cypher import Label
from graph.dbserver import ServerInfo
from graph.ingest.audit import Audit
from graph.ingest.delete import DELETE_ORIGIN, delete_node
from graph.store import Store
from tests.integration.cli import (
    MINIMAL,
    ROR_FIXTURES,
    CliRun,
    change,
    copy_seed,
    run_cli,
)
from tests.integration.graphdata import fingerprint

UNCHANGED = "unchanged since its last load: nothing written"
COUNT_DIGESTS = "MATCH (d:LoadedUnit) RETURN d.origin AS origin, d.units AS units ORDER BY origin"


def _loaded(run: CliRun) -> bool:
    assert run.code == 0, run.stderr
    if UNCHANGED in run.stdout:
        return False
    assert run.stdout.startswith("loaded "), run.stdout
    return True


async def test_a_reload_of_unchanged_files_writes_nothing_until_they_change(
    neo4j_server: ServerInfo, store: Store, tmp_path: Path
) -> None:
    seed = copy_seed(tmp_path, MINIMAL)
    assert _loaded(await run_cli(neo4j_server, "load", seed))
    loaded = await fingerprint(store)
    assert await store.read(COUNT_DIGESTS) == [{"origin": "minimal", "units": ["minimal"]}]

    again = await run_cli(neo4j_server, "load", seed)
    assert not _loaded(again)
    assert again.stdout.startswith(f"minimal {UNCHANGED}"), again.stdout
    assert await fingerprint(store) == loaded

    # A changed file is loaded, and its new digest lets the next reload skip again.
    change(seed / "organisations.yaml", "Org B", "Org B Renamed")
    assert _loaded(await run_cli(neo4j_server, "load", seed))
    (row,) = await store.read("MATCH (n:Organisation {id: 'org-b'}) RETURN n.name AS name")
    assert row["name"] == "Org B Renamed"
    assert not _loaded(await run_cli(neo4j_server, "load", seed))

    # A dry run neither skips nor leaves a digest: it checks the files every time.
    dry = await run_cli(neo4j_server, "load", "--dry-run", seed)
    assert dry.code == 0, dry.stderr
    assert dry.stdout.startswith("would write minimal"), dry.stdout


async def test_options_that_change_what_is_written_load_again(
    neo4j_server: ServerInfo, store: Store, tmp_path: Path
) -> None:
    seed = copy_seed(tmp_path, MINIMAL)
    assert _loaded(await run_cli(neo4j_server, "load", seed))
    assert _loaded(await run_cli(neo4j_server, "load", "--skip-unmatched", seed))
    assert not _loaded(await run_cli(neo4j_server, "load", "--skip-unmatched", seed))
    assert _loaded(await run_cli(neo4j_server, "load", seed))
    # The same bytes under another name may be another unit (a file's name is its origin).
    other = copy_seed(tmp_path / "elsewhere", MINIMAL, name="minimal-copy")
    assert _loaded(await run_cli(neo4j_server, "load", other))
    ror = ROR_FIXTURES / "v2.jsonl"
    assert _loaded(await run_cli(neo4j_server, "load", "--origin", "ror-a", ror))
    assert _loaded(await run_cli(neo4j_server, "load", "--origin", "ror-b", ror))


async def test_organisations_changed_by_another_load_make_a_reload_resolve_again(
    neo4j_server: ServerInfo, store: Store, tmp_path: Path
) -> None:
    seed = copy_seed(tmp_path, MINIMAL)
    assert _loaded(await run_cli(neo4j_server, "load", seed))
    # Another unit's organisations: the seed's records might now resolve into them.
    assert _loaded(await run_cli(neo4j_server, "load", ROR_FIXTURES / "v2.jsonl"))
    assert _loaded(await run_cli(neo4j_server, "load", seed))
    # The ROR unit's own digest was left before the seed's reload, which changed nothing of the
    # organisations: it is skipped, and so is the seed's.
    ror = await run_cli(neo4j_server, "load", ROR_FIXTURES / "v2.jsonl")
    assert not _loaded(ror)
    assert not _loaded(await run_cli(neo4j_server, "load", seed))


async def test_a_delete_and_an_unfinished_load_make_a_reload_write_again(
    neo4j_server: ServerInfo, store: Store, tmp_path: Path
) -> None:
    seed = copy_seed(tmp_path)  # the real seed: agreements, with parties
    assert _loaded(await run_cli(neo4j_server, "load", seed))
    loaded = await fingerprint(store)
    # An agreement: its delete leaves the organisations' fingerprint as it was, so only the
    # delete's forgetting the digests makes the reload write.
    mou = "mou-gwtp-tsp-2024-06-04"
    audit = Audit("admin-test", None, "admin", "delete", f"Agreement:{mou}", DELETE_ORIGIN)
    await delete_node(store, Label.AGREEMENT, mou, reason="test", audit=audit)
    assert await store.read(COUNT_DIGESTS) == []
    # Reloading brings it back, with its parties (README: a delete is not a tombstone).
    assert _loaded(await run_cli(neo4j_server, "load", seed))
    parties = "MATCH (:Organisation)-[r:PARTY_TO]->(:Agreement {id: $id}) RETURN count(r) AS n"
    assert (await store.read(parties, {"id": mou}))[0]["n"] >= 2
    assert not _loaded(await run_cli(neo4j_server, "load", seed))

    # A load of the unit killed mid-way leaves its mark: the next load finishes it.
    await store.write("CREATE (:IncompleteLoad {origin: 'korea-estonia-ai-healthcare'})")
    assert _loaded(await run_cli(neo4j_server, "load", seed))
    assert await store.read("MATCH (m:IncompleteLoad) RETURN m.origin AS o") == []
    assert not _loaded(await run_cli(neo4j_server, "load", seed))
    assert await fingerprint(store) != loaded  # the audit entry of the delete stays


async def test_a_batched_load_leaves_its_digest_with_its_last_batch(
    neo4j_server: ServerInfo, store: Store, tmp_path: Path
) -> None:
    seed = copy_seed(tmp_path, MINIMAL)
    assert _loaded(await run_cli(neo4j_server, "load", "--batched", "--batch-size", "1", seed))
    assert await store.read("MATCH (m:IncompleteLoad) RETURN m.origin AS o") == []
    assert not _loaded(await run_cli(neo4j_server, "load", "--batched", seed))
