"""The site's layout in Chromium: allauth's pages in the site's header and style, the FAQ
page, the home page's featured grid, and the phone layout (menu button, full-screen
conversation with the box at the bottom, scrolling gallery, no horizontal scroll at 390 px).
Each test writes screenshots under tests/frontend/screenshots/ for review.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import make_password
from django.test import override_settings
from playwright.sync_api import expect

from realtime.models import Message
from tests.factories import (
    FaqFactory,
    MessageFactory,
    StudioFactory,
    StudioImageFactory,
    UserFactory,
)
from tests.frontend.accessibility import AXE, scan
from tests.frontend.browser import sign_in_with_cookie
from tests.frontend.screenshots import DESKTOP, PHONE, horizontal_overflow, shoot

pytestmark = pytest.mark.django_db(transaction=True)

HOSTILE = '<img src=x onerror="window.pwned=1"><script>window.pwned=1</script>'
PASSWORD = "a long enough password"

ENTRANCE_PAGES = {
    "login": ("/accounts/login/", "Sign In · Studio Finder"),
    "signup": ("/accounts/signup/", "Signup · Studio Finder"),
    "password-reset": ("/accounts/password/reset/", "Password Reset · Studio Finder"),
}
MANAGE_PAGES = {
    "email": "/accounts/email/",
    "password-change": "/accounts/password/change/",
    "connections": "/accounts/3rdparty/",
    "sessions": "/accounts/sessions/",
}


def _assert_site_layout(page) -> None:
    expect(page.locator(".site-header .brand")).to_have_text("Studio Finder")
    expect(page.locator(".site-footer")).to_be_visible()
    expect(page.locator(".account-page h1")).to_be_visible()
    assert "Menu:" not in page.locator("body").inner_text()
    # The site's stylesheet is applied: the card has the site's white panel and border.
    background = page.locator(".account-page").evaluate("e => getComputedStyle(e).backgroundColor")
    assert background == "rgb(255, 255, 255)"


def test_allauth_pages_carry_the_site_layout(browser, servers, page_errors):
    server = servers.base(0)
    # The Daphne processes run the production hashers, not the suite's fast one.
    carla = UserFactory(username="carla")
    carla.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    carla.save(update_fields=["password"])
    context = browser.new_context(viewport=DESKTOP)
    page = page_errors.watch(context.new_page())
    try:
        for name, (path, title) in ENTRANCE_PAGES.items():
            page.goto(f"{server}{path}")
            expect(page).to_have_title(title)
            _assert_site_layout(page)
            expect(page.locator(".account-entrance form.account-form")).to_be_visible()
            expect(page.locator(".account-form button[type=submit]")).to_have_class("button")
            shoot(page, f"account-{name}-desktop")

        # A wrong password: the error in the page, in the layout.
        page.goto(f"{server}/accounts/login/")
        page.fill("[name=login]", "carla")
        page.fill("[name=password]", "not the password")
        page.click(".account-form button[type=submit]")
        expect(page.locator(".account-form")).to_contain_text("not correct")
        _assert_site_layout(page)

        # Sign in through the styled page; the account settings have the side menu.
        page.fill("[name=password]", PASSWORD)
        page.click(".account-form button[type=submit]")
        expect(page.locator(".nav-user")).to_be_visible()
        for name, path in MANAGE_PAGES.items():
            page.goto(f"{server}{path}")
            _assert_site_layout(page)
            nav = page.locator(".account-nav")
            expect(nav.locator("a")).to_have_text(
                ["Email addresses", "Password", "Connected accounts", "Signed-in devices"]
            )
            expect(nav.locator(f'a[href="{path}"]')).to_have_attribute("aria-current", "page")
            shoot(page, f"account-{name}-desktop")

        phone = page_errors.watch(browser.new_context(viewport=PHONE).new_page())
        phone.goto(f"{server}/accounts/login/")
        _assert_site_layout(phone)
        assert horizontal_overflow(phone) == 0
        shoot(phone, "account-login-phone")
        phone.context.close()

        # The settings pages fit a phone too (the devices table's long user agents wrap).
        phone_context = browser.new_context(viewport=PHONE)
        sign_in_with_cookie(phone_context, carla, server)
        phone = page_errors.watch(phone_context.new_page())
        for name, path in MANAGE_PAGES.items():
            phone.goto(f"{server}{path}")
            _assert_site_layout(phone)
            assert horizontal_overflow(phone) == 0, path
            shoot(phone, f"account-{name}-phone")
        phone_context.close()
    finally:
        context.close()


def test_social_buttons_appear_only_for_configured_providers(client):
    page = client.get("/accounts/login/").content.decode()
    assert 'class="providers"' not in page
    google = {"APPS": [{"client_id": "id", "secret": "secret"}], "SCOPE": ["email"]}
    with override_settings(SOCIALACCOUNT_PROVIDERS={"google": google}):
        page = client.get("/accounts/login/").content.decode()
    assert 'class="providers"' in page
    assert 'data-provider="google"' in page
    assert "Continue with Google" in page
    assert 'href="/accounts/google/login/?process=login"' in page


def test_faq_page_lists_the_entries_in_order(browser, servers, page_errors):
    server = servers.base(0)
    FaqFactory(question="How do I list my studio?", answer="Open your dashboard.", sort_order=2)
    FaqFactory(question="Is it free?", answer=f"Yes. {HOSTILE}", sort_order=1)
    context = browser.new_context(viewport=DESKTOP)
    page = page_errors.watch(context.new_page())
    try:
        page.goto(f"{server}/faq")
        expect(page).to_have_title("Frequently asked questions · Studio Finder")
        expect(page.locator(".faq-entry summary")).to_have_text(
            ["Is it free?", "How do I list my studio?"]
        )
        page.click(".faq-entry summary >> nth=0")
        expect(page.locator(".faq-entry .content").first).to_have_text(f"Yes. {HOSTILE}")
        assert page.evaluate("window.pwned") is None
        expect(page.locator(".site-footer a", has_text="FAQ")).to_have_attribute("href", "/faq")
        shoot(page, "faq-desktop")
    finally:
        context.close()


def _featured_owner(username):
    user = UserFactory(owner=True, username=username)
    user.profile.is_featured = True
    user.profile.save()
    return user


def test_home_featured_cards_fill_a_grid(browser, servers, page_errors):
    server = servers.base(0)
    for i in range(4):
        studio = StudioFactory(owner=_featured_owner(f"feat{i}"), name=f"Featured {i}")
        StudioImageFactory(studio=studio)  # a host that does not answer: the placeholder
    context = browser.new_context(viewport=DESKTOP)
    page = page_errors.watch(context.new_page())
    try:
        page.goto(server)
        cards = page.locator("#featured .studio-card")
        expect(cards).to_have_count(4)
        boxes = [cards.nth(i).bounding_box() for i in range(4)]
        assert len({round(b["x"]) for b in boxes}) == 4, boxes  # four columns in a row
        assert all(b["width"] >= 240 for b in boxes), boxes
        expect(page.locator("#featured img.img-broken")).to_have_count(4)
        shoot(page, "home-desktop")

        phone = page_errors.watch(browser.new_context(viewport=PHONE).new_page())
        phone.goto(server)
        expect(phone.locator("#featured .studio-card")).to_have_count(4)
        assert horizontal_overflow(phone) == 0
        shoot(phone, "home-phone")
        phone.context.close()
    finally:
        context.close()


def test_phone_header_collapses_behind_a_menu_button(browser, servers, page_errors):
    server = servers.base(0)
    member = UserFactory(username="phoebe", display_name="Phoebe")
    context = browser.new_context(viewport=PHONE)
    sign_in_with_cookie(context, member, server)
    page = page_errors.watch(context.new_page())
    try:
        page.goto(f"{server}/search")
        menu = page.locator(".menu-button")
        expect(menu).to_be_visible()
        expect(menu).to_have_attribute("aria-expanded", "false")
        expect(page.locator(".site-nav")).to_be_hidden()
        header = page.locator(".site-header").bounding_box()
        assert header["height"] < 70, header  # one row, not four
        assert horizontal_overflow(page) == 0
        shoot(page, "search-phone")

        menu.click()
        expect(menu).to_have_attribute("aria-expanded", "true")
        expect(page.locator(".site-nav a", has_text="Messages")).to_be_visible()
        expect(page.locator(".header-search input")).to_be_visible()
        search = page.locator(".header-search input").bounding_box()
        assert search["width"] > 300, search  # the placeholder is not cut off
        assert horizontal_overflow(page) == 0
        shoot(page, "menu-open-phone")
        # The account menu unfolds in place inside it; Escape closes the inner menu first.
        account = page.get_by_role("button", name="Phoebe")
        account.click()
        expect(page.get_by_role("link", name="My reports")).to_be_visible()
        assert horizontal_overflow(page) == 0
        page.keyboard.press("Escape")
        expect(page.get_by_role("link", name="My reports")).to_be_hidden()
        expect(account).to_be_focused()
        expect(menu).to_have_attribute("aria-expanded", "true")
        page.keyboard.press("Escape")
        expect(page.locator(".site-nav")).to_be_hidden()
        expect(menu).to_be_focused()

        wide = page_errors.watch(browser.new_context(viewport=DESKTOP).new_page())
        wide.goto(f"{server}/search")
        expect(wide.locator(".menu-button")).to_be_hidden()
        expect(wide.locator(".site-nav")).to_be_visible()
        wide.context.close()
    finally:
        context.close()


def test_phone_conversation_is_full_screen_with_the_box_at_the_bottom(
    browser, servers, page_errors
):
    server = servers.base(0)
    me = UserFactory(username="paula", display_name="Paula")
    other = UserFactory(username="otto", display_name="Otto")
    third = UserFactory(username="theo")
    MessageFactory(sender=third, receiver=me, content="Another conversation")
    for i in range(30):
        sender, receiver = (other, me) if i % 3 else (me, other)
        MessageFactory(sender=sender, receiver=receiver, content=f"Message number {i:02d}")
    context = browser.new_context(viewport=PHONE)
    sign_in_with_cookie(context, me, server)
    page = page_errors.watch(context.new_page())
    try:
        page.goto(f"{server}/messages/otto")
        expect(page.locator("#thread-messages li.message")).to_have_count(30)
        expect(page.locator(".conversations-pane")).to_be_hidden()
        thread = page.locator("#thread").bounding_box()
        assert (thread["x"], thread["y"]) == (0, 0), thread
        assert (thread["width"], thread["height"]) == (390, 844), thread
        composer = page.locator("#composer textarea").bounding_box()
        assert 844 - 120 < composer["y"] + composer["height"] <= 844, composer
        expect(page.locator("#thread-messages li.message").last).to_be_in_viewport()
        expect(page.locator(".day-separator")).to_have_count(1)
        assert horizontal_overflow(page) == 0
        shoot(page, "conversation-phone")

        page.fill("#composer textarea", "Typed on a phone")
        page.press("#composer textarea", "Enter")
        expect(page.locator("#thread-messages li.message:not(.pending)")).to_have_count(31)
        assert Message.objects.filter(sender=me, content="Typed on a phone").exists()

        back = page.locator(".back-link")
        expect(back).to_be_visible()
        back.click()
        expect(page).to_have_url(f"{server}/messages")
        expect(page.locator(".conversations-pane")).to_be_visible()
        expect(page.locator("#conversations .conversation")).to_have_count(2)
        assert horizontal_overflow(page) == 0
        shoot(page, "messages-phone")

        desktop = page_errors.watch(browser.new_context(viewport=DESKTOP).new_page())
        sign_in_with_cookie(desktop.context, me, server)
        desktop.goto(f"{server}/messages/otto")
        expect(desktop.locator(".conversations-pane")).to_be_visible()
        expect(desktop.locator(".back-link")).to_be_hidden()
        shoot(desktop, "conversation-desktop")
        desktop.context.close()
    finally:
        context.close()


def test_phone_studio_gallery_scrolls(browser, servers, page_errors):
    server = servers.base(0)
    studio = StudioFactory(name="Wide Room")
    for _ in range(4):
        StudioImageFactory(studio=studio)
    context = browser.new_context(viewport=PHONE)
    page = page_errors.watch(context.new_page())
    try:
        page.goto(f"{server}/studios/{studio.pk}")
        images = page.locator(".gallery img")
        expect(images).to_have_count(4)
        expect(page.locator(".gallery img.img-broken")).to_have_count(4)
        # Each broken image then loads the placeholder: until it has, its width is 0.
        page.wait_for_function(
            "() => [...document.querySelectorAll('.gallery img')]"
            ".every(img => img.complete && img.naturalWidth > 0)"
        )
        widths = [images.nth(i).bounding_box()["width"] for i in range(4)]
        assert all(w > 250 for w in widths), widths  # not four thin columns
        gallery = page.locator(".gallery")
        assert gallery.evaluate("e => e.scrollWidth > e.clientWidth")
        assert horizontal_overflow(page) == 0
        shoot(page, "studio-phone")
    finally:
        context.close()


def test_a_thread_shows_avatars_and_the_studio_an_enquiry_is_about(browser, servers, page_errors):
    server = servers.base(0)
    me = UserFactory(username="quinn", display_name="Quinn")
    owner = UserFactory(username="rosa", display_name="Rosa Booth", owner=True)
    studio = StudioFactory(owner=owner, name=f"Rosa's Room {HOSTILE}")
    MessageFactory(
        sender=me, receiver=owner, content="Free on Monday?", context={"studio_id": studio.pk}
    )
    MessageFactory(sender=owner, receiver=me, content="Yes.")
    MessageFactory(sender=owner, receiver=me, content="From 10.")
    context = browser.new_context(viewport=DESKTOP)
    sign_in_with_cookie(context, me, server)
    page = page_errors.watch(context.new_page())
    try:
        page.goto(f"{server}/messages/rosa")
        about = page.locator("#thread-messages .about-studio a")
        expect(about).to_have_text(f"Rosa's Room {HOSTILE}")
        expect(about).to_have_attribute("href", f"/studios/{studio.pk}")
        # Rosa's two messages are one group: one avatar (her initial), the second grouped.
        expect(page.locator("#thread-messages .message.theirs")).to_have_count(2)
        expect(page.locator("#thread-messages .message-avatar")).to_have_count(1)
        expect(page.locator("#thread-messages .message-avatar")).to_have_text("R")
        expect(page.locator("#thread-messages .message.theirs.grouped")).to_have_count(1)
        expect(page.locator(".day-separator")).to_have_text(["Today"])
        assert page.evaluate("window.pwned") is None
        shoot(page, "conversation-enquiry-desktop")
    finally:
        context.close()


@pytest.mark.parametrize("role", ["member", "admin"])
def test_signed_in_header_is_one_row_at_1280_with_a_keyboard_account_menu(
    browser, servers, page_errors, role
):
    server = servers.base(0)
    # A long name too: the button shortens it rather than wrapping the header.
    user = UserFactory(
        username=f"wide{role}",
        display_name="Maximiliana Wolkenstein-Oberhausen",
        admin=role == "admin",
    )
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)  # bypass: axe is injected
    sign_in_with_cookie(context, user, server)
    page = page_errors.watch(context.new_page())
    try:
        page.goto(f"{server}/search")
        expect(page.locator("[data-realtime-status]")).to_have_attribute(
            "data-realtime-status", "open"
        )  # "Live" shown: the widest the header gets
        if role == "admin":
            expect(page.locator("[data-admin-reports]")).to_be_visible()
        button = page.get_by_role("button", name="Maximiliana Wolkenstein-Oberhausen")
        header = page.locator(".site-header").bounding_box()
        brand = page.locator(".brand").bounding_box()
        last = button.bounding_box()
        assert header["height"] < 70, header  # one row, not two
        assert abs((brand["y"] + brand["height"] / 2) - (last["y"] + last["height"] / 2)) < 8
        shoot(page, f"header-{role}-desktop")

        menu = page.locator("#account-menu-list")
        expect(button).to_have_attribute("aria-expanded", "false")
        expect(menu).to_be_hidden()
        button.focus()
        page.keyboard.press("Enter")
        expect(button).to_have_attribute("aria-expanded", "true")
        for name in ("My profile", "My studios", "My reports", "Settings"):
            expect(menu.get_by_role("link", name=name)).to_be_visible()
        expect(menu.get_by_role("button", name="Sign out")).to_be_visible()
        assert page.locator(".site-header").bounding_box()["height"] == header["height"]
        assert AXE.is_file(), f"{AXE} is missing: run `make browser-up`"
        assert scan(page) == []  # the open menu: no serious violation
        page.keyboard.press("Tab")
        expect(menu.get_by_role("link", name="My profile")).to_be_focused()
        page.keyboard.press("Escape")
        expect(menu).to_be_hidden()
        expect(button).to_be_focused()
        expect(button).to_have_attribute("aria-expanded", "false")

        page.keyboard.press(" ")
        expect(menu).to_be_visible()
        page.locator("main").click(position={"x": 5, "y": 5})  # a click outside closes it
        expect(menu).to_be_hidden()

        button.click()
        menu.get_by_role("link", name="My studios").click()
        expect(page).to_have_url(f"{server}/dashboard")
    finally:
        context.close()
