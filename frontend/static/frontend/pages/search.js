// /search: every search state is the URL's query, under GET /api/studios/search's own names
// (q, studio_types, services, location, city, lat, lng, radius, verified, premium,
// has_images, sort, page), so a link or a saved search restores the page exactly. Links
// with the legacy site's names are redirected by the server before this runs
// (frontend/views.py, SearchPage). Results in pages, a Leaflet map of /api/studios/map
// beside them, and "Save this search" (POST /api/user/saved-searches).

import { api } from "../api.js";
import { me } from "../app.js";
import { studioCard } from "../cards.js";
import { $, $$, fill, h, onSubmit, pageData, plural, showError } from "../dom.js";
import * as L from "../vendor/leaflet/leaflet-src.esm.js";

const data = pageData("page-data") || {};
const form = $("#search-form");
const els = {
  results: $("#results"),
  summary: $("#search-summary"),
  pager: $("#pager"),
  placeNote: $("#place-note"),
  placement: $("#placement-note"),
  mapStatus: $("#map-status"),
};
const TEXT = ["q", "location", "city"];
const LISTS = ["studio_types", "services"];
const FLAGS = ["verified", "premium", "has_images"];
const NUMBERS = ["lat", "lng", "radius"];
// What the map endpoint filters on (it has its own box instead of a centre and a radius).
const MAP_FILTERS = ["q", "city", ...LISTS, ...FLAGS];

/** The search in the URL: {name: string} with lists comma-joined, flags "true"/"false". */
export function readQuery(search = location.search) {
  const params = new URLSearchParams(search);
  const query = {};
  for (const name of [...TEXT, "sort"]) {
    const value = (params.get(name) || "").trim();
    if (value) query[name] = value;
  }
  // Numbers in their shortest spelling: a saved search's "25.0" is the form's "25".
  for (const name of NUMBERS) {
    const value = (params.get(name) || "").trim();
    if (value) query[name] = Number.isFinite(Number(value)) ? String(Number(value)) : value;
  }
  for (const name of LISTS) {
    const values = params.getAll(name).flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean);
    if (values.length) query[name] = [...new Set(values)].join(",");
  }
  for (const name of FLAGS) {
    const value = (params.get(name) || "").trim().toLowerCase();
    if (value === "true" || value === "false") query[name] = value;
  }
  const page = Number.parseInt(params.get("page") || "1", 10);
  if (Number.isFinite(page) && page > 1) query.page = String(page);
  return query;
}

const hasCentre = (query) => Boolean(query.location || (query.lat && query.lng));

/** The form's state as a query (the same shape as readQuery's). */
function formQuery() {
  const fields = form.elements;
  const query = {};
  for (const name of ["q", "location"]) {
    const value = (fields[name].value || "").trim();
    if (value) query[name] = value;
  }
  // A typed place replaces a centre that came with the link (lat/lng of a saved search).
  const current = readQuery();
  if (!query.location && current.lat && current.lng && !form.dataset.centreCleared) {
    query.lat = current.lat;
    query.lng = current.lng;
  }
  if (current.city && !form.dataset.cityCleared) query.city = current.city;
  for (const name of LISTS) {
    const values = $$(`input[name="${name}"]:checked`, form).map((box) => box.value);
    if (values.length) query[name] = values.join(",");
  }
  for (const name of FLAGS) if (fields[name].checked) query[name] = "true";
  if (hasCentre(query)) query.radius = fields.radius.value;
  if (fields.sort.value) query.sort = fields.sort.value;
  return query;
}

function fillForm(query) {
  form.elements.q.value = query.q || "";
  form.elements.location.value = query.location || "";
  if (query.radius) {
    const select = form.elements.radius;
    if (![...select.options].some((o) => o.value === query.radius)) {
      select.append(h("option", { value: query.radius }, `${query.radius} miles`));
    }
    select.value = query.radius;
  }
  for (const name of LISTS) {
    const chosen = new Set((query[name] || "").split(","));
    for (const box of $$(`input[name="${name}"]`, form)) box.checked = chosen.has(box.value);
  }
  for (const name of FLAGS) form.elements[name].checked = query[name] === "true";
  form.elements.sort.value = query.sort || "";
  const notes = [];
  if (query.lat && query.lng && !query.location) notes.push(`Near ${Number(query.lat).toFixed(3)}, ${Number(query.lng).toFixed(3)}`);
  if (query.city) notes.push(`City: ${query.city}`);
  fill(
    els.placeNote,
    notes.join(" · "),
    notes.length ? [" ", h("button", { type: "button", class: "link-button", onclick: clearPlace }, "Clear")] : null,
  );
  els.placeNote.hidden = !notes.length;
  updateSortOptions();
}

function clearPlace() {
  form.dataset.centreCleared = "true";
  form.dataset.cityCleared = "true";
  els.placeNote.hidden = true;
  updateSortOptions();
}

/** Sorting by relevance needs a text, by distance a place (the API's rules, shown early). */
function updateSortOptions() {
  const query = formQuery();
  const sort = form.elements.sort;
  sort.querySelector('option[value="relevance"]').disabled = !query.q;
  sort.querySelector('option[value="distance"]').disabled = !hasCentre(query);
  if (sort.selectedOptions[0]?.disabled) sort.value = "";
}

/** The canonical URL of a query: fixed key order, so one search has one URL. */
export function searchHref(query) {
  const params = new URLSearchParams();
  for (const name of Object.keys(query).sort()) params.set(name, query[name]);
  return `/search${params.size ? `?${params}` : ""}`;
}

function pageLink(query, page, text) {
  return h("a", { href: searchHref({ ...query, page: String(page) }), rel: text === "Next" ? "next" : text === "Previous" ? "prev" : null }, text);
}

