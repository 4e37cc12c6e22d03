"""The explorer in headless Chromium against a real server: offline, search, organisation
page, network, partners, timeline, path, and bad ids."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import Visit

GANGWON = "Organisation:gangwon-technopark"
TARTU_SCIENCE_PARK = "Organisation:tartu-science-park"
MOU = "Agreement:mou-gwtp-tsp-2024-06-04"
SIGNING = "Event:signing-mou-gwtp-tsp-2024-06-04"
TIMEOUT = 20_000  # ms; a loaded 2-core machine, not a speed goal


async def open_organisation(visit: Visit, org_id: str = GANGWON) -> Any:
    page = await visit.open(f"/explore/{org_id}")
    await page.wait_for_selector("main[data-page=organisation]", timeout=TIMEOUT)
    return page


async def wait_network(page: Any) -> None:
    await page.wait_for_selector("#network[data-ready=true]", timeout=TIMEOUT)


async def visible(page: Any) -> set[str]:
    return set(await page.evaluate("partnergraphNetwork.visible()"))


async def test_start_page_loads_with_no_request_leaving_loopback(
    visit: Visit, screenshots: Path
) -> None:
    page = await visit.open("/")
    await page.wait_for_selector("main[data-page=home]", timeout=TIMEOUT)
    assert (
        await page.locator("main")
        .get_by_role("link", name="Tartu Science Park", exact=True)
        .count()
        == 1
    )
    assert await page.locator("ol.timeline li").count() > 0
    await page.screenshot(path=screenshots / "explorer-start.png")
    visit.assert_offline()


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Tartu Ülikool", "University of Tartu"),
        ("tartu ulikool", "University of Tartu"),  # the Estonian name without its diacritics
        ("중소벤처기업부", "Ministry of SMEs and Startups"),
    ],
)
async def test_search_finds_names_and_aliases(visit: Visit, typed: str, expected: str) -> None:
    page = await visit.open("/explore")
    box = page.locator("#top-search input")
    await box.fill(typed)
    names = page.locator("#top-search .results li .name")
    await names.filter(has_text=expected).first.wait_for(timeout=TIMEOUT)
    assert await names.first.inner_text() == expected
    await box.press("Enter")
    await page.wait_for_selector("main[data-page=organisation]", timeout=TIMEOUT)
    assert await page.locator("h1").inner_text() == expected
    visit.assert_offline()


async def test_search_results_screenshot(visit: Visit, screenshots: Path) -> None:
    page = await visit.open("/explore")
    await page.wait_for_selector("main[data-page=home]", timeout=TIMEOUT)
    await page.locator("#top-search input").fill("tartu")
    await page.locator("#top-search .results li .name").nth(3).wait_for(timeout=TIMEOUT)
    assert await page.locator("#top-search .results li").count() >= 4
    await page.screenshot(path=screenshots / "explorer-search.png")


async def test_organisation_page_shows_facts_with_their_sources(
    visit: Visit, screenshots: Path
) -> None:
    page = await open_organisation(visit)
    main = page.locator("main")
    assert await page.locator("h1").inner_text() == "Gangwon Technopark"
    assert "technopark" in await main.locator("dl.facts").first.inner_text()
    assert "(재)강원테크노파크" in await main.inner_text()  # its Korean name
    agreement = main.locator("li.agreement").first
    text = await agreement.inner_text()
    assert "Memorandum of Understanding between Gangwon Technopark and Tartu Science Park" in text
    assert "Tartu Science Park (EE)" in text
    assert "Andrus Kurvits" in text  # a signatory, for Tartu Science Park
    # Each fact cites its sources; a source with a URL links to it.
    await agreement.locator("details.src summary").last.click()
    link = agreement.locator("details.src a[href='https://teaduspark.ee/']")
    assert await link.count() == 1
    assert "Tartu Science Park website" in await link.inner_text()
    facts = main.locator("ul.facts-list > li")
    assert await facts.count() >= 4
    assert await main.locator("ul.facts-list > li > details.src").count() == await facts.count()
    for heading in ("People", "Agreements", "Data sets", "Projects", "Identifiers", "Names"):
        assert await main.get_by_role("heading", name=heading, exact=True).count() == 1
    await wait_network(page)
    await page.locator("#partners li").first.wait_for(timeout=TIMEOUT)
    await page.locator("#timeline li").first.wait_for(timeout=TIMEOUT)
    await page.screenshot(path=screenshots / "explorer-organisation.png")
    visit.assert_offline()


async def test_other_records_have_pages_too(visit: Visit) -> None:
    page = await visit.open(f"/explore/{MOU}")
    await page.wait_for_selector("main[data-page=agreement]", timeout=TIMEOUT)
    text = await page.locator("main").inner_text()
    assert "Tartu Science Park" in text
    assert "Gangwon Technopark" in text
    await page.get_by_role("link", name="Andrus Kurvits").first.click()
    await page.wait_for_selector("main[data-page=person]", timeout=TIMEOUT)
    assert await page.locator("h1").inner_text() == "Andrus Kurvits"
    visit.assert_offline()


async def test_network_draws_the_mou_partner_and_expands_and_filters(
    visit: Visit, screenshots: Path
) -> None:
    page = await open_organisation(visit)
    await wait_network(page)
    shown = await visible(page)
    assert {GANGWON, MOU, TARTU_SCIENCE_PARK} <= shown  # the MoU's other party, two hops out
    edges = await page.evaluate(
        "partnergraphNetwork.cy.edges()"
        ".map(e => [e.source().id(), e.data('type'), e.target().id()])"
    )
    assert [GANGWON, "PARTY_TO", MOU] in edges
    assert [TARTU_SCIENCE_PARK, "PARTY_TO", MOU] in edges
    await page.locator("#network").scroll_into_view_if_needed()
    await page.screenshot(path=screenshots / "explorer-network.png", clip=await _box(page))

    # A real click on Tartu Science Park expands it: its own neighbours join the network.
    before = await page.evaluate("partnergraphNetwork.cy.nodes().length")
    x, y = await _node_on_screen(page, TARTU_SCIENCE_PARK)
    await page.mouse.click(x, y)
    await page.wait_for_function(
        "n => partnergraphNetwork.cy.nodes().length > n", arg=before, timeout=TIMEOUT
    )
    assert "Tartu Science Park" in await page.locator(".net-info").inner_text()
    assert "Organisation:university-of-tartu" in await visible(page)

    # Relationship kinds: PARTY_TO alone leaves the two parties and their MoU.
    boxes = page.locator(".net-controls .kinds input")
    for i in range(await boxes.count()):
        if await boxes.nth(i).get_attribute("value") != "PARTY_TO":
            await boxes.nth(i).uncheck()
    assert await visible(page) == {GANGWON, MOU, TARTU_SCIENCE_PARK}
    for i in range(await boxes.count()):
        await boxes.nth(i).check()
    assert MOU in await visible(page)

    # Dates: until the day before the signing, the MoU and its signing are hidden.
    until = page.locator(".net-controls input[name=until]")
    await until.fill("2024-06-03")
    await until.dispatch_event("change")
    shown = await visible(page)
    assert MOU not in shown
    assert SIGNING not in shown
    assert GANGWON in shown
    await until.fill("")
    await until.dispatch_event("change")
    assert MOU in await visible(page)
    visit.assert_offline()


async def test_partner_suggestions_with_reasons_and_the_timeline(visit: Visit) -> None:
    page = await open_organisation(visit)
    first = page.locator("#partners ol.partners > li").first
    await first.wait_for(timeout=TIMEOUT)
    assert "Tartu Science Park" in await first.inner_text()
    assert "party with it to 1 agreement(s)" in await first.locator(".reasons").inner_text()
    await page.locator("#timeline li").first.wait_for(timeout=TIMEOUT)
    timeline = await page.locator("#timeline").inner_text()
    assert "2024-06-04" in timeline
    assert "Memorandum of Understanding between Gangwon Technopark" in timeline
    visit.assert_offline()


async def test_path_between_two_organisations(visit: Visit, screenshots: Path) -> None:
    page = await visit.open(f"/explore/path?from={GANGWON}&to=Organisation:university-of-tartu")
    await page.wait_for_selector("#path-result[data-ready=true]", timeout=TIMEOUT)
    first = await page.locator("ol.chain").first.inner_text()
    assert first.startswith("Gangwon Technopark")
    assert "Tartu Science Park" in first
    assert first.rstrip().endswith("University of Tartu")
    assert "founded by" in first
    await page.screenshot(path=screenshots / "explorer-path.png", full_page=True)
    visit.assert_offline()


async def test_path_picked_from_the_organisation_page(visit: Visit) -> None:
    page = await open_organisation(visit)
    box = page.locator("main .search input").last
    await box.fill("Health Founders")
    result = page.locator("main .search .results li .name", has_text="Health Founders")
    await result.first.wait_for(timeout=TIMEOUT)
    await box.press("Enter")
    await page.wait_for_selector("#path-result[data-ready=true]", timeout=TIMEOUT)
    assert "Health Founders" in await page.locator("ol.chain").first.inner_text()
    visit.assert_offline()


@pytest.mark.parametrize(
    "path",
    [
        "/explore/Organisation:no-such-organisation",
        "/explore/Agreement:no-such-agreement",
        "/explore/garbage",
        "/explore/Nonsense:thing",
        "/explore/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    ],
)
async def test_an_unknown_id_shows_not_found(visit: Visit, path: str) -> None:
    page = await visit.open(path)
    await page.wait_for_selector("main[data-page=not-found]", timeout=TIMEOUT)
    text = await page.locator("main").inner_text()
    assert "Not found" in text
    assert "Traceback" not in text
    assert "internal error" not in text
    visit.assert_offline()


async def test_an_unknown_id_in_a_path_shows_not_found(visit: Visit) -> None:
    page = await visit.open(f"/explore/path?from={GANGWON}&to=Organisation:nope")
    await page.locator("#path-result .not-found").wait_for(timeout=TIMEOUT)
    assert "Not found" in await page.locator("#path-result").text_content()
    visit.assert_offline()


async def _box(page: Any) -> dict[str, float]:
    box = await page.locator("#network").bounding_box()
    assert box is not None
    return dict(box)


async def _node_on_screen(page: Any, node_id: str) -> tuple[float, float]:
    """Where a network node is drawn, in page coordinates (for a real mouse click)."""
    box = await _box(page)
    pos = await page.evaluate(
        f"partnergraphNetwork.cy.getElementById('{node_id}').renderedPosition()"
    )
    return box["x"] + pos["x"], box["y"] + pos["y"]
