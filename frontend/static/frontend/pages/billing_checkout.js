// /billing/checkout/success|cancelled: back from Stripe Checkout. On success the page shows
// the subscription's state as the webhooks are applied: it re-reads
// GET /api/billing/subscriptions when a payment notification arrives on the socket, and
// every few seconds until the studio's subscription is there (the socket is a doorbell).

import { api } from "../api.js";
import { realtime } from "../app.js";
import { $, fill, pageData } from "../dom.js";

const { result, studio_id: studioId } = pageData("page-data");
const state = $("#checkout-state");

function show(name, text) {
  state.dataset.state = name;
  fill(state, text);
}

async function check() {
  const { results } = await api("/api/billing/subscriptions");
  const sub = results.find((s) => s.studio_id === studioId) || (studioId ? null : results[0]);
  if (!sub) return false;
  if (sub.awaiting_approval) show("pending", "Paid. An admin approves new premium listings; we will tell you.");
  else if (sub.premium) show("active", "Your studio is now a premium listing.");
  else show(sub.status.toLowerCase(), `Stripe says: ${sub.status.toLowerCase().replace("_", " ")}.`);
  return sub.premium || sub.awaiting_approval;
}

if (result === "cancelled") {
  show("cancelled", "Checkout cancelled: nothing was charged.");
} else {
  let timer = null;
  const poll = async () => {
    try {
      if (await check()) return clearInterval(timer);
    } catch {
      /* the next tick tries again */
    }
  };
  timer = setInterval(poll, 3000);
  realtime?.on("notification.new", ({ notification }) => {
    if (notification.type === "PAYMENT_SUCCESS") poll();
  });
  poll();
}
