// /settings: the account hub. Deleting the account (DELETE /api/user/account) asks again:
// the password, or for an account made through Google/Facebook/X (no password) the
// username typed out, plus a checkbox; the API's refusals (owns_studios,
// account_has_records, a wrong password) are shown as they come.

import "../app.js"; // the header menu, the badges, the socket
import { api } from "../api.js";
import { $, fill, h, showError } from "../dom.js";

const start = $("#delete-start");
const form = $("#delete-form");
const status = $("#delete-status");
let account = null;

start.addEventListener("click", async () => {
  start.disabled = true;
  try {
    account = account || (await api("/api/user/profile"));
  } catch (err) {
    showError(status, err);
    return;
  } finally {
    start.disabled = false;
  }
  fill(
    $("#delete-credential"),
    account.has_usable_password
      ? h("label", {}, "Your password", h("input", { type: "password", name: "password", autocomplete: "current-password", required: true }))
      : h("label", {}, `Type your username (${account.username}) to confirm`, h("input", { name: "confirm_username", autocomplete: "off", required: true })),
  );
  start.hidden = true;
  form.hidden = false;
  form.querySelector("input").focus();
});

$("#delete-cancel").addEventListener("click", () => {
  form.reset();
  form.hidden = true;
  start.hidden = false;
  fill(status);
  start.focus();
});

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!form.elements.understand.checked) {
    status.textContent = "Tick the box to confirm.";
    return;
  }
  const body = {};
  for (const name of ["password", "confirm_username"]) if (form.elements[name]) body[name] = form.elements[name].value;
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    await api("/api/user/account", { method: "DELETE", body });
    location.assign("/?account=deleted");
  } catch (err) {
    showError(status, err);
    button.disabled = false;
  }
});
