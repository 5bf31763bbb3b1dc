// /settings/profile: every editable field of GET/PATCH /api/user/profile and every privacy
// flag, with a live preview drawn by the public page's own renderer (profile_view.js) from
// the form's unsaved values; the picture through POST/DELETE /api/user/avatar. Errors are
// shown beside their field.

import "../app.js"; // the header menu, the badges, the socket
import { api, ApiError } from "../api.js";
import { $, fill, h, pageData, showError } from "../dom.js";
import { publicView, renderAvatar, renderProfile, SOCIAL } from "../profile_view.js";

const data = pageData("page-data") || {};
const form = $("#profile-form");
const LONG = 5000;

// [name, label, {kind, max, hint}]; kind: text (default), textarea, tel, url, flag.
const SECTIONS = [
  ["About you", [
    ["display_name", "Display name", { max: 100, required: true, account: true }],
    ["last_name", "Last name", { max: 100 }],
    ["short_about", "Short introduction", { kind: "textarea", max: 500, rows: 2, hint: "Shown under your name." }],
    ["about", "About", { kind: "textarea", max: LONG, rows: 6 }],
    ["location", "Location", { max: 200 }],
  ]],
  ["Your studio", [
    ["studio_name", "Studio name", { max: 200 }],
    ["home_studio_description", "Home studio", { kind: "textarea", max: LONG, rows: 4 }],
    ["equipment_list", "Equipment", { kind: "textarea", max: LONG, rows: 4 }],
    ["services_offered", "Services", { kind: "textarea", max: LONG, rows: 3 }],
  ]],
  ["Contact and privacy", [
    ["show_email", "Show my email address on my profile", { kind: "flag" }],
    ["phone", "Phone", { kind: "tel", max: 40, hint: "6 to 15 digits, e.g. +44 20 7946 0958." }],
    ["show_phone", "Show my phone number on my profile", { kind: "flag" }],
    ["rate_tier_1", "Rate (tier 1)", { max: 100 }],
    ["rate_tier_2", "Rate (tier 2)", { max: 100 }],
    ["rate_tier_3", "Rate (tier 3)", { max: 100 }],
    ["show_rates", "Show my rates on my profile", { kind: "flag" }],
    ["show_address", "Show my studios' full addresses", { kind: "flag" }],
    ["show_directions", "Show directions to my studios (their position)", { kind: "flag" }],
    ["use_coordinates_for_map", "Place my studios on the map at their exact position", { kind: "flag" }],
  ]],
  ["Elsewhere on the web", Object.entries(SOCIAL).map(([name, site]) => [
    name, site, { kind: "url", max: 500, hint: `A link on ${(data.social_hosts?.[name] || []).join(" or ")}.` },
  ])],
];
const CONNECTIONS = Array.from({ length: data.connection_slots || 12 }, (_, i) => `connection${i + 1}`);
const CONNECTION_MAX = data.connection_max_length || 10;
const CUSTOM_MAX = data.custom_connection_max || 12;

let me = null; // GET /api/user/profile
let studios = []; // the public page's studios, for the preview

const inputId = (name) => `field-${name}`;
const errorId = (name) => `error-${name}`;

function counter(input, max) {
  const out = h("span", { class: "counter muted", "aria-live": "polite" });
  const update = () => {
    const used = input.value.length;
    out.textContent = `${used} / ${max}`;
    out.classList.toggle("error", used > max);
  };
  input.addEventListener("input", update);
  update();
  return out;
}

