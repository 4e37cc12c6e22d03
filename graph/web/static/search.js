// The search box: the API's full-text search over every name and alias, as the user types.
import { gql } from "./api.js";
import { h, pretty, typeOf } from "./dom.js";

const SEARCH = `query Search($text: String!, $kinds: [SearchKind!]) {
  search(text: $text, kinds: $kinds, first: 10) {
    edges { score node { __typename id
      ... on Organisation { name kind country names { value lang } }
      ... on Person { name names { value lang } } } }
  }
}`;

// Other spellings of a name (Hangul, Estonian) shown beside it, so the match is visible.
function otherNames(node) {
  const seen = new Set([node.name]);
  const out = [];
  for (const n of node.names || []) {
    if (!seen.has(n.value)) {
      seen.add(n.value);
      out.push(n.value);
    }
  }
  return out.slice(0, 3).join(" · ");
}

// Mounts a search box on `root` (an element holding an <input> and a <ul class="results">);
// onPick(node) runs for the chosen result.
export function mountSearch(root, onPick, { kinds = null } = {}) {
  const input = root.querySelector("input");
  const list = root.querySelector(".results");
  let results = [];
  let active = -1;
  let timer = null;
  let asked = 0;

  function render() {
    list.replaceChildren(...results.map((node, i) => h("li", {
      role: "option", class: i === active ? "active" : null, "data-id": node.id,
      onmousedown: (ev) => { ev.preventDefault(); pick(i); },
    },
    h("span", { class: `dot t-${typeOf(node.id)}` }),
    h("span", { class: "name" }, node.name),
    h("span", { class: "meta" }, [node.kind ? pretty(node.kind) : "person", node.country].filter(Boolean).join(" · ")),
    h("span", { class: "alt" }, otherNames(node)))));
    if (!results.length && input.value.trim()) list.replaceChildren(h("li", { class: "none" }, "no match"));
    list.hidden = !input.value.trim() || document.activeElement !== input;
  }

  function pick(i) {
    const node = results[i];
    if (!node) return;
    list.hidden = true;
    onPick(node, input);
  }

  async function ask() {
    const text = input.value.trim();
    const mine = ++asked;
    if (!text) { results = []; render(); return; }
    try {
      const data = await gql(SEARCH, { text, kinds });
      if (mine !== asked) return; // a newer keystroke has asked since
      results = data.search.edges.map((e) => e.node);
    } catch (err) {
      results = [];
    }
    active = results.length ? 0 : -1;
    render();
    root.dispatchEvent(new CustomEvent("results", { detail: results }));
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(ask, 120);
  });
  input.addEventListener("focus", render);
  input.addEventListener("blur", () => { list.hidden = true; });
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      ev.preventDefault();
      if (!results.length) return;
      active = (active + (ev.key === "ArrowDown" ? 1 : results.length - 1)) % results.length;
      render();
    } else if (ev.key === "Enter") {
      ev.preventDefault();
      pick(active < 0 ? 0 : active);
    } else if (ev.key === "Escape") {
      list.hidden = true;
    }
  });
}

export function searchBox(placeholder) {
  return h("div", { class: "search" },
    h("input", { type: "search", placeholder, autocomplete: "off", spellcheck: "false" }),
    h("ul", { class: "results", role: "listbox", hidden: true }));
}
