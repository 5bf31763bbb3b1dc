// The browser client of the /ws/ protocol (docs/realtime-protocol.md; behaviour in
// docs/frontend.md). One RealtimeClient per tab; pages subscribe to its event bus.
//
// What it owns:
// - one socket to /ws/ (the session cookie authenticates it), `ping` keepalive, and
//   reconnecting with exponential backoff and jitter, as each close code asks
//   (`closeAction`: stop, drop the refused frame, back off longer, or retry);
// - the event cursor: the id of the last stream event handed to the pages. Events at or
//   below it are duplicates and dropped; an event that skips ahead is a gap and triggers
//   `resume`; a reconnect names the cursor in the socket's URL (`/ws/?last_event_id=…`)
//   and the server replays from it after `hello` (`hello.resume_from`), as a `resume` frame
//   would; a server that does not (no `resume_from`) gets `resume {last_event_id: cursor}`. The
//   cursor of the freshest tab is kept per user in localStorage, so that a page that
//   loads its state over REST and then opens the socket resumes from before that load
//   and misses nothing committed in between (pages dedupe what they already show);
// - `resync_required`: the gap is older than the server keeps; pages reload over REST;
// - `busy` (the server's database queue is full, a reconnect storm): the refused `resume`
//   or `message.send` goes out again after `retry_after` seconds (plus up to half again,
//   so a storm's clients do not come back all at once); 4503 reconnects with backoff;
// - message sends with a client_id, resent after a reconnect until acknowledged (the
//   server stores a client_id once, so a resend never doubles a message);
// - typing: "start" at most every typingStartEveryMs while typing, "stop" on send, blur
//   or typingIdleStopMs without input; a received "start" expires after typingExpireMs;
// - the unread badges: `hello` gives both counts, later stream events adjust them.

export const STREAM_EVENTS = Object.freeze([
  "message.new",
  "message.read",
  "notification.new",
  "notification.count",
  "connection.request",
  "connection.accepted",
  "connection.removed",
]);

export const DEFAULTS = Object.freeze({
  url: null, // default: ws(s)://<this host>/ws/
  pingIntervalMs: 25000, // the server closes sockets silent for REALTIME_IDLE_TIMEOUT (60 s)
  pongTimeoutMs: 10000, // no pong by then: the connection is dead, reconnect
  backoffBaseMs: 500,
  backoffMaxMs: 30000,
  // After 4429 (flooding): wait between half and all of this, well past the server's
  // rate-limit window (REALTIME_RATE_LIMIT_WINDOW, 10 s), before the next attempt.
  floodBackoffMs: 30000,
  maxFrameBytes: 65536, // REALTIME_MAX_FRAME_BYTES: a larger frame would close the socket (4413)
  typingStartEveryMs: 3000,
  typingIdleStopMs: 5000,
  typingExpireMs: 10000,
  busyRetryMs: 2000, // after a `busy` error frame without retry_after (the server sends 2 s)
  storageKeyPrefix: "sf.rt.last_event_id.",
});

// The server's close codes (realtime/close_codes.py; docs/realtime-protocol.md, "Close codes").
const CLOSE_UNAUTHENTICATED = 4401;
const CLOSE_SUSPENDED = 4403;
const CLOSE_IDLE = 4408;
const CLOSE_TOO_BIG = 4413;
const CLOSE_RATE_LIMITED = 4429;
const CLOSE_BUSY = 4503; // overloaded while the socket opened
const CLOSE_TRANSPORT_TOO_BIG = 1009; // Daphne's own cap (1 MiB), before the application
const CLOSE_CLIENT_RETRY = 4000; // our own close: dead connection or resync

/**
 * What the client does after a close with this code:
 * - "stop": the session ended (4401 signed out, 4403 suspended); retrying cannot help;
 * - "drop": a frame was too big (4413, or 1009 from Daphne): the oldest send the server had
 *   not answered on that socket is rejected, so a resend cannot close the next socket too;
 *   then reconnect as usual;
 * - "slow": flooding (4429): reconnect only after floodBackoffMs (half to all of it);
 * - "retry": anything else (4408 idle, 4503 busy, network loss, a restart): exponential
 *   backoff.
 */