function field([name, text, opts]) {
  const id = inputId(name);
  const described = [opts.hint ? `hint-${name}` : null, errorId(name)].filter(Boolean).join(" ");
  const error = h("p", { class: "field-error", id: errorId(name) });
  if (opts.kind === "flag") {
    return h("div", { class: "field flag" }, h("label", { class: "check", for: id }, h("input", { type: "checkbox", id, name, "aria-describedby": described }), text), error);
  }
  const props = { id, name, maxlength: opts.max, "aria-describedby": described, required: opts.required || false };
  const input = opts.kind === "textarea" ? h("textarea", { ...props, rows: opts.rows || 3 }) : h("input", { ...props, type: opts.kind || "text", autocomplete: "off" });
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, text),
    input,
    h("p", { class: "hint muted" }, opts.hint ? h("span", { id: `hint-${name}` }, opts.hint, " ") : null, opts.max > 100 ? counter(input, opts.max) : null),
    error,
  );
}

function buildForm() {
  fill(
    form,
    SECTIONS.map(([title, fields]) => h("fieldset", { class: "panel" }, h("legend", {}, title), fields.map(field))),
    h(
      "fieldset",
      { class: "panel" },
      h("legend", {}, "How people can connect with you"),
      h("p", { class: "muted", id: "hint-connections" }, `Up to ${CONNECTIONS.length} methods (Skype, Zoom, Source-Connect…), ${CONNECTION_MAX} characters each.`),
      h(
        "div",
        { class: "connection-grid" },
        CONNECTIONS.map((name, i) =>
          h("div", { class: "field" }, h("label", { for: inputId(name) }, `Method ${i + 1}`), h("input", { id: inputId(name), name, maxlength: CONNECTION_MAX, "aria-describedby": `hint-connections ${errorId(name)}` }), h("p", { class: "field-error", id: errorId(name) })),
        ),
      ),
      field(["custom_connection_methods", "Other methods", { hint: `Comma-separated; at most ${CUSTOM_MAX}, ${CONNECTION_MAX} characters each.` }]),
    ),
    h("div", { class: "form-actions sticky-actions" }, h("button", { type: "submit" }, "Save"), h("span", { id: "save-status", "aria-live": "polite" })),
  );
}

const el = (name) => form.elements.namedItem(name);
const customMethods = () => (el("custom_connection_methods").value || "").split(",").map((m) => m.trim()).filter(Boolean);

function fillForm(user) {
  const p = user.profile;
  for (const item of form.querySelectorAll("[name]")) {
    const name = item.name;
    if (name === "display_name") item.value = user.display_name || "";
    else if (name === "custom_connection_methods") item.value = (p.custom_connection_methods || []).join(", ");
    else if (item.type === "checkbox") item.checked = Boolean(p[name]);
    else item.value = p[name] ?? "";
    item.dispatchEvent(new Event("input"));
  }
}

/** The form's values as the profile object of PATCH /api/user/profile. */
function formProfile() {
  const profile = {};
  for (const item of form.querySelectorAll("[name]")) {
    const name = item.name;
    if (name === "display_name") continue;
    if (name === "custom_connection_methods") profile[name] = customMethods();
    else if (item.type === "checkbox") profile[name] = item.checked;
    else profile[name] = item.value.trim();
  }
  return profile;
}

function renderPreview() {
  if (!me) return;
  const profile = formProfile();
  const user = { ...me, display_name: el("display_name").value.trim() || me.username };
  const view = publicView(user, { ...me.profile, ...profile, phone: profile.phone || null }, studios);
  renderAvatar($("#preview-avatar"), view);
  fill($("#preview-name"), view.display_name, " ", h("span", { class: "muted" }, `@${view.username}`));
  renderProfile($("#preview-details"), view);
}

/** {"profile": {"phone": [..]}, "display_name": [..]} → messages under their fields. */
function showFieldErrors(fields, prefix = "") {
  let shown = 0;
  for (const [key, value] of Object.entries(fields || {})) {
    if (value && !Array.isArray(value) && typeof value === "object") {
      // Nested: the profile object, or the list of custom methods ({"0": [...]}).
      const inner = /^\d+$/.test(Object.keys(value)[0] || "") ? { [key]: Object.values(value).flat() } : value;
      shown += showFieldErrors(inner, key === "profile" ? "" : prefix);
      continue;
    }
    const slot = document.getElementById(errorId(prefix + key));
    if (!slot) continue;
    slot.textContent = [value].flat().join(" ");
    document.getElementById(inputId(prefix + key))?.setAttribute("aria-invalid", "true");
    shown += 1;
  }
  return shown;
}

