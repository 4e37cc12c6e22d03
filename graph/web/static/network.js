// The neighbourhood as a network (cytoscape.js): click a node to expand it, filter by
// relationship kind and by date, double-click to open its page.
import { gql } from "./api.js";
import { h, label, pageUrl, pretty, typeOf } from "./dom.js";

export const NEIGHBOURHOOD = `query Network($id: ID!, $depth: Int!, $limit: Int!) {
  neighbourhood(id: $id, depth: $depth, limit: $limit) {
    truncated
    nodes { __typename id
      ... on Organisation { name country orgKind: kind }
      ... on Person { name }
      ... on Agreement { title signed agreementKind: kind }
      ... on Event { title date }
      ... on Project { title start }
      ... on Dataset { title }
      ... on Source { title } }
    edges { source target type role }
  }
}`;

const COLOURS = {
  Organisation: "#3b6fb6", Person: "#8a5cb8", Agreement: "#d9822b", Event: "#2a9d8f",
  Project: "#c2474f", Dataset: "#6c8a2b", Source: "#888",
};
const SHAPES = {
  Organisation: "ellipse", Person: "ellipse", Agreement: "diamond", Event: "round-triangle",
  Project: "round-rectangle", Dataset: "barrel", Source: "tag",
};
const COUNTRY_COLOURS = { KR: "#1f4e9c", EE: "#0f8b8d" };

function short(text, n = 34) {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}

function nodeData(node) {
  const type = node.__typename || typeOf(node.id);
  return {
    id: node.id, type, full: label(node), label: short(label(node)),
    date: node.signed || node.date || node.start || "",
    colour: (type === "Organisation" && COUNTRY_COLOURS[node.country]) || COLOURS[type] || "#777",
    shape: SHAPES[type] || "ellipse",
    country: node.country || "",
  };
}

function elementsOf(network) {
  const nodes = network.nodes.map((n) => ({ group: "nodes", data: nodeData(n) }));
  const edges = network.edges.map((e) => ({
    group: "edges",
    data: { id: `${e.source}|${e.type}|${e.target}`, source: e.source, target: e.target, type: e.type, role: e.role || "" },
  }));
  return [...nodes, ...edges];
}

const STYLE = [
  { selector: "node", style: {
    "background-color": "data(colour)", shape: "data(shape)", width: 18, height: 18,
    label: "data(label)", "font-size": 9, color: "#222", "text-valign": "bottom", "text-margin-y": 3,
    "text-wrap": "wrap", "text-max-width": 110, "min-zoomed-font-size": 6 } },
  { selector: "node.centre", style: { width: 30, height: 30, "border-width": 3, "border-color": "#111", "font-weight": "bold", "font-size": 11 } },
  { selector: "node.expanded", style: { "border-width": 2, "border-color": "#555" } },
  { selector: "node:selected", style: { "border-width": 3, "border-color": "#f4b400" } },
  { selector: "edge", style: {
    width: 1.2, "line-color": "#b9c0c8", "curve-style": "bezier", "target-arrow-shape": "triangle",
    "target-arrow-color": "#b9c0c8", "arrow-scale": 0.7 } },
  { selector: "edge[type = 'PARTY_TO']", style: { "line-color": "#d9822b", "target-arrow-color": "#d9822b", width: 2 } },
  { selector: "edge[type = 'SIGNED']", style: { "line-style": "dashed" } },
  { selector: ".hidden", style: { display: "none" } },
];

// cose (force-directed) reads best but costs O(n²) a step: past BIG nodes it would hold the
// page for a second or more, so big networks get rings around the centre instead (linear).
const BIG = 100;

function layoutOptions(cy, centre) {
  const count = cy.nodes().length;
  if (count <= BIG) {
    return { name: "cose", animate: false, randomize: false, nodeRepulsion: () => 9000,
      idealEdgeLength: () => 60, numIter: 1000, padding: 20 };
  }
  const hops = new Map();
  const root = centre ? cy.getElementById(centre) : cy.nodes().max((n) => n.degree()).ele;
  cy.elements().bfs({ roots: root, visit: (v, e, u, i, depth) => { hops.set(v.id(), depth); } });
  return { name: "concentric", animate: false, padding: 20, minNodeSpacing: 6, avoidOverlap: false,
    concentric: (n) => 100 - (hops.has(n.id()) ? hops.get(n.id()) : 99), levelWidth: () => 1 };
}

let cytoscapeLoading = null;

// cytoscape.js (served by this app from its npm build), loaded once, on first use.
export function loadCytoscape() {
  if (typeof cytoscape !== "undefined") return Promise.resolve(true);
  if (!cytoscapeLoading) {
    const src = document.querySelector("meta[name=pg-cytoscape]").content;
    cytoscapeLoading = new Promise((resolve) => {
      const script = h("script", { src });
      script.addEventListener("load", () => resolve(true));
      script.addEventListener("error", () => resolve(false));
      document.head.append(script);
    });
  }
  return cytoscapeLoading;
}

