// Every page: the signed-in user, the tab's one realtime connection, and the header badges.
// Page modules import { realtime, me } from here, so a tab never opens a second socket.

import { api } from "./api.js";
import { RealtimeClient } from "./realtime.js";
import { $, fill, h } from "./dom.js";

const body = document.body;

/**
 * A disclosure: `button` (aria-expanded) shows or hides what `openClass` on `box` reveals (the
 * CSS does the showing). A click, Enter or Space toggles it; Escape within `scope` closes it
 * and returns focus to the button (only the innermost open one: the event stops there).
 */
function disclosure(button, box, openClass, scope) {
  const isOpen = () => box.classList.contains(openClass);
  const setOpen = (open) => {
    box.classList.toggle(openClass, open);
    button.setAttribute("aria-expanded", String(open));
  };
  button.addEventListener("click", () => setOpen(!isOpen()));
  scope.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && isOpen()) {
      event.stopPropagation();
      setOpen(false);
      button.focus();
    }
  });
  return { isOpen, setOpen };
}

// The phone header: the search and the navigation fold behind the Menu button. Without this
// script (or on a wide screen) they are simply shown.
document.documentElement.classList.add("js");
const menuButton = $(".menu-button");
if (menuButton) disclosure(menuButton, menuButton.closest(".site-header"), "menu-open", document);

// The account menu (the user's name in the header): My profile, My studios, My reports,
// Settings, Sign out. A click or focus outside closes it too. Without this script the list
// is simply shown.
const accountMenu = $(".account-menu");
if (accountMenu) {
  const { isOpen, setOpen } = disclosure($(".account-button", accountMenu), accountMenu, "open", accountMenu);
  accountMenu.addEventListener("focusout", (event) => {
    if (isOpen() && event.relatedTarget && !accountMenu.contains(event.relatedTarget)) setOpen(false);
  });
  document.addEventListener("click", (event) => {
    if (isOpen() && !accountMenu.contains(event.target)) setOpen(false);
  });
}

// A broken image (a deleted file, a bad upload) shows a neutral placeholder, not its alt text.
const PLACEHOLDER = new URL("./img/placeholder.svg", import.meta.url).href;
document.addEventListener(
  "error",
  (event) => {
    const img = event.target;
    if (!(img instanceof HTMLImageElement) || img.dataset.broken) return;
    img.dataset.broken = "true";
    img.classList.add("img-broken");
    img.src = PLACEHOLDER;
  },
  true,
);

/** The signed-in user ({id, username}) or null; from the base template. */
export const me = body.dataset.userId
  ? { id: Number(body.dataset.userId), username: body.dataset.username }
  : null;

// window.SF_REALTIME_OPTIONS may adjust timings (docs/frontend.md); the browser tests use it.
export const realtime = me ? new RealtimeClient({ ...(globalThis.SF_REALTIME_OPTIONS || {}) }) : null;

function setBadge(name, count, what = "unread") {
  const badge = $(`[data-badge="${name}"]`);
  if (!badge) return;
  badge.textContent = count > 99 ? "99+" : String(count);
  badge.hidden = !(count > 0);
  badge.dataset.count = String(count);
  badge.setAttribute("aria-label", `${count} ${what}`);
}

const STATUS_TEXT = {
  idle: "",
  connecting: "Connecting…",
  open: "Live",
  offline: "Reconnecting…",
  "signed-out": "Signed out",
  suspended: "Account suspended",
};

if (realtime) {
  globalThis.sfRealtime = realtime; // for the console and the browser tests
  realtime.on("unread", ({ messages, notifications }) => {
    setBadge("messages", messages);
    setBadge("notifications", notifications);
  });
  realtime.on("status", ({ status }) => {
    const node = $("[data-realtime-status]");
    if (node) {
      node.dataset.realtimeStatus = status;
      node.textContent = STATUS_TEXT[status] ?? status;
    }
    if (status === "signed-out" || status === "suspended") {
      const notice = $("#session-notice");
      if (notice) {
        fill(
          notice,
          status === "suspended" ? "Your account is suspended. " : "You were signed out. ",
          h("a", { href: `/accounts/login/?next=${encodeURIComponent(location.pathname)}` }, "Sign in again"),
        );
        notice.hidden = false;
      }
    }
  });
  if (body.dataset.admin) {
    // Admins: the open-reports badge starts from the queue's count, then follows the
    // `moderation.queue` event every report and action pushes to every admin's tabs.
    const openReports = (count) => setBadge("reports", count, "open reports");
    realtime.on("moderation.queue", (frame) => openReports(frame.open_reports));
    api("/api/admin/reports", { query: { status: "PENDING", page_size: 1 } })
      .then((page) => openReports(page.count))
      .catch(() => {});
  }
  realtime.start();
}
