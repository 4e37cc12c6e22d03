"""Every string argument of every root field gets Cypher- and label-injection payloads.

Through the real ASGI app with an admin key (so mutations, delete included, are tried, not just
refused): no server error, no error that shows internals, and the graph's fingerprint is
unchanged.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    get_named_type,
    is_leaf_type,
)
from starlette.testclient import TestClient

from graph.api.execution.adapter import graphql_schema
from graph.api.http.app import create_app
from graph.api.schema.build import build_schema
from graph.auth import KeyStore, Role, keys_file
from graph.dbserver import ServerInfo
from graph.ingest.write import load
from graph.settings import Settings
from graph.store import Store
from loaders.sources import parse_path
from tests.integration.graphdata import fingerprint
from tests.neo4j_test import ROOT, target_of

PAYLOADS = [
    "'}) DETACH DELETE n //",
    '"}) MATCH (n) DETACH DELETE n //',
    "Organisation) DETACH DELETE (n",
    "Organisation`) DETACH DELETE n //",
    "x' OR 1=1 OR n.id = '",
    "$p0",
    "Tartu* OR name:*",
    "\\u0000\u202e",
]
# What an error message must never show: query text, driver internals, tracebacks.
LEAKS = ["MATCH", "DETACH", "UNWIND", "Neo.", "Traceback", "neo4j.", "bolt://", "password"]


def _value(arg_type: GraphQLInputType, payload: str, depth: int = 0) -> Any:
    """An argument value: the payload wherever text goes, minimal valid values elsewhere."""
    if isinstance(arg_type, GraphQLNonNull):
        return _value(arg_type.of_type, payload, depth)
    if isinstance(arg_type, GraphQLList):
        return [_value(arg_type.of_type, payload, depth)]
    if isinstance(arg_type, GraphQLEnumType):
        return next(iter(arg_type.values))
    if isinstance(arg_type, GraphQLScalarType):
        return {
            "String": payload,
            "ID": payload,
            "Int": 1,
            "Float": 1.0,
            "Boolean": True,
            "Date": "2024-06-04",
            "JSON": {"id": payload, "kind": payload, "names": [{"value": payload}]},
        }[arg_type.name]
    assert isinstance(arg_type, GraphQLInputObjectType)
    if depth > 1:
        return {}
    return {
        name: _value(field.type, payload, depth + 1)
        for name, field in arg_type.fields.items()
        if isinstance(field.type, GraphQLNonNull) or name in ("eq", "contains", "source", "where")
    }


def _outcome(body: dict[str, Any]) -> str:
    errors = body.get("errors") or []
    if not errors:
        return "data"
    return str(errors[0].get("extensions", {}).get("code", "uncoded"))


def _cases() -> Iterator[tuple[str, str, dict[str, GraphQLArgument]]]:
    schema = graphql_schema(build_schema())
    for operation, root in (("query", schema.query_type), ("mutation", schema.mutation_type)):
        assert root is not None
        for name, field in root.fields.items():
            if field.args:
                leaf = is_leaf_type(get_named_type(field.type))
                selection = name + ("" if leaf else " { __typename }")
                if "input" in field.args and "record" in field.args:
                    # The upserts take exactly one of the two (both are refused before the
                    # pipeline): each form gets the payloads on its own.
                    for other in ("record", "input"):
                        args = {n: a for n, a in field.args.items() if n != other}
                        yield operation, selection, args
                else:
                    yield operation, selection, field.args


CASES = list(_cases())


@pytest.fixture(scope="module")
def admin(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, str]:
    home: Path = tmp_path_factory.mktemp("home")
    settings = Settings(home=home, rate_per_second=1e6)
    _, key = KeyStore(keys_file(settings)).create("injector", Role.ADMIN)
    return settings, key


def test_every_root_field_with_arguments_is_covered() -> None:
    names = {case[1].split(" ")[0] for case in CASES}
    assert {
        "organisations",
        "search",
        "node",
        "upsertOrganisation",
        "link",
        "retract",
        "delete",
    } <= names


async def test_injection_payloads_change_nothing_and_leak_nothing(
    neo4j_server: ServerInfo, store: Store, admin: tuple[Settings, str]
) -> None:
    await load(parse_path(ROOT / "seeds"), store)
    before = await fingerprint(store)
    settings, key = admin
    headers = {"Authorization": f"Bearer {key}"}
    outcomes: Counter[str] = Counter()
    with TestClient(create_app(settings, target_of(neo4j_server))) as client:
        for operation, selection, args in CASES:
            for payload in PAYLOADS:
                names = list(args)
                variables = {n: _value(args[n].type, payload) for n in names}
                declared = ", ".join(f"${n}: {args[n].type}" for n in names)
                passed = ", ".join(f"{n}: ${n}" for n in names)
                field, _, rest = selection.partition(" ")
                query = f"{operation}({declared}) {{ {field}({passed}) {rest} }}"
                response = client.post(
                    "/graphql", json={"query": query, "variables": variables}, headers=headers
                )
                assert response.status_code < 500, (query, payload, response.text)
                outcomes[_outcome(response.json())] += 1
                for error in response.json().get("errors", []):
                    code = error.get("extensions", {}).get("code")
                    assert code != "INTERNAL_SERVER_ERROR", (query, payload, error)
                    # Echoing the user's own input back is fine; showing ours is not.
                    message = error["message"]
                    for echo in (payload, repr(payload)[1:-1], json.dumps(payload)[1:-1]):
                        message = message.replace(echo, "<input>")
                    assert not any(leak in message for leak in LEAKS), error
    assert await fingerprint(store) == before
    # The payloads reached the resolvers (not just the validator): most requests executed.
    executed = outcomes["data"] + outcomes["BAD_USER_INPUT"]
    assert executed > 0.7 * sum(outcomes.values()), outcomes
    assert outcomes["STORE_ERROR"] == 0, "user input made Neo4j fail: it must be a user error"
