// /studios/<id>: GET /api/studios/{id} (photos, types, services, owner, rating distribution,
// the first reviews), more reviews from /api/studios/{id}/reviews, and the contact form
// (POST /api/messages, the legacy rules: subject 5–200, content 10–2000).

import { api } from "../api.js";
import { me } from "../app.js";
import { goPremium } from "../premium.js";
import { $, confirmInSlot, fill, formatDate, h, label, onSubmit, pageData, showError, stars } from "../dom.js";
import { reportButton } from "../report.js";

const data = pageData("page-data") || {};
const id = data.studio_id;
const els = {
  studio: $("#studio"),
  reviewsSection: $("#reviews-section"),
  summary: $("#rating-summary"),
  reviews: $("#reviews"),
  more: $("#more-reviews"),
  contactSection: $("#contact-section"),
  contact: $("#contact-form"),
  contactStatus: $("#contact-status"),
};
let studio = null;
let reviewPage = 1;
let ownStudio = false;
// The legacy rules, enforced by POST /api/reviews and /api/reviews/{id}/response.
const REVIEW_MIN = 10;
const REVIEW_MAX = 2000;
const RESPONSE_MAX = 2000;

function renderStudio(s) {
  document.title = `${s.name} · Studio Finder`;
  const owner = s.owner || {};
  fill(
    els.studio,
    h("h1", {}, s.name, s.is_premium ? h("span", { class: "tag premium" }, "Premium") : null, s.is_verified ? h("span", { class: "tag verified" }, "Verified") : null),
    h("p", { class: "muted" }, [s.full_address || s.abbreviated_address, s.city].filter(Boolean).join(" · ")),
    me && owner.username !== me.username ? h("p", { class: "actions" }, reportButton({ contentType: "STUDIO", contentId: s.id, what: "studio" })) : null,
    (s.images || []).length
      ? h("div", { class: "gallery" }, s.images.map((img) => h("img", { src: img.image_url, alt: img.alt_text || s.name, loading: "lazy" })))
      : null,
    s.description ? h("p", { class: "description" }, s.description) : null,
    (s.studio_types || []).length
      ? h("p", { class: "tags" }, "Type: ", s.studio_types.map((t) => h("span", { class: "tag" }, label(t, data.studio_types))))
      : null,
    (s.services || []).length
      ? h("p", { class: "tags" }, "Services: ", s.services.map((v) => h("span", { class: "tag service" }, label(v, data.services))))
      : null,
    h(
      "dl",
      { class: "facts" },
      s.website_url ? [h("dt", {}, "Website"), h("dd", {}, h("a", { href: s.website_url, rel: "nofollow noopener", target: "_blank" }, s.website_url))] : null,
      s.phone ? [h("dt", {}, "Phone"), h("dd", {}, s.phone)] : null,
      owner.email ? [h("dt", {}, "Email"), h("dd", {}, owner.email)] : null,
      owner.username
        ? [h("dt", {}, "Owner"), h("dd", {}, h("a", { href: `/${encodeURIComponent(owner.username)}` }, owner.display_name || owner.username))]
        : null,
      s.latitude != null && s.longitude != null
        ? [h("dt", {}, "Directions"), h("dd", {}, h("a", { href: `https://www.openstreetmap.org/?mlat=${s.latitude}&mlon=${s.longitude}#map=15/${s.latitude}/${s.longitude}`, rel: "noopener", target: "_blank" }, "Open the map"))]
        : null,
    ),
  );
}

function renderRating(rating) {
  fill(
    els.summary,
    rating.count
      ? h("p", {}, stars(rating.average), ` ${rating.average} out of 5 · ${rating.count} review${rating.count === 1 ? "" : "s"}`)
      : h("p", { class: "muted" }, "No reviews yet."),
    rating.count
      ? h(
          "ul",
          { class: "distribution" },
          rating.distribution.map((b) =>
            h(
              "li",
              { dataset: { rating: b.rating } },
              h("span", { class: "bucket" }, `${b.rating} ★`),
              h("span", { class: "bar" }, h("span", { class: "fill", style: `width: ${Number(b.percentage) || 0}%` })),
              h("span", { class: "muted" }, `${b.count} (${b.percentage}%)`),
            ),
          ),
        )
      : null,
  );
}

