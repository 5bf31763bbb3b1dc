// The "Report" button and its dialog (studio pages, reviews, profiles, messages).
//
// One native <dialog> per page, opened with showModal(): the browser keeps focus inside it,
// Escape closes it, and focus returns to the button that opened it. The reasons are the
// legacy ReportReason enum; "Other" needs 10–1000 characters of details, like the API
// (POST /api/moderation/reports), which stays the judge: its errors are shown as they come.

import { api } from "./api.js";
import { $, fill, h, showError } from "./dom.js";

export const REASONS = [
  ["SPAM", "Spam"],
  ["HARASSMENT", "Harassment or bullying"],
  ["HATE_SPEECH", "Hate speech"],
  ["INAPPROPRIATE", "Inappropriate content"],
  ["FAKE_INFO", "False information"],
  ["COPYRIGHT", "Copyright"],
  ["OTHER", "Other"],
];

let dialog = null;
let current = null; // {contentType, contentId, button}

function build() {
  const status = h("p", { class: "report-status", role: "status", "aria-live": "polite" });
  const details = h("textarea", { name: "custom_reason", rows: 4, maxlength: 1000, "aria-describedby": "report-details-hint" });
  const form = h(
    "form",
    { class: "stacked-form", novalidate: true },
    h("h2", { id: "report-title" }, "Report"),
    h(
      "fieldset",
      {},
      h("legend", {}, "What is wrong?"),
      REASONS.map(([value, text]) => h("label", { class: "choice" }, h("input", { type: "radio", name: "reason", value, required: true }), text)),
    ),
    h("label", {}, "Details", details),
    h("p", { id: "report-details-hint", class: "muted" }, "Required for “Other”: 10 to 1000 characters."),
    status,
    h(
      "p",
      { class: "actions" },
      h("button", { type: "submit" }, "Send report"),
      " ",
      h("button", { type: "button", class: "secondary", onclick: () => dialog.close() }, "Cancel"),
    ),
  );
  form.addEventListener("submit", submit);
  dialog = h("dialog", { class: "report-dialog", "aria-labelledby": "report-title" }, form);
  dialog.addEventListener("close", () => current?.button?.focus());
  document.body.append(dialog);
  return dialog;
}

async function submit(event) {
  event.preventDefault();
  const form = event.target;
  const status = $(".report-status", form);
  const reason = form.elements.reason.value;
  const details = form.elements.custom_reason.value.trim();
  if (!reason) {
    fill(status, h("span", { class: "error" }, "Choose a reason."));
    return;
  }
  if (reason === "OTHER" && (details.length < 10 || details.length > 1000)) {
    fill(status, h("span", { class: "error" }, "Say what is wrong in 10 to 1000 characters."));
    form.elements.custom_reason.focus();
    return;
  }
  const send = $("button[type=submit]", form);
  send.disabled = true;
  fill(status, "Sending…");
  try {
    await api("/api/moderation/reports", {
      method: "POST",
      body: { content_type: current.contentType, content_id: String(current.contentId), reason, custom_reason: details || null },
    });
    fill(status, "Thank you. The moderators will look at it; “My reports” shows the outcome.");
    markReported(current.button);
    setTimeout(() => dialog.open && dialog.close(), 1500);
  } catch (err) {
    if (err.code === "already_reported") markReported(current.button);
    showError(status, err);
  } finally {
    send.disabled = false;
  }
}

function markReported(button) {
  if (!button) return;
  button.textContent = "Reported";
  button.disabled = true;
}

/** Open the dialog for one piece of content. */
export function openReport({ contentType, contentId, what, button = null }) {
  const d = dialog || build();
  current = { contentType, contentId, button };
  const form = $("form", d);
  form.reset();
  fill($(".report-status", d));
  fill($("#report-title", d), `Report this ${what}`);
  d.showModal();
  $("input[name=reason]", d).focus();
}

/** A small "Report" button; nothing for visitors who are not signed in. */
export function reportButton({ contentType, contentId, what, signedIn = true }) {
  if (!signedIn) return null;
  const button = h("button", {
    type: "button",
    class: "link-button report-button",
    "aria-haspopup": "dialog",
    dataset: { reportType: contentType, reportId: String(contentId) },
  }, "Report");
  button.addEventListener("click", () => openReport({ contentType, contentId, what, button }));
  return button;
}
