// Small DOM helpers: elements from data (text nodes only, never HTML from the API), links, sources.

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function pageUrl(id) {
  return `/explore/${encodeURIComponent(id)}`;
}

export function nodeLink(node, text) {
  if (!node) return null;
  return h("a", { href: pageUrl(node.id) }, text || label(node));
}

export function label(node) {
  return node.name || node.title || node.id;
}

export function typeOf(id) {
  return String(id).split(":")[0];
}

export function pretty(enumValue) {
  if (!enumValue) return "";
  const s = String(enumValue).toLowerCase().replace(/_/g, " ");
  return s === "mou" ? "MoU" : s;
}

// The citations of a fact: each source by title, linked to the document when it has a URL,
// with where in it and whether it was checked.
export function sources(provenance) {
  if (!provenance || !provenance.length) return h("span", { class: "src none" }, "no source");
  const seen = new Set();
  const items = [];
  for (const c of provenance) {
    const key = `${c.source && c.source.id}|${c.where}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const s = c.source;
    const title = s ? s.title : c.origin;
    const titleEl = s && s.url
      ? h("a", { href: s.url, rel: "noopener noreferrer", target: "_blank", class: "ext" }, title)
      : s ? h("a", { href: pageUrl(s.id) }, title) : title;
    items.push(h("li", {}, titleEl, c.where ? h("span", { class: "where" }, ` — ${c.where}`) : null,
      c.verified ? null : h("span", { class: "unverified", title: "not verified" }, " (unverified)")));
  }
  return h("details", { class: "src" }, h("summary", {}, `${items.length} source${items.length > 1 ? "s" : ""}`), h("ul", {}, items));
}

export function section(title, ...body) {
  return h("section", { class: "card" }, h("h2", {}, title), ...body);
}

export function empty(text) {
  return h("p", { class: "muted" }, text);
}

export function dateRange(start, end) {
  if (!start && !end) return "";
  return `${start || "…"} – ${end || "…"}`;
}
