// /settings/notifications: every notification type of GET /api/user/notification-preferences
// with its two choices (on the site, by email); each change is saved at once with
// PUT {"preferences": {TYPE: {in_app|email: bool}}}, and the answer redraws the table.

import "../app.js"; // the header menu, the badges, the socket
import { api } from "../api.js";
import { $, fill, h, label, pageData, showError } from "../dom.js";

const data = pageData("page-data") || {};
const rows = $("#preferences");
const status = $("#preferences-status");
const CHANNELS = { in_app: "on the site", email: "by email" };

function render(preferences) {
  const types = Object.keys(preferences).sort((a, b) => label(a, data.types).localeCompare(label(b, data.types)));
  fill(
    rows,
    types.map((type) =>
      h(
        "tr",
        { dataset: { type } },
        h("th", { scope: "row" }, label(type, data.types)),
        Object.entries(CHANNELS).map(([channel, how]) =>
          h(
            "td",
            {},
            h("input", {
              type: "checkbox",
              name: `${type}.${channel}`,
              checked: Boolean(preferences[type][channel]),
              "aria-label": `${label(type, data.types)} ${how}`,
              dataset: { type, channel },
            }),
          ),
        ),
      ),
    ),
  );
}

rows.addEventListener("change", async (event) => {
  const box = event.target;
  if (!(box instanceof HTMLInputElement)) return;
  const { type, channel } = box.dataset;
  box.disabled = true;
  status.textContent = "Saving…";
  try {
    const res = await api("/api/user/notification-preferences", { method: "PUT", body: { preferences: { [type]: { [channel]: box.checked } } } });
    render(res.preferences);
    rows.querySelector(`input[data-type="${type}"][data-channel="${channel}"]`)?.focus();
    status.textContent = `Saved: ${label(type, data.types)} ${CHANNELS[channel]} ${box.checked ? "on" : "off"}.`;
  } catch (err) {
    box.checked = !box.checked;
    box.disabled = false;
    showError(status, err);
  }
});

async function load() {
  try {
    render((await api("/api/user/notification-preferences")).preferences);
  } catch (err) {
    showError(status, err);
  } finally {
    $("#preferences-form").removeAttribute("aria-busy");
  }
}

load();
