"""The member's own pages in Chromium: /settings (the hub), /settings/profile (every field
and privacy flag, a preview that reads exactly like the public page, the picture),
/settings/notifications (preferences persist), /settings/searches (a saved search with
every filter opens the search page with every control set; rename, alerts, delete), and
signing in first for each of them."""

from __future__ import annotations

import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from PIL import Image
from playwright.sync_api import expect

from directory.models import SavedSearch, ServiceType, StudioType
from realtime.models import NotificationPreference, NotificationType
from realtime.selectors.notifications import notification_preferences
from tests.factories import SavedSearchFactory, StudioFactory, UserFactory
from tests.frontend.browser import sign_in_with_cookie
from tests.frontend.screenshots import DESKTOP, PHONE, horizontal_overflow, shoot
from tests.frontend.test_search_page import LONDON, form_state, warm_places  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a long enough password"
PAGES = ["/settings", "/settings/profile", "/settings/notifications", "/settings/searches"]


def png(side: int = 64) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (side, side), (200, 60, 60)).save(out, format="PNG")
    return out.getvalue()


def too_wide(page) -> list[str]:
    """The elements reaching past the viewport's right edge (for a failure's message)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('body *')]
          .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth)
          .slice(0, 8).map(e => e.tagName + '#' + e.id + '.' + e.className)"""
    )


def public_text(page) -> str:
    """The profile's details as a reader gets them (text, link targets)."""
    return page.evaluate(
        """(sel) => {
          const root = document.querySelector(sel);
          const links = [...root.querySelectorAll('a')].map(a => a.textContent + '→' + a.href);
          return root.innerText.trim() + '\\n' + links.join('\\n');
        }""",
        "#preview-details" if "/settings/" in page.url else "#profile-details",
    )


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(browser, servers, path):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    try:
        page.goto(f"{servers.base(0)}{path}")
        url = urlsplit(page.url)
        assert url.path == "/accounts/login/"
        assert parse_qs(url.query)["next"] == [path]
    finally:
        context.close()


def test_profile_and_privacy_preview_agrees_with_the_public_page(browser, servers, page_errors):
    server = servers.base(0)
    member = UserFactory(username="pia", display_name="Pia Example", email="pia@example.com")
    StudioFactory(owner=member, name="Pia's Booth")
    context = browser.new_context(viewport=DESKTOP)
    sign_in_with_cookie(context, member, server)
    page = page_errors.watch(context.new_page())
    try:
        page.goto(f"{server}/settings")
        expect(page.locator("header nav a.nav-settings")).to_have_text("Settings")
        for name in ("Email addresses", "Password", "Connected accounts"):
            expect(page.get_by_role("link", name=name)).to_be_visible()
        page.get_by_role("link", name="Profile, picture and privacy").click()
        expect(page).to_have_url(re.compile(r"/settings/profile$"))
        form = page.locator("#profile-form")
        expect(form).not_to_have_attribute("aria-busy", "true")
        expect(page.locator("#preview-details")).to_contain_text("Pia's Booth")

        page.fill("#field-display_name", "Pia <b>Bold</b>")
        page.fill("#field-short_about", "Warm, low voice.")
        page.fill("#field-about", "Line one\nLine two <script>alert(1)</script>")
        page.fill("#field-location", "Leeds")
        page.fill("#field-studio_name", "Attic Booth")
        page.fill("#field-equipment_list", "U87, Apollo Twin")
        page.fill("#field-phone", "+44 20 7946 0958")
        page.fill("#field-rate_tier_1", "£100 an hour")
        page.fill("#field-rate_tier_2", "£350 a day")
        page.fill("#field-linkedin_url", "https://www.linkedin.com/in/pia")
        page.fill("#field-connection1", "Zoom")
        page.fill("#field-custom_connection_methods", "ipDTL, Cleanfeed")
        page.check("#field-show_email")
        page.check("#field-show_rates")
        page.uncheck("#field-show_phone")
        about = "Line one\nLine two <script>alert(1)</script>"
        expect(page.locator("#field-about + .hint .counter")).to_have_text(f"{len(about)} / 5000")
        preview = page.locator("#preview-details")
        expect(page.locator("#preview-name")).to_have_text("Pia <b>Bold</b> @pia")  # as text
        expect(preview).to_contain_text("pia@example.com")
        expect(preview).to_contain_text("£100 an hour · £350 a day")
        expect(preview).to_contain_text("Zoom, ipDTL, Cleanfeed")
        expect(preview).not_to_contain_text("7946")  # show_phone is off
        page.uncheck("#field-show_email")
        expect(preview).not_to_contain_text("pia@example.com")  # live, before saving
        page.check("#field-show_email")

        page.click("#profile-form button[type=submit]")
        expect(page.locator("#save-status")).to_have_text("Saved.")
        member.profile.refresh_from_db()
        assert member.profile.show_email is True
        assert member.profile.show_phone is False
        assert member.profile.custom_connection_methods == ["ipDTL", "Cleanfeed"]
        assert member.profile.about == "Line one\nLine two <script>alert(1)</script>"
        preview_text = public_text(page)
        shoot(page, "settings-profile-desktop")

        # A bad link and a bad phone come back beside their fields; nothing is saved.
        page.fill("#field-linkedin_url", "https://example.com/pia")
        page.fill("#field-phone", "12")
        page.click("#profile-form button[type=submit]")
        expect(page.locator("#error-linkedin_url")).to_contain_text("linkedin.com")
        expect(page.locator("#error-phone")).not_to_be_empty()
        expect(page.locator("#field-phone")).to_have_attribute("aria-invalid", "true")
        expect(page.locator("#save-status")).to_contain_text("Not saved")

        # The public page, read by someone signed out, says exactly what the preview said.
        visitor = browser.new_context(viewport=DESKTOP)
        public = page_errors.watch(visitor.new_page())
        public.goto(f"{server}/pia")
        expect(public.locator("#profile-details")).not_to_have_attribute("aria-busy", "true")
        expect(public.locator("#profile-details")).to_contain_text("Attic Booth")
        assert public_text(public) == preview_text
        expect(public.locator("h1")).to_have_text("Pia <b>Bold</b> @pia")
        assert public.locator("#profile-details script").count() == 0
        visitor.close()
    finally:
        context.close()


