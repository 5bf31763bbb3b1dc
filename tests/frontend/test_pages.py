"""The pages over the real API on a Daphne process: the studio page with its reviews and
contact form, a public profile, the notifications list with live arrivals and bulk reads,
a long thread's older pages.
Hostile text from users stays text (it is never parsed as HTML).
"""

from __future__ import annotations

import re

import factory
import pytest
from playwright.sync_api import expect

from directory.models import ReviewStatus
from realtime.models import Message, Notification, NotificationType
from realtime.services.notifications import notify
from tests.factories import (
    MessageFactory,
    ReviewFactory,
    ReviewResponseFactory,
    StudioFactory,
    StudioServiceFactory,
    StudioTypeFactory,
    UserFactory,
)
from tests.frontend.browser import in_thread, sign_in_with_cookie

pytestmark = pytest.mark.django_db(transaction=True)

HOSTILE = '<img src=x onerror="window.pwned=1"><script>window.pwned=1</script>'


@pytest.fixture
def visitor_page(browser, servers, page_errors):
    visitor = UserFactory(username="visitor", display_name="Vera Visitor")
    context = browser.new_context()
    sign_in_with_cookie(context, visitor, servers.base(0))
    page = page_errors.watch(context.new_page())
    yield visitor, page
    context.close()


def test_studio_page_shows_reviews_and_sends_the_contact_form(servers, visitor_page):
    server = servers.base(0)
    visitor, page = visitor_page
    studio = StudioFactory(name="Quiet Booth", description=f"Treated room. {HOSTILE}")
    StudioTypeFactory(studio=studio)
    StudioServiceFactory(studio=studio)
    for rating in (5, 5, 4, 1):
        ReviewFactory(studio=studio, rating=rating, status=ReviewStatus.APPROVED)
    hostile = ReviewFactory(
        studio=studio, rating=2, status=ReviewStatus.APPROVED, content=f"Meh. {HOSTILE}"
    )
    ReviewResponseFactory(review=hostile, content="Sorry to hear that.")
    ReviewFactory(studio=studio, rating=1, content="Pending: not shown.")

    page.goto(f"{server}/studios/{studio.pk}")
    expect(page).to_have_title("Quiet Booth · Studio Finder")
    expect(page.locator("#studio h1")).to_contain_text("Quiet Booth")
    expect(page.locator("#studio .description")).to_have_text(f"Treated room. {HOSTILE}")
    expect(page.locator("#studio .tags .tag")).to_have_text(["Home studio", "Source-Connect"])
    expect(page.locator("#rating-summary")).to_contain_text("3.4 out of 5 · 5 reviews")
    expect(page.locator(".distribution li .muted")).to_have_text(
        ["2 (40%)", "1 (20%)", "0 (0%)", "1 (20%)", "1 (20%)"]
    )
    expect(page.locator("#reviews .review")).to_have_count(5)
    expect(page.locator(f'[data-review-id="{hostile.pk}"] .content')).to_have_text(
        f"Meh. {HOSTILE}"
    )
    expect(page.locator(f'[data-review-id="{hostile.pk}"] .response')).to_contain_text(
        "Sorry to hear that."
    )
    assert page.evaluate("window.pwned") is None

    page.fill("#contact-form [name=subject]", "Booking in May")
    page.fill("#contact-form [name=content]", "Is the booth free on the 3rd of May?")
    page.click("#contact-form button[type=submit]")
    expect(page.locator("#contact-status")).to_contain_text("Sent.")
    sent = Message.objects.get(sender=visitor)
    assert (sent.receiver_id, sent.subject, sent.context) == (
        studio.owner_id,
        "Booking in May",
        {"studio_id": studio.pk},
    )

    # The rules of the contact form come back as the API's field errors.
    page.fill("#contact-form [name=subject]", "Hi there")
    page.fill("#contact-form [name=content]", "Too short")
    page.locator("#contact-form").evaluate("form => form.noValidate = true")
    page.click("#contact-form button[type=submit]")
    expect(page.locator("#contact-status .error")).to_be_visible()
    expect(page.locator("#contact-status")).to_contain_text("content")

    assert page.request.get(f"{server}/studios/999999").status == 404


