// /dashboard/studios/new and /dashboard/studios/<id>: the studio editor (docs/frontend.md).
// Every field an owner may write (POST / PATCH /api/studio/manage/…), the API's validation
// errors next to their fields, the status moves the API allows (`allowed_transitions`), the
// geocoded point on a Leaflet map, the photos (upload, order, captions, delete) and "Go premium".

import { api } from "../api.js";
import "../app.js"; // every page: the header menu, the badges, the socket, image placeholders
import { $, $$, fill, formatTime, h, onSubmit, pageData, plural, showError } from "../dom.js";
import { goPremium } from "../premium.js";
import { statusExplained, TRANSITION_LABELS } from "../studio_status.js";
import * as L from "../vendor/leaflet/leaflet-src.esm.js";

const data = pageData("page-data") || {};
const id = data.studio_id;
const form = $("#studio-form");
const saveButton = $("#save-button");
const saveStatus = $("#save-status");
const TEXT_FIELDS = ["name", "description", "full_address", "city", "abbreviated_address", "address", "website_url", "phone"];
const CHOICE_FIELDS = ["studio_types", "services"];
const GEOCODE_WAIT_MS = 30_000;
let studio = null;

// --- the form ----------------------------------------------------------------------------

function formValues() {
  const body = {};
  for (const name of TEXT_FIELDS) body[name] = form.elements[name].value.trim();
  body.is_profile_visible = form.elements.is_profile_visible.checked;
  for (const name of CHOICE_FIELDS) body[name] = $$(`input[name=${name}]:checked`, form).map((input) => input.value);
  return body;
}

function fillForm(s) {
  for (const name of TEXT_FIELDS) form.elements[name].value = s[name] ?? "";
  form.elements.is_profile_visible.checked = Boolean(s.is_profile_visible);
  for (const name of CHOICE_FIELDS) {
    for (const input of $$(`input[name=${name}]`, form)) input.checked = s[name].includes(input.value);
  }
}

/** The messages of one field's error, flattened (a list field's errors come by index). */
function messages(value) {
  if (Array.isArray(value)) return value.flatMap(messages);
  if (value && typeof value === "object") return Object.values(value).flatMap(messages);
  return [String(value)];
}

function clearErrors(root) {
  for (const node of $$(".field-error", root)) {
    node.hidden = true;
    fill(node);
  }
  for (const node of $$("[aria-invalid]", root)) node.removeAttribute("aria-invalid");
}

/** Put each of the API's field errors next to its field; true when any found a place. */
function showFieldErrors(err, root = document) {
  let first = null;
  for (const [field, value] of Object.entries(err.fields || {})) {
    const node = $(`#err-${CSS.escape(field)}`, root);
    if (!node) continue;
    fill(node, messages(value).join(" "));
    node.hidden = false;
    const input = $(`[aria-describedby~="err-${CSS.escape(field)}"]`, root);
    if (input) {
      input.setAttribute("aria-invalid", "true");
      first = first || input;
    }
  }
  if (first) (first.matches("fieldset") ? $("input", first) : first).focus();
  return first !== null;
}

onSubmit(form, async (event) => {
  event.preventDefault();
  clearErrors(form);
  saveButton.disabled = true;
  form.setAttribute("aria-busy", "true");
  fill(saveStatus, "Saving…");
  try {
    if (!id) {
      const created = await api("/api/studio/manage/", { method: "POST", body: formValues() });
      location.assign(`/dashboard/studios/${created.id}?created=1`);
      return;
    }
    const before = studio;
    studio = await api(`/api/studio/manage/${id}`, { method: "PATCH", body: formValues() });
    render();
    fill(saveStatus, h("span", { class: "ok" }, `Saved at ${formatTime(studio.updated_at)}.`));
    // A new address is geocoded after the commit: by a worker (wait for it), or at once in
    // embedded mode (the answer already carries the new point).
    const moved = studio.latitude !== before.latitude || studio.longitude !== before.longitude;
    if ((studio.full_address || "") !== (before.full_address || "") && !moved) watchGeocoding(studio.updated_at);
  } catch (err) {
    const placed = showFieldErrors(err, form);
    if (placed) fill(saveStatus, h("span", { class: "error" }, "Please correct the fields marked below."));
    else showError(saveStatus, err);
  } finally {
    saveButton.disabled = false;
    form.removeAttribute("aria-busy");
  }
});

// --- status --------------------------------------------------------------------------------