def test_avatar_upload_and_its_errors_inline(browser, servers, page_errors):
    server = servers.base(0)
    member = UserFactory(username="ava")
    context = browser.new_context(viewport=DESKTOP)
    sign_in_with_cookie(context, member, server)
    page = page_errors.watch(context.new_page())
    try:
        page.goto(f"{server}/settings/profile")
        expect(page.locator("#avatar-remove")).to_be_hidden()
        page.set_input_files(
            "#avatar-input", {"name": "notes.png", "mimeType": "image/png", "buffer": b"not a png"}
        )
        expect(page.locator("#avatar-error")).to_have_text("Upload a JPEG, PNG, WebP or GIF image.")
        page.set_input_files(
            "#avatar-input", {"name": "tiny.png", "mimeType": "image/png", "buffer": png(8)}
        )
        expect(page.locator("#avatar-error")).to_have_text(
            "The image is smaller than 32 pixels a side."
        )
        member.refresh_from_db()
        assert member.avatar_url is None

        page.set_input_files(
            "#avatar-input", {"name": "me.png", "mimeType": "image/png", "buffer": png()}
        )
        expect(page.locator("#avatar-error")).to_be_empty()
        # (The picture itself is drawn as the placeholder here: see the end of the test.)
        expect(page.locator("#avatar-current img.avatar")).to_have_count(1)
        expect(page.locator("#preview-avatar img.avatar")).to_have_count(1)
        expect(page.locator("#avatar-remove")).to_be_visible()
        member.refresh_from_db()
        assert re.search(r"/avatars/\d+/[0-9a-f]{32}\.webp$", member.avatar_url)

        page.click("#avatar-remove")
        expect(page.locator("#avatar-current img")).to_have_count(0)
        expect(page.locator("#preview-avatar img")).to_have_count(0)
        member.refresh_from_db()
        assert member.avatar_url is None
    finally:
        context.close()
        # Stored avatars are absolute URLs on SITE_URL (https in production, which the CSP's
        # img-src allows); here SITE_URL is not the test server's origin, so the browser
        # refuses to draw them. Only those refusals are expected.
        media = f"{settings.SITE_URL}/media/avatars/{member.pk}/"
        page_errors[:] = [e for e in page_errors if media not in e]


