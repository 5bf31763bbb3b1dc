// /studios/<id>: GET /api/studios/{id} (photos, types, services, owner, rating distribution,
// the first reviews), more reviews from /api/studios/{id}/reviews, and the contact form
// (POST /api/messages, the legacy rules: subject 5–200, content 10–2000).

import { api } from "../api.js";
import { me } from "../app.js";
import { goPremium } from "../premium.js";
import { $, fill, formatDate, h, label, pageData, showError, stars } from "../dom.js";
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

function review(r) {
  return h(
    "li",
    { class: "review", dataset: { reviewId: r.id } },
    h("p", {}, stars(r.rating), " ", r.reviewer ? h("a", { href: `/${encodeURIComponent(r.reviewer.username)}` }, r.reviewer.display_name || r.reviewer.username) : h("span", { class: "muted" }, "Anonymous"), h("span", { class: "muted" }, ` · ${formatDate(r.created_at)}`)),
    h("p", { class: "content" }, r.content),
    r.response
      ? h("blockquote", { class: "response" }, h("strong", {}, "Response from the owner: "), r.response.content)
      : null,
    me && r.reviewer?.username !== me.username ? reportButton({ contentType: "REVIEW", contentId: r.id, what: "review" }) : null,
  );
}

function addReviews(page) {
  els.reviews.append(...page.results.map(review));
  els.more.hidden = page.page * page.page_size >= page.count;
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
  renderStudio(studio);
  renderRating(studio.rating);
  fill(els.reviews);
  addReviews(studio.reviews);
  els.reviewsSection.hidden = false;
  const ownStudio = me && studio.owner && studio.owner.username === me.username;
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

els.contact?.addEventListener("submit", async (event) => {
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