function renderStatus() {
  const explained = statusExplained(studio);
  fill(
    $("#studio-status"),
    h("span", { class: `status-badge status-${studio.status.toLowerCase()}` }, explained.label),
    " ",
    explained.text,
    studio.status === "ACTIVE" ? [" ", h("a", { href: `/studios/${studio.id}` }, "See its public page")] : null,
    // Set by an admin (moderation), not here.
    studio.is_verified ? [" ", h("span", { class: "tag verified" }, "Verified")] : null,
  );
  fill(
    $("#status-actions"),
    studio.allowed_transitions.map((status) =>
      h(
        "button",
        { type: "button", class: status === "PENDING" || status === "ACTIVE" ? null : "secondary", dataset: { transition: status }, onclick: (e) => changeStatus(status, e.currentTarget) },
        TRANSITION_LABELS[status] || status,
      ),
    ),
  );
}

async function changeStatus(status, button) {
  button.disabled = true;
  try {
    studio = await api(`/api/studio/manage/${id}`, { method: "PATCH", body: { status } });
    render();
    fill($("#status-message"), `Now: ${statusExplained(studio).label}.`);
  } catch (err) {
    showError($("#status-message"), err);
    button.disabled = false;
  }
}

// --- the geocoded point ----------------------------------------------------------------------

let map = null;
let marker = null;

function renderLocation(pending = false) {
  const status = $("#geocode-status");
  const mapNode = $("#studio-map");
  const located = studio.latitude != null && studio.longitude != null;
  if (pending) fill(status, "Looking up the address on the map…");
  else if (located) {
    fill(
      status,
      h("strong", {}, "Found: "),
      `${studio.latitude.toFixed(5)}, ${studio.longitude.toFixed(5)}`,
      studio.city ? ` in ${studio.city}` : "",
      ". Distance search uses this point; if it is wrong, correct the full address and save again.",
    );
  } else if (studio.full_address) {
    fill(status, "No point on the map for this address (yet). If you have just saved it, the lookup may still be running; search uses the city meanwhile.");
  } else fill(status, "Add a full address to place the studio on the map.");
  mapNode.hidden = !located;
  if (!located) return;
  const point = [studio.latitude, studio.longitude];
  if (!map) {
    map = L.map(mapNode, { scrollWheelZoom: false });
    if (data.map_tiles) L.tileLayer(data.map_tiles, { attribution: data.map_attribution || "", maxZoom: 18 }).addTo(map);
    marker = L.circleMarker(point, { radius: 9, color: "#2f5bd3", weight: 3, fillOpacity: 0.6 }).addTo(map);
  }
  marker.setLatLng(point);
  mapNode.dataset.lat = String(studio.latitude);
  mapNode.dataset.lng = String(studio.longitude);
  map.setView(point, 15);
  map.invalidateSize();
}

/** The geocoder answers in the background: ask again until the studio changes after `since`. */
async function watchGeocoding(since) {
  renderLocation(true);
  const started = Date.now();
  while (Date.now() - started < GEOCODE_WAIT_MS) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    try {
      const fresh = await api(`/api/studio/manage/${id}`);
      if (fresh.updated_at !== since) {
        studio = fresh;
        form.elements.city.value = studio.city;
        break;
      }
    } catch (_) {
      break;
    }
  }
  renderLocation();
}

// --- photos ----------------------------------------------------------------------------------

const photos = { list: $("#photos"), form: $("#photo-upload"), input: $("#f-photo"), error: $("#err-image"), status: $("#upload-status"), live: $("#photos-status") };
const ACCEPTED = ["image/jpeg", "image/png", "image/webp", "image/gif"];
const megabytes = (bytes) => `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, "")} MB`;
let dragged = null;

function renderLimits() {
  fill(
    $("#photo-limits"),
    `${plural(studio.images.length, "photo")} of at most ${data.max_images}. JPEG, PNG, WebP or GIF, up to ${megabytes(data.max_image_bytes)} each, `,
    `at least ${data.min_image_side}×${data.min_image_side} pixels; larger than ${data.max_image_side} pixels on a side is scaled down. Photo metadata (such as location) is removed.`,
  );
  const full = studio.images.length >= data.max_images;
  photos.input.disabled = full;
  $("button", photos.form).disabled = full;
}

