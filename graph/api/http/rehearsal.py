"""The API's common writes rehearsed at start-up, so that a user's first write is not slow.

Neo4j plans a statement the first time it sees its text (and parameter types) and caches the
plan. An API write is three large statements (resolution, locks, the combined write), whose
planning on a freshly started Neo4j took seconds each: the first `upsertOrganisation` after a
restart took 28 s on the 51k ROR graph (10 s and 13 s planning two of them), close to the
request time limit, where the next one took 40 ms. So the app runs, in the background once
Neo4j answers, the mutations below through its own executor with a rehearsal's context: each
write runs every statement and rolls its transaction back (graph.ingest.write `rehearse`).
Nothing is written, no audit entry stays, and the plans are cached for the real writes,
whose statement texts are the same for the same shape of record (tests/api/test_rehearsal.py).
"""

from __future__ import annotations

import logging
import time
import uuid

from graph.api.execution.executor import Executor
from graph.api.schema.context import Context
from graph.auth import Principal, Role
from graph.errors import StoreError
from graph.store import Store

log = logging.getLogger(__name__)

REHEARSER = Principal(name="partnergraph (write rehearsal)", role=Role.EDITOR)
# The shapes most writes have: one organisation, one person, citing a source. A write of another
# shape (with relationships, another kind) plans its own statements the first time, as before.
UPSERTS = (
    """mutation($id: String!, $name: String!, $source: String!) {
      upsertOrganisation(
        record: {id: $id, kind: "company", names: [{value: $name, lang: "en"}],
                 location: {country: "EE"}}
        source: {source: $source, title: "Write rehearsal"}
      ) { __typename } }""",
    """mutation($id: String!, $name: String!, $source: String!) {
      upsertPerson(
        record: {id: $id, names: [{value: $name, lang: "en"}]}
        source: {source: $source, title: "Write rehearsal"}
      ) { __typename } }""",
)


async def rehearse(executor: Executor, store: Store) -> float | None:
    """Rehearse UPSERTS; seconds taken, or None when Neo4j refused (down, or a read-only
    user: the first real write then plans its statements, as without the rehearsal)."""
    began = time.perf_counter()
    for document in UPSERTS:
        # Never an id or name a graph holds: resolution must not merge it into a real node.
        mark = uuid.uuid4().hex
        variables = {
            "id": f"partnergraph-rehearsal-{mark}",
            "name": f"Partnergraph Rehearsal {mark}",
            "source": f"partnergraph-rehearsal-{mark}",
        }
        context = Context(store=store.view(), principal=REHEARSER, rehearsal=True)
        try:
            result = await executor.run(document, context, variables)
        except StoreError as exc:
            log.info("write rehearsal skipped: %s", exc.message)
            return None
        if result.errors:
            log.warning("write rehearsal failed: %s", result.errors[0].message)
            return None
    took = time.perf_counter() - began
    log.info("write plans rehearsed in %.1f s (nothing written)", took)
    return took
