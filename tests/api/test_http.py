"""GraphQL over HTTP through the real ASGI app on the real Neo4j: media types, statuses, errors."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
from graphql import get_introspection_query
from neo4j import exceptions as nx
from starlette.testclient import TestClient

from graph.api.http.app import create_app
from graph.api.http.endpoint import negotiate
from graph.dbserver import ServerInfo
from graph.settings import Settings
from graph.store import Store, Target, _wrap
from tests.api.asgi import NOWHERE, Collect, gone_after, post_scope
from tests.neo4j_test import free_port, target_of

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"


@pytest.fixture
def client(neo4j_server: ServerInfo) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(), target_of(neo4j_server))) as test_client:
        yield test_client


def post(
    client: TestClient, body: Any, accept: str | None = GRAPHQL_RESPONSE, **headers: str
) -> httpx2.Response:
    if accept is not None:
        headers["Accept"] = accept
    return client.post("/graphql", json=body, headers=headers)


def media_type(response: httpx2.Response) -> str:
    return response.headers["content-type"].split(";")[0]


# --- media types -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, JSON),  # legacy default
        ("", JSON),
        (JSON, JSON),
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE}, {JSON}", GRAPHQL_RESPONSE),
        (f"{JSON}, {GRAPHQL_RESPONSE}", GRAPHQL_RESPONSE),  # named both: the new one
        (f"{GRAPHQL_RESPONSE};q=0.5, {JSON}", JSON),  # q-values are honoured
        (f"{GRAPHQL_RESPONSE}, {JSON};q=0.9", GRAPHQL_RESPONSE),
        ("*/*", JSON),  # wildcards only: what legacy clients understand
        ("application/*", JSON),
        (f"{JSON}, */*", JSON),
        (f"{GRAPHQL_RESPONSE}, */*;q=0.1", GRAPHQL_RESPONSE),
        ("text/html, */*;q=0.8", JSON),
        ("text/plain", None),
        (f"{JSON};q=0, text/plain", None),
        (f"*/*, {JSON};q=0, {GRAPHQL_RESPONSE};q=0", None),
    ],
)
def test_media_type_is_negotiated_from_accept(accept: str | None, expected: str | None) -> None:
    assert negotiate(accept) == expected


def test_both_media_types_are_served(client: TestClient) -> None:
    for accept, expected in ((None, JSON), (JSON, JSON), (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE)):
        response = post(client, {"query": "{ __typename }"}, accept)
        assert response.status_code == 200
        assert media_type(response) == expected
        assert "charset=utf-8" in response.headers["content-type"]
        assert response.json() == {"data": {"__typename": "Query"}}


def test_an_accept_naming_neither_type_gets_406(client: TestClient) -> None:
    response = post(client, {"query": "{ __typename }"}, "text/plain")
    assert response.status_code == 406
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_ACCEPTABLE"


# --- malformed requests ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/graphql",
        GRAPHQL_RESPONSE,  # a response type, not a request one
        "application/x-www-form-urlencoded",
        "application/json; charset=latin-1",
        None,
    ],
)
def test_post_bodies_must_be_json(client: TestClient, content_type: str | None) -> None:
    headers = {"Accept": GRAPHQL_RESPONSE}
    if content_type:
        headers["Content-Type"] = content_type
    response = client.post("/graphql", content=b'{"query": "{ __typename }"}', headers=headers)
    assert response.status_code == 415
    assert response.json()["errors"][0]["extensions"]["code"] == "UNSUPPORTED_MEDIA_TYPE"


def test_json_with_a_charset_is_json(client: TestClient) -> None:
    response = client.post(
        "/graphql",
        content=b'{"query": "{ __typename }"}',
        headers={"Content-Type": "application/json; charset=UTF-8"},
    )
    assert response.json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize(
    "body",
    [
        b"NONSENSE",
        b'{"query":',
        b"",
        b'[{"query": "{ __typename }"}]',  # batches are not supported
        b'{"qeury": "{ __typename }"}',
        b'{"query": 7}',
        b'{"query": {"text": "{ __typename }"}}',
        b'{"query": "{ __typename }", "variables": [7]}',
        b'{"query": "{ __typename }", "operationName": 1}',
        b'{"query": "{ __typename }", "extensions": "x"}',
        b'\xff{"query": "{ __typename }"}',
    ],
)
@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE, JSON])
def test_requests_that_are_not_well_formed_get_400(
    client: TestClient, body: bytes, accept: str
) -> None:
    headers = {"Content-Type": JSON, "Accept": accept}
    response = client.post("/graphql", content=body, headers=headers)
    assert response.status_code == 400
    assert media_type(response) == accept
    payload = response.json()
    assert "data" not in payload
    assert payload["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


def test_null_variables_operation_name_and_extensions_are_fine(client: TestClient) -> None:
    body = {"query": "{ __typename }", "variables": None, "operationName": None, "extensions": None}
    assert post(client, body).json() == {"data": {"__typename": "Query"}}


# --- parse, validation and request errors ----------------------------------------------------


def test_a_document_that_does_not_parse_gets_400_or_legacy_200(client: TestClient) -> None:
    response = post(client, {"query": "{"})
    assert response.status_code == 400
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    assert body["errors"][0]["locations"] == [{"line": 1, "column": 2}]
    legacy = post(client, {"query": "{"}, JSON)
    assert legacy.status_code == 200
    assert legacy.json() == body


def test_validation_errors_get_422_or_legacy_200(client: TestClient) -> None:
    response = post(client, {"query": "{ nope }"})
    assert response.status_code == 422
    body = response.json()
    assert "data" not in body
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "nope" in error["message"]
    legacy = post(client, {"query": "{ nope }"}, JSON)
    assert legacy.status_code == 200
    assert legacy.json() == body


def test_variable_coercion_failure_is_a_request_error(client: TestClient) -> None:
    query = "query ($v: String!) { organisationByIdentifier(scheme: ROR, value: $v) { name } }"
    response = post(client, {"query": query, "variables": {"v": None}})
    assert response.status_code == 400
    assert "data" not in response.json()
    assert post(client, {"query": query, "variables": {"v": None}}, JSON).status_code == 200


def test_variable_coercion_errors_say_what_was_wrong(client: TestClient) -> None:
    query = "query ($v: String!) { organisationByIdentifier(scheme: ROR, value: $v) { name } }"
    (error,) = post(client, {"query": query, "variables": {"v": None}}).json()["errors"]
    assert "$v" in error["message"]


def test_the_operation_to_run_must_be_determined(client: TestClient) -> None:
    two = "query A { __typename } query B { stats { nodes } }"
    response = post(client, {"query": two})
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "OPERATION_RESOLUTION_FAILURE"
    assert post(client, {"query": two, "operationName": "C"}).status_code == 400
    chosen = post(client, {"query": two, "operationName": "A"})
    assert chosen.json() == {"data": {"__typename": "Query"}}


# --- GET -------------------------------------------------------------------------------------


def test_queries_over_get_with_variables(client: TestClient) -> None:
    query = (
        'query ($v: String! = "x") { organisationByIdentifier(scheme: ROR, value: $v) { name } }'
    )
    params = {"query": query, "variables": '{"v": "https://ror.org/03z77qz90"}'}
    response = client.get("/graphql", params=params, headers={"Accept": GRAPHQL_RESPONSE})
    assert response.status_code == 200
    assert "organisationByIdentifier" in response.json()["data"]
    bad = client.get("/graphql", params={"query": query, "variables": "{"})
    assert bad.status_code == 400
    assert client.get("/graphql", params={"variables": "{}"}).status_code == 400


def test_a_mutation_over_get_gets_405_before_validation(client: TestClient) -> None:
    # The schema has no Mutation type, so this also fails validation: 405 wins, being first.
    for query in ("mutation { anything }", "mutation M { x } query Q { __typename }"):
        params = {"query": query, "operationName": "M" if "M" in query else ""}
        response = client.get("/graphql", params=params, headers={"Accept": GRAPHQL_RESPONSE})
        assert response.status_code == 405
        assert response.headers["allow"] == "POST"
        assert response.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"
    over_post = post(client, {"query": "mutation { anything }"})
    assert over_post.status_code == 422


def test_graphiqls_introspection_query_is_answered(client: TestClient) -> None:
    response = post(client, {"query": get_introspection_query(descriptions=True)})
    assert response.status_code == 200
    assert response.json()["data"]["__schema"]["queryType"]["name"] == "Query"


def test_graphiql_is_served_to_browsers(client: TestClient) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    page = client.get("/graphql", headers={"Accept": browser})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "graphiql" in page.text.lower()
    # A browser following a link with a query gets the answer, not the IDE.
    answer = client.get("/graphql", params={"query": "{ __typename }"}, headers={"Accept": browser})
    assert answer.json() == {"data": {"__typename": "Query"}}
    # Clients that do not name text/html never get the page.
    assert client.get("/graphql", headers={"Accept": "*/*"}).status_code == 400


# --- errors ----------------------------------------------------------------------------------


def test_our_errors_show_their_message_and_code(client: TestClient) -> None:
    response = post(client, {"query": '{ organisations(after: "garbage") { totalCount } }'})
    assert response.status_code == 200  # a field error: the result is partial, not refused
    body = response.json()
    assert body["data"] is None  # the root field is non-null
    (error,) = body["errors"]
    assert error["message"].startswith("invalid cursor")
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}
    assert error["path"] == ["organisations"]


def test_unexpected_errors_are_masked_and_logged(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def boom(self: Store, query: str, params: Any = None) -> Any:
        raise RuntimeError("MATCH (n:Secret) RETURN n; password=hunter2 at bolt://db:7687")

    monkeypatch.setattr(Store, "read", boom)
    with caplog.at_level(logging.ERROR, logger="graph.api"):
        response = post(client, {"query": "{ stats { nodes } }"})
    assert response.status_code == 200
    (error,) = response.json()["errors"]
    assert error["message"] == "internal error"
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
    for secret in ("MATCH", "hunter2", "bolt://", "Traceback", "RuntimeError"):
        assert secret not in response.text
    logged = [r for r in caplog.records if r.name.startswith("graph.api.")]
    assert logged
    assert logged[0].exc_info is not None
    assert "hunter2" in str(logged[0].exc_info[1])


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE, JSON])
def test_neo4j_unreachable_gets_503_with_retry_after(accept: str) -> None:
    target = Target(uri=f"bolt://127.0.0.1:{free_port()}", user="neo4j", password="x")
    with TestClient(create_app(Settings(neo4j_timeout_s=1), target)) as client:
        response = post(client, {"query": "{ stats { nodes } }"}, accept)
        assert response.status_code == 503
        assert response.headers["retry-after"] == "5"
        assert media_type(response) == accept
        body = response.json()
        assert "data" not in body
        (error,) = body["errors"]
        assert error["extensions"] == {"code": "STORE_UNAVAILABLE"}
        assert "store unavailable" in error["message"]
        # Queries that need no Neo4j are still answered.
        assert post(client, {"query": "{ __typename }"}, accept).status_code == 200


def test_503_before_start_up_has_finished(neo4j_server: ServerInfo) -> None:
    app = create_app(Settings(), target_of(neo4j_server))
    client = TestClient(app)  # no `with`: the lifespan never ran, so there is no store yet
    response = post(client, {"query": "{ __typename }"})
    assert response.status_code == 503
    assert response.json()["errors"][0]["extensions"]["code"] == "STORE_UNAVAILABLE"


# --- debug figures, CORS, gzip ---------------------------------------------------------------


def test_the_debug_header_adds_round_trips_and_timings(client: TestClient) -> None:
    query = {"query": "{ stats { nodes } }"}
    plain = post(client, query).json()
    assert "extensions" not in plain
    debug = post(client, query, **{"X-Partnergraph-Debug": "1"}).json()
    figures = debug["extensions"]
    assert set(figures) == {"cypherRoundTrips", "databaseMs", "totalMs"}
    assert figures["cypherRoundTrips"] == 1
    assert 0 < figures["databaseMs"] <= figures["totalMs"]
    none = post(client, {"query": "{ __typename }"}, **{"X-Partnergraph-Debug": "1"}).json()
    assert none["extensions"]["cypherRoundTrips"] == 0


def test_cors_answers_only_the_configured_origins(neo4j_server: ServerInfo) -> None:
    settings = Settings(cors_origins=["https://partners.example"])
    with TestClient(create_app(settings, target_of(neo4j_server))) as client:
        preflight = client.options(
            "/graphql",
            headers={
                "Origin": "https://partners.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type, x-partnergraph-debug",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "https://partners.example"
        allowed = preflight.headers["access-control-allow-headers"].lower()
        assert "x-partnergraph-debug" in allowed
        simple = post(client, {"query": "{ __typename }"}, Origin="https://partners.example")
        assert simple.headers["access-control-allow-origin"] == "https://partners.example"
        assert "retry-after" in simple.headers["access-control-expose-headers"].lower()
        stranger = post(client, {"query": "{ __typename }"}, Origin="https://evil.example")
        assert "access-control-allow-origin" not in stranger.headers
    with TestClient(create_app(Settings(), target_of(neo4j_server))) as default:
        response = post(default, {"query": "{ __typename }"}, Origin="https://partners.example")
        assert "access-control-allow-origin" not in response.headers


def test_large_responses_are_gzipped(client: TestClient) -> None:
    query = {"query": "{ __schema { types { name description fields { name description } } } }"}
    zipped = post(client, query, **{"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.json()["data"]["__schema"]["types"]
    plain = post(client, query, **{"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    small = post(client, {"query": "{ __typename }"}, **{"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE, JSON])
def test_a_query_neo4j_timed_out_gets_504_saying_so(
    client: TestClient,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    accept: str,
) -> None:
    code = "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration"
    timed_out = _wrap(nx.Neo4jError._hydrate_neo4j(code=code, message="x"), "bolt://h:7687")

    async def slow(self: Store, query: str, params: Any = None) -> Any:
        raise timed_out

    monkeypatch.setattr(Store, "read", slow)
    with caplog.at_level(logging.INFO, logger="graph.api"):
        response = post(client, {"query": "{ stats { nodes } }"}, accept)
    assert response.status_code == 504
    body = response.json()
    assert "data" not in body
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "STORE_TIMEOUT"}
    assert "timed out" in error["message"]
    # Logged in one line, without a traceback.
    (record,) = [r for r in caplog.records if r.name == "graph.api.execution.masking"]
    assert record.levelno == logging.WARNING
    assert record.exc_info is None


async def test_a_client_gone_mid_body_is_one_info_line_and_no_answer(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """3,000 such clients once wrote 3,000 tracebacks ending in ClientDisconnect."""
    app = create_app(Settings(), NOWHERE)
    send = Collect()
    with caplog.at_level(logging.DEBUG):
        for _ in range(3):
            await app(post_scope(), gone_after(b'{"que'), send)
    assert send.messages == []  # nobody to answer
    assert [r.exc_info for r in caplog.records if r.exc_info] == []
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    logged = [r for r in caplog.records if r.name.startswith("graph.api.")]
    assert [r.levelno for r in logged] == [logging.INFO] * 3
    assert "192.0.2.7 disconnected before its request body arrived" in logged[0].getMessage()
