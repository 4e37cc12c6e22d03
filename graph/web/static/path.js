// The path page: the shortest connections between two organisations, step by step, with sources.
import { CITE, gql } from "./api.js";
import { empty, h, nodeLink, pretty, section, sources } from "./dom.js";
import { mountSearch, searchBox } from "./search.js";

const PATH = `query Path($source: ID!, $target: ID!) {
  path(source: $source, target: $target, maxHops: 6, first: 5) {
    length
    steps { via outgoing role provenance { ...cite }
      node { __typename id ... on Organisation { name country } ... on Person { name } ... on Agreement { title }
        ... on Event { title } ... on Project { title } ... on Dataset { title } ... on Source { title } } }
  }
  from: node(id: $source) { id ... on Organisation { name } }
  to: node(id: $target) { id ... on Organisation { name } }
}
${CITE}`;

function picker(labelText, current, onPick) {
  const box = searchBox("Search an organisation…");
  const input = box.querySelector("input");
  if (current) input.value = current;
  mountSearch(box, (node) => { input.value = node.name; onPick(node); }, { kinds: ["ORGANISATION"] });
  return h("label", { class: "picker" }, h("span", {}, labelText), box);
}

function chain(path) {
  return h("ol", { class: "chain" }, path.steps.map((s, i) => h("li", {},
    i ? h("span", { class: "via" }, `${s.outgoing ? "→" : "←"} ${pretty(s.via)}${s.role ? ` (${s.role})` : ""} `, sources(s.provenance)) : null,
    h("span", { class: `dot t-${s.node.__typename}` }), nodeLink(s.node))));
}

export async function renderPath(main, params) {
  document.title = "Path · partnergraph";
  const chosen = { from: params.get("from"), to: params.get("to") };
  const out = h("div", { id: "path-result" });
  const go = () => {
    if (chosen.from && chosen.to) window.location.assign(`/explore/path?from=${encodeURIComponent(chosen.from)}&to=${encodeURIComponent(chosen.to)}`);
  };
  main.replaceChildren(h("h1", {}, "Path between two organisations"),
    section("Between", h("div", { class: "pickers" },
      picker("From", null, (n) => { chosen.from = n.id; go(); }),
      picker("To", null, (n) => { chosen.to = n.id; go(); }))), out);
  main.dataset.page = "path";
  if (!chosen.from || !chosen.to) {
    out.append(empty("Pick two organisations."));
    return;
  }
  let data;
  try {
    data = await gql(PATH, { source: chosen.from, target: chosen.to });
  } catch (err) {
    out.append(h("p", { class: "error not-found" }, `Not found: ${err.message}`));
    return;
  }
  const inputs = main.querySelectorAll(".picker input");
  inputs[0].value = data.from ? data.from.name || data.from.id : chosen.from;
  inputs[1].value = data.to ? data.to.name || data.to.id : chosen.to;
  if (!data.from || !data.to) {
    const which = !data.from ? chosen.from : chosen.to;
    out.append(h("div", { class: "card not-found" }, h("h2", {}, "Not found"), h("p", {}, `Nothing in the graph has the id “${which}”.`)));
    return;
  }
  out.append(section(`${data.path.length} shortest path${data.path.length === 1 ? "" : "s"}`,
    data.path.length ? data.path.map((p) => h("div", { class: "path" }, h("p", { class: "muted" }, `${p.length} hop${p.length === 1 ? "" : "s"}`), chain(p)))
      : empty("No connection within 6 hops.")));
  out.dataset.ready = "true";
}
