"""The Connect button on a profile follows the connection's state across reloads
(Connect → Pending → Connected), and accepting from the profile settles the request's
notification (read) — the rule lives in the service, so every door to an accept has it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from realtime.models import Notification, NotificationType, UserConnection
from tests.factories import UserFactory
from tests.frontend.browser import signed_in_pages
from tests.frontend.screenshots import DESKTOP, shoot

pytestmark = pytest.mark.django_db(transaction=True)


def test_connect_pending_connected_survive_a_reload(browser, servers, page_errors):
    server = servers.base(0)
    ann = UserFactory(username="ann", display_name="Ann")
    ben = UserFactory(username="ben", display_name="Ben")
    with signed_in_pages(browser, page_errors, server, ann, ben, viewport=DESKTOP) as (a, b):
        a.goto(f"{server}/ben")
        button = a.locator("#connect-button")
        expect(button).to_have_text("Connect")
        button.click()
        expect(button).to_have_text("Pending")
        expect(button).to_be_disabled()
        a.reload()
        expect(button).to_have_text("Pending")  # not a second request (409)
        expect(button).to_be_disabled()

        b.goto(f"{server}/ann")
        accept = b.locator("#connect-button")
        expect(accept).to_have_text("Accept request")
        request = Notification.objects.get(user=ben, type=NotificationType.CONNECTION_REQUEST)
        assert request.read is False
        accept.click()
        expect(accept).to_have_text("Connected")
        request.refresh_from_db()
        assert request.read is True
        assert UserConnection.objects.get(user=ann, connected_user=ben).accepted
        b.reload()
        expect(accept).to_have_text("Connected")
        expect(accept).to_be_disabled()
        expect(a.locator("#connect-button")).to_have_text("Connected")  # live, on Ann's tab
        shoot(b, "profile-connected-desktop")

        b.goto(f"{server}/ben")  # one's own profile has no button
        expect(b.locator("#connect-button")).to_have_count(0)
