"""A streamed load (bundle lines, checked whole, then written chunk by chunk): the graph it
gives is the one-transaction load's, a bad record late in the file writes nothing, and a
reload of the same file changes nothing."""

from __future__ import annotations

import asyncio
import signal
import threading
from pathlib import Path

import orjson
import pytest

from bench.synthetic import generate
from graph.cypher import loadmark as cypher_loadmark
from graph.dbserver.server import ServerInfo
from graph.errors import InputError
from graph.ingest.stream import load_stream
from graph.ingest.write import load
from graph.model import Bundle
from graph.parsed import Parsed
from graph.store import Store, Target
from loaders.bundlefile import BundleLines, write_lines
from tests.integration.cli import start_cli
from tests.integration.graphdata import fingerprint
from tests.integration.test_load_kill import _wait_mid_load

ORGS = 120
CHUNK = 40  # records per chunk: the file holds several, and references cross them
COUNT = "MATCH (n) RETURN count(n) AS count"


def _files(tmp_path: Path) -> tuple[Path, Path, dict[str, object]]:
    data = generate(ORGS)
    # Forward references across chunks: an organisation's parent comes later in the file.
    data["organisations"][3]["relations"] = [{"type": "parent", "organisation": "syn-org-110"}]
    lines = tmp_path / "synthetic.bundle.jsonl"
    write_lines(data, lines)
    folder = tmp_path / "seed"
    folder.mkdir()
    (folder / "dataset.yaml").write_bytes(orjson.dumps(data))
    return lines, folder, data


async def _wipe(store: Store) -> None:
    await store.run_batched("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS")


async def test_a_streamed_load_gives_the_one_transaction_graph(
    store: Store, tmp_path: Path
) -> None:
    from loaders.sources import parse_path

    lines, folder, _ = _files(tmp_path)
    source = BundleLines(lines, chunk_size=CHUNK)
    assert sum(1 for _ in source.chunks()) > 5
    report = await load_stream(source, store, batch_size=CHUNK)
    assert report.relationships > 0
    streamed = await fingerprint(store)
    assert await store.read(cypher_loadmark.INCOMPLETE) == []

    await _wipe(store)
    await load(parse_path(folder), store, batched=False)
    assert await fingerprint(store) == streamed

    # A reload of the unchanged file over the one-transaction graph changes nothing.
    await load_stream(BundleLines(lines, chunk_size=CHUNK), store, batch_size=CHUNK)
    assert await fingerprint(store) == streamed


async def test_a_bad_record_late_in_the_file_writes_nothing(store: Store, tmp_path: Path) -> None:
    lines, _, data = _files(tmp_path)
    projects = data["projects"]  # the file's last collection
    assert isinstance(projects, list)
    projects[-1]["participants"][0]["organisation"] = "syn-org-nowhere"
    projects[-2]["kind"] = "no-such-kind"
    write_lines(data, lines)
    before = (await store.read(COUNT))[0]["count"]
    with pytest.raises(InputError) as caught:
        await load_stream(BundleLines(lines, chunk_size=CHUNK), store, batch_size=CHUNK)
    problems = caught.value.problems
    total = len(lines.read_text(encoding="utf-8").splitlines())
    located = {(p.line, p.id, p.field) for p in problems}
    assert (total, projects[-1]["id"], "participants[0].organisation") in located
    assert (total - 1, projects[-2]["id"], "kind") in located
    assert any("syn-org-nowhere" in p.message for p in problems)
    assert all(p.file == str(lines) for p in problems)
    assert (await store.read(COUNT))[0]["count"] == before
    assert await store.read(cypher_loadmark.INCOMPLETE) == []


async def test_an_id_used_twice_across_chunks_is_refused(store: Store, tmp_path: Path) -> None:
    lines, _, data = _files(tmp_path)
    events = data["events"]
    assert isinstance(events, list)
    events[-1]["id"] = "syn-org-0"
    write_lines(data, lines)
    with pytest.raises(InputError) as caught:
        await load_stream(BundleLines(lines, chunk_size=CHUNK), store, batch_size=CHUNK)
    assert [p.id for p in caught.value.problems] == ["syn-org-0"]
    assert "already used by an earlier record" in caught.value.problems[0].message