function clearErrors() {
  for (const slot of form.querySelectorAll(".field-error")) slot.textContent = "";
  for (const item of form.querySelectorAll("[aria-invalid]")) item.removeAttribute("aria-invalid");
}

form.addEventListener("input", renderPreview);
form.addEventListener("change", renderPreview);
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const status = $("#save-status");
  const button = form.querySelector("button[type=submit]");
  clearErrors();
  status.textContent = "Saving…";
  button.disabled = true;
  try {
    me = await api("/api/user/profile", { method: "PATCH", body: { display_name: el("display_name").value.trim(), profile: formProfile() } });
    fillForm(me);
    renderPreview();
    status.textContent = "Saved.";
  } catch (err) {
    const shown = err instanceof ApiError ? showFieldErrors(err.fields) : 0;
    if (shown) {
      status.textContent = "Not saved: see the highlighted fields.";
      form.querySelector("[aria-invalid]")?.focus();
    } else showError(status, err);
  } finally {
    button.disabled = false;
  }
});

// --- The picture -----------------------------------------------------------------------
const avatarInput = $("#avatar-input");
const avatarError = $("#avatar-error");
const avatarRemove = $("#avatar-remove");

function showAvatar() {
  fill($("#avatar-current"), me.avatar_url ? h("img", { class: "avatar", src: me.avatar_url, alt: "Your current picture" }) : h("div", { class: "avatar avatar-placeholder", "aria-hidden": "true" }, (me.display_name || me.username).charAt(0).toUpperCase()));
  avatarRemove.hidden = !me.avatar_url;
  renderPreview();
}

function csrfToken() {
  return document.querySelector('meta[name="csrf-token"]')?.content || "";
}

avatarInput.addEventListener("change", async () => {
  const file = avatarInput.files[0];
  avatarError.textContent = "";
  if (!file) return;
  if (data.avatar_max_bytes && file.size > data.avatar_max_bytes) {
    avatarError.textContent = "The image is larger than 5 MB.";
    avatarInput.value = "";
    return;
  }
  const body = new FormData();
  body.append("avatar", file);
  avatarInput.disabled = true;
  avatarError.textContent = "Uploading…";
  try {
    const response = await fetch("/api/user/avatar", { method: "POST", body, credentials: "same-origin", headers: { Accept: "application/json", "X-CSRFToken": csrfToken() } });
    const result = await response.json().catch(() => null);
    if (!response.ok) {
      const error = result?.error || {};
      throw new ApiError(error.code || `http_${response.status}`, error.fields?.avatar?.join(" ") || error.message || response.statusText);
    }
    me.avatar_url = result.avatar_url;
    avatarError.textContent = "";
    showAvatar();
  } catch (err) {
    avatarError.textContent = err.message || "The upload failed.";
  } finally {
    avatarInput.disabled = false;
    avatarInput.value = "";
  }
});

avatarRemove.addEventListener("click", async () => {
  avatarError.textContent = "";
  try {
    await api("/api/user/avatar", { method: "DELETE" });
    me.avatar_url = null;
    showAvatar();
  } catch (err) {
    avatarError.textContent = err.message;
  }
});

async function load() {
  buildForm();
  try {
    me = await api("/api/user/profile");
  } catch (err) {
    showError(form, err);
    return;
  } finally {
    form.removeAttribute("aria-busy");
  }
  try {
    studios = (await api(`/api/profiles/${encodeURIComponent(me.username)}`)).studios || [];
  } catch (_) {
    studios = [];
  }
  fillForm(me);
  showAvatar();
}

load();
