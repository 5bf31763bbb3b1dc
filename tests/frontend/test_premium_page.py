"""The premium page in Chromium: what premium is, the featured studios and the people in
the spotlight, in pages, with user content escaped."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import StudioFactory, UserFactory
from tests.frontend.screenshots import DESKTOP, PHONE, horizontal_overflow, shoot

pytestmark = pytest.mark.django_db(transaction=True)

HOSTILE = '<img src=x onerror="window.pwned=1">'


def _profile(user, **flags):
    for name, value in flags.items():
        setattr(user.profile, name, value)
    user.profile.save()
    return user


def test_premium_page_shows_featured_studios_and_the_spotlight_in_pages(
    browser, servers, page_errors
):
    server = servers.base(0)
    featured_owner = _profile(UserFactory(owner=True, username="feat"), is_featured=True)
    StudioFactory(owner=featured_owner, name="Featured Room")
    StudioFactory(name="Ordinary Room")
    star = _profile(
        UserFactory(username="star", display_name=f"Star {HOSTILE}"),
        is_spotlight=True,
        location="Leeds",
        verification_level="BASIC",
    )
    StudioFactory(owner=star)
    for i in range(20):  # a second page of the spotlight
        _profile(
            UserFactory(username=f"spot{i:02d}", display_name=f"Spot {i:02d}"), is_spotlight=True
        )
    _profile(UserFactory(username="hidden", is_active=False), is_spotlight=True)

    context = browser.new_context(viewport=DESKTOP)
    page = page_errors.watch(context.new_page())
    try:
        page.goto(f"{server}/premium")
        expect(page).to_have_title("Premium listings · Studio Finder")
        expect(page.locator("#featured .studio-card h3")).to_have_text(["Featured Room"])
        cards = page.locator("#spotlight .person-card")
        expect(cards).to_have_count(20)  # by display name: "Spot 00".."Spot 19" first
        page.click("#spotlight-more")
        expect(cards).to_have_count(21)
        expect(page.locator("#spotlight-more")).to_be_hidden()
        star_card = page.locator('.person-card[data-username="star"]')
        expect(star_card.locator("h3")).to_have_text(f"Star {HOSTILE}")
        expect(star_card.locator("h3 a")).to_have_attribute("href", "/star")
        expect(star_card).to_contain_text("Leeds")
        expect(star_card).to_contain_text("1 listed studio")
        expect(star_card.locator(".tag.verified")).to_have_text("Verification: Basic")
        expect(page.locator('.person-card[data-username="hidden"]')).to_have_count(0)
        assert page.evaluate("window.pwned") is None
        expect(page.locator(".site-footer a", has_text="Premium")).to_have_attribute(
            "href", "/premium"
        )
        expect(page.locator(".premium-hero a", has_text="Sign in")).to_be_visible()
        shoot(page, "premium-desktop")

        phone = page_errors.watch(browser.new_context(viewport=PHONE).new_page())
        phone.goto(f"{server}/premium")
        expect(phone.locator("#spotlight .person-card")).to_have_count(20)
        assert horizontal_overflow(phone) == 0
        shoot(phone, "premium-phone")
        phone.context.close()
    finally:
        context.close()
