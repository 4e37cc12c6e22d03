"""`partnergraph serve` says where the explorer, GraphiQL and the API are; each answers there."""

from __future__ import annotations

import re
from pathlib import Path

import httpx2 as httpx

from graph.cli import banner
from graph.dbserver import ServerInfo
from tests.serving import served


def test_the_banner_names_every_entry_point() -> None:
    text = banner("127.0.0.1", 8000)
    assert "explorer:  http://127.0.0.1:8000/\n" in text
    assert "GraphiQL:  http://127.0.0.1:8000/graphiql" in text
    assert "GraphQL:   http://127.0.0.1:8000/graphql" in text
    assert "http://127.0.0.1:8000/" in banner("0.0.0.0", 8000)  # noqa: S104
    assert "http://[::1]:8000/graphiql" in banner("::1", 8000)


def test_the_printed_addresses_answer(neo4j_server: ServerInfo, tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    with served(neo4j_server, log) as base:
        printed = log.read_text(encoding="utf-8")
        urls = dict(re.findall(r"^  (explorer|GraphiQL|GraphQL):\s+(\S+)", printed, re.M))
        assert urls == {
            "explorer": f"{base}/",
            "GraphiQL": f"{base}/graphiql",
            "GraphQL": f"{base}/graphql",
        }, printed
        for page in ("explorer", "GraphiQL"):
            answer = httpx.get(urls[page], timeout=10)
            assert answer.status_code == 200, page
            assert answer.headers["content-type"].startswith("text/html"), page
        api = httpx.post(urls["GraphQL"], json={"query": "{ __typename }"}, timeout=10)
        assert api.json() == {"data": {"__typename": "Query"}}