def test_notification_preferences_persist(browser, servers, page_errors):
    server = servers.base(0)
    member = UserFactory(username="nia")
    context = browser.new_context(viewport=DESKTOP)
    sign_in_with_cookie(context, member, server)
    page = page_errors.watch(context.new_page())
    try:
        page.goto(f"{server}/settings/notifications")
        rows = page.locator("#preferences tr")
        expect(rows).to_have_count(len(NotificationType.values))
        for value, text in NotificationType.choices:
            expect(page.locator(f'#preferences tr[data-type="{value}"] th')).to_have_text(text)

        email = page.get_by_label("New message by email")
        in_app = page.get_by_label("New review on the site")
        stored = notification_preferences(user_id=member.pk)
        assert email.is_checked() is stored["MESSAGE_RECEIVED"]["email"]
        assert in_app.is_checked() is stored["REVIEW_RECEIVED"]["in_app"]
        was_email, was_in_app = email.is_checked(), in_app.is_checked()
        email.set_checked(not was_email)
        expect(page.locator("#preferences-status")).to_contain_text("Saved: New message by email")
        in_app.set_checked(not was_in_app)
        expect(page.locator("#preferences-status")).to_contain_text("Saved: New review on the site")

        saved = notification_preferences(user_id=member.pk)
        assert saved["MESSAGE_RECEIVED"]["email"] is (not was_email)
        assert saved["REVIEW_RECEIVED"]["in_app"] is (not was_in_app)
        assert NotificationPreference.objects.filter(user=member).exists()

        page.reload()
        expect(page.get_by_label("New message by email")).to_be_checked(checked=not was_email)
        expect(page.get_by_label("New review on the site")).to_be_checked(checked=not was_in_app)
        shoot(page, "settings-notifications-desktop")
    finally:
        context.close()


EVERY_FILTER = {
    "q": "booth",
    "studio_types": [StudioType.HOME, StudioType.PODCAST],
    "services": [ServiceType.SOURCE_CONNECT],
    "lat": LONDON[0],
    "lng": LONDON[1],
    "radius": 25.0,
    "verified": True,
    "premium": True,
    "has_images": True,
    "sort": "name",
}
# The filters EVERY_FILTER cannot hold at once: a typed place (instead of lat/lng) and a city.
PLACE_FILTERS = {"location": "London", "city": "London", "radius": 10.0, "sort": "distance"}


def test_a_saved_search_opens_with_every_filter_and_is_managed(
    browser,
    servers,
    page_errors,
    warm_places,  # noqa: F811
):
    server = servers.base(0)
    member = UserFactory(username="sid")
    saved = SavedSearchFactory(user=member, name="Booths near London", filters=EVERY_FILTER)
    other = SavedSearchFactory(user=member, name="Anything", filters={})
    place = SavedSearchFactory(user=member, name="In London", filters=PLACE_FILTERS)
    SavedSearchFactory(name="Not mine")
    context = browser.new_context(viewport=DESKTOP)
    sign_in_with_cookie(context, member, server)
    page = page_errors.watch(context.new_page())
    try:
        page.goto(f"{server}/settings/searches")
        items = page.locator("#saved-searches > li.saved-search")
        expect(items).to_have_count(3)
        row = page.locator(f'li[data-saved-search-id="{saved.pk}"]')
        expect(row.locator(".filters")).to_have_text(
            "“booth” · Home studio, Podcast production · Source-Connect"
            " · within 25 mi of 51.507, -0.128 · verified · premium · with photos · sorted by name"
        )
        shoot(page, "settings-searches-desktop")

        # Open: the search page has every control set as saved.
        row.get_by_role("link", name="Open").click()
        expect(page).to_have_url(re.compile(r"/search\?"))
        page.wait_for_load_state("networkidle")  # the page module has set the form
        assert form_state(page) == {
            "q": "booth",
            "location": "",
            "radius": "25",
            "sort": "name",
            "studio_types": ["HOME", "PODCAST"],
            "services": ["SOURCE_CONNECT"],
            "verified": True,
            "premium": True,
            "has_images": True,
            "place": "Near 51.507, -0.128 Clear",
        }
        page.go_back()

        # The place and the city: in the list's words, then in the URL and the form.
        place_row = page.locator(f'li[data-saved-search-id="{place.pk}"]')
        expect(place_row.locator(".filters")).to_have_text(
            "in London · within 10 mi of London · sorted by distance"
        )
        place_row.get_by_role("link", name="Open").click()
        expect(page).to_have_url(re.compile(r"/search\?"))
        page.wait_for_load_state("networkidle")
        query = parse_qs(urlsplit(page.url).query)
        assert (query["location"], query["city"]) == (["London"], ["London"])
        assert form_state(page) == {
            "q": "",
            "location": "London",
            "radius": "10",
            "sort": "distance",
            "studio_types": [],
            "services": [],
            "verified": False,
            "premium": False,
            "has_images": False,
            "place": "City: London Clear",
        }
        page.go_back()

        # Rename.
        row.get_by_role("button", name="Rename").click()
        name = row.get_by_label("New name")
        expect(name).to_be_focused()
        name.fill("London booths")
        row.get_by_role("button", name="Save name").click()
        expect(row.locator("h2")).to_have_text("London booths")
        expect(page.locator("#searches-status")).to_have_text("Renamed to “London booths”.")
        saved.refresh_from_db()
        assert saved.name == "London booths"

        # Alerts off, then on again; the state survives a reload.
        alerts = row.get_by_label("Email alerts")
        expect(alerts).to_be_checked()
        alerts.uncheck()
        expect(page.locator("#searches-status")).to_have_text("Alerts off for “London booths”.")
        saved.refresh_from_db()
        assert saved.alerts_enabled is False
        page.reload()
        expect(row.get_by_label("Email alerts")).not_to_be_checked()

        # Delete asks once more.
        row.get_by_role("button", name="Delete").click()
        row.get_by_role("button", name="Keep it").click()
        assert SavedSearch.objects.filter(pk=saved.pk).exists()
        row.get_by_role("button", name="Delete").click()
        row.get_by_role("button", name="Yes, delete").click()
        expect(row).to_have_count(0)
        expect(page.locator("#searches-status")).to_have_text("Deleted “London booths”.")
        assert set(SavedSearch.objects.filter(user=member)) == {other, place}
    finally:
        context.close()


