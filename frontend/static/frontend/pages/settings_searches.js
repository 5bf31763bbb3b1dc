// /settings/searches: GET /api/user/saved-searches; open one (its search_url, which the
// search page restores completely), rename it and turn its alerts on or off (PATCH), delete
// it (DELETE, after a second click).

import "../app.js"; // the header menu, the badges, the socket
import { api } from "../api.js";
import { $, confirmInSlot, fill, formatDateTime, h, label, pageData, showError } from "../dom.js";

const data = pageData("page-data") || {};
const list = $("#saved-searches");
const status = $("#searches-status");
const SORTS = { relevance: "Relevance", distance: "Distance", rating: "Rating", newest: "Newest", name: "Name" };

/** The filters in words: "“booth” · Home, Podcast · Source-Connect · within 25 mi of …". */
function describe(filters) {
  const parts = [];
  if (filters.q) parts.push(`“${filters.q}”`);
  if (filters.studio_types?.length) parts.push(filters.studio_types.map((t) => label(t, data.studio_types)).join(", "));
  if (filters.services?.length) parts.push(filters.services.map((s) => label(s, data.services)).join(", "));
  if (filters.city) parts.push(`in ${filters.city}`);
  const centre = filters.location || (filters.lat != null && filters.lng != null ? `${Number(filters.lat).toFixed(3)}, ${Number(filters.lng).toFixed(3)}` : null);
  if (centre) parts.push(filters.radius ? `within ${filters.radius} mi of ${centre}` : `near ${centre}`);
  if (filters.verified) parts.push("verified");
  if (filters.premium) parts.push("premium");
  if (filters.has_images) parts.push("with photos");
  if (filters.sort) parts.push(`sorted by ${(SORTS[filters.sort] || filters.sort).toLowerCase()}`);
  return parts.length ? parts.join(" · ") : "Every studio";
}

/** The search page on this host (search_url is absolute, on the configured SITE_URL). */
function localUrl(url) {
  const parsed = new URL(url, location.href);
  return parsed.pathname + parsed.search;
}

async function update(item, body, message) {
  const saved = await api(`/api/user/saved-searches/${item.id}`, { method: "PATCH", body });
  status.textContent = message(saved);
  return saved;
}

function row(item) {
  const li = h("li", { class: "saved-search panel", dataset: { savedSearchId: item.id } });
  const nameId = `saved-search-name-${item.id}`;
  const view = () =>
    fill(
      li,
      h("h2", { id: nameId }, h("a", { href: localUrl(item.search_url) }, item.name)),
      h("p", { class: "filters" }, describe(item.filters)),
      h("p", { class: "muted" }, `Saved ${formatDateTime(item.created_at)}`, item.last_alerted_at ? ` · last alert ${formatDateTime(item.last_alerted_at)}` : ""),
      h(
        "div",
        { class: "button-group" },
        h("a", { class: "button", href: localUrl(item.search_url), "aria-describedby": nameId }, "Open"),
        h("button", { type: "button", class: "secondary", dataset: { action: "rename" }, "aria-describedby": nameId, onclick: renaming }, "Rename"),
        h(
          "label",
          { class: "check alerts-toggle" },
          h("input", { type: "checkbox", name: "alerts", checked: item.alerts_enabled, onchange: toggleAlerts }),
          "Email alerts",
        ),
        h("button", { type: "button", class: "secondary", dataset: { action: "delete" }, "aria-describedby": nameId, onclick: confirming }, "Delete"),
      ),
      h("p", { class: "row-status", "aria-live": "polite" }),
    );

  async function toggleAlerts(event) {
    const box = event.currentTarget;
    box.disabled = true;
    try {
      item = await update(item, { alerts_enabled: box.checked }, (s) => `Alerts ${s.alerts_enabled ? "on" : "off"} for “${s.name}”.`);
    } catch (err) {
      box.checked = !box.checked;
      showError($(".row-status", li), err);
    } finally {
      box.disabled = false;
    }
  }

  function renaming() {
    const input = h("input", { name: "name", value: item.name, maxlength: 100, required: true, "aria-label": "New name" });
    const error = h("p", { class: "field-error", "aria-live": "polite" });
    fill(
      li,
      h(
        "form",
        {
          class: "rename-form",
          onsubmit: async (event) => {
            event.preventDefault();
            try {
              item = await update(item, { name: input.value.trim() }, (s) => `Renamed to “${s.name}”.`);
              view();
              $("h2 a", li).focus();
            } catch (err) {
              showError(error, err);
            }
          },
        },
        h("label", { class: "check" }, "Name", input),
        h("button", { type: "submit" }, "Save name"),
        h("button", { type: "button", class: "secondary", onclick: () => view() }, "Cancel"),
        error,
      ),
    );
    input.focus();
    input.select();
  }

  function confirming() {
    confirmInSlot($(".row-status", li), `Delete “${item.name}”? `, {
      yes: "Yes, delete",
      action: "confirm-delete",
      onConfirm: async () => {
        await api(`/api/user/saved-searches/${item.id}`, { method: "DELETE" });
        li.remove();
        status.textContent = `Deleted “${item.name}”.`;
        if (!list.children.length) empty();
      },
    });
  }

  view();
  return li;
}

function empty() {
  fill(list, h("li", { class: "muted" }, "No saved searches yet."));
}

async function load() {
  try {
    const searches = await api("/api/user/saved-searches");
    if (searches.length) fill(list, searches.map(row));
    else empty();
  } catch (err) {
    showError(status, err);
  } finally {
    list.removeAttribute("aria-busy");
  }
}

load();
