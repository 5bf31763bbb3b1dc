// /search: the form's fields are the URL's query, which is GET /api/studios/search's query
// (q, studio_types, services, city, location, radius, page). Results in pages, with distance.

import { api } from "../api.js";
import "../app.js";
import { studioCard } from "../cards.js";
import { $, fill, h, pageData, showError } from "../dom.js";

const data = pageData("page-data") || {};
const form = $("#search-form");
const els = { results: $("#results"), summary: $("#search-summary"), pager: $("#pager") };
const FIELDS = ["q", "studio_types", "services", "city", "location", "radius"];

function currentQuery() {
  const params = new URLSearchParams(location.search);
  const query = {};
  for (const name of FIELDS) {
    const value = (params.get(name) || "").trim();
    if (value) query[name] = value;
  }
  // A radius needs a centre; without a place it is left out rather than refused.
  if (!query.location) delete query.radius;
  const page = Number.parseInt(params.get("page") || "1", 10);
  query.page = Number.isFinite(page) && page > 0 ? page : 1;
  return query;
}

function fillForm(query) {
  for (const name of FIELDS) {
    const field = form.elements[name];
    if (field && query[name] !== undefined) field.value = query[name];
  }
}

function pageLink(query, page, text) {
  const params = new URLSearchParams({ ...query, page: String(page) });
  return h("a", { href: `/search?${params}`, rel: text === "Next" ? "next" : text === "Previous" ? "prev" : null }, text);
}

async function search() {
  const query = currentQuery();
  fillForm(query);
  els.summary.textContent = "Searching…";
  try {
    const res = await api("/api/studios/search", { query });
    const first = (res.page - 1) * res.page_size + 1;
    const last = first + res.results.length - 1;
    els.summary.textContent = res.count
      ? `${first}–${last} of ${res.count} studio${res.count === 1 ? "" : "s"}`
      : "No studios match. Try a larger radius or fewer filters.";
    fill(els.results, res.results.map((s) => studioCard(s, { typeLabels: data.studio_types, serviceLabels: data.services })));
    const pages = Math.max(1, Math.ceil(res.count / res.page_size));
    fill(
      els.pager,
      res.page > 1 ? pageLink(query, res.page - 1, "Previous") : null,
      pages > 1 ? h("span", { class: "muted" }, ` Page ${res.page} of ${pages} `) : null,
      res.page < pages ? pageLink(query, res.page + 1, "Next") : null,
    );
  } catch (err) {
    fill(els.results);
    fill(els.pager);
    showError(els.summary, err);
  }
}

// The form submits as a normal GET; drop empty fields so URLs stay short.
form.addEventListener("submit", (event) => {
  event.preventDefault();
  const params = new URLSearchParams();
  for (const name of FIELDS) {
    const value = (form.elements[name]?.value || "").trim();
    if (value && !(name === "radius" && !form.elements.location.value.trim())) params.set(name, value);
  }
  location.assign(`/search${params.size ? `?${params}` : ""}`);
});

search();