/**
 * The summary and distribution count published reviews only, so after the viewer changes
 * or withdraws their review (a change sends it back to moderation) or the owner answers,
 * they are re-read from GET /api/studios/{id} rather than left stale until a reload. If
 * that read fails, the old figures stay: the change itself has succeeded.
 */
async function refreshRating() {
  try {
    const fresh = await api(`/api/studios/${encodeURIComponent(id)}`);
    renderRating(fresh.rating);
  } catch {
    // a reload shows the new figures
  }
}

function ownerResponse(response) {
  return h("blockquote", { class: "response" }, h("strong", {}, "Response from the owner: "), h("span", { class: "response-text" }, response.content));
}

/** "12 / 2000 · at least 10": the length rules as you type (trimmed, as the server counts). */
function lengthNote(node, text, { min = 1, max }) {
  const used = text.trim().length;
  node.textContent = `${used} / ${max} characters${used < min ? ` · at least ${min}` : ""}`;
  node.classList.toggle("error", used > max);
  return used >= min && used <= max;
}

/**
 * The owner's side of a review of their studio: "Reply" (one public answer, 409 after), and
 * once answered "Edit reply" (PATCH) and "Delete reply" (DELETE, after a second click).
 * Everyone else sees the answer alone.
 */
function ownerSlot(r) {
  const slot = h("div", { class: "owner-slot" });
  const url = `/api/reviews/${r.id}/response`;
  let current = r.response;

  function show() {
    if (!ownStudio) return fill(slot, current ? ownerResponse(current) : null);
    if (!current) {
      return fill(slot, h("button", { type: "button", class: "secondary reply-start", "aria-label": `Reply to the review of ${formatDate(r.created_at)}`, onclick: () => edit() }, "Reply"));
    }
    const status = h("p", { class: "reply-status", "aria-live": "polite" });
    fill(
      slot,
      ownerResponse(current),
      h(
        "div",
        { class: "button-group" },
        h("button", { type: "button", class: "secondary", dataset: { action: "edit-reply" }, onclick: () => edit() }, "Edit reply"),
        h("button", { type: "button", class: "secondary", dataset: { action: "delete-reply" }, onclick: () => confirmDeleteReply(status) }, "Delete reply"),
      ),
      status,
    );
  }

  function confirmDeleteReply(status) {
    confirmInSlot(status, "Delete your reply? ", {
      onConfirm: async () => {
        await api(url, { method: "DELETE" });
        current = null;
        show();
        refreshRating();
        $("button", slot)?.focus();
      },
    });
  }

  function edit() {
    const id = `reply-${r.id}`;
    const text = h("textarea", { id, name: "content", rows: 3, maxlength: RESPONSE_MAX, "aria-describedby": `${id}-count` });
    text.value = current ? current.content : "";
    const count = h("p", { id: `${id}-count`, class: "counter muted", "aria-live": "polite" });
    const status = h("p", { class: "reply-status", "aria-live": "polite" });
    const form = h(
      "form",
      { class: "stacked-form reply-form" },
      h("label", { for: id }, "Your public reply"),
      text,
      count,
      h("p", { class: "muted" }, current ? "The reviewer is not told again." : "One reply per review; the reviewer is told."),
      h("div", { class: "button-group" }, h("button", { type: "submit" }, current ? "Save reply" : "Post reply"), h("button", { type: "button", class: "secondary", onclick: () => show() }, "Cancel")),
      status,
    );
    text.addEventListener("input", () => lengthNote(count, text.value, { max: RESPONSE_MAX }));
    lengthNote(count, text.value, { max: RESPONSE_MAX });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!lengthNote(count, text.value, { max: RESPONSE_MAX })) {
        status.textContent = `Write 1 to ${RESPONSE_MAX} characters.`;
        return;
      }
      try {
        current = await api(url, { method: current ? "PATCH" : "POST", body: { content: text.value } });
        show();
        refreshRating();
      } catch (err) {
        showError(status, err);
        if (err.code === "already_responded") form.querySelector("button[type=submit]").disabled = true;
      }
    });
    fill(slot, form);
    text.focus();
  }

  show();
  return slot;
}

