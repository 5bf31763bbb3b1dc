// Test harness for realtime.js in Chromium: a fake socket the test plays the server on,
// and a storage in memory. Loaded by test_realtime_client.py; timers are playwright's clock.

import { RealtimeClient, backoffDelay, closeAction, newClientId } from "/static/frontend/realtime.js";

export class FakeSocket {
  static all = [];

  constructor(url) {
    this.url = url;
    this.readyState = 1; // the client waits for hello, not for onopen
    this.sent = [];
    this.closedWith = null;
    FakeSocket.all.push(this);
  }

  send(text) {
    this.sent.push(JSON.parse(text));
  }

  close(code = 1000) {
    this.readyState = 3;
    this.closedWith = code;
  }

  // The server's side.
  push(frame) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }

  serverClose(code) {
    this.readyState = 3;
    this.onclose?.({ code });
  }

  frames(type) {
    return this.sent.filter((f) => !type || f.type === type);
  }
}

export class MemoryStorage {
  constructor(init = {}) {
    this.map = new Map(Object.entries(init));
  }
  getItem(key) {
    return this.map.has(key) ? this.map.get(key) : null;
  }
  setItem(key, value) {
    this.map.set(key, String(value));
  }
}

export function make(options = {}) {
  FakeSocket.all = [];
  const storage = options.storage || new MemoryStorage(options.stored || {});
  const client = new RealtimeClient({
    WebSocket: FakeSocket,
    storage,
    url: "ws://sf.test/ws/",
    random: () => 0.5,
    ...options,
  });
  const log = [];
  client.on("*", (detail, type) => log.push([type, detail]));
  client.start();
  return {
    client,
    storage,
    log,
    sockets: FakeSocket.all,
    sock: () => FakeSocket.all.at(-1),
    seen: (type) => log.filter(([t]) => t === type).map(([, d]) => d),
  };
}

export const user = { id: 7, username: "bob", display_name: "Bob", avatar_url: null };

export function hello(lastEventId, unread = { messages: 0, notifications: 0 }) {
  return { type: "hello", user, last_event_id: lastEventId, unread };
}

export function message(eventId, id, from = "alice", to = "bob", extra = {}) {
  return {
    type: "message.new",
    event_id: eventId,
    message: { id, from, to, content: `m${id}`, is_read: false, client_id: null, ...extra },
  };
}

window.harness = {
  make,
  hello,
  message,
  user,
  FakeSocket,
  MemoryStorage,
  backoffDelay,
  closeAction,
  newClientId,
};