def test_public_profile_page(servers, visitor_page):
    server = servers.base(0)
    _visitor, page = visitor_page
    owner = UserFactory(username="ownie", display_name="Owen Owner")
    owner.profile.short_about = HOSTILE
    owner.profile.save()
    StudioFactory(owner=owner, name="Owen's Room")

    page.goto(f"{server}/profile/ownie")  # the links in connection notifications
    expect(page).to_have_url(re.compile(r"/ownie$"))
    expect(page).to_have_title("Owen Owner · Studio Finder")
    expect(page.locator("#profile-details .lead")).to_have_text(HOSTILE)
    expect(page.locator("#profile-details .studio-card h3")).to_have_text(["Owen's Room"])
    expect(page.locator("a.button", has_text="Message")).to_have_attribute(
        "href", "/messages/ownie"
    )
    assert page.evaluate("window.pwned") is None
    assert page.request.get(f"{server}/no-such-person").status == 404


def test_notifications_arrive_live_and_are_marked_read_in_bulk(servers, visitor_page):
    server = servers.base(0)
    visitor, page = visitor_page
    for i in range(3):
        in_thread(
            notify,
            user_id=visitor.pk,
            type=NotificationType.REVIEW_RECEIVED,
            title=f"Review {i}",
            message=HOSTILE,
            action_url="/notifications",
        )

    page.goto(f"{server}/notifications")
    expect(page.locator("[data-realtime-status]")).to_have_text("Live")
    expect(page.locator('[data-badge="notifications"]')).to_have_text("3")
    expect(page.locator(".notification .title")).to_have_text(["Review 2", "Review 1", "Review 0"])
    expect(page.locator(".notification p").first).to_have_text(HOSTILE)

    # One arrives while the page is open: listed first, badge up, without a reload.
    in_thread(
        notify,
        user_id=visitor.pk,
        type=NotificationType.CONNECTION_REQUEST,
        title="Someone wants to connect",
        message="…",
        action_url="/network",
    )
    expect(page.locator(".notification .title").first).to_have_text("Someone wants to connect")
    expect(page.locator('[data-badge="notifications"]')).to_have_text("4")

    # Two selected, in one request.
    page.locator(".notification.unread input[type=checkbox]").nth(0).check()
    page.locator(".notification.unread input[type=checkbox]").nth(1).check()
    page.click("#mark-selected")
    expect(page.locator(".notification.unread")).to_have_count(2)
    expect(page.locator('[data-badge="notifications"]')).to_have_text("2")

    # The rest, read in another tab: this one follows (notification.count's marked_read).
    other_tab = page.context.new_page()
    other_tab.goto(f"{server}/notifications")
    other_tab.click("#mark-all")
    expect(page.locator(".notification.unread")).to_have_count(0)
    expect(page.locator('[data-badge="notifications"]')).to_be_hidden()
    assert not Notification.objects.filter(user=visitor, read=False).exists()
    assert page.evaluate("window.pwned") is None


def test_a_long_thread_loads_older_pages(servers, visitor_page):
    server = servers.base(0)
    visitor, page = visitor_page
    other = UserFactory(username="chatty", display_name="Chatty Cathy")
    MessageFactory.create_batch(
        60,
        sender=factory.Iterator([other, visitor]),
        receiver=factory.Iterator([visitor, other]),
        subject=None,
        content=factory.Iterator([f"line {i:02d}" for i in range(60)]),
        is_read=True,
    )

    page.goto(f"{server}/messages/chatty")
    expect(page.locator("#thread-messages li.message")).to_have_count(50)
    expect(page.locator("#thread-messages .content").first).to_have_text("line 10")
    page.click("#older")
    expect(page.locator("#thread-messages li.message")).to_have_count(60)
    expect(page.locator("#thread-messages .content").first).to_have_text("line 00")
    expect(page.locator("#thread-messages .content").last).to_have_text("line 59")
    expect(page.locator("#older")).to_be_hidden()
