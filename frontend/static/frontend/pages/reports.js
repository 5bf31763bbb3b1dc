// /settings/reports: "My reports" (GET /api/moderation/reports/mine) and their outcome.

import { api } from "../api.js";
import { realtime } from "../app.js";
import { $, fill, formatDateTime, h, label, showError } from "../dom.js";
import { REASONS } from "../report.js";

const list = $("#reports");
const more = $("#more-reports");
const reasons = Object.fromEntries(REASONS);
const OUTCOME = {
  PENDING: "Waiting for a moderator",
  REVIEWED: "Reviewed",
  RESOLVED: "Acted on",
  DISMISSED: "Dismissed: no breach found",
};
let page = 1;

function item(r) {
  return h(
    "li",
    { class: "report", dataset: { reportId: r.id, status: r.status } },
    h("strong", {}, `${label(r.content_type)} #${r.content_id}`),
    " · ",
    reasons[r.reason] || label(r.reason),
    r.custom_reason ? h("p", { class: "muted" }, r.custom_reason) : null,
    h("p", {}, h("span", { class: `tag status-${r.status.toLowerCase()}` }, OUTCOME[r.status] || r.status), h("span", { class: "muted" }, ` · reported ${formatDateTime(r.created_at)}`)),
  );
}

async function load({ reset = false } = {}) {
  if (reset) page = 1;
  try {
    const data = await api("/api/moderation/reports/mine", { query: { page } });
    if (reset || page === 1) fill(list);
    if (!data.count) fill(list, h("li", { class: "muted" }, "You have not reported anything."));
    list.append(...data.results.map(item));
    more.hidden = data.page * data.page_size >= data.count;
  } catch (err) {
    showError(list, err);
  } finally {
    list.removeAttribute("aria-busy");
  }
}

more.addEventListener("click", () => {
  page += 1;
  load();
});
// An outcome arrives as a REPORT_OUTCOME notification: show it without a reload.
realtime?.on("notification.new", (frame) => {
  if (frame.notification?.type === "REPORT_OUTCOME") load({ reset: true });
});
load();
