"""GraphiQL from local files in headless Chromium: it renders offline, opens with the README's
example queries as tabs, and runs them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import Visit

TIMEOUT = 30_000  # ms: GraphiQL's bundle is 3.5 MB of JavaScript to parse on a busy machine


@pytest.mark.parametrize("path", ["/graphiql", "/graphql"])
async def test_graphiql_renders_offline_with_the_example_tabs(
    visit: Visit, screenshots: Path, path: str
) -> None:
    page = await visit.open(path)
    tabs = page.locator(".graphiql-tab")
    await tabs.nth(2).wait_for(timeout=TIMEOUT)
    assert [t.strip() for t in await tabs.all_inner_texts()] == ["Agency", "Startup", "Analyst"]
    editor = page.locator(".graphiql-query-editor")
    assert "query Agency" in await editor.inner_text()
    await page.locator(".graphiql-execute-button").click()
    response = page.locator(".graphiql-response")
    await response.get_by_text('"totalCount"').first.wait_for(timeout=TIMEOUT)
    answer = await response.inner_text()
    assert '"errors"' not in answer
    assert "Memorandum of Understanding between Gangwon State" in answer
    await tabs.nth(2).click()
    assert "query Analyst" in await editor.inner_text()
    if path == "/graphiql":
        await tabs.nth(0).click()
        await page.screenshot(path=screenshots / "graphiql.png")
    visit.assert_offline()
