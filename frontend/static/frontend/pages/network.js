// /network: connections, requests both ways and suggestions (GET /api/network); actions
// through POST /api/user/connections. Any connection event reloads the lists.

import { api } from "../api.js";
import { realtime } from "../app.js";
import { $, fill, formatDate, h, showError } from "../dom.js";

const els = {
  incoming: $("#incoming"),
  outgoing: $("#outgoing"),
  connections: $("#connections"),
  suggestions: $("#suggestions"),
  status: $("#network-status"),
};

function person(user, extra, actions) {
  return h(
    "li",
    { class: "person", dataset: { username: user.username } },
    h("a", { href: `/${encodeURIComponent(user.username)}` }, user.display_name || user.username),
    h("span", { class: "muted" }, ` @${user.username}`),
    extra ? h("span", { class: "muted" }, ` · ${extra}`) : null,
    h(
      "span",
      { class: "actions" },
      actions.map(([text, action]) =>
        h("button", { type: "button", dataset: { action }, onclick: () => act(action, user.username) }, text),
      ),
    ),
  );
}

function list(node, rows, render, empty) {
  fill(node, rows.length ? rows.map(render) : h("li", { class: "muted" }, empty));
}

async function load() {
  try {
    const net = await api("/api/network");
    list(els.incoming, net.incoming, (r) => person(r.user, `asked ${formatDate(r.created_at)}`, [["Accept", "accept"], ["Reject", "reject"]]), "No requests.");
    list(els.outgoing, net.outgoing, (r) => person(r.user, `asked ${formatDate(r.created_at)}`, [["Cancel", "cancel"]]), "No pending requests.");
    list(els.connections, net.connections, (r) => person(r.user, r.since ? `since ${formatDate(r.since)}` : "", [["Remove", "remove"]]), "No connections yet.");
    list(els.suggestions, net.suggestions, (r) => person(r.user, `${r.mutual_connections} mutual`, [["Connect", "request"]]), "No suggestions yet.");
  } catch (err) {
    showError(els.status, err);
  }
}

async function act(action, username) {
  if (action === "remove" && !confirm(`Remove your connection with ${username}?`)) return;
  try {
    await api("/api/user/connections", { method: "POST", body: { action, username } });
    els.status.textContent = "";
    await load();
  } catch (err) {
    showError(els.status, err);
  }
}

for (const type of ["connection.request", "connection.accepted", "connection.removed", "resync"]) {
  realtime.on(type, () => load());
}
load();
