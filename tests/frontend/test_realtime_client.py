"""realtime.js on its own, in Chromium: the test plays the server through a fake socket
(tests/frontend/realtime_harness.js) and moves playwright's fake clock. No server runs;
the module and the harness are served to the page by request interception.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from realtime import close_codes

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
ORIGIN = "http://sf.test"
PAGE = '<!doctype html><script type="module" src="/harness.js"></script>'


def _serve(route):
    path = route.request.url.removeprefix(ORIGIN)
    if path == "/":
        route.fulfill(status=200, content_type="text/html", body=PAGE)
    elif path == "/harness.js":
        route.fulfill(path=HERE / "realtime_harness.js", content_type="text/javascript")
    elif path.startswith("/static/frontend/") and path.endswith(".js"):
        route.fulfill(path=ROOT / "frontend" / path.lstrip("/"), content_type="text/javascript")
    else:
        route.fulfill(status=404, body="")


@pytest.fixture
def js(browser):
    """A page with the harness loaded and a paused fake clock; `js.evaluate("…")` runs a step."""
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.route(f"{ORIGIN}/**", _serve)
    page.clock.install(time=0)
    page.goto(f"{ORIGIN}/")
    page.clock.pause_at(1000)  # from here on, time moves only when a test moves it
    assert page.evaluate("typeof window.harness") == "object", errors
    yield page
    context.close()
    assert not errors


def test_first_visit_takes_the_hello_id_and_asks_pages_to_load(js):
    state = js.evaluate("""() => {
        const t = window.t = harness.make();
        t.sock().push(harness.hello(41, {messages: 2, notifications: 5}));
        return {cursor: t.client.cursor, stored: t.storage.getItem("sf.rt.last_event_id.7"),
                sent: t.sock().sent, resync: t.seen("resync"), unread: t.seen("unread"),
                status: t.client.status};
    }""")
    assert state == {
        "cursor": 41,
        "stored": "41",
        "sent": [],
        "resync": [{"reason": "fresh"}],
        "unread": [{"messages": 2, "notifications": 5}],
        "status": "open",
    }


def test_a_page_load_resumes_from_the_stored_id_and_drops_duplicates(js):
    state = js.evaluate("""() => {
        const t = harness.make({stored: {"sf.rt.last_event_id.7": "10"}});
        const sock = t.sock();
        sock.push(harness.hello(13, {messages: 1, notifications: 0}));
        const resume = sock.sent.at(-1);
        sock.push(harness.message(11, 101));
        sock.push(harness.message(11, 101));  // doubled: dropped
        sock.push(harness.message(12, 102));
        sock.push(harness.message(13, 103));
        sock.push({type: "resumed", last_event_id: 13});
        sock.push(harness.message(14, 104));  // live, after the hello: counted
        return {resume, ids: t.seen("message.new").map(f => f.message.id),
                cursor: t.client.cursor, stored: t.storage.getItem("sf.rt.last_event_id.7"),
                unread: t.client.unread, resync: t.seen("resync").length};
    }""")
    assert state == {
        "resume": {"type": "resume", "last_event_id": 10},
        "ids": [101, 102, 103, 104],
        "cursor": 14,
        "stored": "14",
        # hello counted 11–13 already; only event 14 adds one
        "unread": {"messages": 2, "notifications": 0},
        "resync": 0,
    }


def test_a_gap_triggers_resume_and_events_arrive_once_in_order(js):
    state = js.evaluate("""() => {
        const t = harness.make();
        const sock = t.sock();
        sock.push(harness.hello(5));
        sock.push(harness.message(6, 1));
        sock.push(harness.message(9, 4));  // 7 and 8 are missing
        const afterGap = sock.sent.at(-1);
        sock.push(harness.message(10, 5));  // still resuming: no second resume
        const resumes = sock.frames("resume").length;
        for (const [e, id] of [[7, 2], [8, 3], [9, 4], [10, 5]]) sock.push(harness.message(e, id));
        sock.push({type: "resumed", last_event_id: 10});
        return {afterGap, resumes, again: sock.frames("resume").length,
                ids: t.seen("message.new").map(f => f.message.id), cursor: t.client.cursor};
    }""")
    assert state["afterGap"] == {"type": "resume", "last_event_id": 6}
    assert state["resumes"] == 1
    assert state["again"] == 2  # event 10 was dropped while resuming: resume once more
    assert state["ids"] == [1, 2, 3, 4, 5]
    assert state["cursor"] == 10


def test_reconnect_backs_off_with_jitter_resumes_and_resends_unacknowledged(js):
    js.evaluate("""() => {
        const t = window.t = harness.make({backoffBaseMs: 1000, backoffMaxMs: 4000});
        t.sock().push(harness.hello(3));
        window.sendResult = null;
        t.client.sendMessage({to: "alice", content: "hi", clientId: "c-1"})
            .then(m => { window.sendResult = m; });
        t.sock().serverClose(1006);  // dropped before the ack
    }""")
    assert js.evaluate("t.client.status") == "offline"
    js.clock.run_for(499)  # attempt 0: 500–1000 ms; random() = 0.5 → 750 ms
    assert js.evaluate("t.sockets.length") == 1
    js.clock.run_for(300)
    assert js.evaluate("t.sockets.length") == 2
    js.evaluate("t.sock().serverClose(1006)")  # refused again: attempt 1, 1500 ms
    js.clock.run_for(1499)
    assert js.evaluate("t.sockets.length") == 2
    js.clock.run_for(2)
    state = js.evaluate("""() => {
        const sock = t.sock();
        sock.push(harness.hello(4));
        const sent = sock.sent.slice();
        sock.push(harness.message(4, 8));  // the replay, then the ack of the resend
        sock.push({type: "resumed", last_event_id: 4});
        sock.push({type: "message.ack", client_id: "c-1", event_id: 5,
                   message: {id: 9, from: "bob", to: "alice", content: "hi", client_id: "c-1"}});
        // A resend's ack (same client_id) comes again outside the order: nothing new shows.
        sock.push({type: "message.ack", client_id: "c-1", event_id: 5,
                   message: {id: 9, from: "bob", to: "alice", content: "hi", client_id: "c-1"}});
        return {sent, pending: t.client.pendingSends().length, cursor: t.client.cursor,
                attempts: t.client.attempts,
                bus: t.seen("message.new").map(f => [f.event_id, f.message.id, !!f.ack])};
    }""")
    assert state["sent"] == [
        {"type": "resume", "last_event_id": 3},
        {"type": "message.send", "to": "alice", "content": "hi", "client_id": "c-1"},
    ]
    assert state["pending"] == 0
    assert state["cursor"] == 5
    assert state["attempts"] == 0
    assert state["bus"] == [[4, 8, False], [5, 9, True]]  # the ack stands in for message.new
    assert js.evaluate("window.sendResult.id") == 9
    delays = js.evaluate(
        "[0, 1, 2, 3, 10].map(n => harness.backoffDelay(n, "
        "{backoffBaseMs: 500, backoffMaxMs: 30000}, () => 1))"
    )
    assert delays == [500, 1000, 2000, 4000, 30000]


def test_a_reconnect_names_its_cursor_in_the_url_and_the_server_resumes_from_it(js):
    state = js.evaluate("""() => {
        const t = window.t = harness.make();
        t.sock().push(harness.hello(3));
        t.sock().serverClose(1006);
        return {first: t.sockets[0].url};
    }""")
    assert state == {"first": "ws://sf.test/ws/"}  # no cursor yet: the first hello gives it
    js.clock.run_for(1000)
    state = js.evaluate("""() => {
        const sock = t.sock();
        const url = sock.url;
        sock.push({...harness.hello(5), resume_from: 3});
        const resuming = t.client.resuming;
        sock.push(harness.message(4, 8));
        sock.push(harness.message(5, 9));
        sock.push({type: "resumed", last_event_id: 5});
        return {url, resuming, sent: sock.sent, cursor: t.client.cursor,
                after: t.client.resuming, ids: t.seen("message.new").map(f => f.event_id)};
    }""")
    assert state == {
        "url": "ws://sf.test/ws/?last_event_id=3",
        "resuming": True,
        "sent": [],  # no `resume` frame: the handshake named it
        "cursor": 5,
        "after": False,
        "ids": [4, 5],
    }


def test_a_handshake_resume_ahead_of_the_server_resyncs_once(js):
    js.evaluate("""() => {
        const t = window.t = harness.make({url: "ws://sf.test/ws/?v=1"});
        t.sock().push(harness.hello(50));
        t.sock().serverClose(1006);
    }""")
    js.clock.run_for(1000)
    state = js.evaluate("""() => {
        const sock = t.sock();
        const n0 = t.seen("resync").length;  // the first visit's "fresh"
        sock.push({...harness.hello(3), resume_from: 50});  // the server's log was reset
        const before = t.seen("resync").length - n0;  // the server decides, not the client
        sock.push({type: "resync_required", last_event_id: 3, reason: "ahead"});
        return {url: sock.url, before, resync: t.seen("resync").slice(n0), cursor: t.client.cursor,
                sent: sock.sent, closed: sock.closedWith};
    }""")
    assert state == {
        "url": "ws://sf.test/ws/?v=1&last_event_id=50",
        "before": 0,
        "resync": [{"reason": "ahead"}],
        "cursor": 3,
        "sent": [],
        "closed": 4000,
    }
    js.clock.run_for(1000)
    assert js.evaluate("t.sock().url") == "ws://sf.test/ws/?v=1&last_event_id=3"


def test_resync_required_asks_pages_to_reload_and_reconnects_for_counts(js):
    js.evaluate("""() => {
        const t = window.t = harness.make({stored: {"sf.rt.last_event_id.7": "2"}});
        t.sock().push(harness.hello(900));
        t.sock().push({type: "resync_required", last_event_id: 900, reason: "expired"});
    }""")
    state = js.evaluate(
        "({resync: t.seen('resync'), cursor: t.client.cursor, "
        "stored: t.storage.getItem('sf.rt.last_event_id.7'), closed: t.sock().closedWith})"
    )
    assert state == {
        "resync": [{"reason": "expired"}],
        "cursor": 900,
        "stored": "900",
        "closed": 4000,
    }
    js.clock.run_for(1000)
    assert js.evaluate("t.sockets.length") == 2
    sent = js.evaluate("(t.sock().push(harness.hello(901)), t.sock().sent)")
    assert sent == [{"type": "resume", "last_event_id": 900}]


def test_a_log_reset_on_the_server_is_a_resync_not_a_resume(js):
    state = js.evaluate("""() => {
        const t = harness.make({stored: {"sf.rt.last_event_id.7": "50"}});
        t.sock().push(harness.hello(3));
        return {sent: t.sock().sent, resync: t.seen("resync"), cursor: t.client.cursor,
                stored: t.storage.getItem("sf.rt.last_event_id.7")};
    }""")
    assert state == {"sent": [], "resync": [{"reason": "ahead"}], "cursor": 3, "stored": "3"}


def test_typing_is_throttled_stopped_and_expired(js):
    js.evaluate("""() => {
        const t = window.t = harness.make();
        t.sock().push(harness.hello(0));
        t.client.typing("alice");
        t.client.typing("alice");
    }""")
    assert js.evaluate("t.sock().frames('typing')") == [
        {"type": "typing", "to": "alice", "state": "start"}
    ]
    js.clock.run_for(3000)  # typingStartEveryMs: the next keystroke renews
    js.evaluate("t.client.typing('alice')")
    assert js.evaluate("t.sock().frames('typing').length") == 2
    js.clock.run_for(5000)  # typingIdleStopMs without input: stop
    assert js.evaluate("t.sock().frames('typing').at(-1)") == {
        "type": "typing",
        "to": "alice",
        "state": "stop",
    }
    js.evaluate(
        "t.client.typing('alice'); t.client.stopTyping('alice'); t.client.stopTyping('alice')"
    )
    assert [f["state"] for f in js.evaluate("t.sock().frames('typing')")] == [
        "start",
        "start",
        "stop",
        "start",
        "stop",
    ]

    # Received: a start shows, is renewed, expires 10 s after the last one; stop ends it.
    js.evaluate("t.sock().push({type: 'typing', from: 'alice', state: 'start'})")
    js.clock.run_for(8000)
    js.evaluate("t.sock().push({type: 'typing', from: 'alice', state: 'start'})")
    js.clock.run_for(8000)
    assert js.evaluate("t.client.typingNow()") == ["alice"]
    js.clock.run_for(2001)
    assert js.evaluate("t.client.typingNow()") == []
    js.evaluate("""() => {
        t.sock().push({type: 'typing', from: 'carol', state: 'start'});
        t.sock().push({type: 'typing', from: 'carol', state: 'stop'});
        t.sock().push({type: 'typing', from: 'dan', state: 'start'});
        t.sock().push(harness.message(1, 1, 'dan'));  // a message from dan ends his typing
    }""")
    assert js.evaluate("t.seen('typing')") == [
        {"from": "alice", "active": True},
        {"from": "alice", "active": True},
        {"from": "alice", "active": False},
        {"from": "carol", "active": True},
        {"from": "carol", "active": False},
        {"from": "dan", "active": True},
        {"from": "dan", "active": False},
    ]


def test_unread_counts_follow_stream_events(js):
    state = js.evaluate("""() => {
        const t = harness.make();
        const sock = t.sock();
        sock.push(harness.hello(10, {messages: 3, notifications: 1}));
        sock.push(harness.message(11, 50, "alice", "bob"));                  // to me: +1
        sock.push(harness.message(12, 51, "bob", "alice"));                  // mine: 0
        sock.push({type: "message.read", event_id: 13, by: "bob", with: "alice",
                   up_to_id: 50, ids: [40, 41, 50]});                         // I read 3
        sock.push({type: "message.read", event_id: 14, by: "alice", with: "bob",
                   up_to_id: 51, ids: [51]});                                 // a receipt: 0
        sock.push({type: "notification.count", event_id: 15, unread: 4});
        return t.seen("unread");
    }""")
    assert state == [
        {"messages": 3, "notifications": 1},
        {"messages": 4, "notifications": 1},
        {"messages": 1, "notifications": 1},
        {"messages": 1, "notifications": 4},
    ]


def test_errors_reject_the_send_they_refer_to_and_signed_out_stops_retrying(js):
    state = js.evaluate("""async () => {
        const t = window.t = harness.make();
        t.sock().push(harness.hello(0));
        const sending = t.client.sendMessage({to: "nobody", content: "x", clientId: "c-9"});
        t.sock().push({type: "error", code: "not_found", message: "No such user.", ref: "c-9"});
        const error = await sending.catch(e => ({code: e.code, message: e.message}));
        const orphan = t.client.sendMessage({to: "alice", content: "y", clientId: "c-10"});
        t.sock().serverClose(4401);
        const ended = await orphan.catch(e => e.code);
        return {error, ended, status: t.client.status, pending: t.client.pendingSends().length};
    }""")
    assert state == {
        "error": {"code": "not_found", "message": "No such user."},
        "ended": "not_authenticated",
        "status": "signed-out",
        "pending": 0,
    }
    js.clock.run_for(60_000)
    assert js.evaluate("t.sockets.length") == 1


def test_a_signed_out_tab_refuses_new_messages_instead_of_queueing_them(js):
    state = js.evaluate("""async () => {
        const t = window.t = harness.make();
        t.sock().push(harness.hello(0));
        t.sock().serverClose(4401);
        const refused = await t.client.sendMessage({to: "alice", content: "late", clientId: "c-11"})
            .then(() => "sent", e => e.code);
        return {refused, pending: t.client.pendingSends().length, status: t.client.status};
    }""")
    assert state == {"refused": "not_authenticated", "pending": 0, "status": "signed-out"}
    js.clock.run_for(60_000)
    assert js.evaluate("t.sockets.length") == 1  # and no reconnect to send it on


def test_keepalive_pings_and_a_missing_pong_reconnects(js):
    js.evaluate("window.t = harness.make(); t.sock().push(harness.hello(0))")
    js.clock.run_for(25_000)
    assert js.evaluate("t.sock().frames('ping').length") == 1
    js.evaluate("t.sock().push({type: 'pong'})")
    js.clock.run_for(25_000)
    assert js.evaluate("t.sock().frames('ping').length") == 2
    js.clock.run_for(10_000)  # no pong this time
    assert js.evaluate("[t.sockets[0].closedWith, t.client.status]") == [4000, "offline"]
    js.clock.run_for(1000)
    assert js.evaluate("t.sockets.length") == 2


def test_client_ids_without_randomuuid_are_128_random_bits(js):
    value = js.evaluate("harness.newClientId({getRandomValues: a => a.fill(171)})")
    assert value == "ab" * 16


# What the client does after each close code (docs/realtime-protocol.md, "Close codes").
CLOSE_ACTIONS = {
    4401: "stop",  # signed out: sign in again
    4403: "stop",  # suspended
    4408: "retry",  # idle (a sleeping tab): reconnect with the usual backoff
    4413: "drop",  # a frame over REALTIME_MAX_FRAME_BYTES: drop it, reconnect
    1009: "drop",  # the same from Daphne's own cap
    4429: "slow",  # flooding: reconnect only after floodBackoffMs
    4503: "retry",  # overloaded while opening (a reconnect storm): the usual backoff
    4000: "retry",  # our own close (dead link, resync)
    1000: "retry",
    1006: "retry",  # the network went away
    1011: "retry",
}


def test_every_server_close_code_has_a_decided_action(js):
    assert set(close_codes.MEANINGS) <= set(CLOSE_ACTIONS)  # a new code needs a decision here
    actions = js.evaluate(
        "codes => Object.fromEntries(codes.map(c => [c, harness.closeAction(c)]))",
        list(CLOSE_ACTIONS),
    )
    assert {int(code): action for code, action in actions.items()} == CLOSE_ACTIONS


@pytest.mark.parametrize("code", [4413, 1009])
def test_a_too_big_close_drops_the_refused_send_and_resends_the_rest(js, code):
    state = js.evaluate(
        """async (code) => {
        const t = window.t = harness.make();
        t.sock().push(harness.hello(0));
        const outcome = {};
        for (const id of ["c-1", "c-2", "c-3", "c-4"]) {
            t.client.sendMessage({to: "alice", content: id, clientId: id})
                .then(() => { outcome[id] = "sent"; }, e => { outcome[id] = e.code; });
        }
        t.sock().push({type: "message.ack", client_id: "c-1", event_id: 1,
                       message: {id: 1, from: "bob", to: "alice", content: "c-1"}});
        // Refused for the budget: answered, still pending, not the frame that was too big.
        t.sock().push({type: "error", code: "rate_limited", ref: "c-2", retry_after: 1});
        t.sock().serverClose(code);  // c-3 was too big; c-4 was never read
        await Promise.resolve();
        return {outcome, closed: t.seen("closed"), status: t.client.status,
                pending: t.client.pendingSends().map(f => f.client_id)};
    }""",
        code,
    )
    assert state == {
        "outcome": {"c-1": "sent", "c-3": "payload_too_large"},
        "closed": [{"code": code, "final": False, "dropped": "c-3"}],
        "status": "offline",
        "pending": ["c-2", "c-4"],
    }
    js.clock.run_for(375)  # the usual backoff: attempt 0 of 500 ms, random() = 0.5
    resent = js.evaluate(
        "(t.sock().push(harness.hello(1)), t.sock().frames('message.send').map(f => f.client_id))"
    )
    assert resent == ["c-2", "c-4"]
    assert js.evaluate("t.sockets.length") == 2


def test_a_too_big_close_with_nothing_unanswered_drops_nothing(js):
    state = js.evaluate("""() => {
        const t = window.t = harness.make();
        t.sock().push(harness.hello(0));
        t.sock().serverClose(4413);
        return {closed: t.seen("closed"), status: t.client.status};
    }""")
    assert state == {"closed": [{"code": 4413, "final": False}], "status": "offline"}
    js.clock.run_for(375)
    assert js.evaluate("t.sockets.length") == 2


def test_a_message_over_the_frame_limit_is_refused_without_sending_it(js):
    state = js.evaluate("""async () => {
        const t = window.t = harness.make({maxFrameBytes: 1000});
        t.sock().push(harness.hello(0));
        // 450 two-byte characters fit in 1000 bytes of frame; 500 do not.
        const fits = t.client.sendMessage({to: "alice", content: "é".repeat(450), clientId: "ok"});
        const refused = await t.client
            .sendMessage({to: "alice", content: "é".repeat(500), clientId: "big"})
            .then(() => null, e => ({code: e.code, fields: e.fields}));
        return {refused, sent: t.sock().frames("message.send").map(f => f.client_id),
                pending: t.client.pendingSends().map(f => f.client_id),
                closed: t.sock().closedWith, status: t.client.status};
    }""")
    assert state == {
        "refused": {"code": "payload_too_large", "fields": {"content": ["Too large to send."]}},
        "sent": ["ok"],
        "pending": ["ok"],
        "closed": None,
        "status": "open",
    }


@pytest.mark.parametrize(
    ("code", "wait_ms"),
    [
        # Half to all of floodBackoffMs (30 s), past the 10 s rate-limit window; random() = 0.5.
        (4429, 22_500),
        (4408, 375),  # idle: the usual backoff, attempt 0 of 500 ms
        (4503, 375),  # busy: the same
    ],
    ids=["flood-waits-longer", "idle-retries", "busy-retries"],
)
def test_how_long_a_close_waits_before_reconnecting(js, code, wait_ms):
    js.evaluate("window.t = harness.make(); t.sock().push(harness.hello(0))")
    js.evaluate(f"t.sock().serverClose({code})")
    assert js.evaluate("[t.seen('closed'), t.client.status]") == [
        [{"code": code, "final": False}],
        "offline",
    ]
    js.clock.run_for(wait_ms - 1)
    assert js.evaluate("t.sockets.length") == 1
    js.clock.run_for(2)
    assert js.evaluate("t.sockets.length") == 2


BUSY = {
    "type": "error",
    "code": "busy",
    "message": "The server is busy; retry shortly.",
    "ref": None,
    "retry_after": 2,
}


def test_a_busy_resume_is_sent_again_after_retry_after_on_the_same_socket(js):
    js.evaluate(
        """busy => {
        const t = window.t = harness.make({stored: {"sf.rt.last_event_id.7": "10"}});
        t.sock().push(harness.hello(13));
        t.sock().push({...busy, frame: "resume"});
        t.sock().push(harness.message(14, 104));  // live, ahead: the resend covers the gap
    }""",
        BUSY,
    )
    assert js.evaluate("t.sock().frames('resume').length") == 1
    # retry_after 2 s plus up to half again of jitter; random() = 0.5 → 2.5 s
    js.clock.run_for(2499)
    assert js.evaluate("t.sock().frames('resume').length") == 1
    js.clock.run_for(2)
    state = js.evaluate("""() => {
        const sock = t.sock();
        for (const [e, id] of [[11, 101], [12, 102], [13, 103], [14, 104]]) {
            sock.push(harness.message(e, id));
        }
        sock.push({type: "resumed", last_event_id: 14});
        return {resumes: sock.frames("resume"), sockets: t.sockets.length,
                status: t.client.status, cursor: t.client.cursor,
                ids: t.seen("message.new").map(f => f.message.id),
                errors: t.seen("error").map(f => f.code)};
    }""")
    assert state == {
        "resumes": [{"type": "resume", "last_event_id": 10}] * 2,
        "sockets": 1,  # no reconnect: the socket stayed open
        "status": "open",
        "cursor": 14,
        "ids": [101, 102, 103, 104],
        "errors": ["busy"],
    }
    js.clock.run_for(10_000)
    assert js.evaluate("t.sock().frames('resume').length") == 2  # and no more


def test_a_busy_resume_timer_is_cleared_when_the_socket_closes(js):
    js.evaluate(
        """busy => {
        const t = window.t = harness.make({stored: {"sf.rt.last_event_id.7": "10"}});
        t.sock().push(harness.hello(13));
        t.sock().push({...busy, frame: "resume"});
        t.sock().serverClose(1006);
    }""",
        BUSY,
    )
    js.clock.run_for(3000)  # past the busy wait; the reconnect came at 750 ms
    assert js.evaluate("[t.sockets.length, t.sockets[0].frames('resume').length]") == [2, 1]
    assert js.evaluate("t.sock().sent") == []  # nothing before the new socket's hello


def test_a_busy_send_stays_pending_and_is_sent_again_after_retry_after(js):
    js.evaluate(
        """busy => {
        const t = window.t = harness.make();
        t.sock().push(harness.hello(0));
        window.sendResult = null;
        t.client.sendMessage({to: "alice", content: "hi", clientId: "c-1"})
            .then(m => { window.sendResult = m; }, e => { window.sendResult = e.code; });
        t.sock().push({...busy, ref: "c-1", frame: "message.send"});
    }""",
        BUSY,
    )
    assert js.evaluate("[t.client.pendingSends().length, window.sendResult]") == [1, None]
    js.clock.run_for(2501)
    sent = js.evaluate("t.sock().frames('message.send').map(f => f.client_id)")
    assert sent == ["c-1", "c-1"]
    js.evaluate("""() => t.sock().push({type: "message.ack", client_id: "c-1", event_id: 1,
        message: {id: 9, from: "bob", to: "alice", content: "hi", client_id: "c-1"}})""")
    js.clock.run_for(1)
    assert js.evaluate("[t.client.pendingSends().length, window.sendResult.id]") == [0, 9]
