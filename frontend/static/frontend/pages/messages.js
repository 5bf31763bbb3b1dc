// /messages and /messages/<username>: the conversations, one thread, live.
//
// State comes from REST (GET /api/conversations, GET /api/conversations/<u>/messages) and is
// then kept current by socket events. Everything is keyed by message id, so a message
// seen twice (REST, then a resume replay; or an ack and its message.new) shows once.

import { api } from "../api.js";
import { me, realtime } from "../app.js";
import { $, dayKey, fill, formatDateTime, formatDay, formatTime, h, onSubmit, pageData, showError } from "../dom.js";
import { newClientId } from "../realtime.js";
import { reportButton } from "../report.js";

const data = pageData("page-data") || {};
const els = {
  conversations: $("#conversations"),
  thread: $("#thread"),
  noThread: $("#no-thread"),
  title: $("#thread-title"),
  list: $("#thread-messages"),
  older: $("#older"),
  typing: $("#typing"),
  composer: $("#composer"),
  status: $("#composer-status"),
};
const norm = (username) => String(username || "").toLowerCase();

// --- the conversations list ---------------------------------------------------------------

const conversations = new Map(); // lower-case username -> {with, last_message, unread, last_activity}

async function loadConversations() {
  try {
    const { results } = await api("/api/conversations", { query: { limit: 100 } });
    conversations.clear();
    for (const row of results) conversations.set(norm(row.with.username), row);
    renderConversations();
  } catch (err) {
    showError(els.conversations, err);
  } finally {
    els.conversations.removeAttribute("aria-busy");
  }
}

function renderConversations() {
  const rows = [...conversations.values()].sort(
    (a, b) => (b.last_message?.id || 0) - (a.last_message?.id || 0),
  );
  if (!rows.length) {
    fill(els.conversations, h("li", { class: "muted" }, "No conversations yet."));
    return;
  }
  fill(
    els.conversations,
    rows.map((row) => {
      const username = row.with.username;
      const last = row.last_message;
      const active = thread.username && norm(username) === norm(thread.username);
      return h(
        "li",
        { class: active ? "conversation active" : "conversation", dataset: { username } },
        h(
          "a",
          { href: `/messages/${encodeURIComponent(username)}` },
          h("strong", {}, row.with.display_name || username),
          row.unread > 0
            ? h("span", { class: "badge", dataset: { unread: row.unread } }, String(row.unread))
            : null,
          h(
            "span",
            { class: "snippet" },
            last ? `${last.from === me.username ? "You: " : ""}${last.content}` : "",
          ),
          h("time", { class: "muted", datetime: row.last_activity }, formatDateTime(row.last_activity)),
        ),
      );
    }),
  );
}

function touchConversation(message) {
  const other = message.from === me.username ? message.to : message.from;
  if (!other) return;
  const key = norm(other);
  const row = conversations.get(key) || {
    with:
      message.from === other && message.sender
        ? message.sender
        : thread.other && norm(thread.other.username) === key
          ? thread.other
          : { username: other, display_name: other },
    unread: 0,
    last_message: null,
  };
  // Ids grow: a message at or below the row's last one is already in the row (REST loaded
  // it, or a replay repeats it), so only a newer one changes the row and its count.
  if (row.last_message && message.id <= row.last_message.id) return;
  row.last_message = message;
  row.last_activity = message.created_at;
  if (message.to === me.username && !message.is_read && !isThreadVisible(other)) row.unread += 1;
  conversations.set(key, row);
  renderConversations();
}

// --- the thread ------------------------------------------------------------------------------

const thread = {
  username: data.with || null,
  other: null,
  messages: new Map(), // id -> message
  pending: new Map(), // client_id -> {content, state: "sending" | "failed", error}
  nextBefore: null,
  loaded: false,
};

function isThreadVisible(username) {
  return (
    thread.loaded &&
    norm(username) === norm(thread.username) &&
    document.visibilityState === "visible"
  );
}

async function loadThread() {
  try {
    const res = await api(`/api/conversations/${encodeURIComponent(thread.username)}/messages`);
    thread.other = res.with;
    thread.username = res.with.username;
    thread.messages.clear();
    for (const m of res.results) thread.messages.set(m.id, m);
    thread.nextBefore = res.next_before;
    thread.loaded = true;
    fill(els.title, h("a", { href: `/${encodeURIComponent(res.with.username)}` }, res.with.display_name || res.with.username));
    renderThread({ scroll: true });
    markRead();
    renderConversations();
  } catch (err) {
    showError(els.title, err);
    els.composer.hidden = true;
  }
}

