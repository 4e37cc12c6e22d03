// Pages for the other kinds of record: agreements, people, projects, events, data sets, sources.
import { CITE } from "./api.js";
import { dateRange, empty, h, nodeLink, pretty, section, sources } from "./dom.js";

const FIELDS = {
  Agreement: `title kind signed status purpose topics validFrom validTo place { city country }
    parties { role organisation { id name country } provenance { ...cite } }
    signatories { title person { id name } onBehalfOf { id name } provenance { ...cite } }
    projects { id title } events { id title date } provenance { ...cite }`,
  Person: `name names { value lang } positions { title start end organisation { id name } provenance { ...cite } }
    signatures { title agreement { id title } onBehalfOf { id name } provenance { ...cite } }
    events { role event { id title date } provenance { ...cite } } provenance { ...cite }`,
  Project: `title kind status start end description topics budget { amount currency } place { city country }
    participants { role organisation { id name country } provenance { ...cite } }
    agreement { id title } partOf { id title } parts { id title } datasets { id title } provenance { ...cite }`,
  Event: `title kind date end place { city country } topics decisions
    participants { role organisation { id name } person { id name } provenance { ...cite } }
    agreements { id title } projects { id title } provenance { ...cite }`,
  Dataset: `title modalities subject individuals coverage country start end topics
    access { rights legalBasis conditions limitations body { id name } } holder { id name }
    projects { id title } provenance { ...cite }`,
  Source: `key title kind publisher url published retrieved`,
};

export function recordQuery(type) {
  const fields = FIELDS[type];
  if (!fields) return null;
  const cite = fields.includes("...cite") ? CITE : "";
  return `query Record($id: ID!) { node(id: $id) { __typename id ... on ${type} { ${fields} } } } ${cite}`;
}

function facts(rows) {
  return h("dl", { class: "facts" }, rows.filter(([, v]) => v !== null && v !== undefined && v !== "" && !(Array.isArray(v) && !v.length))
    .map(([k, v]) => [h("dt", {}, k), h("dd", {}, Array.isArray(v) ? v.join(", ") : v)]));
}

function list(items, render, none) {
  return items && items.length ? h("ul", { class: "facts-list" }, items.map((x) => h("li", {}, render(x)))) : empty(none);
}

const place = (p) => (p ? [p.city, p.country].filter(Boolean).join(", ") : "");
const links = (items) => (items || []).map((x, i) => [i ? ", " : "", nodeLink(x)]);

const RENDER = {
  Agreement: (a) => [
    section("About", facts([["Kind", pretty(a.kind)], ["Signed", a.signed], ["Status", pretty(a.status)],
      ["Valid", dateRange(a.validFrom, a.validTo)], ["Place", place(a.place)], ["Purpose", a.purpose], ["Topics", a.topics],
      ["Projects", links(a.projects)], ["Events", links(a.events)]])),
    section("Parties", list(a.parties, (p) => [nodeLink(p.organisation), p.organisation.country ? ` (${p.organisation.country})` : "", ` · ${p.role}`, sources(p.provenance)], "no parties")),
    section("Signatories", list(a.signatories, (s) => [nodeLink(s.person), s.title ? `, ${s.title}` : "", s.onBehalfOf ? [" for ", nodeLink(s.onBehalfOf)] : "", sources(s.provenance)], "no signatories recorded")),
  ],
  Person: (p) => [
    section("Names", list(p.names, (n) => [h("span", { lang: n.lang || null }, n.value), n.lang ? h("span", { class: "tag" }, n.lang) : null], "")),
    section("Positions", list(p.positions, (x) => [x.title, " at ", nodeLink(x.organisation), x.start || x.end ? ` (${dateRange(x.start, x.end)})` : "", sources(x.provenance)], "no positions")),
    section("Signatures", list(p.signatures, (s) => [nodeLink(s.agreement), s.onBehalfOf ? [" for ", nodeLink(s.onBehalfOf)] : "", sources(s.provenance)], "no signatures")),
    section("Events", list(p.events, (e) => [`${e.event.date} `, nodeLink(e.event), e.role ? ` · ${e.role}` : "", sources(e.provenance)], "no events")),
  ],
  Project: (p) => [
    section("About", facts([["Kind", pretty(p.kind)], ["Status", pretty(p.status)], ["Period", dateRange(p.start, p.end)],
      ["Budget", p.budget ? `${p.budget.amount.toLocaleString("en")} ${p.budget.currency}` : ""], ["Place", place(p.place)],
      ["Description", p.description], ["Topics", p.topics], ["Under", nodeLink(p.agreement)], ["Part of", nodeLink(p.partOf)],
      ["Parts", links(p.parts)], ["Data sets", links(p.datasets)]])),
    section("Participants", list(p.participants, (x) => [nodeLink(x.organisation), ` · ${x.role}`, sources(x.provenance)], "no participants")),
  ],
  Event: (e) => [
    section("About", facts([["Kind", pretty(e.kind)], ["Date", e.end ? dateRange(e.date, e.end) : e.date], ["Place", place(e.place)],
      ["Topics", e.topics], ["Agreements", links(e.agreements)], ["Projects", links(e.projects)]])),
    e.decisions.length ? section("Decisions", list(e.decisions, (d) => d, "")) : null,
    section("Participants", list(e.participants, (x) => [nodeLink(x.organisation || x.person), x.role ? ` · ${x.role}` : "", sources(x.provenance)], "no participants")),
  ],
  Dataset: (d) => [
    section("About", facts([["Holder", nodeLink(d.holder)], ["Modalities", d.modalities.map(pretty)], ["Subject", d.subject],
      ["Individuals", d.individuals ? d.individuals.toLocaleString("en") : ""], ["Coverage", d.coverage], ["Country", d.country],
      ["Period", dateRange(d.start, d.end)], ["Topics", d.topics], ["Projects", links(d.projects)]])),
    section("Access", facts([["Rights", pretty(d.access.rights)], ["Legal basis", d.access.legalBasis], ["Conditions", d.access.conditions],
      ["Limitations", d.access.limitations], ["Body", nodeLink(d.access.body)]])),
  ],
  Source: (s) => [
    section("About", facts([["Kind", pretty(s.kind)], ["Publisher", s.publisher], ["Published", s.published], ["Retrieved", s.retrieved],
      ["Link", s.url ? h("a", { href: s.url, rel: "noopener noreferrer", target: "_blank", class: "ext" }, s.url) : ""]])),
  ],
};

export function renderRecord(main, node) {
  const type = node.__typename;
  const title = node.title || node.name || node.id;
  document.title = `${title} · partnergraph`;
  main.replaceChildren(
    h("div", { class: "title" }, h("span", { class: `dot t-${type} big` }), h("h1", {}, title),
      h("span", { class: "muted" }, type), node.provenance ? sources(node.provenance) : null),
    h("div", { class: "grid two" }, RENDER[type](node)),
  );
  main.dataset.page = type.toLowerCase();
}
