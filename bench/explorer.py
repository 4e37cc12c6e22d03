"""`python -m bench.explorer`: the explorer in headless Chromium against `partnergraph serve` with
the seeds loaded, each figure side by side (ABBA) with a baseline of the same work without the
page.

- Start page usable (the search box mounted, the organisations and the timeline drawn) and an
  organisation page fully drawn (facts, network, partner suggestions, timeline), in milliseconds
  since navigation by the page's own clock; baseline: the same HTML and the same GraphQL
  requests the page made (recorded from it), sent from Python over HTTP on a fresh connection, the
  first alone and the rest together as the page sends them. The ratio is what the page adds to
  the data: its modules, CSS, cytoscape.js, parsing and drawing.
- A network of N nodes (200) drawn by the page's own `drawNetwork` (its style and layout), against
  cytoscape.js drawing the same elements with its default style and a grid layout (no layout
  work); with the longest task (PerformanceObserver 'longtask') and the longest gap between
  frames while drawing.

Every visit is a fresh browser context (no cache, no open connection: a first visit); Chromium
itself is started once. Goals (reported, not asserted): the start page usable within 1 s; the
network drawn without freezing. Skipped with a message where no Chromium or Playwright exists.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx2 as httpx

from bench import datasets, report, servers
from bench.report import Figure, Results
from bench.timing import Deadline, Summary, interleaved, ratios
from graph.cypher import schema as cypher_schema
from graph.ingest.write import load
from graph.store import Store
from tests.browser.chromium import CHROMIUM_ARGS, NO_CHROMIUM, chromium_path

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page

ORGANISATION = "Organisation:gangwon-technopark"
GOAL_USABLE_MS = 1000.0
# RAIL's budget for answering input: a longer task is a moment the page cannot respond.
RESPONSE_BUDGET_MS = 100.0
TIMEOUT_MS = 60_000  # a loaded 2-core machine: the bound of a stuck run, not a speed goal

# Installed before the page's own scripts: when each milestone is first reached (ms since
# navigation, the page's clock), and every long task. The search box is usable once app.js has
# mounted it, which is when it sets `window.partnergraph`.
INSTRUMENT = """
(() => {
  const t = (window.__bench = { marks: {}, longtasks: [] });
  const milestones = {
    home: ["main[data-page=home]"],
    facts: ["main[data-page=organisation]"],
    drawn: ["main[data-page=organisation]", "#network[data-ready=true]",
            "#partners li", "#timeline li"],
  };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) t.longtasks.push(e.duration);
  }).observe({ type: "longtask", buffered: true });
  let api;
  Object.defineProperty(window, "partnergraph", {
    configurable: true, get: () => api,
    set: (v) => { api = v; if (!("search" in t.marks)) t.marks.search = performance.now(); },
  });
  const check = () => {
    for (const [name, selectors] of Object.entries(milestones)) {
      if (!(name in t.marks) && selectors.every((s) => document.querySelector(s))) {
        t.marks[name] = performance.now();
      }
    }
  };
  new MutationObserver(check)
    .observe(document, { subtree: true, childList: true, attributes: true });
})();
"""

# A synthetic neighbourhood in the API's own shape (Network): n nodes of five types, 2n edges.
SYNTHETIC = """(n) => {
  const kinds = ["Organisation", "Agreement", "Event", "Project", "Person"];
  const nodes = [], edges = [];
  for (let i = 0; i < n; i++) {
    const type = kinds[i % kinds.length];
    nodes.push({ __typename: type, id: `${type}:n${i}`, name: `Node ${i}`, title: `Node ${i}`,
                 country: i % 2 ? "EE" : "KR",
                 signed: type === "Agreement" ? "2024-06-04" : null });
  }
  for (let i = 1; i < n; i++) {
    const a = nodes[i].id, b = nodes[Math.floor(i / 3)].id, c = nodes[(i * 7) % n].id;
    edges.push({ source: a, target: b, type: "PARTY_TO", role: null });
    if (a !== c) edges.push({ source: a, target: c, type: "PARTICIPATED_IN", role: null });
  }
  return { nodes, edges, truncated: false };
}"""

# One draw, timed in the page: until the next frame has been painted and a task has run after
# it (the page answers input again), with the long tasks and the longest frame gap meanwhile.
DRAW = """async ([network, bare]) => {
  await window.partnergraph.loadCytoscape();
  const box = document.createElement("div");
  box.style.cssText = "width: 1200px; height: 700px";
  document.body.append(box);
  const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
  const longtasks = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) longtasks.push(e.duration);
  });
  observer.observe({ type: "longtask" });
  let gap = 0, last = await frame(), running = true;
  (async () => {
    while (running) { const now = await frame(); gap = Math.max(gap, now - last); last = now; }
  })();
  await frame();
  const t0 = performance.now();
  let cy;
  if (bare) {
    const elements = [
      ...network.nodes.map((n) => ({ group: "nodes", data: { id: n.id } })),
      ...network.edges.map((e) => ({ group: "edges",
        data: { id: `${e.source}|${e.type}|${e.target}`, source: e.source, target: e.target } })),
    ];
    cy = cytoscape({ container: box, elements, layout: { name: "grid" } });
  } else {
    cy = window.partnergraph.drawNetwork(box, network, { centre: network.nodes[0].id }).cy;
  }
  const drawn = performance.now() - t0;
  await frame();
  await new Promise((resolve) => setTimeout(resolve, 0));
  const responsive = performance.now() - t0;
  // Some frames after: a freeze that comes late (a deferred layout step) would show here.
  for (let i = 0; i < 10; i++) await frame();
  running = false;
  observer.takeRecords().forEach((e) => longtasks.push(e.duration));
  observer.disconnect();
  const result = { drawn, responsive, longest: Math.max(0, ...longtasks), gap,
                   nodes: cy.nodes().length, edges: cy.edges().length };
  cy.destroy();
  box.remove();
  return result;
}"""


@dataclass(slots=True)
class Visit:
    """What one page visit measured: milestones (ms since navigation) and its long tasks."""

    marks: dict[str, float]
    longtasks: list[float]
    graphql: list[str] = field(default_factory=list)  # the bodies the page POSTed, in order

    @property
    def longest(self) -> float:
        return max(self.longtasks, default=0.0)


async def visit(browser: Browser, url: str, until: str) -> Visit:
    """A first visit in a fresh context, until milestone `until` is reached."""
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        await context.add_init_script(INSTRUMENT)
        page = await context.new_page()
        bodies: list[str] = []
        page.on(
            "request",
            lambda r: bodies.append(r.post_data or "") if r.url.endswith("/graphql") else None,
        )
        await page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
        await page.wait_for_function(
            f"() => window.__bench && '{until}' in window.__bench.marks", timeout=TIMEOUT_MS
        )
        raw: dict[str, Any] = await page.evaluate("window.__bench")
        return Visit(dict(raw["marks"]), list(raw["longtasks"]), bodies)
    finally:
        await context.close()


async def replay(base: str, path: str, bodies: Sequence[str]) -> float:
    """The page's requests from Python on a fresh connection: the HTML, the first GraphQL
    request, then the others together (the page sends them once the first has answered)."""
    headers = {"Content-Type": "application/json", "Accept": "application/graphql-response+json"}
    async with httpx.AsyncClient(base_url=base, timeout=30.0) as client:

        async def post(body: str) -> None:
            response = await client.post("/graphql", content=body, headers=headers)
            response.raise_for_status()
            if response.json().get("errors"):
                raise RuntimeError(f"the replayed request failed: {response.text[:300]}")

        began = time.perf_counter()
        (await client.get(path)).raise_for_status()
        first, *rest = bodies
        await post(first)
        await asyncio.gather(*(post(body) for body in rest))
        return time.perf_counter() - began


async def page_figure(
    browser: Browser,
    base: str,
    path: str,
    until: str,
    runs: int,
    name: str,
) -> tuple[Figure, list[Visit]]:
    warm = await visit(browser, base + path, until)  # plans, caches and the server's JIT warm
    if not warm.graphql:
        raise RuntimeError(f"{path}: the page made no GraphQL request")
    visits: list[Visit] = []

    async def page(_: int) -> float:
        visits.append(await visit(browser, base + path, until))
        return visits[-1].marks[until] / 1000

    async def data(_: int) -> float:
        return await replay(base, path, warm.graphql)

    times_a, times_b = await interleaved(page, data, runs, Deadline(300))
    figure = Figure(
        "explorer",
        name,
        "ms",
        value=Summary.of([t * 1000 for t in times_a]),
        baseline=Summary.of([t * 1000 for t in times_b]),
        ratio=Summary.of(ratios(times_a, times_b)),
        note=f"baseline: the HTML and the page's {len(warm.graphql)} GraphQL request(s) from "
        f"Python; longest task {_ms(Summary.of([v.longest for v in visits]))}",
    )
    return figure, visits


async def network_figure(browser: Browser, base: str, nodes: int, runs: int) -> Figure:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page: Page = await context.new_page()
        await page.goto(f"{base}/explore", timeout=TIMEOUT_MS)
        await page.wait_for_selector("main[data-page=home]", timeout=TIMEOUT_MS)
        network = await page.evaluate(SYNTHETIC, nodes)
        drawn: dict[bool, list[dict[str, float]]] = {False: [], True: []}

        async def draw(bare: bool) -> float:
            result: dict[str, float] = await page.evaluate(DRAW, [network, bare])
            if result["nodes"] != nodes:
                raise RuntimeError(f"drew {result['nodes']} nodes of {nodes}")
            drawn[bare].append(result)
            return result["responsive"] / 1000

        await draw(False)  # cytoscape.js loaded and compiled, for both sides
        await draw(True)
        for kept in drawn.values():
            kept.clear()
        times_a, times_b = await interleaved(
            lambda _: draw(False), lambda _: draw(True), runs, Deadline(300)
        )
    finally:
        await context.close()
    page_runs, bare_runs = drawn[False], drawn[True]
    longest = Summary.of([r["longest"] for r in page_runs])
    gap = Summary.of([r["gap"] for r in page_runs])
    frozen = "within" if gap.median <= RESPONSE_BUDGET_MS else "over"
    return Figure(
        "explorer",
        f"{nodes}-node network drawn, until the page answers again",
        "ms",
        value=Summary.of([t * 1000 for t in times_a]),
        baseline=Summary.of([t * 1000 for t in times_b]),
        ratio=Summary.of(ratios(times_a, times_b)),
        note=f"{page_runs[0]['edges']:.0f} edges; baseline: cytoscape.js, default style, grid "
        f"layout; the page's draw: {_ms(Summary.of([r['drawn'] for r in page_runs]))} in "
        f"drawNetwork itself, longest task {_ms(longest)}, longest frame gap {_ms(gap)} "
        f"({frozen} the {RESPONSE_BUDGET_MS:.0f} ms response budget); the baseline's longest "
        f"frame gap {_ms(Summary.of([r['gap'] for r in bare_runs]))}",
    )


def _ms(s: Summary) -> str:
    return f"{s.median:.0f} ms [{s.min:.0f}-{s.max:.0f}]"


async def _measure(browser: Browser, base: str, args: argparse.Namespace, out: Results) -> None:
    start, visits = await page_figure(
        browser, base, "/explore", "home", args.runs, "start page usable (since navigation)"
    )
    search = Summary.of([v.marks["search"] for v in visits])
    usable = start.value.median if start.value else float("inf")
    start.note += (
        f"; search box ready at {_ms(search)}; goal: usable within {GOAL_USABLE_MS:.0f} ms: "
        f"{'met' if usable <= GOAL_USABLE_MS else 'NOT met'} (median)"
    )
    out.figures.append(start)
    organisation, visits = await page_figure(
        browser,
        base,
        f"/explore/{ORGANISATION}",
        "drawn",
        args.runs,
        "organisation page fully drawn (since navigation)",
    )
    facts = Summary.of([v.marks["facts"] for v in visits])
    organisation.note += f"; {ORGANISATION}; its facts shown at {_ms(facts)}"
    out.figures.append(organisation)
    out.figures.append(await network_figure(browser, base, args.nodes, args.runs))


async def _browse(base: str, executable: str, args: argparse.Namespace, out: Results) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        out.machine["chromium"] = browser.version
        try:
            await _measure(browser, base, args, out)
        finally:
            await browser.close()


async def _load_seeds(db: servers.Neo4j, args: argparse.Namespace, out: Results) -> None:
    store = await Store.open(db.target)
    try:
        await datasets.check_wipeable(store, db, allow_external=args.wipe_external)
        await datasets.wipe(store)
        await store.setup_schema()
        await load(datasets.parse(datasets.SEEDS), store)
        counts = (await store.read(cypher_schema.STATS))[0]
        out.notes.append(
            f"seed graph: {counts['nodes']:,} nodes, {counts['relationships']:,} relationships"
        )
    finally:
        await store.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.explorer", description=__doc__)
    parser.add_argument("--runs", type=int, default=7, help="page/baseline pairs per figure")
    parser.add_argument("--nodes", type=int, default=200, help="nodes of the drawn network")
    parser.add_argument("--bolt-port", type=int, default=servers.DEFAULT_BOLT_PORT)
    parser.add_argument("--wipe-external", action="store_true")
    args = parser.parse_args(argv)
    executable = chromium_path()
    if executable is None:
        print(f"skipped: {NO_CHROMIUM}")
        return 0
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        print("skipped: playwright is not installed: `pip install -e '.[dev]'`")
        return 0
    out = Results(command=["python", "-m", "bench.explorer", *(argv or sys.argv[1:])])
    out.machine = report.machine()
    with servers.neo4j(args.bolt_port) as db:
        asyncio.run(_load_seeds(db, args, out))
        with servers.api_server(db.target, servers.BENCH_HOME / "api-explorer.log") as api:
            base = api.url.removesuffix("/graphql")
            asyncio.run(_browse(base, executable, args, out))
    out.machine["loadavg_end"] = os.getloadavg()
    report.publish(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