async function loadOlder() {
  if (!thread.nextBefore) return;
  els.older.disabled = true;
  try {
    const res = await api(`/api/conversations/${encodeURIComponent(thread.username)}/messages`, {
      query: { before: thread.nextBefore },
    });
    for (const m of res.results) thread.messages.set(m.id, m);
    thread.nextBefore = res.next_before;
    const height = els.list.scrollHeight;
    renderThread({ scroll: false });
    els.list.scrollTop += els.list.scrollHeight - height; // keep the reader's place
  } catch (err) {
    showError(els.status, err);
  } finally {
    els.older.disabled = false;
  }
}

const GROUP_GAP_MS = 5 * 60 * 1000;

// The studio an enquiry is about (a message's context.studio_id): its name, fetched once.
const studioNames = new Map(); // id -> name | Promise
function studioName(id) {
  if (!studioNames.has(id)) {
    studioNames.set(
      id,
      api(`/api/studios/${encodeURIComponent(id)}`)
        .then((s) => {
          studioNames.set(id, s.name);
          for (const node of document.querySelectorAll(`[data-about-studio="${id}"]`)) node.textContent = s.name;
        })
        .catch(() => studioNames.set(id, null)),
    );
  }
  const name = studioNames.get(id);
  return typeof name === "string" ? name : "a studio";
}

function avatar(user) {
  const name = user?.display_name || user?.username || "?";
  return user?.avatar_url
    ? h("img", { class: "message-avatar", src: user.avatar_url, alt: "" })
    : h("span", { class: "message-avatar initial", "aria-hidden": "true" }, name.trim().charAt(0).toUpperCase());
}

function messageItem(m, { mine, grouped, lastSeen }) {
  const studioId = m.context && Number(m.context.studio_id);
  return h(
    "li",
    {
      class: `message ${mine ? "mine" : "theirs"}${grouped ? " grouped" : ""}`,
      dataset: { messageId: m.id },
    },
    !mine && !grouped ? avatar(m.sender || thread.other) : null,
    studioId
      ? h(
          "p",
          { class: "about-studio" },
          "About ",
          h("a", { href: `/studios/${studioId}`, dataset: { aboutStudio: studioId } }, studioName(studioId)),
        )
      : null,
    m.subject ? h("strong", { class: "subject" }, m.subject) : null,
    h("p", { class: "content" }, m.content),
    h(
      "span",
      { class: "meta" },
      h("time", { datetime: m.created_at, title: formatDateTime(m.created_at) }, formatTime(m.created_at)),
      mine && lastSeen && m.id === lastSeen.id ? h("span", { class: "receipt" }, " · Seen") : null,
      mine ? null : [" · ", reportButton({ contentType: "MESSAGE", contentId: m.id, what: "message" })],
    ),
  );
}

function renderThread({ scroll }) {
  const atBottom = els.list.scrollHeight - els.list.scrollTop - els.list.clientHeight < 40;
  const messages = [...thread.messages.values()].sort((a, b) => a.id - b.id);
  const lastSeen = messages.filter((m) => m.from === me.username && m.is_read).at(-1);
  const known = new Set(messages.map((m) => m.client_id).filter(Boolean));
  // A day separator before each new day; a message right after one from the same sender
  // (within GROUP_GAP_MS) joins their group and shows no repeated header.
  const items = [];
  let previous = null;
  for (const m of messages) {
    const mine = m.from === me.username;
    const newDay = !previous || dayKey(previous.created_at) !== dayKey(m.created_at);
    if (newDay) items.push(h("li", { class: "day-separator" }, h("span", {}, formatDay(m.created_at))));
    const grouped =
      !newDay && previous.from === m.from && new Date(m.created_at) - new Date(previous.created_at) < GROUP_GAP_MS;
    previous = m;
    items.push(messageItem(m, { mine, grouped, lastSeen }));
  }
  for (const [clientId, p] of thread.pending) {
    if (known.has(clientId)) continue;
    items.push(
      h(
        "li",
        { class: `message mine pending ${p.state}`, dataset: { clientId } },
        h("p", { class: "content" }, p.content),
        h(
          "span",
          { class: "meta" },
          p.state === "failed"
            ? [`Not sent: ${p.error} `, h("button", { type: "button", class: "link-button", onclick: () => send(p.content, clientId) }, "Retry")]
            : realtime.ready
              ? "Sending…"
              : "Waiting for the connection…",
        ),
      ),
    );
  }
  fill(els.list, items);
  els.older.hidden = !thread.nextBefore;
  if (scroll || atBottom) els.list.scrollTop = els.list.scrollHeight;
}

