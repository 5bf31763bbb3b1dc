// "Go premium": POST /api/stripe/checkout for one studio, then off to Stripe Checkout.
// Shared by the studio page and the owner's dashboard (docs/billing.md).

import { api } from "./api.js";
import { showError } from "./dom.js";

/** Start Checkout for `studioId`; a refusal (not configured, already premium…) goes to `statusNode`. */
export async function goPremium(studioId, button, statusNode) {
  button.disabled = true;
  try {
    const { url } = await api("/api/stripe/checkout", { method: "POST", body: { studio_id: Number(studioId) } });
    location.assign(url);
  } catch (err) {
    showError(statusNode, err);
    button.disabled = false;
  }
}
