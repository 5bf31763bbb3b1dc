// Cards: a studio (the search results and the featured lists) and a person (the spotlight).

import { api } from "./api.js";
import { fill, h, label, plural, showError, stars } from "./dom.js";

export function studioCard(studio, { typeLabels = null, serviceLabels = null } = {}) {
  const href = `/studios/${encodeURIComponent(studio.id)}`;
  return h(
    "li",
    { class: "card studio-card", dataset: { studioId: studio.id } },
    studio.first_image
      ? h("img", { src: studio.first_image.url, alt: studio.first_image.alt_text || studio.name, loading: "lazy" })
      : h("div", { class: "card-image-placeholder", "aria-hidden": "true" }),
    h(
      "div",
      { class: "card-body" },
      h("h3", {}, h("a", { href }, studio.name)),
      h(
        "p",
        { class: "muted" },
        [studio.abbreviated_address || studio.city, studio.distance != null ? `${formatMiles(studio.distance)} away` : null]
          .filter(Boolean)
          .join(" · "),
      ),
      studio.is_premium ? h("span", { class: "tag premium" }, "Premium") : null,
      studio.is_verified ? h("span", { class: "tag verified" }, "Verified") : null,
      studio.short_about ? h("p", {}, studio.short_about) : null,
      (studio.types || []).length
        ? h("p", { class: "tags" }, studio.types.map((t) => h("span", { class: "tag" }, label(t, typeLabels))))
        : null,
      (studio.services || []).length
        ? h("p", { class: "tags" }, studio.services.map((s) => h("span", { class: "tag service" }, label(s, serviceLabels))))
        : null,
      studio.review_count
        ? h("p", {}, stars(studio.average_rating), ` ${studio.average_rating} (${plural(studio.review_count, "review")})`)
        : null,
      studio.owner
        ? h("p", { class: "muted" }, "by ", h("a", { href: `/${encodeURIComponent(studio.owner.username)}` }, studio.owner.display_name || studio.owner.username))
        : null,
    ),
  );
}

export function formatMiles(miles) {
  const n = Number(miles);
  return `${n < 10 ? n.toFixed(1) : Math.round(n)} mi`;
}

export function personCard(person) {
  const href = `/${encodeURIComponent(person.username)}`;
  const name = person.display_name || person.username;
  const level = person.verification_level || "none";
  return h(
    "li",
    { class: "card person-card", dataset: { username: person.username } },
    h(
      "div",
      { class: "card-body" },
      person.avatar_url
        ? h("img", { class: "avatar", src: person.avatar_url, alt: "", loading: "lazy" })
        : h("div", { class: "avatar avatar-placeholder", "aria-hidden": "true" }, name.slice(0, 1).toUpperCase()),
      h("h3", {}, h("a", { href }, name)),
      person.location ? h("p", { class: "muted" }, person.location) : null,
      level.toLowerCase() !== "none" ? h("span", { class: "tag verified" }, `Verification: ${label(level)}`) : null,
      person.is_crb_checked ? h("span", { class: "tag" }, "CRB checked") : null,
      person.short_about ? h("p", {}, person.short_about) : null,
      h("p", { class: "muted" }, plural(person.listed_studios, "listed studio")),
    ),
  );
}

/** The featured studios (GET /api/studios/featured) as cards in `container` (home, premium). */
export async function showFeatured(container, { typeLabels = null, serviceLabels = null } = {}) {
  try {
    const { results } = await api("/api/studios/featured");
    fill(
      container,
      results.length
        ? h("ul", { class: "cards" }, results.map((s) => studioCard(s, { typeLabels, serviceLabels })))
        : h("p", { class: "muted" }, "No featured studios yet."),
    );
  } catch (err) {
    showError(container, err);
  } finally {
    container.removeAttribute("aria-busy");
  }
}