async def test_a_streamed_load_killed_mid_way_is_marked_and_the_next_load_finishes_it(
    neo4j_server: ServerInfo, store: Store, tmp_path: Path
) -> None:
    lines, _, data = _files(tmp_path)
    process = await start_cli(neo4j_server, "load", lines, "--batch-size", "10")
    try:
        await _wait_mid_load(store, process)
    finally:
        process.send_signal(signal.SIGKILL)
        await process.wait()
    marks = await store.read(cypher_loadmark.INCOMPLETE)
    assert [m["origin"] for m in marks] == [data["origin"]]
    await load_stream(BundleLines(lines, chunk_size=CHUNK), store, batch_size=CHUNK)
    assert await store.read(cypher_loadmark.INCOMPLETE) == []
    finished = await fingerprint(store)
    await _wipe(store)
    await load_stream(BundleLines(lines, chunk_size=CHUNK), store, batch_size=CHUNK)
    assert await fingerprint(store) == finished, "the finished load differs from a clean one"


async def test_a_reload_of_the_unchanged_file_writes_nothing(store: Store, tmp_path: Path) -> None:
    from loaders.sources import parse_path

    lines, folder, data = _files(tmp_path)
    first = await load_stream(BundleLines(lines, chunk_size=CHUNK), store, batch_size=CHUNK)
    assert not first.unchanged
    loaded = await fingerprint(store)
    sent: list[str] = []
    trips = store.stats.round_trips
    report = await load_stream(
        BundleLines(lines, chunk_size=CHUNK),
        store,
        batch_size=CHUNK,
        tap=lambda query, params: sent.append(query),
    )
    assert report.unchanged
    assert sent == []
    assert store.stats.round_trips - trips == 1, "more than the digest's read"
    assert await fingerprint(store) == loaded
    # The digest is the loader's bookkeeping: GraphQL's `stats` does not count it as a node.
    (stats,) = await store.read(cypher_loadmark.STATS_AND_MARKS)
    assert stats["nodes"] == (await store.read(COUNT))[0]["count"] - 1

    # A changed record is loaded: the digest is of the file's bytes, not of its name.
    organisations = data["organisations"]
    assert isinstance(organisations, list)
    organisations[5]["names"] = [{"value": "Renamed Organisation", "lang": "en"}]
    write_lines(data, lines)
    report = await load_stream(BundleLines(lines, chunk_size=CHUNK), store, batch_size=CHUNK)
    assert not report.unchanged
    (row,) = await store.read(
        "MATCH (n:Organisation {id: $id}) RETURN n.name AS name", {"id": organisations[5]["id"]}
    )
    assert row["name"] == "Renamed Organisation"

    # A load of the unit by another path forgets the digest: the next streamed load writes.
    await load(parse_path(folder), store, batched=False)
    report = await load_stream(BundleLines(lines, chunk_size=CHUNK), store, batch_size=CHUNK)
    assert not report.unchanged
    assert report.relationships > 0
    # A unit marked incomplete is written again, even beside its digest (MARK removes the
    # digest; this mark is made alone, as a load killed between two writes might leave it).
    assert (await store.read("MATCH (d:LoadedUnit) RETURN count(d) AS n"))[0]["n"] == 1
    await store.write("CREATE (:IncompleteLoad {origin: $o})", {"o": data["origin"]})
    report = await load_stream(BundleLines(lines, chunk_size=CHUNK), store, batch_size=CHUNK)
    assert not report.unchanged
    assert await store.read(cypher_loadmark.INCOMPLETE) == []
    again = await load_stream(BundleLines(lines, chunk_size=CHUNK), store, batch_size=CHUNK)
    assert again.unchanged


async def _edit(target: Target, record: dict[str, object]) -> None:
    """Another writer's load of one organisation, under an origin of its own."""
    other = await Store.open(target)
    try:
        bundle = Bundle.model_validate({"origin": "desk-edit", "priority": 5, **record})
        await load([Parsed(bundle)], other)
    finally:
        await other.close()


async def test_a_write_between_the_loads_read_and_its_write_is_kept(
    store: Store, tmp_path: Path
) -> None:
    """A streamed load reads a chunk's claims, builds its rows, then writes them, each in a
    transaction of its own: an edit landing in between (an API write during a long load) is
    merged into the row, not overwritten by it."""
    lines, _, data = _files(tmp_path)
    await load_stream(BundleLines(lines, chunk_size=CHUNK), store, batch_size=CHUNK)
    organisations = data["organisations"]
    assert isinstance(organisations, list)
    for org in organisations:  # the reload rewrites every organisation
        org["description"] = "Described again"
    write_lines(data, lines)
    edited = dict(organisations[5], description="Edited at the desk")
    edits: list[str] = []

    def tap(query: str, params: dict[str, object]) -> None:
        rows = params.get("rows")
        if edits or "MERGE (n:Organisation" not in query or not isinstance(rows, list):
            return
        if any(row["id"] == edited["id"] for row in rows):
            edits.append(str(edited["id"]))
            # The edit commits before this batch is sent; its claims were read before it.
            _edit_now(store.target, edited)

    report = await load_stream(
        BundleLines(lines, chunk_size=CHUNK), store, batch_size=CHUNK, tap=tap
    )
    assert edits == [edited["id"]]
    assert report.relationships > 0
    (row,) = await store.read(
        "MATCH (n:Organisation {id: $id}) RETURN n.claims AS claims, n.version AS version",
        {"id": edited["id"]},
    )
    claims = {orjson.loads(c)["origin"]: orjson.loads(c) for c in row["claims"]}
    assert set(claims) == {data["origin"], "desk-edit"}
    assert claims["desk-edit"]["props"]["description"] == "Edited at the desk"
    assert claims[data["origin"]]["props"]["description"] == "Described again"
    # First load 1, the edit 2, the reload 3: each change of what the sources say counted.
    assert row["version"] == 3


