// The explorer's router: /explore (start), /explore/<global id> (a record), /explore/path.
import { ApiError, gql } from "./api.js";
import { h } from "./dom.js";
import { renderHome } from "./home.js";
import { drawNetwork, loadCytoscape } from "./network.js";
import { ORGANISATION, renderOrganisation } from "./org.js";
import { renderPath } from "./path.js";
import { recordQuery, renderRecord } from "./records.js";
import { mountSearch } from "./search.js";

const main = document.getElementById("main");

function notFound(id, why) {
  document.title = "Not found · partnergraph";
  main.replaceChildren(h("div", { class: "card not-found" }, h("h1", {}, "Not found"),
    h("p", {}, `Nothing in the graph has the id “${id}”.`), why ? h("p", { class: "muted" }, why) : null,
    h("p", {}, h("a", { href: "/explore" }, "Back to the start"), " or search above.")));
  main.dataset.page = "not-found";
}

function failed(err) {
  main.replaceChildren(h("div", { class: "card error" }, h("h1", {}, "Something went wrong"),
    h("p", {}, err instanceof ApiError ? err.message : "the page could not be drawn"),
    h("p", {}, h("a", { href: "/explore" }, "Back to the start"))));
  main.dataset.page = "error";
}

async function showRecord(id) {
  const type = id.split(":")[0];
  const query = type === "Organisation" ? ORGANISATION : recordQuery(type);
  if (!query || !id.includes(":")) {
    notFound(id, "Ids look like Organisation:university-of-tartu.");
    return;
  }
  let data;
  try {
    data = await gql(query, { id });
  } catch (err) {
    if (err instanceof ApiError && err.code === "BAD_USER_INPUT") notFound(id, err.message);
    else throw err;
    return;
  }
  if (!data.node) notFound(id);
  else if (data.node.__typename === "Organisation") renderOrganisation(main, data.node);
  else renderRecord(main, data.node);
}

async function route() {
  const parts = location.pathname.replace(/\/+$/, "").split("/").filter(Boolean);
  try {
    if (parts.length <= 1) await renderHome(main);
    else if (parts[1] === "path" && parts.length === 2) await renderPath(main, new URLSearchParams(location.search));
    else await showRecord(decodeURIComponent(parts.slice(1).join("/")));
  } catch (err) {
    failed(err);
  }
  main.dataset.loaded = String(Math.round(performance.now()));
  document.dispatchEvent(new CustomEvent("page-ready"));
}

mountSearch(document.getElementById("top-search"), (node) => {
  window.location.assign(`/explore/${encodeURIComponent(node.id)}`);
});
// For the browser tests and the bench: the same drawing code the page uses.
window.partnergraph = { drawNetwork, loadCytoscape, gql };
route();
