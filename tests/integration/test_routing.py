"""The routing driver (`neo4j://`, as on a cluster or Aura) against the test server: reads, a
write then a read, a load, an export and a delete; and one bookmark manager carried by every
session and query the store opens, of both drivers, so that a read follows every write this
process was told had committed (read-your-writes on any topology)."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import AsyncIterator, Awaitable, Callable, Collection
from dataclasses import replace

import httpx2 as httpx
import pytest
from neo4j import GraphDatabase
from neo4j.api import BookmarkManager
from starlette.applications import Starlette

from graph.api.http.app import create_app
from graph.cypher import Label
from graph.dbserver import ServerInfo
from graph.ingest.audit import Audit
from graph.ingest.delete import delete_node
from graph.ingest.write import load
from graph.settings import Settings
from graph.store import Store, Target, WriteTx
from loaders.sources import parse_path
from tests.integration.graphdata import bundle, org
from tests.neo4j_test import ROOT, target_of


class CountingBookmarks(BookmarkManager):
    """The driver's own bookmark manager, counting who asks for bookmarks and who hands
    them in: a session or query that does not carry it never reaches these methods."""

    def __init__(self) -> None:
        self.inner = GraphDatabase.bookmark_manager()
        self.gets = 0
        self.updates = 0

    def get_bookmarks(self) -> Collection[str]:
        self.gets += 1
        return self.inner.get_bookmarks()

    def update_bookmarks(
        self, previous_bookmarks: Collection[str], new_bookmarks: Collection[str]
    ) -> None:
        self.updates += 1
        self.inner.update_bookmarks(previous_bookmarks, new_bookmarks)


def routed(info: ServerInfo) -> Target:
    """The test server through the routing driver: what a cluster or Aura URI gives."""
    target = target_of(info)
    assert target.uri.startswith("bolt://"), target.uri
    return replace(target, uri="neo4j://" + target.uri.removeprefix("bolt://"))


@pytest.fixture
async def routed_store(store: Store, neo4j_server: ServerInfo) -> AsyncIterator[Store]:
    """A store on a clean database (the `store` fixture wiped it), connected by `neo4j://`."""
    opened = await Store.open(routed(neo4j_server))
    try:
        yield opened
    finally:
        await opened.close()


async def test_every_session_and_query_carries_the_store_bookmarks(routed_store: Store) -> None:
    bookmarks = CountingBookmarks()
    store = replace(routed_store.view(), bookmarks=bookmarks)

    async def create(tx: WriteTx) -> None:
        await tx.run("CREATE (:Organisation {id: 'managed'})")

    paths: dict[str, Callable[[], Awaitable[object]]] = {
        "write": lambda: store.write("CREATE (:Organisation {id: 'w'})"),
        "read": lambda: store.read("MATCH (n:Organisation) RETURN count(n) AS n"),
        "read_values": lambda: store.read_values("RETURN 1 AS one"),
        "run_batched": lambda: store.run_batched("MATCH (n:Nothing) DETACH DELETE n"),
        "write_transaction": lambda: store.write_transaction(create),
    }
    for name, call in paths.items():
        gets, updates = bookmarks.gets, bookmarks.updates
        await call()
        assert bookmarks.gets > gets, f"{name} did not ask the store's bookmark manager"
        assert bookmarks.updates > updates, f"{name} did not hand its bookmark in"

    gets, updates = bookmarks.gets, bookmarks.updates
    async with store.transaction() as tx:
        await tx.run("CREATE (:Organisation {id: 'explicit'})")
    assert bookmarks.gets > gets, "transaction() did not ask for the bookmarks"
    assert bookmarks.updates > updates, "transaction() did not hand its bookmark in"

    gets = bookmarks.gets
    rows = list(store.stream_blocking("MATCH (n:Organisation) RETURN n.id ORDER BY n.id"))
    assert rows == [("explicit",), ("managed",), ("w",)]
    assert bookmarks.gets > gets, "the export's sync driver did not carry the bookmarks"
    # The sync driver's session sees the bookmark of the last write: read-your-writes across
    # the two drivers is what this shared manager is for.
    assert bookmarks.inner.get_bookmarks()


async def test_views_share_one_bookmark_manager(routed_store: Store) -> None:
    assert routed_store.view().bookmarks is routed_store.bookmarks
    # Not the driver's own for execute_query: the sessions of loads and exports use ours.
    default: object = routed_store.driver.execute_query_bookmark_manager
    assert routed_store.bookmarks is not default


async def test_a_load_then_reads_and_an_export_through_the_routing_driver(
    routed_store: Store, neo4j_server: ServerInfo
) -> None:
    report = await load(parse_path(ROOT / "seeds"), routed_store)
    assert sum(report.nodes.values()) > 0
    app: Starlette = create_app(Settings(), routed(neo4j_server))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://routed") as client:
            query = '{ organisations(where: {country: {eq: "EE"}}) { totalCount } }'
            answer = await client.post("/graphql", json={"query": query})
            assert answer.status_code == 200, answer.text
            estonian = answer.json()["data"]["organisations"]["totalCount"]
            assert estonian > 0

            exported = await client.get("/export/csv")
            assert exported.status_code == 200, exported.text
            with zipfile.ZipFile(io.BytesIO(exported.content)) as archive:
                nodes = list(csv.DictReader(io.StringIO(archive.read("nodes.csv").decode())))
            stats = await client.post("/graphql", json={"query": "{ stats { nodes } }"})
            assert len({row["id"] for row in nodes}) == stats.json()["data"]["stats"]["nodes"]


async def test_a_write_is_read_back_at_once_and_a_managed_delete(routed_store: Store) -> None:
    await load([bundle("unit:a", organisations=[org("org-a", "Alpha Institute")])], routed_store)
    rows = await routed_store.read(
        "MATCH (n:Organisation {id: $id}) RETURN n.id AS id", {"id": "org-a"}
    )
    assert rows == [{"id": "org-a"}]
    audit = Audit(
        actor="steward",
        key_id="k1",
        role="admin",
        action="delete",
        target="Organisation:org-a",
        origin="api:delete",
    )
    removed = await delete_node(
        routed_store, Label.ORGANISATION, "org-a", reason="routing test", audit=audit
    )
    assert removed.name == "Alpha Institute"
    rows = await routed_store.read(
        "MATCH (n:Organisation {id: $id}) RETURN n.id AS id", {"id": "org-a"}
    )
    assert rows == []
