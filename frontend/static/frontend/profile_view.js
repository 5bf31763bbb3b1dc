// How a public profile reads: the /<username> page and the preview of /settings/profile draw
// it with these same functions, so the preview cannot disagree with the page.
//
// renderProfile() takes the JSON of GET /api/profiles/{username}; publicView() turns the
// owner's own GET /api/user/profile (plus the form's unsaved values) into that JSON with the
// server's privacy rules (directory/api/profiles.py, PRIVATE_PROFILE_KEYS): a key whose
// show_* flag is off is absent.

import { studioCard } from "./cards.js";
import { fill, formatDate, h, label } from "./dom.js";

export const SOCIAL = {
  facebook_url: "Facebook",
  twitter_url: "Twitter",
  x_url: "X",
  linkedin_url: "LinkedIn",
  instagram_url: "Instagram",
  youtube_url: "YouTube",
  vimeo_url: "Vimeo",
  tiktok_url: "TikTok",
  threads_url: "Threads",
  soundcloud_url: "SoundCloud",
};

// Which keys each privacy flag shows (the server's PRIVATE_PROFILE_KEYS).
export const PRIVATE_KEYS = {
  show_email: ["email"],
  show_phone: ["phone"],
  show_rates: ["rate_tier_1", "rate_tier_2", "rate_tier_3"],
};

const PUBLIC_TEXT = [
  "about", "short_about", "location", "studio_name", "home_studio_description", "equipment_list",
  "services_offered", "is_crb_checked", "is_featured", "is_spotlight", "verification_level",
  ...Object.keys(SOCIAL),
];

function fact(term, value) {
  return value ? [h("dt", {}, term), h("dd", {}, value)] : null;
}

/** The public JSON of a profile from its owner's own view. */
export function publicView(user, profile, studios = []) {
  const view = {
    username: user.username,
    display_name: user.display_name,
    avatar_url: user.avatar_url,
    role: user.role,
    member_since: user.created_at,
    email: user.email,
    phone: profile.phone ?? null,
    rate_tier_1: profile.rate_tier_1 ?? null,
    rate_tier_2: profile.rate_tier_2 ?? null,
    rate_tier_3: profile.rate_tier_3 ?? null,
    studios,
  };
  for (const key of PUBLIC_TEXT) view[key] = profile[key] ?? null;
  const slots = Array.from({ length: 12 }, (_, i) => profile[`connection${i + 1}`]);
  view.connection_methods = [...slots, ...(profile.custom_connection_methods || [])].filter(Boolean);
  for (const [flag, keys] of Object.entries(PRIVATE_KEYS)) {
    if (!profile[flag]) for (const key of keys) delete view[key];
  }
  return view;
}

/** The avatar slot: the picture, or nothing (the layout closes up). */
export function renderAvatar(slot, p) {
  fill(slot, p.avatar_url ? h("img", { class: "avatar", src: p.avatar_url, alt: "" }) : null);
}

/** The profile's details (everything under the name), into `node`. */
export function renderProfile(node, p) {
  const links = Object.entries(SOCIAL)
    .filter(([key]) => p[key])
    .map(([key, name]) => h("li", {}, h("a", { href: p[key], rel: "nofollow noopener", target: "_blank" }, name)));
  fill(
    node,
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
    p.home_studio_description ? [h("h2", {}, "Home studio"), h("p", { class: "about" }, p.home_studio_description)] : null,
    p.equipment_list ? [h("h2", {}, "Equipment"), h("p", { class: "about" }, p.equipment_list)] : null,
    p.services_offered ? [h("h2", {}, "Services"), h("p", { class: "about" }, p.services_offered)] : null,
    links.length ? [h("h2", {}, "Elsewhere"), h("ul", { class: "links" }, links)] : null,
    (p.studios || []).length
      ? [h("h2", {}, "Studios"), h("ul", { class: "cards" }, p.studios.map((s) => studioCard({ ...s, first_image: s.image_url ? { url: s.image_url, alt_text: s.name } : null })))]
      : null,
  );
}
