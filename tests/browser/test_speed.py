"""How fast the explorer is usable, and a 200-node network drawn by the page's own code.
Figures are printed (`pytest -s`) and kept as test properties; nothing here is a timed assert
(see CONVENTIONS.md): the assertions are that the work was done."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Visit

TIMEOUT = 20_000

# A synthetic neighbourhood of 200 nodes and 400 edges in the API's own shape (Network).
SYNTHETIC = """(n) => {
  const kinds = ["Organisation", "Agreement", "Event", "Project", "Person"];
  const nodes = [], edges = [];
  for (let i = 0; i < n; i++) {
    const type = kinds[i % kinds.length];
    nodes.push({ __typename: type, id: `${type}:n${i}`, name: `Node ${i}`,
                 title: `Node ${i}`, country: i % 2 ? "EE" : "KR",
                 signed: type === "Agreement" ? "2024-06-04" : null });
  }
  for (let i = 1; i < n; i++) {
    const a = nodes[i].id, b = nodes[Math.floor(i / 3)].id, c = nodes[(i * 7) % n].id;
    edges.push({ source: a, target: b, type: "PARTY_TO", role: null });
    edges.push({ source: a, target: c, type: "PARTICIPATED_IN", role: null });
  }
  return { nodes: nodes.slice(0, n), edges: edges.slice(0, 2 * n), truncated: false };
}"""

DRAW = """async (network) => {
  await window.partnergraph.loadCytoscape();
  const box = document.createElement("div");
  box.style.cssText = "width: 1200px; height: 700px";
  document.body.append(box);
  const longest = [];
  const observer = new PerformanceObserver(
    (list) => list.getEntries().forEach((e) => longest.push(e.duration)));
  observer.observe({ type: "longtask", buffered: false });
  const t0 = performance.now();
  const ctl = window.partnergraph.drawNetwork(box, network, { centre: network.nodes[0].id });
  const drawn = performance.now() - t0;
  // A frame after drawing: the page answers again (nothing is still blocking the main thread).
  await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
  const responsive = performance.now() - t0;
  observer.takeRecords().forEach((e) => longest.push(e.duration));
  observer.disconnect();
  const positioned = ctl.cy.nodes().filter((node) => Number.isFinite(node.position("x"))).length;
  return { drawn, responsive, longest: Math.max(0, ...longest), nodes: ctl.cy.nodes().length,
           edges: ctl.cy.edges().length, positioned };
}"""


async def first_usable(visit: Visit, path: str, ready: str) -> dict[str, float]:
    page = await visit.open(path)
    await page.wait_for_selector(ready, timeout=TIMEOUT)
    timing: dict[str, float] = await page.evaluate(
        """() => {
          const nav = performance.getEntriesByType("navigation")[0];
          return { usable: Number(document.getElementById("main").dataset.loaded),
                   domContentLoaded: nav.domContentLoadedEventEnd, load: nav.loadEventEnd };
        }"""
    )
    return timing


async def test_first_page_usable(visit: Visit, record_property: Any) -> None:
    figures = {}
    for name, path, ready in [
        ("start", "/explore", "main[data-page=home]"),
        (
            "organisation",
            "/explore/Organisation:gangwon-technopark",
            "main[data-page=organisation]",
        ),
        (
            "organisation, again",
            "/explore/Organisation:university-of-tartu",
            "main[data-page=organisation]",
        ),
    ]:
        timing = await first_usable(visit, path, ready)
        assert timing["usable"] > 0
        figures[name] = timing
        record_property(f"usable_ms[{name}]", round(timing["usable"]))
    network = await visit.page.evaluate(
        "() => new Promise(r => { const c = document.getElementById('network'); "
        "if (c.dataset.ready) r(performance.now()); "
        "else c.addEventListener('changed', () => r(performance.now()), { once: true }); })"
    )
    record_property("network_ready_ms", round(network))
    print("\nfirst page usable (ms since navigation):")
    for name, t in figures.items():
        print(
            f"  {name:22} usable {t['usable']:7.0f}  DOMContentLoaded {t['domContentLoaded']:7.0f}"
        )
    print(f"  network drawn at {network:.0f} ms")
    visit.assert_offline()


@pytest.mark.parametrize("size", [50, 200, 300])
async def test_a_big_network_draws(visit: Visit, record_property: Any, size: int) -> None:
    page = await visit.open("/explore")
    await page.wait_for_selector("main[data-page=home]", timeout=TIMEOUT)
    network = await page.evaluate(SYNTHETIC, size)
    result = await page.evaluate(DRAW, network)
    assert result["nodes"] == size
    assert result["edges"] == len({(e["source"], e["type"], e["target"]) for e in network["edges"]})
    assert result["positioned"] == size
    for key in ("drawn", "responsive", "longest"):
        record_property(f"{key}_ms[{size}]", round(result[key]))
    print(
        f"\n{size} nodes / {result['edges']} edges: drawn and laid out in "
        f"{result['drawn']:.0f} ms, page responsive after {result['responsive']:.0f} ms, "
        f"longest task {result['longest']:.0f} ms"
    )
    visit.assert_offline()
