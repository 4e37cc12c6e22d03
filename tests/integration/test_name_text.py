"""`nameText`, the lower-cased names a `name` filter reads through its text index
(graph/cypher/nametext.py): a load writes it with the names (every node write is one SET of
graph/cypher/load.py's merge_nodes), and the schema's back-fill gives it to nodes an earlier
version wrote without it."""

from __future__ import annotations

from pathlib import Path

from graph.cypher import nametext
from graph.cypher.labels import Label
from graph.ingest.write import load
from graph.store import Store
from loaders.sources import parse_path

SEEDS = Path(__file__).resolve().parents[2] / "seeds" / "korea-estonia"
NAMED_NODES = (
    "MATCH (n) WHERE n:Organisation OR n:Person "
    "RETURN n.id AS id, n.names AS names, n.nameText AS nameText ORDER BY id"
)


def _expected(names: list[str] | None) -> str:
    """What nameText must read, computed here in Python (the seeds' names lower-case alike
    in Python and in Neo4j's toLower)."""
    return nametext.SEP + "".join(name.lower() + nametext.SEP for name in names or [])


async def _named(store: Store) -> list[dict[str, object]]:
    return [dict(row) for row in await store.read(NAMED_NODES)]


async def test_a_load_writes_every_name_lower_cased_between_separators(store: Store) -> None:
    await load(parse_path(SEEDS), store, batched=False)
    rows = await _named(store)
    assert len(rows) > 10
    for row in rows:
        names = row["names"]
        assert isinstance(names, list), row
        assert names, row
        assert row["nameText"] == _expected(names), row
    # Some names are not lower-case already: the comparison above can fail.
    assert any(name != name.lower() for row in rows for name in row["names"])  # type: ignore[attr-defined]


async def test_the_back_fill_gives_name_text_to_nodes_written_without_it(store: Store) -> None:
    await load(parse_path(SEEDS), store, batched=False)
    before = await _named(store)
    await store.write("MATCH (n) WHERE n:Organisation OR n:Person REMOVE n.nameText")
    assert all(row["nameText"] is None for row in await _named(store))
    await store.setup_schema()
    assert await _named(store) == before


def test_only_named_labels_get_the_assignment() -> None:
    assert nametext.assignment(Label.AGREEMENT) == ""
    assert nametext.PROPERTY in nametext.assignment(Label.ORGANISATION)
