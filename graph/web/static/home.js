// The start page: the search, every organisation by country, and the Korea–Estonia timeline.
import { gql } from "./api.js";
import { empty, h, nodeLink, pageUrl, pretty, section } from "./dom.js";

const HOME = `query Home {
  stats { nodes relationships incompleteLoads }
  organisations(first: 100, orderBy: {field: NAME}) {
    totalCount
    edges { node { id name country kind names { value lang } } }
  }
  timeline(countries: ["EE", "KR"], first: 30) { date kind title node { id } }
}`;

export async function renderHome(main) {
  document.title = "partnergraph explorer";
  const data = await gql(HOME);
  const byCountry = new Map();
  for (const { node } of data.organisations.edges) {
    const key = node.country || "—";
    if (!byCountry.has(key)) byCountry.set(key, []);
    byCountry.get(key).push(node);
  }
  const groups = [...byCountry.entries()].sort(([a], [b]) => a.localeCompare(b));
  const incomplete = data.stats.incompleteLoads;
  main.replaceChildren(
    ...(incomplete.length ? [h("p", { class: "warning", role: "alert" },
      `Incomplete load: ${incomplete.join(", ")}. The graph holds part of it until it is loaded again.`)] : []),
    h("p", { class: "lead" }, `${data.stats.nodes} records and ${data.stats.relationships} relationships, each with its sources. `,
      "Search above, or pick an organisation."),
    h("div", { class: "grid two" },
      section(`Organisations (${data.organisations.totalCount})`, groups.map(([country, orgs]) => h("div", { class: "country" },
        h("h3", {}, country), h("ul", { class: "orgs" }, orgs.map((o) => h("li", {}, nodeLink(o),
          h("span", { class: "muted" }, ` ${pretty(o.kind)}`), h("span", { class: "alt" }, ` ${o.names.filter((n) => n.lang && n.lang !== "en" && n.value !== o.name).map((n) => n.value).slice(0, 1).join("")}`))))))),
      section("Korea–Estonia timeline", data.timeline.length ? h("ol", { class: "timeline" }, data.timeline.map((t) => h("li", {},
        h("time", {}, t.date), h("span", { class: `tag k-${t.kind}` }, pretty(t.kind)), " ", h("a", { href: pageUrl(t.node.id) }, t.title))))
        : empty("nothing dated yet"))),
  );
  main.dataset.page = "home";
}
