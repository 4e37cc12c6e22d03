// The organisation page: who it is, its names and identifiers, people, agreements, data sets,
// projects (each fact with its sources), then its network, partner suggestions and timeline.
import { CITE, gql } from "./api.js";
import { dateRange, empty, h, nodeLink, pageUrl, pretty, section, sources } from "./dom.js";
import { networkCard } from "./network.js";
import { searchBox, mountSearch } from "./search.js";

export const ORGANISATION = `query Organisation($id: ID!) {
  node(id: $id) { __typename id
    ... on Organisation {
      name kind status country city region established website email description topics sectors
      ror wikidata isni grid fundref registryCode pic
      names { value lang types }
      provenance { ...cite }
      people { title start end person { id name } provenance { ...cite } }
      agreements { role provenance { ...cite }
        agreement { id title kind signed status purpose topics
          parties { role organisation { id name country } }
          signatories { title person { id name } onBehalfOf { id name } provenance { ...cite } } } }
      datasets { id title modalities individuals coverage access { rights } provenance { ...cite } }
      projects { role start end contribution contributionCurrency provenance { ...cite }
        project { id title acronym kind status start end programme } }
      events { role provenance { ...cite } event { id title kind date } }
      parents { ...link } children { ...link } related { ...link } founders { ...link }
      founded { ...link } successors { ...link } predecessors { ...link }
    }
  }
}
fragment link on OrganisationLink { start end organisation { id name country } provenance { ...cite } }
${CITE}`;

const PARTNERS = `query Partners($id: ID!) {
  partners(organisation: $id, first: 10) { score distance reasons organisation { id name country kind } }
}`;

const TIMELINE = `query Timeline($id: ID!) {
  timeline(organisation: $id, first: 100) { date kind title node { id } }
}`;

const IDENTIFIERS = [
  ["ror", "ROR", (v) => (v.startsWith("http") ? v : `https://ror.org/${v}`)],
  ["wikidata", "Wikidata", (v) => `https://www.wikidata.org/wiki/${v}`],
  ["isni", "ISNI", null], ["grid", "GRID", null], ["fundref", "FundRef", null],
  ["registryCode", "Registry code", null], ["pic", "PIC (EU)", null],
];

