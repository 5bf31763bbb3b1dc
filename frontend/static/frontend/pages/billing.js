// /billing: the user's subscriptions (GET /api/billing/subscriptions), their invoices
// read from Stripe (GET /api/billing/invoices, each linking to Stripe's hosted invoice) and
// the Stripe Billing Portal (POST /api/stripe/portal → redirect) for the card and
// cancellation. Payment notifications arriving live refresh both tables.

import { api } from "../api.js";
import { realtime } from "../app.js";
import { $, fill, formatDate, h, showError } from "../dom.js";

const els = {
  table: $("#subscriptions"),
  rows: $("#subscriptions tbody"),
  none: $("#no-subscriptions"),
  status: $("#billing-status"),
  portal: $("#open-portal"),
  invoices: $("#invoices"),
  invoiceRows: $("#invoices tbody"),
  noInvoices: $("#no-invoices"),
  invoiceStatus: $("#invoices-status"),
};

const INVOICE_STATUS = { draft: "Draft", open: "Due", paid: "Paid", uncollectible: "Uncollectible", void: "Void" };

function money(cents, currency) {
  return new Intl.NumberFormat(undefined, { style: "currency", currency: currency.toUpperCase() }).format(cents / 100);
}

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
    els.table.hidden = results.length === 0; // no header row above "no premium listing yet"
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

async function loadInvoices() {
  try {
    const { results } = await api("/api/billing/invoices");
    fill(
      els.invoiceRows,
      ...results.map((inv) =>
        h(
          "tr",
          { "data-invoice": inv.id, "data-status": inv.status || "" },
          h("td", {}, formatDate(inv.created)),
          h("td", {}, inv.number || "—"),
          h("td", {}, inv.period_start && inv.period_end ? `${formatDate(inv.period_start)} – ${formatDate(inv.period_end)}` : "—"),
          h("td", {}, money(inv.status === "paid" ? inv.amount_paid : inv.amount_due, inv.currency)),
          h("td", {}, INVOICE_STATUS[inv.status] || inv.status || "—"),
          h(
            "td",
            {},
            inv.hosted_invoice_url
              ? h("a", { href: inv.hosted_invoice_url, rel: "noopener", target: "_blank" }, `View invoice ${inv.number || ""}`.trim())
              : "—",
          ),
        ),
      ),
    );
    els.noInvoices.hidden = results.length > 0;
  } catch (err) {
    showError(els.invoiceStatus, err);
  } finally {
    els.invoices.removeAttribute("aria-busy");
  }
}

realtime?.on("notification.new", ({ notification }) => {
  if (["PAYMENT_SUCCESS", "PAYMENT_FAILED", "SUBSCRIPTION_EXPIRING"].includes(notification.type)) {
    load();
    loadInvoices();
  }
});

load();
loadInvoices();
