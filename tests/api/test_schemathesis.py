"""schemathesis over the GraphQL schema against the real ASGI app on the real Neo4j.

Every root field gets generated queries (arguments and selections from the schema); the
check is schemathesis's `not_a_server_error`: no 5xx, and no GraphQL error that is not the
client's (user errors carry `extensions.code = BAD_USER_INPUT`).
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from graph.api.app import create_app
from graph.dbserver import ServerInfo
from graph.settings import Settings
from graph.store import Store
from loaders.pipeline import load
from loaders.sources import parse_path
from tests.neo4j_test import ROOT, target_of

# CI-sized by default; `make fuzz` runs the long version.
EXAMPLES_PER_FIELD = int(os.environ.get("PARTNERGRAPH_FUZZ_EXAMPLES", "15"))


async def test_generated_queries_cause_no_server_error(
    neo4j_server: ServerInfo, store: Store
) -> None:
    await load(parse_path(ROOT / "seeds"), store)
    app = create_app(Settings(), target_of(neo4j_server))
    schema = schemathesis.graphql.from_asgi("/graphql", app)
    operations = [op.ok() for op in schema.get_all_operations()]
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
            case.call_and_validate(checks=[not_a_server_error])

        # schemathesis drives the app through its own (sync) test client: keep it off this loop.
        await asyncio.to_thread(check)