def test_settings_pages_fit_a_phone(browser, servers, page_errors):
    server = servers.base(0)
    member = UserFactory(username="phoebe")
    SavedSearchFactory(user=member, name="A very long saved search name " * 3)
    for viewport_name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        context = browser.new_context(viewport=viewport)
        sign_in_with_cookie(context, member, server)
        page = page_errors.watch(context.new_page())
        try:
            for path in PAGES:
                page.goto(f"{server}{path}")
                page.wait_for_load_state("networkidle")
                assert horizontal_overflow(page) == 0, (path, viewport_name, too_wide(page))
                if viewport is PHONE:  # the page runs app.js: the menu folds behind its button
                    expect(page.locator("#site-menu")).to_be_hidden()
                shoot(page, f"{path.strip('/').replace('/', '-')}-{viewport_name}")
        finally:
            context.close()


def _delete_page(browser, server, user, page_errors):
    context = browser.new_context(viewport=DESKTOP)
    sign_in_with_cookie(context, user, server)
    page = page_errors.watch(context.new_page())
    page.goto(f"{server}/settings")
    page.get_by_role("button", name="Delete my account…").click()
    return context, page


def _confirm(page):
    page.get_by_role("button", name="Delete my account", exact=True).click()


def test_deleting_the_account_asks_again_and_shows_the_refusals(browser, servers, page_errors):
    server = servers.base(0)
    owner = UserFactory(username="oscar", owner=True)
    StudioFactory(owner=owner)
    member = UserFactory(username="dora")
    for user in (owner, member):
        # The Daphne processes know the production hashers only (tests/conftest.py speeds
        # up the test process's with a weaker one).
        user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
        user.save(update_fields=["password"])
    social = UserFactory(username="sol")
    social.set_unusable_password()
    social.save()
    users = type(member).objects

    for user in (owner, member):
        context, page = _delete_page(browser, server, user, page_errors)
        try:
            password = page.get_by_label("Your password")
            expect(password).to_be_focused()
            password.fill("not my password")
            _confirm(page)
            expect(page.locator("#delete-status")).to_have_text("Tick the box to confirm.")
            page.get_by_label("I understand").check()
            _confirm(page)
            expect(page.locator("#delete-status .error")).not_to_be_empty()
            assert users.filter(pk=user.pk).exists()

            password.fill(PASSWORD)
            _confirm(page)
            if user is owner:
                # The legacy RESTRICT rule: studios first (docs/accounts.md).
                expect(page.locator("#delete-status")).to_contain_text("studio")
                assert users.filter(pk=user.pk).exists()
            else:
                expect(page).to_have_url(f"{server}/?account=deleted")
                expect(page.get_by_role("link", name="Sign in")).to_be_visible()
                assert not users.filter(pk=user.pk).exists()
        finally:
            context.close()

    # An account made through Google/Facebook/X has no password: the username, typed out.
    context, page = _delete_page(browser, server, social, page_errors)
    try:
        page.get_by_label("Type your username (sol) to confirm").fill("sol")
        page.get_by_label("I understand").check()
        _confirm(page)
        expect(page).to_have_url(f"{server}/?account=deleted")
        assert not users.filter(pk=social.pk).exists()
    finally:
        context.close()
