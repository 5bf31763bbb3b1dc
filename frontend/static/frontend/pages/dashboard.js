// /dashboard: my studios (GET /api/studio/manage/?owner=me — an admin's list would otherwise
// be every studio), each with its status in plain words, "Submit for review" (PATCH status
// PENDING), "Edit", the public page once it is live, and "Go premium" (premium.js).

import { api } from "../api.js";
import { me } from "../app.js";
import { $, fill, formatDate, h, plural, showError } from "../dom.js";
import { goPremium } from "../premium.js";
import { statusExplained } from "../studio_status.js";

const els = { list: $("#my-studios"), status: $("#dashboard-status") };

function premiumBlock(s) {
  if (s.is_premium) return h("p", {}, h("span", { class: "tag premium" }, "Premium"), " Listed first in search and featured on the home page.");
  const status = h("span", { class: "inline-status", "aria-live": "polite" });
  return h(
    "p",
    { class: "premium-offer" },
    "Not premium. ",
    h("button", { type: "button", class: "secondary", dataset: { action: "premium" }, onclick: (e) => goPremium(s.id, e.currentTarget, status) }, "Go premium"),
    " ",
    status,
  );
}

function submitButton(s, status) {
  if (!s.allowed_transitions.includes("PENDING")) return null;
  return h(
    "button",
    {
      type: "button",
      dataset: { action: "submit" },
      onclick: async (event) => {
        const button = event.currentTarget;
        button.disabled = true;
        try {
          const updated = await api(`/api/studio/manage/${s.id}`, { method: "PATCH", body: { status: "PENDING" } });
          event.target.closest("li").replaceWith(studioItem(updated));
          fill(els.status, `${updated.name} is submitted for review.`);
        } catch (err) {
          showError(status, err);
          button.disabled = false;
        }
      },
    },
    "Submit for review",
  );
}

function studioItem(s) {
  const status = h("p", { class: "inline-status", "aria-live": "polite" });
  const explained = statusExplained(s);
  return h(
    "li",
    { class: "my-studio panel", dataset: { studioId: s.id, status: s.status } },
    h(
      "div",
      { class: "my-studio-head" },
      s.images.length ? h("img", { src: s.images[0].image_url, alt: "", class: "thumb" }) : h("span", { class: "thumb thumb-empty", "aria-hidden": "true" }),
      h(
        "div",
        {},
        h("h2", {}, h("a", { href: `/dashboard/studios/${s.id}` }, s.name)),
        h("p", { class: "muted" }, [s.city, plural(s.images.length, "photo"), `updated ${formatDate(s.updated_at)}`].filter(Boolean).join(" · ")),
      ),
    ),
    h("p", { class: "studio-status" }, h("span", { class: `status-badge status-${s.status.toLowerCase()}` }, explained.label), " ", explained.text),
    premiumBlock(s),
    h(
      "p",
      { class: "button-group" },
      h("a", { class: "button secondary", href: `/dashboard/studios/${s.id}` }, "Edit"),
      submitButton(s, status),
      s.status === "ACTIVE" ? h("a", { class: "button secondary", href: `/studios/${s.id}` }, "Public page") : null,
    ),
    status,
  );
}

async function load() {
  try {
    // A USER (no studio yet) may not list: 403, shown as the empty dashboard.
    const page = await api("/api/studio/manage/", { query: { owner: me?.username, page_size: 50 } }).catch((err) => {
      if (err.status === 403) return { results: [], count: 0 };
      throw err;
    });
    if (!page.results.length) {
      fill(els.list, h("li", { class: "panel empty" }, "You have no studio yet. ", h("a", { href: "/dashboard/studios/new" }, "Add your studio"), " — it stays a draft, visible only to you, until you submit it for review."));
    } else {
      fill(els.list, page.results.map(studioItem));
      if (page.count > page.results.length) els.list.append(h("li", { class: "muted" }, `Showing ${page.results.length} of ${page.count}.`));
    }
  } catch (err) {
    fill(els.list);
    showError(els.status, err);
  } finally {
    els.list.removeAttribute("aria-busy");
  }
}

load();
