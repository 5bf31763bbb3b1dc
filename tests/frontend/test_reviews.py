"""Reviews on a studio page in Chromium: a member writes one (stars, the length rules as
they type, anonymous) and sees it pending; they may change it while it waits; an admin
approves it; the owner replies, rewords and withdraws the reply and answers again, and the
reply shows to everyone; an answered review can no longer be changed, only withdrawn. The
owner is never offered "Write a review"."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from directory.models import Review, ReviewResponse, ReviewStatus
from moderation.services import review_decide
from tests.factories import ReviewFactory, StudioFactory, UserFactory
from tests.frontend.accessibility import scan
from tests.frontend.browser import in_thread, sign_in_with_cookie, signed_in_pages
from tests.frontend.screenshots import DESKTOP, PHONE, horizontal_overflow, shoot

pytestmark = pytest.mark.django_db(transaction=True)

FIRST = "Quiet room, but the"
WRITTEN = "Quiet room, but the headphones crackled."
CHANGED = "Quiet room; they swapped the headphones at once."


def test_write_moderate_reply_and_the_rules(browser, servers, page_errors):
    server = servers.base(0)
    owner = UserFactory(username="olive", display_name="Olive Owner", owner=True)
    studio = StudioFactory(owner=owner, name="Quiet Booth")
    member = UserFactory(username="rita", display_name="Rita Reviewer")
    admin = UserFactory(admin=True)
    url = f"{server}/studios/{studio.pk}"

    with signed_in_pages(browser, page_errors, server, member, owner, viewport=DESKTOP) as (
        page,
        owner_page,
    ):
        # The owner of the studio is not offered a review of their own studio.
        owner_page.goto(url)
        expect(owner_page.locator("#reviews-section")).to_be_visible()
        expect(owner_page.locator("#write-review-start")).to_be_hidden()

        page.goto(url)
        page.get_by_role("button", name="Write a review").click()
        form = page.locator("#review-form")
        expect(form).to_be_visible()
        count = page.locator("#review-count")
        expect(count).to_have_text("0 / 2000 characters · at least 10")
        page.fill("#review-content", "Too short")
        expect(count).to_have_text("9 / 2000 characters · at least 10")
        form.get_by_role("button", name="Send for moderation").click()
        expect(page.locator("#review-status")).to_have_text("Choose a rating from 1 to 5 stars.")
        form.get_by_label("4 stars").check()
        form.get_by_role("button", name="Send for moderation").click()
        expect(page.locator("#review-status")).to_have_text("Write between 10 and 2000 characters.")
        assert not Review.objects.exists()

        page.fill("#review-content", WRITTEN)
        expect(count).to_have_text(f"{len(WRITTEN)} / 2000 characters")
        form.get_by_label("Post anonymously").check()
        shoot(page, "studio-write-review-desktop")
        form.get_by_role("button", name="Send for moderation").click()

        mine = page.locator(".my-review")
        expect(mine).to_contain_text("Pending moderation")
        expect(mine).to_contain_text(WRITTEN)
        expect(mine).to_contain_text("anonymous")
        review = Review.objects.get(studio=studio, reviewer=member)
        assert (review.status, review.rating, review.is_anonymous) == ("PENDING", 4, True)
        expect(page.locator("#reviews .review")).to_have_count(0)  # not public yet
        page.reload()
        expect(mine).to_contain_text("Pending moderation")  # from the API, after a reload
        expect(page.locator("#write-review-start")).to_be_hidden()

        # Changing it while it waits: the form comes back filled in, the change is pending.
        mine.get_by_role("button", name="Edit my review").click()
        expect(page.locator("#review-content")).to_have_value(WRITTEN)
        expect(form.get_by_label("4 stars")).to_be_checked()
        page.fill("#review-content", CHANGED)
        form.get_by_label("5 stars").check()
        form.get_by_label("Post anonymously").uncheck()
        form.get_by_role("button", name="Save and send for moderation").click()
        expect(mine).to_contain_text(CHANGED)
        expect(mine).to_contain_text("Pending moderation")
        review.refresh_from_db()
        assert (review.content, review.rating, review.is_anonymous) == (CHANGED, 5, False)

        # A moderator approves it; it is published on the page.
        in_thread(review_decide, actor=admin, review=review, status=ReviewStatus.APPROVED)
        page.reload()
        expect(mine).to_contain_text("Published")
        public = page.locator(f"#review-{review.pk}")
        expect(public).to_contain_text(CHANGED)
        expect(public).to_contain_text("Rita Reviewer")

        # The owner replies under it, once.
        owner_page.reload()
        reviewed = owner_page.locator(f"#review-{review.pk}")
        reviewed.locator(".reply-start").click()
        reply = reviewed.get_by_label("Your public reply")
        expect(reply).to_be_focused()
        answer = "Thank you, Rita: <glad> it worked out."
        reply.fill(answer)
        expect(reviewed.locator(".counter")).to_have_text(f"{len(answer)} / 2000 characters")
        reviewed.get_by_role("button", name="Post reply").click()
        expect(reviewed.locator(".response")).to_have_text(
            "Response from the owner: Thank you, Rita: <glad> it worked out."
        )
        expect(reviewed.locator(".reply-start")).to_have_count(0)
        assert ReviewResponse.objects.get(review=review).author == owner
        shoot(owner_page, "studio-owner-reply-desktop")

        # The owner rewords it; withdraws it (Reply comes back); answers again.
        reviewed.get_by_role("button", name="Edit reply").click()
        expect(reply).to_have_value(answer)
        reply.fill("Thank you, Rita.")
        reviewed.get_by_role("button", name="Save reply").click()
        reworded = "Response from the owner: Thank you, Rita."
        expect(reviewed.locator(".response")).to_have_text(reworded)
        assert ReviewResponse.objects.get(review=review).content == "Thank you, Rita."
        reviewed.get_by_role("button", name="Delete reply").click()
        reviewed.get_by_role("button", name="Yes, delete it").click()
        expect(reviewed.locator(".response")).to_have_count(0)
        assert not ReviewResponse.objects.filter(review=review).exists()
        reviewed.locator(".reply-start").click()
        reply.fill(answer)
        reviewed.get_by_role("button", name="Post reply").click()
        expect(reviewed.locator(".response")).to_contain_text(answer)

        # Everyone sees the reply; the writer can no longer change an answered review.
        page.reload()
        expect(public.locator(".response")).to_contain_text("Thank you, Rita")
        expect(mine.locator(".response")).to_contain_text("Thank you, Rita")
        expect(mine.get_by_role("button", name="Edit my review")).to_have_count(0)
        expect(mine).to_contain_text("can no longer be changed")
        status = page.evaluate(
            """async (id) => (await fetch(`/api/reviews/${id}`, {method: 'PATCH',
                 headers: {'Content-Type': 'application/json',
                           'X-CSRFToken': document.querySelector('meta[name=csrf-token]').content},
                 body: JSON.stringify({rating: 1})})).status""",
            review.pk,
        )
        assert status == 409

        # Withdrawn, after a second click; the form is offered again.
        mine.get_by_role("button", name="Delete my review").click()
        mine.get_by_role("button", name="Yes, delete it").click()
        expect(page.locator("#write-review-start")).to_be_visible()
        expect(page.locator(f"#review-{review.pk}")).to_have_count(0)
        assert not Review.objects.filter(pk=review.pk).exists()


def test_the_review_form_fits_a_phone_and_anonymous_visitors_are_asked_to_sign_in(
    browser, servers, page_errors
):
    server = servers.base(0)
    studio = StudioFactory(name="Phone Booth")
    member = UserFactory(username="phil")
    anonymous = browser.new_context(viewport=PHONE)
    signed_in = browser.new_context(viewport=PHONE, bypass_csp=True)  # for axe-core
    sign_in_with_cookie(signed_in, member, server)
    try:
        visitor = page_errors.watch(anonymous.new_page())
        visitor.goto(f"{server}/studios/{studio.pk}")
        expect(visitor.locator("#write-review")).to_contain_text("Sign in to write a review.")
        expect(visitor.locator("#review-form")).to_have_count(0)

        page = page_errors.watch(signed_in.new_page())
        page.goto(f"{server}/studios/{studio.pk}")
        page.get_by_role("button", name="Write a review").click()
        page.fill("#review-content", "A long review " * 20)
        assert horizontal_overflow(page) == 0
        assert scan(page) == []  # the open form: no serious or critical axe violation
        shoot(page, "studio-write-review-phone")
    finally:
        anonymous.close()
        signed_in.close()


def test_the_rating_summary_follows_each_change_without_a_reload(browser, servers, page_errors):
    server = servers.base(0)
    owner = UserFactory(username="oscar", display_name="Oscar Owner", owner=True)
    studio = StudioFactory(owner=owner, name="Counted Booth")
    member = UserFactory(username="mona", display_name="Mona Member")
    admin = UserFactory(admin=True)
    ReviewFactory(studio=studio, rating=5, status=ReviewStatus.APPROVED)
    mine = ReviewFactory(studio=studio, reviewer=member, rating=3, status=ReviewStatus.APPROVED)
    url = f"{server}/studios/{studio.pk}"

    def expect_summary(p, text: str, buckets: dict[int, str]):
        expect(p.locator("#rating-summary > p")).to_contain_text(text)
        for rating, shown in buckets.items():
            expect(p.locator(f'#rating-summary li[data-rating="{rating}"]')).to_contain_text(shown)

    with signed_in_pages(browser, page_errors, server, member, owner, viewport=DESKTOP) as (
        page,
        owner_page,
    ):
        page.goto(url)
        expect_summary(page, "4 out of 5 · 2 reviews", {5: "1 (50", 3: "1 (50"})

        # A change sends the review back to moderation: off the figures at once.
        page.locator(".my-review").get_by_role("button", name="Edit my review").click()
        page.locator("#review-form").get_by_label("2 stars").check()
        page.get_by_role("button", name="Save and send for moderation").click()
        expect(page.locator(".my-review")).to_contain_text("Pending moderation")
        expect_summary(page, "5 out of 5 · 1 review", {5: "1 (100", 3: "0 (0", 2: "0 (0"})

        # Approved again (elsewhere), then withdrawn: the figures follow the delete.
        in_thread(review_decide, actor=admin, review=mine, status=ReviewStatus.APPROVED)
        page.reload()
        expect_summary(page, "3.5 out of 5 · 2 reviews", {2: "1 (50"})
        page.locator(".my-review").get_by_role("button", name="Delete my review").click()
        page.get_by_role("button", name="Yes, delete it").click()
        expect(page.locator("#write-review-start")).to_be_visible()
        expect_summary(page, "5 out of 5 · 1 review", {2: "0 (0"})

        # The owner answers; the figures are re-read then too (a review approved meanwhile).
        owner_page.goto(url)
        expect_summary(owner_page, "5 out of 5 · 1 review", {1: "0 (0"})
        ReviewFactory(studio=studio, rating=1, status=ReviewStatus.APPROVED)
        first = Review.objects.filter(studio=studio).order_by("pk").first()
        reviewed = owner_page.locator(f"#review-{first.pk}")
        reviewed.locator(".reply-start").click()
        reviewed.get_by_label("Your public reply").fill("Thank you.")
        reviewed.get_by_role("button", name="Post reply").click()
        expect(reviewed.locator(".response")).to_contain_text("Thank you.")
        expect_summary(owner_page, "3 out of 5 · 2 reviews", {1: "1 (50", 5: "1 (50"})
