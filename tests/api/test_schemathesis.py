"""schemathesis over the GraphQL schema against the real ASGI app on the real Neo4j.

Every root field gets generated queries (arguments and selections from the schema); the
check is schemathesis's `not_a_server_error`: no 5xx, and no GraphQL error that is not the
client's (user errors carry `extensions.code = BAD_USER_INPUT`).
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import graphql
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes
from schemathesis.checks import not_a_server_error

from graph.api.http.app import create_app
from graph.auth import KeyStore, Role, keys_file
from graph.dbserver import ServerInfo
from graph.ingest.write import load
from graph.settings import Settings
from graph.store import Store
from loaders.sources import parse_path
from tests.neo4j_test import ROOT, target_of

# CI-sized by default; `make fuzz` runs the long version.
EXAMPLES_PER_FIELD = int(os.environ.get("PARTNERGRAPH_FUZZ_EXAMPLES", "15"))


def _value_node(value: Any) -> graphql.ValueNode:
    """A Python JSON value as a GraphQL literal (what the JSON scalar receives)."""
    if isinstance(value, dict):
        return nodes.Object(
            [
                graphql.ObjectFieldNode(name=graphql.NameNode(value=k), value=_value_node(v))
                for k, v in value.items()
            ]
        )
    if isinstance(value, list):
        return nodes.List([_value_node(v) for v in value])
    if isinstance(value, bool):
        return nodes.Boolean(value)
    if isinstance(value, int):
        return nodes.Int(value)
    if isinstance(value, float):
        return nodes.Float(value)
    if value is None:
        return graphql.NullValueNode()
    return nodes.String(value)


# Records for the upserts: a valid one, near misses, and arbitrary JSON.
_RECORD = {
    "id": "fuzzed-org",
    "kind": "company",
    "names": [{"value": "Fuzzed Org"}],
    "location": {"country": "EE"},
}
_KEYS = st.sampled_from(["id", "kind", "names", "location", "title", "parties", "holder", "x"])
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**31), 2**31) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=4),
    max_leaves=10,
)
_RECORDS = st.one_of(
    st.just(_RECORD),
    st.builds(lambda extra: {**_RECORD, **extra}, st.dictionaries(_KEYS, _JSON, max_size=2)),
    _JSON,
)
schemathesis.graphql.scalar("JSON", _RECORDS.map(_value_node))


async def test_generated_queries_cause_no_server_error(
    neo4j_server: ServerInfo, store: Store, tmp_path: Path
) -> None:
    await load(parse_path(ROOT / "seeds"), store)
    # An admin key, so that generated mutations (delete too) run, not just their refusal; no rate
    # limit.
    app_settings = Settings(home=tmp_path, rate_per_second=1e6)
    _, key = KeyStore(keys_file(app_settings)).create("schemathesis", Role.ADMIN)
    headers = {"Authorization": f"Bearer {key}"}
    app = create_app(app_settings, target_of(neo4j_server))
    schema = schemathesis.graphql.from_asgi("/graphql", app)
    # Every operation of our own schema loads: an Err here is a failure worth its message.
    operations = [op.ok() for op in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 15

    for operation in operations:

        @settings(
            max_examples=EXAMPLES_PER_FIELD,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=[not_a_server_error])

        # schemathesis drives the app through its own (sync) test client: keep it off this loop.
        await asyncio.to_thread(check)