// Draws `network` into `container`; returns the controller the page and the tests use.
export function drawNetwork(container, network, { centre = null, onInfo = () => {} } = {}) {
  if (typeof cytoscape === "undefined") {
    container.replaceChildren(h("p", { class: "muted" }, "The network needs cytoscape.js: run `make install` on the server."));
    return null;
  }
  const started = performance.now();
  const big = network.nodes.length > BIG;
  const cy = cytoscape({ container, elements: elementsOf(network), style: STYLE,
    // Big networks pan and zoom on a snapshot: moving stays smooth.
    textureOnViewport: big, hideEdgesOnViewport: big });
  if (centre) cy.getElementById(centre).addClass("centre expanded");
  cy.layout(layoutOptions(cy, centre)).run();
  const ctl = {
    cy, drawMs: performance.now() - started, filters: { types: null, from: "", until: "" },
    merge(more) {
      const fresh = elementsOf(more).filter((el) => cy.getElementById(el.data.id).empty());
      if (!fresh.length) return 0;
      cy.add(fresh);
      ctl.apply();
      cy.layout(layoutOptions(cy, centre)).run();
      container.dispatchEvent(new CustomEvent("changed"));
      return fresh.length;
    },
    async expand(id) {
      const node = cy.getElementById(id);
      if (node.empty() || node.hasClass("expanded")) return 0;
      node.addClass("expanded");
      const data = await gql(NEIGHBOURHOOD, { id, depth: 1, limit: 100 });
      return ctl.merge(data.neighbourhood);
    },
    // Relationship kinds shown (null: all) and the date window; undated nodes always stay.
    apply() {
      const { types, from, until } = ctl.filters;
      cy.batch(() => {
        cy.nodes().forEach((n) => {
          const d = n.data("date");
          const out = d && ((from && d < from) || (until && d > until));
          n.toggleClass("hidden", Boolean(out));
        });
        cy.edges().forEach((e) => e.toggleClass("hidden", Boolean(types && !types.has(e.data("type")))));
        // A node left with no visible edge is hidden too, unless it is the centre.
        cy.nodes().forEach((n) => {
          if (n.hasClass("centre") || n.hasClass("hidden")) return;
          const visible = n.connectedEdges().filter((e) => !e.hasClass("hidden") && !e.source().hasClass("hidden") && !e.target().hasClass("hidden"));
          if (!visible.length && n.connectedEdges().length) n.addClass("hidden");
        });
      });
      container.dispatchEvent(new CustomEvent("changed"));
    },
    visible() {
      return cy.nodes().filter((n) => !n.hasClass("hidden")).map((n) => n.id());
    },
  };
  cy.on("tap", "node", async (ev) => {
    const n = ev.target;
    onInfo(n.data());
    try {
      await ctl.expand(n.id());
    } catch (err) {
      onInfo({ ...n.data(), error: err.message });
    }
  });
  cy.on("dbltap", "node", (ev) => { window.location.assign(pageUrl(ev.target.id())); });
  return ctl;
}

// The network card: controls (relationship kinds, dates), the canvas, and what was clicked.
export function networkCard(id) {
  const canvas = h("div", { class: "network", id: "network" });
  const info = h("div", { class: "net-info muted" }, "Click a node to expand it; double-click to open its page.");
  const kinds = h("div", { class: "kinds" });
  const from = h("input", { type: "date", "aria-label": "from date", name: "from" });
  const until = h("input", { type: "date", "aria-label": "until date", name: "until" });
  const status = h("span", { class: "muted net-status" }, "Loading the network…");
  const card = h("section", { class: "card wide" }, h("h2", {}, "Network"),
    h("div", { class: "net-controls" }, kinds, h("label", {}, "from ", from), h("label", {}, "until ", until), status),
    canvas, info);

  async function load() {
    let data;
    try {
      [data] = await Promise.all([gql(NEIGHBOURHOOD, { id, depth: 2, limit: 150 }), loadCytoscape()]);
    } catch (err) {
      status.textContent = `the network could not be read: ${err.message}`;
      return;
    }
    const ctl = drawNetwork(canvas, data.neighbourhood, {
      centre: id,
      onInfo(d) {
        info.replaceChildren(h("b", {}, d.full), ` (${pretty(d.type)}${d.date ? `, ${d.date}` : ""}) `,
          h("a", { href: pageUrl(d.id) }, "open page"), d.error ? h("span", { class: "error" }, ` ${d.error}`) : null);
      },
    });
    if (!ctl) return;
    window.partnergraphNetwork = ctl;
    const refreshKinds = () => {
      const types = [...new Set(ctl.cy.edges().map((e) => e.data("type")))].sort();
      const shown = ctl.filters.types;
      kinds.replaceChildren(...types.map((t) => h("label", { class: "kind" },
        h("input", { type: "checkbox", value: t, checked: !shown || shown.has(t), onchange: onKinds }), ` ${pretty(t)}`)));
    };
    function onKinds() {
      const boxes = [...kinds.querySelectorAll("input")];
      ctl.filters.types = boxes.every((b) => b.checked) ? null : new Set(boxes.filter((b) => b.checked).map((b) => b.value));
      ctl.apply();
    }
    const onDates = () => { ctl.filters.from = from.value; ctl.filters.until = until.value; ctl.apply(); };
    from.addEventListener("change", onDates);
    until.addEventListener("change", onDates);
    const count = () => {
      const n = ctl.visible().length;
      status.textContent = `${n} node${n === 1 ? "" : "s"} shown${data.neighbourhood.truncated ? " (truncated at 150)" : ""}`;
    };
    canvas.addEventListener("changed", () => { refreshKinds(); count(); });
    refreshKinds();
    count();
    canvas.dataset.ready = "true";
  }
  return { card, load };
}
