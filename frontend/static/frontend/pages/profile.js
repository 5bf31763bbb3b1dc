// /<username>: the public profile (GET /api/profiles/{username}): about, contact details the
// owner shows, connection methods, social links and their public studios; a Connect button.

import { api } from "../api.js";
import { realtime } from "../app.js";
import { studioCard } from "../cards.js";
import { $, fill, formatDate, h, label, pageData, showError } from "../dom.js";
import { reportButton } from "../report.js";

const data = pageData("page-data") || {};
const details = $("#profile-details");
const SOCIAL = {
  facebook_url: "Facebook",
  x_url: "X",
  linkedin_url: "LinkedIn",
  instagram_url: "Instagram",
  youtube_url: "YouTube",
  tiktok_url: "TikTok",
  threads_url: "Threads",
  soundcloud_url: "SoundCloud",
};

function fact(term, value) {
  return value ? [h("dt", {}, term), h("dd", {}, value)] : null;
}

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
  const links = Object.entries(SOCIAL)
    .filter(([key]) => p[key])
    .map(([key, name]) => h("li", {}, h("a", { href: p[key], rel: "nofollow noopener", target: "_blank" }, name)));
  if (p.avatar_url) fill($("#profile-avatar"), h("img", { class: "avatar", src: p.avatar_url, alt: "" }));
  fill(
    details,
    p.short_about ? h("p", { class: "lead" }, p.short_about) : null,
    h(
      "dl",
      { class: "facts" },
      fact("Member since", formatDate(p.member_since)),
      fact("Location", p.location),
      fact("Studio", p.studio_name),
      fact("Email", p.email),
      fact("Phone", p.phone),
      fact("Rates", [p.rate_tier_1, p.rate_tier_2, p.rate_tier_3].filter(Boolean).join(" · ")),
      fact("Connects by", (p.connection_methods || []).join(", ")),
      fact("Verification", p.verification_level && p.verification_level.toLowerCase() !== "none" ? label(p.verification_level) : ""),
    ),
    p.about ? [h("h2", {}, "About"), h("p", { class: "about" }, p.about)] : null,
    p.home_studio_description ? [h("h2", {}, "Home studio"), h("p", {}, p.home_studio_description)] : null,
    p.equipment_list ? [h("h2", {}, "Equipment"), h("p", { class: "about" }, p.equipment_list)] : null,
    links.length ? [h("h2", {}, "Elsewhere"), h("ul", { class: "links" }, links)] : null,
    (p.studios || []).length
      ? [h("h2", {}, "Studios"), h("ul", { class: "cards" }, p.studios.map((s) => studioCard({ ...s, first_image: s.image_url ? { url: s.image_url, alt_text: s.name } : null })))]
      : null,
  );
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
