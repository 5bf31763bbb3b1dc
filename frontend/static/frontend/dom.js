// DOM helpers. User text only ever becomes text nodes or attribute values (never HTML):
// h() has no innerHTML path at all.

/**
 * h("a", {href: url, class: "x", onclick: fn, dataset: {id: 1}}, "text", child, [more])
 * Strings and numbers become text nodes; null, undefined and false are skipped.
 */
export function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    // Through the CSSOM: the Content-Security-Policy (style-src 'self') refuses style
    // attributes, but not styles set from our own script.
    else if (key === "style") node.style.cssText = String(value);
    else if (key.startsWith("on") && typeof value === "function") {
      node.addEventListener(key.slice(2), value);
    } else if (key === "href" || key === "src") node.setAttribute(key, safeUrl(value));
    else if (value === true) node.setAttribute(key, "");
    else node.setAttribute(key, String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(node, child);
    else if (child instanceof Node) node.appendChild(child);
    else node.appendChild(document.createTextNode(String(child)));
  }
}

/** Replace an element's children. */
export function fill(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

/**
 * Handle a form's submit in script. A form with no server action has its submit buttons
 * rendered `disabled data-needs-script`: a click (or Enter) before the page's module has run
 * would otherwise send the form natively, a GET with every field in the address. They are
 * enabled here, once the handler that prevents that is in place.
 */
export function onSubmit(form, handler) {
  form.addEventListener("submit", handler);
  for (const button of $$("[data-needs-script]", form)) button.disabled = false;
}

/** Relative URLs and http(s) only: a user's "website" cannot be javascript: or data:. */
export function safeUrl(value) {
  const text = String(value ?? "");
  try {
    const url = new URL(text, location.href);
    if (url.protocol === "http:" || url.protocol === "https:") return text;
  } catch (_) {
    /* fall through */
  }
  return "#";
}

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });

export function formatDateTime(iso) {
  return iso ? dateTime.format(new Date(iso)) : "";
}

export function formatDate(iso) {
  return iso ? dateOnly.format(new Date(iso)) : "";
}

/** "HOME" → "Home": the API's enum values, readable. The page passes labels where it has them. */
export function label(value, labels = null) {
  if (labels && labels[value]) return labels[value];
  const text = String(value).replaceAll("_", " ").toLowerCase();
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** JSON that a template put in <script type="application/json" id=...> with json_script. */
export function pageData(id) {
  const node = document.getElementById(id);
  return node ? JSON.parse(node.textContent) : null;
}

/** plural(1, "review") → "1 review"; plural(3, "review") → "3 reviews". */
export function plural(count, noun, many = `${noun}s`) {
  return `${count} ${Number(count) === 1 ? noun : many}`;
}

const timeOnly = new Intl.DateTimeFormat(undefined, { timeStyle: "short" });
const dayLabel = new Intl.DateTimeFormat(undefined, { weekday: "long", day: "numeric", month: "long" });
const dayLabelWithYear = new Intl.DateTimeFormat(undefined, { dateStyle: "full" });

export function formatTime(iso) {
  return iso ? timeOnly.format(new Date(iso)) : "";
}

/** The local calendar day of a timestamp, as "YYYY-M-D" (for grouping by day). */
export function dayKey(iso) {
  const d = new Date(iso);
  return `${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()}`;
}

/** "Today", "Yesterday", "Monday 3 March", or with the year when it is not this year. */
export function formatDay(iso, now = new Date()) {
  const d = new Date(iso);
  const key = dayKey(iso);
  if (key === dayKey(now)) return "Today";
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  if (key === dayKey(yesterday)) return "Yesterday";
  return (d.getFullYear() === now.getFullYear() ? dayLabel : dayLabelWithYear).format(d);
}

export function stars(rating) {
  const n = Math.round(Number(rating) || 0);
  return h("span", { class: "stars", "aria-label": `${n} out of 5` }, "★".repeat(n) + "☆".repeat(5 - n));
}

/** Show an error (an ApiError or any Error) in a status element. */
export function showError(node, err) {
  const fields = err && err.fields && typeof err.fields === "object" ? err.fields : null;
  const details = fields
    ? Object.entries(fields).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(" ") : JSON.stringify(v)}`)
    : [];
  fill(node, h("span", { class: "error" }, err?.message || "Something went wrong."), details.length ? h("ul", {}, details.map((d) => h("li", {}, d))) : null);
}

/**
 * Asks in `slot` before a step that cannot be undone: the question, a danger button that runs
 * `onConfirm` (an error it throws is shown in the slot) and "Keep it", which clears the slot.
 * Focus moves to the danger button, so a keyboard user answers at once.
 */
export function confirmInSlot(slot, question, { yes = "Yes, delete it", action = null, onConfirm }) {
  fill(
    slot,
    question,
    h(
      "button",
      {
        type: "button",
        class: "button danger",
        dataset: action ? { action } : null,
        onclick: async () => {
          try {
            await onConfirm();
          } catch (err) {
            showError(slot, err);
          }
        },
      },
      yes,
    ),
    " ",
    h("button", { type: "button", class: "secondary", onclick: () => fill(slot) }, "Keep it"),
  );
  $("button", slot).focus();
}
