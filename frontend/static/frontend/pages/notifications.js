// /notifications: the list (GET /api/user/notifications), mark read one by one, selected in
// bulk or all ({"ids": [...]} / {"all": true}); new ones arrive live, and reads made in
// another tab show here through notification.count's marked_read.

import { api } from "../api.js";
import { realtime } from "../app.js";
import { $, fill, formatDateTime, h, showError } from "../dom.js";

const PAGE = 20;
const els = {
  list: $("#notifications"),
  more: $("#more-notifications"),
  status: $("#notifications-status"),
  unreadOnly: $("#unread-only"),
  markSelected: $("#mark-selected"),
  markAll: $("#mark-all"),
};
const items = new Map(); // id -> notification
const selected = new Set();
let offset = 0;
let hasNext = false;

async function load({ reset }) {
  if (reset) {
    offset = 0;
    items.clear();
    selected.clear();
  }
  try {
    const res = await api("/api/user/notifications", {
      query: { limit: PAGE, offset, unread_only: els.unreadOnly.checked ? "true" : "" },
    });
    for (const n of res.results) items.set(n.id, n);
    offset += res.results.length;
    hasNext = res.has_next;
    render();
  } catch (err) {
    showError(els.status, err);
  } finally {
    els.list.removeAttribute("aria-busy");
  }
}

function render() {
  const rows = [...items.values()]
    .filter((n) => !(els.unreadOnly.checked && n.read))
    .sort((a, b) => (b.created_at || "").localeCompare(a.created_at || "") || b.id - a.id);
  if (!rows.length) {
    fill(els.list, h("li", { class: "muted" }, "Nothing here."));
  } else {
    fill(
      els.list,
      rows.map((n) =>
        h(
          "li",
          { class: n.read ? "notification read" : "notification unread", dataset: { notificationId: n.id } },
          n.read
            ? h("input", { type: "checkbox", "aria-label": "Already read", checked: true, disabled: true })
            : h("input", {
                type: "checkbox",
                "aria-label": "Select",
                checked: selected.has(n.id),
                onchange: (event) => {
                  if (event.target.checked) selected.add(n.id);
                  else selected.delete(n.id);
                  els.markSelected.disabled = selected.size === 0;
                },
              }),
          h(
            "div",
            { class: "body" },
            n.action_url && n.action_url.startsWith("/")
              ? h("a", { href: n.action_url, class: "title", onclick: () => markRead([n.id]) }, n.title)
              : h("strong", { class: "title" }, n.title),
            h("p", {}, n.message),
            h("time", { class: "muted", datetime: n.created_at }, formatDateTime(n.created_at)),
          ),
          n.read ? null : h("button", { type: "button", class: "link-button", onclick: () => markRead([n.id]) }, "Mark read"),
        ),
      ),
    );
  }
  for (const id of [...selected]) if (items.get(id)?.read) selected.delete(id);
  els.markSelected.disabled = selected.size === 0;
  els.more.hidden = !hasNext;
}

function applyRead(ids) {
  for (const id of ids) {
    const n = items.get(id);
    if (n) n.read = true;
  }
  render();
}

async function markRead(ids) {
  try {
    await api("/api/user/notifications/read", { method: "POST", body: { ids } });
    applyRead(ids);
  } catch (err) {
    showError(els.status, err);
  }
}

els.markSelected.addEventListener("click", () => markRead([...selected]));
els.markAll.addEventListener("click", async () => {
  try {
    await api("/api/user/notifications/read", { method: "POST", body: { all: true } });
    applyRead([...items.keys()]);
  } catch (err) {
    showError(els.status, err);
  }
});
els.more.addEventListener("click", () => load({ reset: false }));
els.unreadOnly.addEventListener("change", () => load({ reset: true }));

// A coalesced notification (one per conversation while unread) comes back with the same id.
realtime.on("notification.new", ({ notification }) => {
  if (!notification) return;
  items.set(notification.id, notification);
  render();
});
realtime.on("notification.count", ({ marked_read: marked }) => {
  if (Array.isArray(marked)) applyRead(marked);
});
realtime.on("resync", () => load({ reset: true }));

load({ reset: true });
