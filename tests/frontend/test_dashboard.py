"""The owner's side in Chromium: the dashboard, the studio editor and its photos, against a
Daphne process and the real management API (docs/frontend.md, "The owner's pages").

The geocoder is tests/fakes/nominatim.py: the API enqueues the geocoding task on commit,
and the test runs that task's service in this process (against the fake) while the page
waits for the point, as a worker would.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from accounts.models import Role
from directory.models import ServiceType, Studio, StudioStatus, StudioType
from directory.services.geocoding import studio_geocode
from tests.factories import StudioFactory, StudioImageFactory, UserFactory
from tests.frontend.browser import in_thread, sign_in_with_cookie
from tests.frontend.screenshots import DESKTOP, PHONE, horizontal_overflow, shoot
from tests.support.images import image_bytes

pytestmark = pytest.mark.django_db(transaction=True)

HOSTILE = '<img src=x onerror="window.pwned=1"><script>window.pwned=1</script>'
TEXT = {
    "name": "Harbour Booth",
    "description": f"A treated vocal booth by the sea. {HOSTILE}",
    "full_address": "10 Downing Street, London",
    "city": "Typed City",
    "abbreviated_address": "Westminster, London",
    "address": "10 Downing St",
    "website_url": "https://harbour.example.com",
    "phone": "+44 20 7946 0000",
}
TYPES = [StudioType.HOME, StudioType.PODCAST]
SERVICES = [ServiceType.SOURCE_CONNECT, ServiceType.ZOOM]


def _file(name: str, content: bytes, mime: str = "image/jpeg") -> dict:
    return {"name": name, "mimeType": mime, "buffer": content}


def _api_images(page, server: str, studio_id: int) -> list[dict]:
    response = page.request.get(f"{server}/api/studio/manage/{studio_id}")
    assert response.ok, response.text()
    return response.json()["images"]


def _photo_ids(page) -> list[int]:
    return [int(i) for i in page.locator("#photos li.photo").evaluate_all(
        "items => items.map(li => li.dataset.imageId)")]  # fmt: skip


@pytest.fixture
def owner_page(browser, servers, page_errors):
    owner = UserFactory(username="harriet", display_name="Harriet Harbour")
    context = browser.new_context(viewport=DESKTOP)
    sign_in_with_cookie(context, owner, servers.base(0))
    page = page_errors.watch(context.new_page())
    yield owner, page
    context.close()


def test_an_owner_creates_a_studio_adds_photos_and_submits_it(servers, owner_page, fake_nominatim):
    server = servers.base(0)
    owner, page = owner_page

    # A member without a studio: the empty dashboard, and the way to add one.
    page.goto(f"{server}/dashboard")
    expect(page.locator("#my-studios")).to_contain_text("You have no studio yet")
    page.get_by_role("link", name="New studio").click()
    expect(page).to_have_url(f"{server}/dashboard/studios/new")

    # A bad field: the API's error next to it, nothing created.
    page.fill("#f-name", "Harbour Booth")
    page.fill("#f-city", "Typed City")
    page.fill("#f-website_url", "not a web address")
    page.click("#save-button")
    expect(page.locator("#err-website_url")).to_be_visible()
    expect(page.locator("#err-website_url")).to_contain_text("valid URL")
    expect(page.locator("#f-website_url")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-website_url")).to_be_focused()
    expect(page.locator("#err-name")).to_be_hidden()
    assert not Studio.objects.filter(owner=owner).exists()

    # Every field.
    for name, value in TEXT.items():
        page.fill(f"#f-{name}", value)
    for value in TYPES:
        page.check(f"input[name=studio_types][value={value}]")
    for value in SERVICES:
        page.check(f"input[name=services][value={value}]")
    page.uncheck("#f-is_profile_visible")
    page.click("#save-button")
    expect(page).to_have_url(re.compile(r"/dashboard/studios/\d+\?created=1$"))
    studio = Studio.objects.get(owner=owner)
    assert page.url.startswith(f"{server}/dashboard/studios/{studio.pk}?")
    expect(page.locator("#save-status")).to_contain_text("Created as a draft")
    expect(page.locator("#err-website_url")).to_be_hidden()
    for name, value in TEXT.items():
        assert getattr(studio, name) == value, name
    assert studio.status == StudioStatus.DRAFT
    assert not studio.is_profile_visible
    assert sorted(t.studio_type for t in studio.studio_types.all()) == sorted(TYPES)
    assert sorted(s.service for s in studio.services.all()) == sorted(SERVICES)
    owner.refresh_from_db()
    assert owner.role == Role.STUDIO_OWNER
    expect(page.locator("#studio-status")).to_contain_text("Draft")

    # The geocoder answers (as the worker would): the page shows the point and the city.
    expect(page.locator("#geocode-status")).to_contain_text("Looking up the address")
    in_thread(studio_geocode, studio_id=studio.pk)
    expect(page.locator("#studio-map")).to_be_visible()
    expect(page.locator("#geocode-status")).to_contain_text("Found: 51.50344, -0.12771 in London")
    expect(page.locator("#f-city")).to_have_value("London")
    assert float(page.locator("#studio-map").get_attribute("data-lat")) == pytest.approx(51.50344)
    expect(page.locator("#studio-map .leaflet-interactive")).to_have_count(1)
    assert fake_nominatim.searches()[-1].params["q"] == TEXT["full_address"]
    # The description stays text.
    expect(page.locator("#f-description")).to_have_value(TEXT["description"])
    assert page.evaluate("window.pwned") is None

    # Photos: three uploads, then the limits — an oversized file (refused before it is
    # sent) and one too small (refused by the server) — each shown by the upload box.
    limit_mb = settings.STUDIO_IMAGE_MAX_BYTES // (1024 * 1024)
    expect(page.locator("#photo-limits")).to_contain_text(
        f"0 photos of at most {settings.STUDIO_MAX_IMAGES}"
    )
    expect(page.locator("#photo-limits")).to_contain_text(f"up to {limit_mb} MB each")
    page.set_input_files(
        "#f-photo",
        [_file(f"p{i}.jpg", image_bytes(size=(64 + i, 48))) for i in range(3)],
    )
    page.click("#photo-upload button[type=submit]")
    expect(page.locator("#photos li.photo")).to_have_count(3)
    expect(page.locator("#upload-status")).to_contain_text("3 photos added")
    expect(page.locator("#photo-limits")).to_contain_text("3 photos of at most")
    original = _photo_ids(page)
    assert [image["id"] for image in _api_images(page, server, studio.pk)] == original

    oversized = b"\xff\xd8\xff" + b"0" * settings.STUDIO_IMAGE_MAX_BYTES
    page.set_input_files("#f-photo", [_file("huge.jpg", oversized)])
    page.click("#photo-upload button[type=submit]")
    expect(page.locator("#err-image")).to_be_visible()
    expect(page.locator("#err-image")).to_contain_text(f"huge.jpg is {limit_mb} MB")
    expect(page.locator("#err-image")).to_contain_text(f"the limit is {limit_mb} MB")
    expect(page.locator("#f-photo")).to_have_attribute("aria-invalid", "true")

    page.set_input_files("#f-photo", [_file("tiny.png", image_bytes("PNG", (8, 8)), "image/png")])
    page.click("#photo-upload button[type=submit]")
    expect(page.locator("#err-image")).to_contain_text("tiny.png: ")
    expect(page.locator("#err-image")).to_contain_text("at least 16×16")
    expect(page.locator("#photos li.photo")).to_have_count(3)
    assert studio.images.count() == 3

    # Drag the first photo onto the third: the order is stored.
    photos = page.locator("#photos li.photo")
    photos.nth(2).scroll_into_view_if_needed()  # both in view: no scrolling mid-drag
    photos.nth(0).locator("img").drag_to(photos.nth(2).locator("img"))
    dragged = [original[1], original[2], original[0]]
    expect(page.locator("#photos-status")).to_contain_text("Photo moved to position 3 of 3")
    assert _photo_ids(page) == dragged
    assert [image["id"] for image in _api_images(page, server, studio.pk)] == dragged

    # From the keyboard: "Move up" on the last photo; focus stays on the photo that moved.
    page.locator("#photos li.photo").nth(2).locator("button[data-action=up]").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#photos-status")).to_contain_text("Photo moved to position 2 of 3")
    keyed = [original[1], original[0], original[2]]
    assert _photo_ids(page) == keyed
    assert [image["id"] for image in _api_images(page, server, studio.pk)] == keyed
    focused = page.evaluate("document.activeElement.closest('li').dataset.imageId")
    assert int(focused) == original[0]

    # A caption (alt text), then a photo deleted.
    first = page.locator("#photos li.photo").nth(0)
    first.locator("input[name=alt_text]").fill("The booth, door open")
    first.locator("button[data-action=caption]").click()
    expect(page.locator("#photos-status")).to_contain_text("Caption saved")
    expect(first.locator("img")).to_have_attribute("alt", "The booth, door open")
    assert _api_images(page, server, studio.pk)[0]["alt_text"] == "The booth, door open"

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#photos li.photo").nth(1).locator("button[data-action=delete]").click()
    expect(page.locator("#photos li.photo")).to_have_count(2)
    assert [image["id"] for image in _api_images(page, server, studio.pk)] == [
        original[1],
        original[2],
    ]
    shoot(page, "studio-editor-desktop")

    # Submit for review: PENDING, explained; the owner may withdraw it.
    page.click("#status-actions button[data-transition=PENDING]")
    expect(page.locator("#studio-status")).to_contain_text("Pending review")
    expect(page.locator("#status-actions button[data-transition=DRAFT]")).to_be_visible()
    studio.refresh_from_db()
    assert studio.status == StudioStatus.PENDING

    # The dashboard: the studio, its status in plain words, Go premium.
    page.goto(f"{server}/dashboard")
    item = page.locator(f"#my-studios li[data-studio-id='{studio.pk}']")
    expect(item).to_have_attribute("data-status", "PENDING")
    expect(item.locator(".studio-status")).to_contain_text("An admin is checking it")
    expect(item.locator("button[data-action=premium]")).to_be_visible()
    expect(item.locator("button[data-action=submit]")).to_have_count(0)
    expect(item.locator("img.thumb")).to_have_count(1)
    assert page.evaluate("document.querySelector('img.thumb').naturalWidth") > 0
    shoot(page, "dashboard-desktop")


def test_the_editor_cannot_be_sent_natively_before_its_script_runs(browser, servers):
    """A click or Enter before the page's module ran once sent the form as a GET with every
    field in the address (a CI run caught it); its buttons wait for the script."""
    server = servers.base(0)
    owner = UserFactory(username="early", owner=True)
    studio = StudioFactory(owner=owner)
    context = browser.new_context(viewport=DESKTOP)
    sign_in_with_cookie(context, owner, server)
    page = context.new_page()
    try:
        page.route("**/pages/studio_editor.js*", lambda route: route.abort())
        page.goto(f"{server}/dashboard/studios/{studio.pk}")
        expect(page.locator("#save-button")).to_be_disabled()
        expect(page.locator("#photo-upload button[type=submit]")).to_be_disabled()
        page.goto(f"{server}/dashboard/studios/new")
        expect(page.locator("#save-button")).to_be_disabled()
        page.fill("#f-name", "Early Booth")
        page.fill("#f-phone", "+44 20 7946 0000")
        page.press("#f-name", "Enter")
        page.wait_for_timeout(300)
        assert page.url == f"{server}/dashboard/studios/new"

        page.unroute("**/pages/studio_editor.js*")
        page.reload()
        expect(page.locator("#save-button")).to_be_enabled()
    finally:
        context.close()


def test_the_dashboard_submits_a_draft_and_fits_a_phone(browser, servers, page_errors):
    server = servers.base(0)
    owner = UserFactory(username="dora", owner=True)
    draft = StudioFactory(owner=owner, name="Draft Room", status=StudioStatus.DRAFT)
    live = StudioFactory(owner=owner, name="Live Room", is_premium=True, city="Leeds")
    StudioImageFactory(studio=live, alt_text="A very long caption " * 10)
    StudioFactory(name="Someone else's")  # not on this dashboard
    context = browser.new_context(viewport=PHONE)
    sign_in_with_cookie(context, owner, server)
    page = page_errors.watch(context.new_page())
    try:
        page.goto(f"{server}/dashboard")
        expect(page.locator("#my-studios li.my-studio")).to_have_count(2)
        live_item = page.locator(f"li[data-studio-id='{live.pk}']")
        expect(live_item.locator(".studio-status")).to_contain_text("Active")
        expect(live_item.locator(".tag.premium")).to_have_text("Premium")
        expect(live_item.get_by_role("link", name="Public page")).to_have_attribute(
            "href", f"/studios/{live.pk}"
        )
        item = page.locator(f"li[data-studio-id='{draft.pk}']")
        expect(item.locator(".studio-status")).to_contain_text("Only you can see it")
        assert horizontal_overflow(page) == 0
        shoot(page, "dashboard-phone")
        # "Go premium" asks for a Checkout session (premium.js); this server has no Stripe
        # keys, and the API's refusal is shown beside the button.
        item.locator("button[data-action=premium]").click()
        expect(item.locator(".premium-offer")).to_contain_text("Payments are not configured")
        expect(item.locator("button[data-action=premium]")).to_be_enabled()
        item.locator("button[data-action=submit]").click()
        item = page.locator(f"li[data-studio-id='{draft.pk}']")
        expect(item).to_have_attribute("data-status", "PENDING")
        expect(page.locator("#dashboard-status")).to_contain_text("Draft Room is submitted")
        draft.refresh_from_db()
        assert draft.status == StudioStatus.PENDING

        page.goto(f"{server}/dashboard/studios/{live.pk}")
        expect(page.locator("#f-name")).to_have_value("Live Room")
        expect(page.locator("#photos li.photo")).to_have_count(1)
        # The page runs app.js like every page: the phone header folds behind Menu.
        expect(page.locator(".site-nav")).to_be_hidden()
        expect(page.locator(".menu-button")).to_have_attribute("aria-expanded", "false")
        expect(page.locator("#premium-state")).to_contain_text("Premium")
        expect(page.locator("#go-premium")).to_be_hidden()
        expect(page.locator("#status-actions button[data-transition=INACTIVE]")).to_be_visible()
        assert horizontal_overflow(page) == 0
        shoot(page, "studio-editor-phone")
        page.goto(f"{server}/dashboard/studios/new")
        assert horizontal_overflow(page) == 0
    finally:
        context.close()


def test_the_owner_pages_refuse_anonymous_visitors_and_other_people(browser, servers, page_errors):
    server = servers.base(0)
    studio = StudioFactory(name="Private Draft", status=StudioStatus.DRAFT)
    anonymous = browser.new_context()
    stranger = browser.new_context()
    sign_in_with_cookie(stranger, UserFactory(username="stranger", owner=True), server)
    try:
        page = page_errors.watch(anonymous.new_page())
        for path in ("/dashboard", "/dashboard/studios/new", f"/dashboard/studios/{studio.pk}"):
            page.goto(f"{server}{path}")
            assert page.url.startswith(f"{server}/accounts/login/?next="), path
        page = stranger.new_page()
        response = page.goto(f"{server}/dashboard/studios/{studio.pk}")
        assert response.status == 404
        assert "Private Draft" not in page.content()
        # The API behind the page says the same.
        assert page.request.get(f"{server}/api/studio/manage/{studio.pk}").status == 404
    finally:
        anonymous.close()
        stranger.close()


@pytest.mark.parametrize("path", ["/dashboard/studios/new", "/dashboard/studios/{id}"])
def test_the_editor_gets_the_limits_the_upload_service_enforces(client, settings, path):
    settings.STUDIO_MAX_IMAGES = 3
    settings.STUDIO_IMAGE_MAX_BYTES = 2 * 1024 * 1024
    studio = StudioFactory()
    client.force_login(studio.owner)
    response = client.get(path.format(id=studio.pk))
    assert response.status_code == 200
    data = response.context["page_data"]
    assert data["studio_id"] == (studio.pk if "{id}" in path else None)
    assert (data["max_images"], data["max_image_bytes"]) == (3, 2 * 1024 * 1024)
    assert (data["min_image_side"], data["max_image_side"]) == (16, settings.STUDIO_IMAGE_MAX_SIDE)
    assert b'src="/static/frontend/pages/studio_editor.js"' in response.content