def _with_extra(data: dict[str, object]) -> dict[str, object]:
    """An organisation nothing else in the data refers to, added to it; returned."""
    organisations = data["organisations"]
    assert isinstance(organisations, list)
    extra: dict[str, object] = {
        "id": "syn-org-dropped",
        "kind": "company",
        "names": [{"value": "Dropped Then Edited", "lang": "en", "types": ["display"]}],
        "location": {"country": "EE"},
        "sources": organisations[0]["sources"],
    }
    organisations.append(extra)
    return extra


async def _kept_by_the_edit(store: Store, node_id: str) -> None:
    rows = await store.read(
        "MATCH (n:Organisation {id: $id}) RETURN n.claims AS claims, n.description AS d",
        {"id": node_id},
    )
    assert rows, "the reload deleted the node another writer had claimed meanwhile"
    (row,) = rows
    assert {orjson.loads(c)["origin"] for c in row["claims"]} == {"desk-edit"}
    assert row["d"] == "Edited at the desk"


def _edit_now(target: Target, record: dict[str, object]) -> None:
    """The other writer's edit, committed before the caller goes on."""
    worker = threading.Thread(
        target=asyncio.run, args=(_edit(target, {"organisations": [record]}),)
    )
    worker.start()
    worker.join()


async def test_a_node_the_reload_drops_is_kept_when_another_writer_claimed_it_meanwhile(
    store: Store, tmp_path: Path
) -> None:
    """A streamed reload deletes the nodes its file no longer holds, claims read in one
    transaction and the delete in a later one: an edit that claimed one of them in between (an
    API write during a long load) keeps it, with the edit's claim alone."""
    lines, _, data = _files(tmp_path)
    extra = _with_extra(data)
    write_lines(data, lines)
    await load_stream(BundleLines(lines, chunk_size=CHUNK), store, batch_size=CHUNK)
    organisations = data["organisations"]
    assert isinstance(organisations, list)
    organisations.remove(extra)
    write_lines(data, lines)
    edits: list[str] = []

    def tap(query: str, params: dict[str, object]) -> None:
        ids = params.get("ids")
        if edits or "DETACH DELETE" not in query or not isinstance(ids, list):
            return
        if extra["id"] in ids:
            edits.append(str(extra["id"]))
            _edit_now(store.target, dict(extra, description="Edited at the desk"))

    report = await load_stream(
        BundleLines(lines, chunk_size=CHUNK), store, batch_size=CHUNK, tap=tap
    )
    assert edits == [extra["id"]]
    assert report.deleted_nodes == 0
    await _kept_by_the_edit(store, str(extra["id"]))


async def test_a_batched_reload_keeps_a_node_another_writer_claimed_before_its_deletes(
    store: Store, tmp_path: Path
) -> None:
    """The same in a batched load: it reads every claim first, then writes batch by batch;
    the edit commits after its node batches, before its deletes."""
    from loaders.sources import parse_path

    _, folder, data = _files(tmp_path)
    extra = _with_extra(data)
    (folder / "dataset.yaml").write_bytes(orjson.dumps(data))
    await load(parse_path(folder), store, batched=True, batch_size=CHUNK)
    organisations = data["organisations"]
    assert isinstance(organisations, list)
    organisations.remove(extra)
    (folder / "dataset.yaml").write_bytes(orjson.dumps(data))
    edits: list[str] = []

    class EditAfterTheNodes:
        def start(self, total: int) -> None:
            pass

        def __call__(self, phase: str, rows: int) -> None:
            if phase == "nodes" and not edits:
                edits.append(str(extra["id"]))
                _edit_now(store.target, dict(extra, description="Edited at the desk"))

    report = await load(
        parse_path(folder), store, batched=True, batch_size=CHUNK, progress=EditAfterTheNodes()
    )
    assert edits == [extra["id"]]
    assert report.deleted_nodes == 0
    await _kept_by_the_edit(store, str(extra["id"]))