function review(r) {
  return h(
    "li",
    { class: "review", id: `review-${r.id}`, dataset: { reviewId: r.id } },
    h("p", {}, stars(r.rating), " ", r.reviewer ? h("a", { href: `/${encodeURIComponent(r.reviewer.username)}` }, r.reviewer.display_name || r.reviewer.username) : h("span", { class: "muted" }, "Anonymous"), h("span", { class: "muted" }, ` · ${formatDate(r.created_at)}`)),
    h("p", { class: "content" }, r.content),
    ownerSlot(r),
    me && r.reviewer?.username !== me.username ? reportButton({ contentType: "REVIEW", contentId: r.id, what: "review" }) : null,
  );
}

function addReviews(page) {
  els.reviews.append(...page.results.map(review));
  els.more.hidden = page.page * page.page_size >= page.count;
}

// --- "Write a review", and your own review (GET /api/user/reviews?studio_id=) -------------
// Your review shows here in every state: pending moderation, published or rejected. You may
// change it (PATCH: back to pending) until the owner has answered, and withdraw it (DELETE).
const reviewForm = $("#review-form");
const reviewStart = $("#write-review-start");
const mine = $("#review-sent");
let myReview = null;
const STATE = { PENDING: "Pending moderation", APPROVED: "Published", REJECTED: "Not published (rejected by a moderator)" };

function showMyReview() {
  if (!myReview) {
    fill(mine);
    reviewStart.hidden = ownStudio;
    return;
  }
  reviewStart.hidden = true;
  const r = myReview;
  const answered = Boolean(r.response);
  const status = h("p", { class: "my-review-status", "aria-live": "polite" });
  fill(
    mine,
    h(
      "div",
      { class: "review my-review panel", dataset: { reviewId: r.id, status: r.status } },
      h("h3", {}, "Your review"),
      h("p", {}, h("span", { class: `tag ${r.status.toLowerCase()}` }, STATE[r.status] || r.status), " ", stars(r.rating), r.is_anonymous ? h("span", { class: "muted" }, " · anonymous") : null),
      h("p", { class: "content" }, r.content),
      r.response ? ownerResponse(r.response) : null,
      h(
        "p",
        { class: "muted" },
        r.status === "PENDING"
          ? "Thank you. A moderator reads every review before it is published. "
          : "",
        answered ? "The owner has answered it, so it can no longer be changed; you can still delete it." : "You can change it until the owner answers; a changed review is moderated again.",
      ),
      h(
        "div",
        { class: "button-group" },
        answered ? null : h("button", { type: "button", class: "secondary", dataset: { action: "edit-review" }, onclick: () => openForm(r) }, "Edit my review"),
        h("button", { type: "button", class: "secondary", dataset: { action: "delete-review" }, onclick: () => confirmDelete(status) }, "Delete my review"),
      ),
      status,
    ),
  );
}

function confirmDelete(slot) {
  confirmInSlot(slot, "Delete your review for good? ", {
    action: "confirm-delete-review",
    onConfirm: async () => {
      const gone = myReview.id;
      await api(`/api/reviews/${gone}`, { method: "DELETE" });
      myReview = null;
      showMyReview();
      $(`#review-${gone}`)?.remove();
      reviewStart.focus();
      refreshRating();
    },
  });
}

function openForm(existing = null) {
  reviewForm.reset();
  reviewForm.dataset.editing = existing ? String(existing.id) : "";
  if (existing) {
    reviewForm.querySelector(`input[name=rating][value="${existing.rating}"]`).checked = true;
    reviewForm.elements.content.value = existing.content || "";
    reviewForm.elements.is_anonymous.checked = existing.is_anonymous;
  }
  reviewForm.elements.content.dispatchEvent(new Event("input"));
  $("button[type=submit]", reviewForm).textContent = existing ? "Save and send for moderation" : "Send for moderation";
  fill($("#review-status"));
  fill(mine);
  reviewStart.hidden = true;
  reviewForm.hidden = false;
  reviewForm.querySelector("input[name=rating]").focus();
}

async function loadMyReview() {
  if (!reviewForm || ownStudio) return;
  try {
    const page = await api("/api/user/reviews", { query: { studio_id: id } });
    myReview = page.results[0] || null;
  } catch (err) {
    showError(mine, err);
  }
  showMyReview();
}