function photoItem(image, index, count) {
  const captionId = `caption-${image.id}`;
  const errorId = `err-caption-${image.id}`;
  const caption = h("input", { id: captionId, name: "alt_text", maxlength: 300, value: image.alt_text || "", "aria-describedby": errorId });
  const error = h("p", { class: "field-error", id: errorId, hidden: true });
  const which = h("span", { class: "visually-hidden" }, ` photo ${index + 1}`);
  return h(
    "li",
    { class: "photo", draggable: "true", dataset: { imageId: image.id } },
    h("img", { src: image.image_url, alt: image.alt_text || `Photo ${index + 1}`, draggable: "false" }),
    h(
      "div",
      { class: "photo-controls" },
      h("p", { class: "muted photo-position" }, `${index + 1} of ${count}`),
      h("label", { for: captionId }, `Caption of photo ${index + 1}`),
      caption,
      error,
      h(
        "p",
        { class: "button-group" },
        h("button", { type: "button", class: "secondary", dataset: { action: "caption" }, onclick: (e) => saveCaption(image, caption, e.currentTarget) }, "Save caption"),
        h("button", { type: "button", class: "secondary", dataset: { action: "up" }, disabled: index === 0, onclick: () => move(index, index - 1, "up") }, "Move up", which.cloneNode(true)),
        h("button", { type: "button", class: "secondary", dataset: { action: "down" }, disabled: index === count - 1, onclick: () => move(index, index + 1, "down") }, "Move down", which.cloneNode(true)),
        h("button", { type: "button", class: "danger", dataset: { action: "delete" }, onclick: (e) => removePhoto(image, e.currentTarget) }, "Delete", which),
      ),
    ),
  );
}

function renderPhotos() {
  const images = studio.images;
  fill(photos.list, images.length ? images.map((image, i) => photoItem(image, i, images.length)) : h("li", { class: "muted" }, "No photos yet."));
  renderLimits();
}

async function saveCaption(image, input, button) {
  clearErrors(input.parentNode);
  button.disabled = true;
  try {
    const updated = await api(`/api/studio/manage/${id}/images/${image.id}`, { method: "PATCH", body: { alt_text: input.value.trim() } });
    Object.assign(image, updated);
    fill(photos.live, "Caption saved.");
    const img = input.closest("li").querySelector("img");
    if (updated.alt_text) img.alt = updated.alt_text;
    fill(button, "Saved");
    setTimeout(() => fill(button, "Save caption"), 2000);
  } catch (err) {
    const node = input.parentNode.querySelector(".field-error");
    fill(node, messages(err.fields?.alt_text || err.message).join(" "));
    node.hidden = false;
    input.setAttribute("aria-invalid", "true");
  } finally {
    button.disabled = false;
  }
}

/** Move the photo at `from` to `to` and store the whole order (PUT …/images/order). */
async function move(from, to, focusAction = null) {
  if (to < 0 || to >= studio.images.length || from === to) return;
  const previous = studio.images;
  const order = [...previous];
  const [moved] = order.splice(from, 1);
  order.splice(to, 0, moved);
  studio.images = order;
  renderPhotos();
  try {
    studio.images = await api(`/api/studio/manage/${id}/images/order`, { method: "PUT", body: { image_ids: order.map((image) => image.id) } });
    renderPhotos();
    fill(photos.live, `Photo moved to position ${to + 1} of ${order.length}.`);
  } catch (err) {
    studio.images = previous;
    renderPhotos();
    showError(photos.status, err);
  }
  // Keyboard users keep their place: focus the same button of the photo that moved.
  const item = $(`li[data-image-id="${moved.id}"]`, photos.list);
  const button = focusAction && item && ($(`button[data-action="${focusAction}"]:not(:disabled)`, item) || $("button[data-action=caption]", item));
  if (button) button.focus();
}

async function removePhoto(image, button) {
  if (!window.confirm("Delete this photo? This cannot be undone.")) return;
  button.disabled = true;
  try {
    await api(`/api/studio/manage/${id}/images/${image.id}`, { method: "DELETE" });
    studio.images = studio.images.filter((other) => other.id !== image.id);
    renderPhotos();
    fill(photos.live, "Photo deleted.");
    photos.input.focus();
  } catch (err) {
    showError(photos.status, err);
    button.disabled = false;
  }
}

/** What is wrong with a file before it is sent (the server checks again, and decodes it). */
function fileProblem(file) {
  if (!ACCEPTED.includes(file.type)) return `${file.name}: not a JPEG, PNG, WebP or GIF image.`;
  if (file.size > data.max_image_bytes) return `${file.name} is ${megabytes(file.size)}; the limit is ${megabytes(data.max_image_bytes)}.`;
  return null;
}