function facts(org) {
  const rows = [
    ["Kind", pretty(org.kind)], ["Status", pretty(org.status)], ["Country", org.country],
    ["City", [org.city, org.region].filter(Boolean).join(", ")], ["Established", org.established],
    ["Website", org.website && h("a", { href: org.website, rel: "noopener noreferrer", target: "_blank", class: "ext" }, org.website)],
    ["Email", org.email && h("a", { href: `mailto:${org.email}` }, org.email)],
    ["Topics", org.topics.join(", ")], ["Sectors", org.sectors.join(", ")],
  ];
  return h("dl", { class: "facts" }, rows.filter(([, v]) => v !== null && v !== undefined && v !== "")
    .map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}

function names(org) {
  return h("ul", { class: "names" }, org.names.map((n) => h("li", {},
    h("span", { lang: n.lang || null }, n.value), n.lang ? h("span", { class: "tag" }, n.lang) : null,
    n.types.map((t) => h("span", { class: "tag light" }, t.toLowerCase())))));
}

function identifiers(org) {
  const items = IDENTIFIERS.filter(([key]) => org[key]).map(([key, name, url]) => h("li", {},
    h("b", {}, `${name}: `), url ? h("a", { href: url(org[key]), rel: "noopener noreferrer", target: "_blank", class: "ext" }, org[key]) : org[key]));
  return items.length ? h("ul", { class: "plain" }, items) : empty("no external identifiers");
}

function people(org) {
  if (!org.people.length) return empty("no people recorded");
  return h("ul", { class: "facts-list" }, org.people.map((p) => h("li", {},
    nodeLink(p.person), `, ${p.title}`, p.start || p.end ? h("span", { class: "muted" }, ` (${dateRange(p.start, p.end)})`) : null,
    sources(p.provenance))));
}

function agreements(org) {
  if (!org.agreements.length) return empty("no agreements recorded");
  return h("ul", { class: "facts-list" }, org.agreements.map(({ agreement: a, role, provenance }) => h("li", { class: "agreement" },
    h("div", {}, h("span", { class: "tag" }, pretty(a.kind)), " ", nodeLink(a),
      h("span", { class: "muted" }, ` signed ${a.signed || "?"} · ${pretty(a.status)} · as ${role}`)),
    a.purpose ? h("p", { class: "purpose" }, a.purpose) : null,
    h("div", {}, h("b", {}, "Parties: "), a.parties.map((p, i) => [i ? ", " : "", nodeLink(p.organisation),
      p.organisation.country ? ` (${p.organisation.country})` : ""])),
    a.signatories.length ? h("div", {}, h("b", {}, "Signed by: "), a.signatories.map((s, i) => [i ? "; " : "",
      nodeLink(s.person), s.title ? `, ${s.title}` : "", s.onBehalfOf ? [" for ", nodeLink(s.onBehalfOf)] : ""])) : null,
    sources(provenance))));
}

function datasets(org) {
  if (!org.datasets.length) return empty("no data sets held");
  return h("ul", { class: "facts-list" }, org.datasets.map((d) => h("li", {},
    nodeLink(d), h("span", { class: "muted" }, ` ${d.modalities.join(", ").toLowerCase()}${d.individuals ? ` · ${d.individuals.toLocaleString("en")} individuals` : ""} · access ${pretty(d.access.rights) || "unknown"}`),
    sources(d.provenance))));
}

// The funder's contribution to this organisation, as CORDIS states it (absent elsewhere).
function funding(contribution, currency) {
  return contribution != null ? ` · ${contribution.toLocaleString("en")} ${currency || ""} funding` : "";
}

function projects(org) {
  if (!org.projects.length) return empty("no projects recorded");
  return h("ul", { class: "facts-list" }, org.projects.map(({ project: p, role, contribution, contributionCurrency, provenance }) => h("li", {},
    h("span", { class: "tag" }, pretty(p.kind)), " ", p.acronym ? `${p.acronym}: ` : "", nodeLink(p),
    h("span", { class: "muted" }, ` · ${role}${funding(contribution, contributionCurrency)} · ${pretty(p.status)}${p.programme ? ` · ${p.programme}` : ""}${p.start ? ` · from ${p.start}` : ""}`), sources(provenance))));
}

function events(org) {
  if (!org.events.length) return null;
  return section("Events", h("ul", { class: "facts-list" }, org.events.map(({ event: e, role, provenance }) => h("li", {},
    h("span", { class: "muted" }, `${e.date} `), nodeLink(e), h("span", { class: "muted" }, ` · ${pretty(e.kind)}${role ? ` · ${role}` : ""}`), sources(provenance)))));
}

function relations(org) {
  const kinds = [["parents", "Part of"], ["children", "Has part"], ["founders", "Founded by"], ["founded", "Founded"],
    ["related", "Related"], ["predecessors", "Predecessor"], ["successors", "Successor"]];
  const items = kinds.flatMap(([key, name]) => org[key].map((l) => h("li", {}, h("b", {}, `${name}: `), nodeLink(l.organisation),
    l.start || l.end ? h("span", { class: "muted" }, ` (${dateRange(l.start, l.end)})`) : null, sources(l.provenance))));
  return items.length ? section("Related organisations", h("ul", { class: "facts-list" }, items)) : null;
}

async function partnersCard(id, card) {
  try {
    const { partners } = await gql(PARTNERS, { id });
    card.append(partners.length ? h("ol", { class: "partners" }, partners.map((p) => h("li", {},
      nodeLink(p.organisation), h("span", { class: "muted" }, ` ${[pretty(p.organisation.kind), p.organisation.country].filter(Boolean).join(" · ")} · score ${p.score}`),
      h("ul", { class: "reasons" }, p.reasons.map((r) => h("li", {}, r)))))) : empty("no suggestions"));
  } catch (err) {
    card.append(h("p", { class: "error" }, `partner suggestions could not be read: ${err.message}`));
  }
}

async function timelineCard(id, card) {
  try {
    const { timeline } = await gql(TIMELINE, { id });
    card.append(timeline.length ? h("ol", { class: "timeline" }, timeline.map((t) => h("li", {},
      h("time", {}, t.date), h("span", { class: `tag k-${t.kind}` }, pretty(t.kind)), " ",
      h("a", { href: pageUrl(t.node.id) }, t.title)))) : empty("nothing dated"));
  } catch (err) {
    card.append(h("p", { class: "error" }, `the timeline could not be read: ${err.message}`));
  }
}

function pathCard(org) {
  const box = searchBox("Another organisation…");
  const card = section("Path to another organisation", h("p", { class: "muted" }, `How is ${org.name} connected to…`), box);
  mountSearch(box, (other) => {
    window.location.assign(`/explore/path?from=${encodeURIComponent(org.id)}&to=${encodeURIComponent(other.id)}`);
  }, { kinds: ["ORGANISATION"] });
  return card;
}

export function renderOrganisation(main, org) {
  document.title = `${org.name} · partnergraph`;
  const net = networkCard(org.id);
  const partners = section("Partner suggestions");
  partners.id = "partners";
  const timeline = section("Timeline");
  timeline.id = "timeline";
  main.replaceChildren(
    h("div", { class: "title" }, h("span", { class: "dot t-Organisation big" }), h("h1", {}, org.name),
      h("span", { class: "muted" }, [pretty(org.kind), org.country].filter(Boolean).join(" · ")), sources(org.provenance)),
    org.description ? h("p", { class: "lead" }, org.description) : null,
    h("div", { class: "grid" },
      section("About", facts(org)), section("Names", names(org)), section("Identifiers", identifiers(org)),
      section("People", people(org))),
    h("div", { class: "grid two" }, section("Agreements", agreements(org)), h("div", {},
      section("Data sets", datasets(org)), section("Projects", projects(org)), events(org), relations(org))),
    net.card,
    h("div", { class: "grid two" }, partners, timeline),
    pathCard(org),
  );
  main.dataset.page = "organisation";
  // The facts above are the page's first use; the rest fill in as their queries answer.
  net.load();
  partnersCard(org.id, partners);
  timelineCard(org.id, timeline);
}
