// /<username>: the public profile (GET /api/profiles/{username}): about, contact details the
// owner shows, connection methods, social links and their public studios; a Connect button.

import { api } from "../api.js";
import { realtime } from "../app.js";
import { $, pageData, showError } from "../dom.js";
import { renderAvatar, renderProfile } from "../profile_view.js";
import { reportButton } from "../report.js";

const data = pageData("page-data") || {};
const details = $("#profile-details");
async function load() {
  let p;
  try {
    p = await api(`/api/profiles/${encodeURIComponent(data.username)}`);
  } catch (err) {
    showError(details, err);
    return;
  } finally {
    details.removeAttribute("aria-busy");
  }
  renderAvatar($("#profile-avatar"), p);
  renderProfile(details, p);
}

const connect = $("#connect-button");
const connectStatus = $("#connect-status");

/** The button follows the connection's state, from /api/network, so a reload keeps it. */
function showConnection(state) {
  connect.dataset.state = state;
  connect.disabled = state === "connected" || state === "pending";
  connect.textContent = { connected: "Connected", pending: "Pending", incoming: "Accept request", none: "Connect" }[state];
  connectStatus.textContent =
    state === "pending" ? "Request sent." : state === "incoming" ? "They asked to connect with you." : "";
}

async function loadConnection() {
  const net = await api("/api/network");
  const is = (rows) => rows.some((row) => row.user.username.toLowerCase() === data.username.toLowerCase());
  showConnection(
    is(net.connections) ? "connected" : is(net.outgoing) ? "pending" : is(net.incoming) ? "incoming" : "none",
  );
}

if (connect && realtime) {
  connect.addEventListener("click", async () => {
    connect.disabled = true;
    const action = connect.dataset.state === "incoming" ? "accept" : "request";
    try {
      const res = await api("/api/user/connections", { method: "POST", body: { action, username: data.username } });
      showConnection(action === "accept" || res.status === "connected" ? "connected" : "pending");
    } catch (err) {
      showError(connectStatus, err);
      connect.disabled = false;
    }
  });
  for (const type of ["connection.request", "connection.accepted", "connection.removed"]) {
    realtime.on(type, () => loadConnection().catch(() => {}));
  }
  loadConnection().catch((err) => showError(connectStatus, err));
}

const reportSlot = $("#report-profile");
if (reportSlot) reportSlot.append(reportButton({ contentType: "USER", contentId: data.user_id, what: "profile" }));

load();