/** Read receipt: everything from the other person that is on screen is read. */
function markRead() {
  if (!thread.loaded || document.visibilityState !== "visible") return;
  const unread = [...thread.messages.values()].filter(
    (m) => m.from !== me.username && !m.is_read,
  );
  if (!unread.length) return;
  const upTo = Math.max(...unread.map((m) => m.id));
  for (const m of unread) m.is_read = true;
  realtime.markRead(thread.username, upTo);
}

function send(content, clientId = newClientId()) {
  thread.pending.set(clientId, { content, state: "sending" });
  renderThread({ scroll: true });
  realtime
    .sendMessage({ to: thread.username, content, clientId })
    .then((message) => {
      thread.pending.delete(clientId);
      addToThread(message);
    })
    .catch((err) => {
      thread.pending.set(clientId, { content, state: "failed", error: err.message });
      renderThread({ scroll: false });
    });
}

function addToThread(message) {
  const other = message.from === me.username ? message.to : message.from;
  if (!thread.loaded || norm(other) !== norm(thread.username)) return;
  const existing = thread.messages.get(message.id);
  thread.messages.set(message.id, existing ? { ...message, is_read: existing.is_read || message.is_read } : message);
  if (message.client_id) thread.pending.delete(message.client_id);
  renderThread({ scroll: message.from === me.username });
}

// --- live events ------------------------------------------------------------------------------
// A moderator removed a message: it disappears from the thread and the list, for both people.
realtime.on("message.removed", (frame) => {
  if (thread.messages.delete(frame.message_id)) renderThread({ scroll: false });
  loadConversations();
});

realtime.on("message.new", ({ message }) => {
  if (!message) return;
  const isNew = !thread.messages.has(message.id);
  addToThread(message);
  if (isNew) touchConversation(message);
  if (message.from !== me.username) markRead();
});

realtime.on("message.read", (frame) => {
  if (frame.by === me.username) {
    // I read them (here or in another tab): the conversation has nothing unread up to there.
    const row = conversations.get(norm(frame.with));
    if (row) {
      row.unread = Math.max(0, row.unread - (Array.isArray(frame.ids) ? frame.ids.length : row.unread));
      renderConversations();
    }
    for (const m of thread.messages.values()) {
      if (m.from !== me.username && m.id <= frame.up_to_id && norm(frame.with) === norm(thread.username)) m.is_read = true;
    }
    return;
  }
  if (norm(frame.by) !== norm(thread.username)) return;
  const ids = new Set(frame.ids || []);
  let changed = false;
  for (const m of thread.messages.values()) {
    if (m.from === me.username && !m.is_read && (ids.has(m.id) || m.id <= frame.up_to_id)) {
      m.is_read = true;
      changed = true;
    }
  }
  if (changed) renderThread({ scroll: false });
});

realtime.on("typing", ({ from, active }) => {
  if (norm(from) !== norm(thread.username)) return;
  els.typing.textContent = active ? `${thread.other?.display_name || from} is typing…` : "";
  els.typing.hidden = !active;
});

realtime.on("resync", () => {
  loadConversations();
  if (thread.username) loadThread();
});

realtime.on("status", ({ status }) => {
  if (thread.pending.size) renderThread({ scroll: false });
  if (status === "signed-out" || status === "suspended") {
    // A tab whose session ended takes no new messages (they could never be sent).
    for (const field of els.composer.elements) field.disabled = true;
    els.composer.elements.content.placeholder =
      status === "suspended" ? "Your account is suspended." : "You were signed out. Sign in again to write.";
  }
});

document.addEventListener("visibilitychange", () => {
  markRead();
  if (document.visibilityState === "visible") renderConversations();
});

// --- the composer ---------------------------------------------------------------------------------

const textarea = els.composer.elements.content;
textarea.addEventListener("input", () => {
  if (textarea.value.trim()) realtime.typing(thread.username);
  else realtime.stopTyping(thread.username);
});
textarea.addEventListener("blur", () => realtime.stopTyping(thread.username));
textarea.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    els.composer.requestSubmit();
  }
});
onSubmit(els.composer, (event) => {
  event.preventDefault();
  const content = textarea.value.trim();
  if (!content) return;
  textarea.value = "";
  send(content);
});
els.older.addEventListener("click", loadOlder);

onSubmit($("#new-conversation"), (event) => {
  event.preventDefault();
  const username = event.target.elements.username.value.trim();
  if (username) location.assign(`/messages/${encodeURIComponent(username)}`);
});

// --- start ------------------------------------------------------------------------------------

loadConversations();
if (thread.username) {
  els.thread.hidden = false;
  els.noThread.hidden = true;
  loadThread();
}