export function closeAction(code) {
  switch (code) {
    case CLOSE_UNAUTHENTICATED:
    case CLOSE_SUSPENDED:
      return "stop";
    case CLOSE_TOO_BIG:
    case CLOSE_TRANSPORT_TOO_BIG:
      return "drop";
    case CLOSE_RATE_LIMITED:
      return "slow";
    case CLOSE_IDLE:
    case CLOSE_BUSY:
    default:
      return "retry";
  }
}

export class ApiError extends Error {
  constructor(code, message, fields = null, extra = {}) {
    super(message || code);
    this.code = code;
    this.fields = fields;
    Object.assign(this, extra);
  }
}

/** A random id for client_id: crypto.randomUUID where the context is secure, else 128 random bits. */
export function newClientId(cryptoImpl = globalThis.crypto) {
  if (cryptoImpl && typeof cryptoImpl.randomUUID === "function") return cryptoImpl.randomUUID();
  const bytes = new Uint8Array(16);
  cryptoImpl.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Reconnect delay for the n-th attempt (0-based): exponential, capped, half of it jittered. */
export function backoffDelay(attempt, { backoffBaseMs, backoffMaxMs }, random = Math.random) {
  const ceiling = Math.min(backoffMaxMs, backoffBaseMs * 2 ** Math.min(attempt, 20));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export class RealtimeClient {
  /**
   * @param {object} options DEFAULTS, plus for tests: WebSocket, storage, random, location.
   */
  constructor(options = {}) {
    this.options = { ...DEFAULTS, ...options };
    this.WebSocket = options.WebSocket || globalThis.WebSocket;
    this.storage = options.storage !== undefined ? options.storage : safeLocalStorage();
    this.random = options.random || Math.random;
    this.location = options.location || globalThis.location;

    this.listeners = new Map();
    this.status = "idle"; // idle | connecting | open | offline | signed-out | suspended
    this.user = null;
    this.cursor = null; // last stream event id handed to the pages (null before the first hello)
    this.baseId = 0; // hello's last_event_id: events up to it are counted in `unread`
    this.unread = { messages: 0, notifications: 0 };
    this.ws = null;
    this.ready = false; // hello received on the current socket
    this.resuming = false;
    this.resumeAgain = false;
    this.attempts = 0;
    this.stopped = true;
    this.timers = { reconnect: null, ping: null, pong: null, resume: null, resend: null };
    this.pending = new Map(); // client_id -> {frame, resolve, reject}
    this.unanswered = []; // client_ids sent on the current socket, not yet acked or refused
    this.busySends = new Set(); // client_ids the server answered `busy`: resent after retry_after
    this.readQueue = new Map(); // username -> up_to_id, sent once the socket is ready
    this.typingOut = new Map(); // username -> {lastStart, idle}
    this.typingIn = new Map(); // username -> expiry timer
    this._onOnline = () => this.reconnectNow();
  }

  // --- the event bus ------------------------------------------------------------------

  /** Subscribe to a frame type, a client event, or "*" (every frame). Returns an unsubscribe. */
  on(type, fn) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type).add(fn);
    return () => this.listeners.get(type)?.delete(fn);
  }

  emit(type, detail) {
    for (const key of [type, "*"]) {
      for (const fn of [...(this.listeners.get(key) || [])]) {
        try {
          fn(detail, type);
        } catch (err) {
          console.error(`realtime listener for ${type} failed`, err);
        }
      }
    }
  }

  // --- connection -------------------------------------------------------------------------

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    globalThis.addEventListener?.("online", this._onOnline);
    this._connect();
  }

  stop() {
    this.stopped = true;
    globalThis.removeEventListener?.("online", this._onOnline);
    this._clearTimers();
    if (this.ws) this._detach(this.ws).close(1000);
    this.ws = null;
    this.ready = false;
    this._setStatus("idle");
  }

  /** Reconnect at once (the network came back, or a test). */
  reconnectNow() {
    if (this.stopped || this.status === "signed-out" || this.status === "suspended") return;
    if (this.ws && this.ready) return;
    clearTimeout(this.timers.reconnect);
    this.timers.reconnect = null;
    if (this.ws) this._detach(this.ws).close(1000);
    this.ws = null;
    this._connect();
  }

  _url() {
    let url = this.options.url;
    if (!url) {
      const scheme = this.location.protocol === "https:" ? "wss:" : "ws:";
      url = `${scheme}//${this.location.host}/ws/`;
    }
    // A reconnect names its cursor: hello's statement reads the replay too (one round trip).
    if (this.cursor === null) return url;
    return `${url}${url.includes("?") ? "&" : "?"}last_event_id=${this.cursor}`;
  }

  _connect() {
    this._setStatus("connecting");
    this.ready = false;
    this.unanswered = [];
    let ws;
    try {
      ws = new this.WebSocket(this._url());
    } catch (err) {
      console.warn("realtime: cannot open the socket", err);
      this._scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.onmessage = (event) => this._receive(event.data);
    ws.onclose = (event) => this._closed(ws, event.code);
    ws.onerror = () => {}; // a close event follows
  }

  _detach(ws) {
    ws.onmessage = ws.onclose = ws.onerror = null;
    return ws;
  }

  _closed(ws, code) {
    if (ws !== this.ws) return;
    this.ws = null;
    this.ready = false;
    this.resuming = false;
    for (const key of ["ping", "pong", "resume", "resend"]) {
      clearTimeout(this.timers[key]);
      this.timers[key] = null;
    }
    this.busySends.clear(); // the hello of the next socket resends every pending send
    const action = closeAction(code);
    if (action === "stop") {
      // The session ended (signed out elsewhere, or suspended): retrying cannot help.
      this.stopped = true;
      this._setStatus(code === CLOSE_SUSPENDED ? "suspended" : "signed-out");
      for (const [clientId, waiting] of this.pending) {
        this.pending.delete(clientId);
        const reason = code === CLOSE_SUSPENDED ? "suspended" : "not_authenticated";
        waiting.reject(new ApiError(reason, "Not sent: the session ended."));
      }
      this.emit("closed", { code, final: true });
      return;
    }
    const detail = { code, final: false };
    if (action === "drop") {
      // Frames are handled in order and each send is answered before the next is read,
      // so the oldest unanswered send is the one the server refused. A fallback: sendMessage
      // already refuses frames over maxFrameBytes, so only a server with a lower limit
      // gets here.
      const refused = this.unanswered.find((clientId) => this.pending.has(clientId));
      if (refused !== undefined) {
        const waiting = this.pending.get(refused);
        this.pending.delete(refused);
        waiting.reject(new ApiError("payload_too_large", "Not sent: the message is too large."));
        detail.dropped = refused;
      }
    }
    this.unanswered = [];
    this.emit("closed", detail);
    if (this.stopped) return;
    if (action === "slow") {
      const flood = this.options.floodBackoffMs;
      const opts = { backoffBaseMs: flood, backoffMaxMs: flood };
      this._scheduleReconnect(backoffDelay(0, opts, this.random));
    } else {
      this._scheduleReconnect();
    }
  }

  _scheduleReconnect(floorMs = 0) {
    this._setStatus("offline");
    const delay = Math.max(floorMs, backoffDelay(this.attempts, this.options, this.random));
    this.attempts += 1;
    clearTimeout(this.timers.reconnect);
    this.timers.reconnect = setTimeout(() => {
      this.timers.reconnect = null;
      if (!this.stopped) this._connect();
    }, delay);
  }

  _drop(code = CLOSE_CLIENT_RETRY) {
    // Close without waiting for the closing handshake (a dead link may never answer).
    const ws = this.ws;
    if (!ws) return;
    this._detach(ws);
    try {
      ws.close(code);
    } catch (_) {
      /* already closed */
    }
    this._closed(ws, code);
  }

  _clearTimers() {
    for (const key of Object.keys(this.timers)) {
      clearTimeout(this.timers[key]);
      this.timers[key] = null;
    }
  }

  _setStatus(status) {
    if (this.status !== status) {
      this.status = status;
      this.emit("status", { status });
    }
  }

  _send(frame) {
    if (!this.ws || this.ws.readyState !== 1) return false;
    this.ws.send(JSON.stringify(frame));
    if (frame.type === "message.send") this.unanswered.push(frame.client_id);
    return true;
  }

  _answered(clientId) {
    const at = this.unanswered.indexOf(clientId);
    if (at >= 0) this.unanswered.splice(at, 1);
  }

  _schedulePing() {
    clearTimeout(this.timers.ping);
    this.timers.ping = setTimeout(() => {
      if (!this._send({ type: "ping" })) return;
      clearTimeout(this.timers.pong);
      this.timers.pong = setTimeout(() => this._drop(), this.options.pongTimeoutMs);
      this._schedulePing();
    }, this.options.pingIntervalMs);
  }

  // --- frames from the server -----------------------------------------------------------------

  _receive(text) {
    let frame;
    try {
      frame = JSON.parse(text);
    } catch (_) {
      return;
    }
    if (!frame || typeof frame.type !== "string") return;
    switch (frame.type) {
      case "hello":
        return this._hello(frame);
      case "pong":
        clearTimeout(this.timers.pong);
        return;
      case "message.ack":
        return this._ack(frame);
      case "resumed":
        return this._resumed(frame);
      case "resync_required":
        return this._resync(frame);
      case "typing":
        return this._typingIn(frame);
      case "error":
        return this._error(frame);
      default:
        if (Number.isInteger(frame.event_id)) return this._event(frame);
        this.emit(frame.type, frame);
    }
  }

  _hello(hello) {
    const first = this.cursor === null;
    const head = hello.last_event_id;
    // The server took the cursor from the URL: it replays from it and answers `resumed`
    // (or `resync_required`, "ahead" included) on its own.
    const handshake = !first && hello.resume_from === this.cursor;
    this.user = hello.user;
    this.ready = true;
    this.attempts = 0;
    this.baseId = head;
    this.unread = { messages: hello.unread.messages, notifications: hello.unread.notifications };
    this._setStatus("open");
    this._schedulePing();
    this.emit("unread", { ...this.unread });
    let resync = null;
    if (first) {
      const stored = this._stored();
      if (stored !== null && stored <= head) this.cursor = stored;
      else resync = stored === null ? "fresh" : "ahead";
    } else if (this.cursor > head && !handshake) {
      resync = "ahead"; // the server knows fewer events than we saw (its log was reset)
    }
    if (resync !== null) this.cursor = head;
    this._persist(resync === "ahead");
    this.emit("ready", { user: this.user, reconnected: !first });
    if (resync !== null) this.emit("resync", { reason: resync });
    if (handshake) {
      this.resuming = true;
      this.resumeAgain = false;
    } else if (this.cursor < head) {
      this._resume();
    }
    this._flushOutbox();
  }

  _resume() {
    this.resuming = true;
    this.resumeAgain = false;
    this._send({ type: "resume", last_event_id: this.cursor });
  }

  _resumed() {
    this.resuming = false;
    this.emit("resumed", { last_event_id: this.cursor });
    if (this.resumeAgain) this._resume();
  }

  _resync(frame) {
    // Older than the server keeps (or a log reset): reload state over REST, and reconnect
    // for a fresh hello (the unread counts) from the server's current head.
    this.resuming = false;
    this.cursor = frame.last_event_id;
    this._persist(true);
    this.emit("resync", { reason: frame.reason || "required" });
    this._drop();
  }

  /** Returns "ok" if the id is next, "dup" if seen, "gap" if it skips ahead (resume started). */
  _advance(eventId) {
    if (eventId <= this.cursor) return "dup";
    if (eventId > this.cursor + 1) {
      if (this.resuming) this.resumeAgain = true;
      else this._resume();
      return "gap";
    }
    this.cursor = eventId;
    this._persist(false);
    return "ok";
  }

  _event(frame) {
    if (this._advance(frame.event_id) !== "ok") return;
    this._countUnread(frame);
    if (frame.type === "message.new" && frame.message) this._clearTypingIn(frame.message.from);
    this.emit(frame.type, frame);
  }

  _ack(frame) {
    this._answered(frame.client_id);
    const waiting = this.pending.get(frame.client_id);
    if (waiting) {
      this.pending.delete(frame.client_id);
      waiting.resolve(frame.message);
    }
    this.emit("message.ack", frame);
    // A fresh ack stands in for this socket's copy of message.new, in stream order.
    if (Number.isInteger(frame.event_id) && this._advance(frame.event_id) === "ok") {
      this.emit("message.new", {
        type: "message.new",
        event_id: frame.event_id,
        message: frame.message,
        ack: true,
      });
    }
  }

  _error(frame) {
    if (frame.ref) this._answered(frame.ref);
    const waiting = frame.ref ? this.pending.get(frame.ref) : null;
    if (waiting && frame.code !== "rate_limited" && frame.code !== "busy") {
      this.pending.delete(frame.ref);
      waiting.reject(new ApiError(frame.code, frame.message, frame.fields || null));
    }
    if (frame.code === "busy") this._busy(frame, waiting ? frame.ref : null);
    this.emit("error", frame);
  }

  /** The server had no database connection for a frame in time: send it again later. */
  _busy(frame, clientId) {
    const seconds = Number(frame.retry_after);
    const base = Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : this.options.busyRetryMs;
    const delay = Math.round(base * (1 + this.random() / 2));
    if (frame.frame === "resume") {
      // Still resuming meanwhile: a gap seen now is covered by the resend.
      clearTimeout(this.timers.resume);
      this.timers.resume = setTimeout(() => {
        this.timers.resume = null;
        if (this.ready && this.resuming) this._resume();
      }, delay);
    } else if (clientId !== null) {
      this.busySends.add(clientId);
      if (this.timers.resend) return; // one resend for all sends answered busy meanwhile
      this.timers.resend = setTimeout(() => {
        this.timers.resend = null;
        const ids = [...this.busySends];
        this.busySends.clear();
        if (!this.ready) return;
        for (const id of ids) {
          const waiting = this.pending.get(id);
          if (waiting) this._send(waiting.frame);
        }
      }, delay);
    }
  }

  _countUnread(frame) {
    if (frame.event_id <= this.baseId || !this.user) return;
    const me = this.user.username;
    const before = { ...this.unread };
    if (frame.type === "message.new" && frame.message?.to === me && !frame.message.is_read) {
      this.unread.messages += 1;
    } else if (frame.type === "message.removed" && frame.was_unread && frame.receiver_id === this.user.id) {
      this.unread.messages = Math.max(0, this.unread.messages - 1);
    } else if (frame.type === "message.read" && frame.by === me && Array.isArray(frame.ids)) {
      this.unread.messages = Math.max(0, this.unread.messages - frame.ids.length);
    } else if (frame.type === "notification.count" && Number.isInteger(frame.unread)) {
      this.unread.notifications = frame.unread;
    }
    if (
      before.messages !== this.unread.messages ||
      before.notifications !== this.unread.notifications
    ) {
      this.emit("unread", { ...this.unread });
    }
  }

  // --- the stored cursor ---------------------------------------------------------------------

  _key() {
    return this.user ? `${this.options.storageKeyPrefix}${this.user.id}` : null;
  }

  _stored() {
    const key = this._key();
    if (!key || !this.storage) return null;
    try {
      const value = this.storage.getItem(key);
      const id = value === null ? NaN : Number(value);
      return Number.isInteger(id) && id >= 0 ? id : null;
    } catch (_) {
      return null;
    }
  }

  _persist(force) {
    const key = this._key();
    if (!key || !this.storage || this.cursor === null) return;
    try {
      const stored = this._stored();
      // Several tabs share the key: keep the freshest cursor, unless the server said otherwise.
      if (force || stored === null || this.cursor > stored) {
        this.storage.setItem(key, String(this.cursor));
      }
    } catch (_) {
      /* storage full or disabled: resume still works within this tab */
    }
  }

  // --- sending ---------------------------------------------------------------------------------

  /**
   * Send a chat message. Resolves with the stored message (from `message.ack`), rejects with
   * an ApiError for a refused one. While offline it waits, and is (re)sent on reconnect with
   * the same client_id until acknowledged.
   */
  sendMessage({ to, content, subject = undefined, clientId = undefined }) {
    const client_id = clientId || newClientId();
    const frame = { type: "message.send", to, content, client_id };
    if (subject) frame.subject = subject;
    this.stopTyping(to);
    if (this.status === "signed-out" || this.status === "suspended") {
      // The session ended: nothing would ever send it, so it is refused, not queued.
      const reason = this.status === "suspended" ? "suspended" : "not_authenticated";
      return Promise.reject(new ApiError(reason, "Not sent: the session ended. Sign in again."));
    }
    if (utf8Length(JSON.stringify(frame)) > this.options.maxFrameBytes) {
      // The server would close the socket on it (4413): refuse it here, never queue it.
      return Promise.reject(
        new ApiError("payload_too_large", "Not sent: the message is too large.", {
          content: ["Too large to send."],
        }),
      );
    }
    return new Promise((resolve, reject) => {
      this.pending.set(client_id, { frame, resolve, reject });
      if (this.ready) this._send(frame);
    });
  }

  /** Pending sends, oldest first (for showing "sending…"). */
  pendingSends() {
    return [...this.pending.entries()].map(([client_id, p]) => ({ client_id, ...p.frame }));
  }

  _flushOutbox() {
    for (const { frame } of this.pending.values()) this._send(frame);
    for (const [username, upTo] of this.readQueue) {
      this._send({ type: "message.read", with: username, up_to_id: upTo });
    }
    this.readQueue.clear();
  }

  /** Mark the conversation with `username` read up to a message id (the read receipt). */
  markRead(username, upToId) {
    if (!username || !Number.isInteger(upToId)) return;
    const frame = { type: "message.read", with: username, up_to_id: upToId };
    if (this.ready && this._send(frame)) return;
    this.readQueue.set(username, Math.max(upToId, this.readQueue.get(username) || 0));
  }

  /** Call on every input in a composer addressed to `username`. */
  typing(username) {
    if (!username) return;
    const now = Date.now();
    let state = this.typingOut.get(username);
    if (!state) {
      state = { lastStart: -Infinity, idle: null };
      this.typingOut.set(username, state);
    }
    if (now - state.lastStart >= this.options.typingStartEveryMs) {
      if (this._send({ type: "typing", to: username, state: "start" })) state.lastStart = now;
    }
    clearTimeout(state.idle);
    state.idle = setTimeout(() => this.stopTyping(username), this.options.typingIdleStopMs);
  }

  /** Call on send and on blur. Sends "stop" only if a "start" went out. */
  stopTyping(username) {
    const state = this.typingOut.get(username);
    if (!state) return;
    clearTimeout(state.idle);
    this.typingOut.delete(username);
    if (state.lastStart > -Infinity) this._send({ type: "typing", to: username, state: "stop" });
  }

  _typingIn(frame) {
    const who = frame.from;
    if (!who) return;
    if (frame.state === "start") {
      clearTimeout(this.typingIn.get(who));
      this.typingIn.set(
        who,
        setTimeout(() => this._clearTypingIn(who), this.options.typingExpireMs),
      );
      this.emit("typing", { from: who, active: true });
    } else {
      this._clearTypingIn(who);
    }
  }

  _clearTypingIn(who) {
    if (!this.typingIn.has(who)) return;
    clearTimeout(this.typingIn.get(who));
    this.typingIn.delete(who);
    this.emit("typing", { from: who, active: false });
  }

  /** Who is typing to me right now. */
  typingNow() {
    return [...this.typingIn.keys()];
  }
}

function utf8Length(text) {
  return new TextEncoder().encode(text).length;
}

function safeLocalStorage() {
  try {
    return globalThis.localStorage || null;
  } catch (_) {
    return null; // disabled storage throws on access
  }
}