// "1–20 of about 20576 studios": where counting would cost more than the page (many
// matches, or a filter in a crowded circle) the API estimates the count, and says so; an
// estimate can promise pages past the last result.
function summaryText(res, about) {
  if (!res.count) return "No studios match. Try a larger radius or fewer filters.";
  const counted = `${about}${plural(res.count, "studio")}`;
  if (!res.results.length) return `This page is past the last of ${counted}.`;
  const first = (res.page - 1) * res.page_size + 1;
  return `${first}–${first + res.results.length - 1} of ${counted}`;
}

async function search(query) {
  els.summary.textContent = "Searching…";
  try {
    const res = await api("/api/studios/search", { query: { ...query, page: query.page || 1 } });
    const about = res.count_is_estimate ? "about " : "";
    els.summary.textContent = summaryText(res, about);
    els.placement.hidden = !res.results.some((s) => s.is_premium);
    fill(els.results, res.results.map((s) => studioCard(s, { typeLabels: data.studio_types, serviceLabels: data.services })));
    const pages = Math.max(1, Math.ceil(res.count / res.page_size));
    fill(
      els.pager,
      res.page > 1 ? pageLink(query, res.page - 1, "Previous") : null,
      pages > 1 ? h("span", { class: "muted" }, ` Page ${res.page} of ${about}${pages} `) : null,
      res.page < pages ? pageLink(query, res.page + 1, "Next") : null,
    );
    return res.results;
  } catch (err) {
    fill(els.results);
    fill(els.pager);
    showError(els.summary, err);
    return [];
  }
}

// --- the map ------------------------------------------------------------------------------

let map = null;
let markerLayer = null;
let mapRequest = 0;

function startMap(query, results) {
  const node = $("#map");
  if (!node) return;
  map = L.map(node, { scrollWheelZoom: false });
  if (data.map_tiles) {
    L.tileLayer(data.map_tiles, { attribution: data.map_attribution || "", maxZoom: 18 }).addTo(map);
  }
  markerLayer = L.layerGroup().addTo(map);
  const points = results.filter((s) => s.coordinates).map((s) => [s.coordinates.lat, s.coordinates.lng]);
  map.on("moveend", () => loadMarkers(query));
  if (points.length) map.fitBounds(points, { padding: [30, 30], maxZoom: 12 });
  else if (query.lat && query.lng) map.setView([Number(query.lat), Number(query.lng)], 9);
  else map.setView([54.5, -3], 5); // Great Britain, where most studios are
}

function clampBox(bounds) {
  const west = Math.max(-180, bounds.getWest());
  const east = Math.min(180, bounds.getEast());
  const south = Math.max(-90, bounds.getSouth());
  const north = Math.min(90, bounds.getNorth());
  return [west, south, east, north].map((v) => v.toFixed(5)).join(",");
}

async function loadMarkers(query) {
  const request = ++mapRequest;
  const filters = {};
  for (const name of MAP_FILTERS) if (query[name]) filters[name] = query[name];
  try {
    const res = await api("/api/studios/map", { query: { ...filters, bbox: clampBox(map.getBounds()) } });
    if (request !== mapRequest) return; // a newer view answered first
    markerLayer.clearLayers();
    for (const m of res.results) {
      const marker = L.circleMarker([m.lat, m.lng], {
        radius: m.premium ? 9 : 7,
        className: m.premium ? "map-marker premium" : "map-marker",
        color: m.premium ? "#8a5a00" : "#2f5bd3",
        fillOpacity: 0.8,
      });
      marker.bindPopup(() =>
        h("div", { class: "map-popup" }, h("a", { href: `/studios/${encodeURIComponent(m.id)}` }, m.name), m.exact ? null : h("p", { class: "muted" }, "Approximate location")),
      );
      marker.bindTooltip(() => h("span", {}, m.name));
      markerLayer.addLayer(marker);
    }
    els.mapStatus.textContent = res.truncated
      ? `The ${plural(res.results.length, "studio")} nearest the middle of the map; zoom in for more.`
      : `${plural(res.results.length, "studio")} on the map.`;
  } catch (err) {
    showError(els.mapStatus, err);
  }
}

// --- saving -------------------------------------------------------------------------------

/** The saved filters: the URL's search, without the page; numbers and flags typed. */
function filtersOf(query) {
  const filters = {};
  for (const [name, value] of Object.entries(query)) {
    if (name === "page") continue;
    if (NUMBERS.includes(name)) filters[name] = Number(value);
    else if (FLAGS.includes(name)) filters[name] = value === "true";
    else if (LISTS.includes(name)) filters[name] = value.split(",");
    else filters[name] = value;
  }
  return filters;
}

const saveForm = $("#save-search");
if (saveForm && me) {
  onSubmit(saveForm, async (event) => {
    event.preventDefault();
    const status = $("#save-status");
    const button = saveForm.querySelector("button");
    button.disabled = true;
    try {
      const saved = await api("/api/user/saved-searches", {
        method: "POST",
        body: {
          name: saveForm.elements.name.value.trim(),
          filters: filtersOf(readQuery()),
          alerts_enabled: saveForm.elements.alerts_enabled.checked,
        },
      });
      fill(status, "Saved as “", saved.name, "”.");
      saveForm.reset();
    } catch (err) {
      showError(status, err);
    } finally {
      button.disabled = false;
    }
  });
}

// --- start --------------------------------------------------------------------------------

form.addEventListener("submit", (event) => {
  event.preventDefault();
  location.assign(searchHref(formQuery()));
});
form.addEventListener("input", updateSortOptions);
form.addEventListener("change", updateSortOptions);

const query = readQuery();
fillForm(query);
search(query).then((results) => startMap(query, results));