if (photos.form) onSubmit(photos.form, async (event) => {
  event.preventDefault();
  clearErrors(photos.form);
  fill(photos.status);
  const files = [...photos.input.files];
  const problems = [];
  if (!files.length) problems.push("Choose one or more photos first.");
  const room = data.max_images - studio.images.length;
  if (files.length > room) problems.push(`A studio has at most ${data.max_images} photos: there is room for ${plural(room, "more photo", "more photos")}.`);
  const ready = [];
  for (const file of files.slice(0, Math.max(room, 0))) {
    const problem = fileProblem(file);
    if (problem) problems.push(problem);
    else ready.push(file);
  }
  const button = $("button", photos.form);
  button.disabled = true;
  let added = 0;
  for (const file of ready) {
    fill(photos.status, `Uploading ${file.name}…`);
    const body = new FormData();
    body.append("image", file);
    try {
      studio.images = [...studio.images, await api(`/api/studio/manage/${id}/images`, { method: "POST", body })];
      added += 1;
    } catch (err) {
      problems.push(`${file.name}: ${err.fields?.image ? messages(err.fields.image).join(" ") : err.message}`);
    }
  }
  renderPhotos();
  fill(photos.status, added ? `${plural(added, "photo")} added.` : "");
  if (problems.length) {
    fill(photos.error, problems.length === 1 ? problems[0] : h("ul", {}, problems.map((p) => h("li", {}, p))));
    photos.error.hidden = false;
    photos.input.setAttribute("aria-invalid", "true");
  } else photos.input.value = "";
  button.disabled = studio.images.length >= data.max_images;
});

// Drag to re-order (the Move buttons do the same from the keyboard).
photos.list?.addEventListener("dragstart", (event) => {
  const item = event.target.closest("li.photo");
  if (!item) return;
  dragged = item;
  item.classList.add("dragging");
  event.dataTransfer.effectAllowed = "move";
  event.dataTransfer.setData("text/plain", item.dataset.imageId);
});
photos.list?.addEventListener("dragover", (event) => {
  if (!dragged) return;
  event.preventDefault();
  event.dataTransfer.dropEffect = "move";
  for (const item of $$("li.drop-target", photos.list)) item.classList.remove("drop-target");
  event.target.closest("li.photo")?.classList.add("drop-target");
});
function endDrag() {
  dragged?.classList.remove("dragging");
  for (const item of $$("li.drop-target", photos.list)) item.classList.remove("drop-target");
  dragged = null;
}
photos.list?.addEventListener("drop", (event) => {
  event.preventDefault();
  const target = event.target.closest("li.photo");
  const source = dragged;
  endDrag(); // the list is redrawn, so the source's own dragend may never reach it
  if (!source || !target) return;
  const ids = studio.images.map((image) => String(image.id));
  move(ids.indexOf(source.dataset.imageId), ids.indexOf(target.dataset.imageId));
});
photos.list?.addEventListener("dragend", endDrag);

// --- premium ---------------------------------------------------------------------------------

function renderPremium() {
  fill(
    $("#premium-state"),
    studio.is_premium
      ? [h("span", { class: "tag premium" }, "Premium"), " Your studio is listed first in search and featured on the home page."]
      : "$299 a year lists your studio first in search and features it on the home page.",
  );
  $("#go-premium").hidden = studio.is_premium;
}
$("#go-premium")?.addEventListener("click", (event) => goPremium(id, event.currentTarget, $("#premium-status")));

// --- start -----------------------------------------------------------------------------------

function render() {
  document.title = `Edit ${studio.name} · Studio Finder`;
  fill($("#editor-title"), studio.name);
  fillForm(studio);
  renderStatus();
  renderLocation();
  renderPhotos();
  renderPremium();
}

async function load() {
  if (!id) return;
  form.setAttribute("aria-busy", "true");
  try {
    studio = await api(`/api/studio/manage/${id}`);
    render();
    if (new URLSearchParams(location.search).has("created")) {
      fill(saveStatus, h("span", { class: "ok" }, "Created as a draft. Add photos below, then submit it for review."));
      if (studio.full_address && studio.latitude == null) watchGeocoding(studio.updated_at);
    }
  } catch (err) {
    showError(saveStatus, err);
  } finally {
    form.removeAttribute("aria-busy");
  }
}

load();