if (reviewForm) {
  const content = reviewForm.elements.content;
  const count = $("#review-count");
  const status = $("#review-status");
  const check = () => lengthNote(count, content.value, { min: REVIEW_MIN, max: REVIEW_MAX });
  content.addEventListener("input", check);
  reviewForm.addEventListener("change", () => fill(status));
  check();
  reviewStart.addEventListener("click", () => openForm());
  $("#review-cancel").addEventListener("click", () => {
    reviewForm.hidden = true;
    showMyReview();
    (myReview ? $("button", mine) : reviewStart)?.focus();
  });
  reviewForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    fill(status);
    const rating = reviewForm.querySelector("input[name=rating]:checked");
    if (!rating) {
      status.textContent = "Choose a rating from 1 to 5 stars.";
      return;
    }
    if (!check()) {
      status.textContent = `Write between ${REVIEW_MIN} and ${REVIEW_MAX} characters.`;
      content.focus();
      return;
    }
    const button = reviewForm.querySelector("button[type=submit]");
    const body = { rating: Number(rating.value), content: content.value, is_anonymous: reviewForm.elements.is_anonymous.checked };
    const editing = reviewForm.dataset.editing;
    button.disabled = true;
    try {
      if (editing) {
        myReview = await api(`/api/reviews/${editing}`, { method: "PATCH", body });
        // Pending again: off the public list until a moderator approves it.
        $(`#review-${CSS.escape(editing)}`)?.remove();
      } else {
        await api("/api/reviews", { method: "POST", body: { studio_id: Number(id), ...body } });
        myReview = (await api("/api/user/reviews", { query: { studio_id: id } })).results[0];
      }
      reviewForm.hidden = true;
      showMyReview();
      refreshRating();
      $(".my-review h3", mine)?.setAttribute("tabindex", "-1");
      $(".my-review h3", mine)?.focus();
    } catch (err) {
      if (err.code === "already_reviewed") {
        reviewForm.hidden = true;
        await loadMyReview();
      } else showError(status, err);
    } finally {
      button.disabled = false;
    }
  });
}

async function load() {
  try {
    studio = await api(`/api/studios/${encodeURIComponent(id)}`);
  } catch (err) {
    if (err.status === 404) fill(els.studio, h("h1", {}, "Studio not found"), h("p", {}, "It may be unlisted or removed. ", h("a", { href: "/search" }, "Search the studios")));
    else showError(els.studio, err);
    return;
  } finally {
    els.studio.removeAttribute("aria-busy");
  }
  ownStudio = Boolean(me && studio.owner && studio.owner.username === me.username);
  renderStudio(studio);
  renderRating(studio.rating);
  fill(els.reviews);
  addReviews(studio.reviews);
  els.reviewsSection.hidden = false;
  loadMyReview();
  els.contactSection.hidden = !studio.owner || ownStudio;
  // The owner of a studio that is not premium yet: "Go premium" → Stripe Checkout.
  const premium = $("#premium-section");
  if (premium) premium.hidden = !ownStudio || studio.is_premium;
}

$("#go-premium")?.addEventListener("click", (event) => goPremium(id, event.currentTarget, $("#premium-status")));

els.more.addEventListener("click", async () => {
  els.more.disabled = true;
  try {
    reviewPage += 1;
    addReviews(await api(`/api/studios/${encodeURIComponent(id)}/reviews`, { query: { page: reviewPage } }));
  } catch (err) {
    reviewPage -= 1;
    showError(els.summary, err);
  } finally {
    els.more.disabled = false;
  }
});

if (els.contact) onSubmit(els.contact, async (event) => {
  event.preventDefault();
  const form = event.target;
  const button = form.querySelector("button");
  button.disabled = true;
  try {
    await api("/api/messages", {
      method: "POST",
      body: { to: studio.owner.username, subject: form.elements.subject.value, content: form.elements.content.value, studio_id: studio.id },
    });
    form.reset();
    fill(els.contactStatus, "Sent. ", h("a", { href: `/messages/${encodeURIComponent(studio.owner.username)}` }, "See the conversation"));
  } catch (err) {
    showError(els.contactStatus, err);
  } finally {
    button.disabled = false;
  }
});

load();
