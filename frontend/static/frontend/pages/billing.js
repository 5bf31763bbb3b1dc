// /billing: the user's subscriptions (GET /api/billing/subscriptions) and the Stripe
// Billing Portal (POST /api/stripe/portal → redirect), where invoices, the card and
// cancellation live. Payment notifications arriving live refresh the table.

import { api } from "../api.js";
import { realtime } from "../app.js";
import { $, fill, formatDate, h, showError } from "../dom.js";

const els = {
  table: $("#subscriptions"),
  rows: $("#subscriptions tbody"),
  none: $("#no-subscriptions"),
  status: $("#billing-status"),
  portal: $("#open-portal"),
};

const STATUS = {
  ACTIVE: "Active",
  CANCELLED: "Cancelled",
  PAST_DUE: "Payment failed (grace period)",
  UNPAID: "Unpaid",
  INCOMPLETE: "Incomplete",
  SUSPENDED: "Paused",
};

async function load() {
  try {
    const { results } = await api("/api/billing/subscriptions");
    fill(
      els.rows,
      ...results.map((s) =>
        h(
          "tr",
          { "data-subscription": String(s.id), "data-status": s.status },
          h("td", {}, s.studio_id ? h("a", { href: `/studios/${s.studio_id}` }, s.studio_name) : "All your studios"),
          h("td", {}, s.awaiting_approval ? "Waiting for approval" : STATUS[s.status] || s.status),
          h("td", {}, s.premium ? "Yes" : "No"),
          h("td", {}, s.current_period_end ? formatDate(s.current_period_end) : "—"),
          h("td", {}, s.renews ? "Yes" : "No"),
        ),
      ),
    );
    els.none.hidden = results.length > 0;
  } catch (err) {
    showError(els.status, err);
  } finally {
    els.table.removeAttribute("aria-busy");
  }
}

els.portal.addEventListener("click", async () => {
  els.portal.disabled = true;
  try {
    const { url } = await api("/api/stripe/portal", { method: "POST" });
    location.assign(url);
  } catch (err) {
    showError(els.status, err);
    els.portal.disabled = false;
  }
});

realtime?.on("notification.new", ({ notification }) => {
  if (["PAYMENT_SUCCESS", "PAYMENT_FAILED", "SUBSCRIPTION_EXPIRING"].includes(notification.type)) load();
});

load();
