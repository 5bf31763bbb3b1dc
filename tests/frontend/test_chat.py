"""Two people in two browsers, each on their own Daphne process, chat live.

Alice signs in through the real login page on process 1; Bob's browser carries a real
session cookie and talks to process 2. Alice sends, Bob's badges change at once, typing
shows and expires, Bob reads and Alice sees the receipt. Then Bob's server is killed:
Alice sends while Bob is offline, a new process comes up on Bob's port, Bob's tab
reconnects and resumes, and every message shows once, in order — also after a reload.
"""

from __future__ import annotations

import re
import time

import pytest
from django.contrib.auth.hashers import make_password
from playwright.sync_api import expect

from tests.factories import UserFactory
from tests.frontend.browser import realtime_options, sign_in_with_cookie

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a long passphrase for alice"


@pytest.fixture
def people():
    # The Daphne processes run the production hashers, not the suite's fast one.
    alice = UserFactory(username="alice", display_name="Alice Voice")
    alice.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    alice.save(update_fields=["password"])
    bob = UserFactory(username="bob", display_name="Bob Booth")
    return alice, bob


def thread_texts(page) -> list[str]:
    return page.locator("#thread-messages li.message:not(.pending) .content").all_text_contents()


def test_two_people_chat_live_across_processes(browser, servers, people, page_errors):
    _alice, bob_user = people
    a_ctx, b_ctx = browser.new_context(), browser.new_context()
    try:
        # --- Alice signs in through the login page, on process 1 --------------------------
        a = page_errors.watch(a_ctx.new_page())
        # Renew "start" every second, never stop for idleness: only the receiver's expiry ends it.
        realtime_options(a, typingStartEveryMs=1000, typingIdleStopMs=60_000)
        a.goto(f"{servers.base(0)}/accounts/login/?next=/messages/bob")
        a.fill("input[name=login]", "alice")
        a.fill("input[name=password]", PASSWORD)
        a.click("form button[type=submit]")
        expect(a).to_have_url(re.compile(r"/messages/bob$"))
        expect(a.locator("[data-realtime-status]")).to_have_text("Live")

        # --- Bob, signed in by cookie, waits on his inbox on process 2 ---------------------
        sign_in_with_cookie(b_ctx, bob_user, servers.base(1))
        b = page_errors.watch(b_ctx.new_page())
        realtime_options(b, typingExpireMs=1500, backoffBaseMs=200, backoffMaxMs=1000)
        b.goto(f"{servers.base(1)}/messages")
        expect(b.locator("[data-realtime-status]")).to_have_text("Live")
        expect(b.locator('[data-badge="messages"]')).to_be_hidden()

        # --- Alice writes; Bob's badges and inbox change without a reload -----------------
        a.fill("#composer textarea", "Hello Bob, is the booth free on Friday?")
        a.press("#composer textarea", "Enter")
        expect(a.locator("#thread-messages li.message.mine:not(.pending)")).to_have_count(1)
        expect(b.locator('[data-badge="messages"]')).to_have_text("1")
        expect(b.locator('[data-badge="notifications"]')).to_have_text("1")
        expect(b.locator('#conversations [data-username="alice"] .badge')).to_have_text("1")

        # --- Bob opens the thread: read receipt for Alice, badges back to zero -------------
        b.click('#conversations [data-username="alice"] a')
        expect(b).to_have_url(re.compile(r"/messages/alice$"))
        expect(b.locator("#thread-messages .content")).to_have_text(
            ["Hello Bob, is the booth free on Friday?"]
        )
        expect(a.locator("#thread-messages .receipt")).to_have_text(" · Seen")
        expect(b.locator('[data-badge="messages"]')).to_be_hidden()
        expect(b.locator('[data-badge="notifications"]')).to_be_hidden()

        # --- Typing shows on Bob's side, and expires there without a "stop" ----------------
        a.locator("#composer textarea").press_sequentially("Also, do you")
        expect(b.locator("#typing")).to_have_text("Alice Voice is typing…")
        shown = time.monotonic()
        expect(b.locator("#typing")).to_be_hidden(timeout=5000)
        assert time.monotonic() - shown < 4, "a start should expire after typingExpireMs"
        a.locator("#composer textarea").press_sequentially(" have ISDN?")
        expect(b.locator("#typing")).to_be_visible()
        a.press("#composer textarea", "Enter")  # sending says "stop"
        expect(b.locator("#typing")).to_be_hidden(timeout=1000)
        expect(b.locator("#thread-messages .content").last).to_have_text("Also, do you have ISDN?")
        expect(a.locator("#thread-messages li.mine").last.locator(".receipt")).to_have_text(
            " · Seen"
        )

        # --- Bob's server dies; Alice writes while Bob is offline --------------------------
        servers.kill(1)
        expect(b.locator("[data-realtime-status]")).to_have_text("Reconnecting…")
        for text in ("one", "two", "three"):
            a.fill("#composer textarea", text)
            a.press("#composer textarea", "Enter")
        expect(a.locator("#thread-messages li.mine:not(.pending)")).to_have_count(5)

        # --- A new process on Bob's port: his tab resumes, each message once, in order -----
        servers.start(1)  # the same port: the page's origin
        expect(b.locator("[data-realtime-status]")).to_have_text("Live", timeout=15000)
        expected = [
            "Hello Bob, is the booth free on Friday?",
            "Also, do you have ISDN?",
            "one",
            "two",
            "three",
        ]
        expect(b.locator("#thread-messages .content")).to_have_text(expected)
        expect(a.locator("#thread-messages li.mine").last.locator(".receipt")).to_have_text(
            " · Seen"
        )

        # --- A reload loads over REST and resumes from the stored id: still once each ------
        b.reload()
        expect(b.locator("[data-realtime-status]")).to_have_text("Live")
        expect(b.locator("#thread-messages .content")).to_have_text(expected)
        b.wait_for_timeout(300)  # a replay, had it doubled anything, would land by now
        assert thread_texts(b) == expected

        # --- A connection request rings Bob's notification badge live ----------------------
        b.goto(f"{servers.base(1)}/network")
        expect(b.locator("[data-realtime-status]")).to_have_text("Live")
        a.goto(f"{servers.base(0)}/bob")
        a.click("#connect-button")
        expect(a.locator("#connect-status")).to_have_text("Request sent.")
        expect(b.locator('[data-badge="notifications"]')).to_have_text("1")
        expect(b.locator('#incoming [data-username="alice"]')).to_be_visible()
        b.click('#incoming [data-username="alice"] button[data-action="accept"]')
        expect(b.locator('#connections [data-username="alice"]')).to_be_visible()
    finally:
        a_ctx.close()
        b_ctx.close()
