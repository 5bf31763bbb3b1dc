"""The Report dialog in Chromium (moderation, docs/moderation.md): opened from a studio
page, a review, a profile and a message; keyboard-accessible (focus inside, Escape closes
and gives focus back); the rules shown before and after the API; admins' open-reports
badge follows live; "My reports" lists the outcome; a removed message disappears from
both people's open threads at once."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from directory.models import ReviewStatus
from moderation.models import ContentReport
from moderation.services import report_action
from tests.factories import (
    ContentReportFactory,
    MessageFactory,
    ReviewFactory,
    StudioFactory,
    UserFactory,
)
from tests.frontend.browser import in_thread, sign_in_with_cookie

pytestmark = pytest.mark.django_db(transaction=True)


def _page(browser, servers, page_errors, user):
    context = browser.new_context()
    sign_in_with_cookie(context, user, servers.base(0))
    return page_errors.watch(context.new_page())


def test_reporting_a_studio_through_the_dialog_and_the_admin_badge(browser, servers, page_errors):
    server = servers.base(0)
    admin = UserFactory(admin=True, username="moddy")
    reporter = UserFactory(username="reporter")
    studio = StudioFactory(name="Too Good To Be True")
    review = ReviewFactory(studio=studio, status=ReviewStatus.APPROVED)
    ContentReportFactory()  # one open already

    admin_page = _page(browser, servers, page_errors, admin)
    admin_page.goto(f"{server}/")
    expect(admin_page.locator("[data-realtime-status]")).to_have_text("Live")
    badge = admin_page.locator('[data-badge="reports"]')
    expect(badge).to_have_text("1")
    expect(admin_page.locator("[data-admin-reports]")).to_have_attribute(
        "href", "/admin/moderation/contentreport/?status__exact=PENDING"
    )

    page = _page(browser, servers, page_errors, reporter)
    page.goto(f"{server}/studios/{studio.pk}")
    expect(page.locator('[data-badge="reports"]')).to_have_count(0)  # not an admin
    button = page.locator('#studio .report-button[data-report-type="STUDIO"]')
    button.click()
    dialog = page.get_by_role("dialog", name="Report this studio")
    expect(dialog).to_be_visible()
    expect(dialog.locator("input[name=reason]").first).to_be_focused()
    expect(dialog.locator("input[name=reason]")).to_have_count(7)

    # "Other" needs details: refused in the page before any request.
    dialog.get_by_label("Other").check()
    dialog.get_by_label("Details").fill("fake")
    dialog.get_by_role("button", name="Send report").click()
    expect(dialog.locator(".report-status")).to_contain_text("10 to 1000 characters")
    assert not ContentReport.objects.filter(reporter=reporter).exists()

    dialog.get_by_label("Details").fill("The photos are of another studio.")
    dialog.get_by_role("button", name="Send report").click()
    expect(dialog.locator(".report-status")).to_contain_text("Thank you")
    expect(button).to_have_text("Reported")
    expect(button).to_be_disabled()
    report = ContentReport.objects.get(reporter=reporter)
    assert (report.content_type, report.content_id, report.reason) == (
        "STUDIO",
        str(studio.pk),
        "OTHER",
    )
    assert report.custom_reason == "The photos are of another studio."
    assert report.reported_user_id == studio.owner_id

    # The admin's tab follows without a reload.
    expect(badge).to_have_text("2")

    # A review's dialog: Escape closes it and gives focus back to its button.
    expect(dialog).to_be_hidden(timeout=5000)
    review_button = page.locator(f'[data-review-id="{review.pk}"] .report-button')
    review_button.click()
    review_dialog = page.get_by_role("dialog", name="Report this review")
    expect(review_dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(review_dialog).to_be_hidden()
    expect(review_button).to_be_focused()

    # The API's refusals come back into the dialog: a second report of the studio.
    button.evaluate("b => { b.disabled = false; }")
    button.click()
    dialog.get_by_label("Spam").check()
    dialog.get_by_role("button", name="Send report").click()
    expect(dialog.locator(".report-status .error")).to_contain_text("already reported")

    # "My reports" in the account menu, with the outcome once an admin decides.
    page.goto(f"{server}/")
    page.locator(".account-button").click()  # "My reports" is in the account menu
    page.get_by_role("link", name="My reports").click()
    expect(page.locator(f'[data-report-id="{report.pk}"]')).to_contain_text(
        "Waiting for a moderator"
    )
    in_thread(report_action, report_id=report.pk, actor=admin, action="dismiss")
    expect(page.locator(f'[data-report-id="{report.pk}"]')).to_contain_text("Dismissed")
    expect(badge).to_have_text("1")


def test_a_reported_message_removed_by_an_admin_disappears_for_both(browser, servers, page_errors):
    server = servers.base(0)
    admin = UserFactory(admin=True)
    alice = UserFactory(username="alice")
    bob = UserFactory(username="bob")
    MessageFactory(sender=bob, receiver=alice, content="See you at the session.")
    nasty = MessageFactory(sender=bob, receiver=alice, content="You are worthless.")

    alice_page = _page(browser, servers, page_errors, alice)
    alice_page.goto(f"{server}/messages/bob")
    expect(alice_page.locator("#thread-messages .message")).to_have_count(2)
    bob_page = _page(browser, servers, page_errors, bob)
    bob_page.goto(f"{server}/messages/alice")
    expect(bob_page.locator("#thread-messages .message")).to_have_count(2)
    expect(bob_page.locator("#thread-messages .report-button")).to_have_count(0)  # own

    alice_page.locator(f'[data-message-id="{nasty.pk}"] .report-button').click()
    dialog = alice_page.get_by_role("dialog", name="Report this message")
    dialog.get_by_label("Harassment or bullying").check()
    dialog.get_by_role("button", name="Send report").click()
    expect(dialog.locator(".report-status")).to_contain_text("Thank you")
    report = ContentReport.objects.get(reporter=alice)
    assert report.reported_user_id == bob.pk

    in_thread(report_action, report_id=report.pk, actor=admin, action="remove_content")
    for page in (alice_page, bob_page):
        expect(page.locator(f'[data-message-id="{nasty.pk}"]')).to_have_count(0)
        expect(page.locator("#thread-messages .message")).to_have_count(1)
