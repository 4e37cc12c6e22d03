"""Browser fixtures: the seed graph served by a real `partnergraph serve` on 127.0.0.1, and
headless Debian Chromium driven by Playwright, every request of a page logged."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from graph.dbserver import ServerInfo
from graph.ingest.write import load
from graph.store import Store
from loaders.sources import parse_path
from tests.browser.chromium import CHROMIUM_ARGS, NO_CHROMIUM, chromium_path
from tests.neo4j_test import ROOT, server_for_tests, wipe
from tests.serving import served

LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Any]:
    executable = chromium_path()
    if executable is None:
        pytest.skip(NO_CHROMIUM)
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        pytest.skip("playwright is not installed: `pip install -e '.[dev]'`")
    # The async API: the tests share pytest-asyncio's loop (the sync API would start its own).
    async with async_playwright() as pw:
        launched = await pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


@pytest.fixture(scope="module")
async def seed_graph(session_store: Store) -> Store:
    """The seed ecosystem, loaded once for a module of browser tests (they only read)."""
    await wipe(session_store, server_for_tests())
    await load(parse_path(ROOT / "seeds"), session_store)
    return session_store


@pytest.fixture(scope="module")
def server(
    neo4j_server: ServerInfo, seed_graph: Store, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """`partnergraph serve` as its own process on a free loopback port."""
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    # The tests type fast and open many pages: the rate limit is not what they test.
    with served(
        neo4j_server, log, {"PARTNERGRAPH_RATE": "1000", "PARTNERGRAPH_RATE_BURST": "1000"}
    ) as base:
        yield base


@dataclass
class Visit:
    """A browser page and what it did: every request, console errors, uncaught exceptions."""

    page: Any
    base: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    async def open(self, path: str) -> Any:
        await self.page.goto(self.base + path)
        return self.page

    def foreign(self) -> list[str]:
        """Requests that left 127.0.0.1 (data: and blob: URLs never touch a network)."""
        out = []
        for url in self.requests:
            parts = urlsplit(url)
            if parts.scheme in ("data", "blob", "about"):
                continue
            if parts.hostname not in LOOPBACK:
                out.append(url)
        return out

    def assert_offline(self) -> None:
        assert self.requests, "no request was logged: the log is not working"
        assert self.foreign() == [], f"requests left 127.0.0.1: {self.foreign()}"
        assert self.errors == [], f"the page logged errors: {self.errors}"


@pytest.fixture
async def visit(browser: Any, server: str) -> AsyncIterator[Visit]:
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = await context.new_page()
    seen = Visit(page, server)
    # Every request the page makes, whatever answers it; any that would leave the machine is
    # refused here as well, so a regression fails fast instead of waiting on a dead network.
    context.on("request", lambda request: seen.requests.append(request.url))

    async def guard(route: Any) -> None:
        host = urlsplit(route.request.url).hostname
        if host in LOOPBACK:
            await route.continue_()
        else:
            await route.abort()

    await context.route("**/*", guard)
    page.on("pageerror", lambda exc: seen.errors.append(f"uncaught: {exc}"))
    page.on(
        "console",
        lambda msg: seen.errors.append(f"console: {msg.text}") if msg.type == "error" else None,
    )
    try:
        yield seen
    finally:
        await context.close()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the tests' screenshots go: docs/screenshots when PARTNERGRAPH_SCREENSHOTS=1
    (how the README's pictures are made), else a temporary folder."""
    if os.environ.get("PARTNERGRAPH_SCREENSHOTS") == "1":
        path = ROOT / "docs" / "screenshots"
        path.mkdir(parents=True, exist_ok=True)
        return path
    return tmp_path_factory.mktemp("screenshots")
