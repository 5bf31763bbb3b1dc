"""The search page in Chromium: multi-select types and services, the flags, the sort, one
place box; every state in the URL (legacy names redirected once); "Save this search" and
the saved search's link restoring the page exactly; the map of the results."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from directory.models import SavedSearch, ServiceType, StudioType
from directory.search.knn import SAMPLE_STRIDE
from tests.factories import (
    StudioFactory,
    StudioImageFactory,
    StudioServiceFactory,
    StudioTypeFactory,
    UserFactory,
)
from tests.frontend.browser import sign_in_with_cookie
from tests.frontend.conftest import Servers
from tests.frontend.screenshots import DESKTOP, PHONE, horizontal_overflow, shoot
from tests.support.processes import http_get

pytestmark = pytest.mark.django_db(transaction=True)

LONDON = (51.5074, -0.1278)


def studio(name, *, types=(), services=(), at=LONDON, images=0, **fields):
    owner = UserFactory(owner=True)
    owner.profile.use_coordinates_for_map = True
    owner.profile.save()
    made = StudioFactory(owner=owner, name=name, latitude=at[0], longitude=at[1], **fields)
    for studio_type in types:
        StudioTypeFactory(studio=made, studio_type=studio_type)
    for service in services:
        StudioServiceFactory(studio=made, service=service)
    for _ in range(images):
        StudioImageFactory(studio=made)
    return made


@pytest.fixture
def world():
    both = (StudioType.HOME, StudioType.PODCAST)
    sc = (ServiceType.SOURCE_CONNECT,)
    return {
        "match": studio("Booth Alpha", types=both, services=sc, images=1, is_verified=True),
        "podcast": studio(
            "Booth Beta",
            types=(StudioType.PODCAST,),
            services=sc,
            images=1,
            is_verified=True,
            at=(51.52, -0.10),
        ),
        "no_photos": studio("Booth Gamma", types=both, services=sc, is_verified=True),
        "unverified": studio("Booth Delta", types=both, services=sc, images=1),
        "far": studio(
            "Booth Far", types=both, services=sc, images=1, is_verified=True, at=(53.48, -2.24)
        ),
        "premium": studio(
            "Booth Premium",
            types=both,
            services=sc,
            images=1,
            is_verified=True,
            is_premium=True,
            at=(51.49, -0.15),
        ),
    }


LEGACY_LINK = (
    "/search?studioTypes=HOME,PODCAST&services=SOURCE_CONNECT&sortBy=name"
    f"&lat={LONDON[0]}&lng={LONDON[1]}&radius=25&verified=true&has_images=true&query=booth"
)
CANONICAL = {
    "q": ["booth"],
    "studio_types": ["HOME,PODCAST"],
    "services": ["SOURCE_CONNECT"],
    "sort": ["name"],
    "lat": [str(LONDON[0])],
    "lng": [str(LONDON[1])],
    "radius": ["25"],
    "verified": ["true"],
    "has_images": ["true"],
}


def form_state(page) -> dict:
    return page.evaluate(
        """() => {
          const f = document.querySelector('#search-form');
          const checked = (n) =>
            [...f.querySelectorAll(`input[name=${n}]:checked`)].map(b => b.value);
          const note = document.querySelector('#place-note');
          return {
            q: f.elements.q.value, location: f.elements.location.value,
            radius: f.elements.radius.value, sort: f.elements.sort.value,
            studio_types: checked('studio_types'), services: checked('services'),
            verified: f.elements.verified.checked, premium: f.elements.premium.checked,
            has_images: f.elements.has_images.checked,
            place: note.hidden ? '' : note.textContent,
          };
        }"""
    )


EXPECTED_FORM = {
    "q": "booth",
    "location": "",
    "radius": "25",
    "sort": "name",
    "studio_types": ["HOME", "PODCAST"],
    "services": ["SOURCE_CONNECT"],
    "verified": True,
    "premium": False,
    "has_images": True,
    "place": "Near 51.507, -0.128 Clear",
}


@pytest.fixture(scope="module")
def warm_places(servers):
    """A search around a point names the nearest city from the gazetteer, which the Daphne
    process builds on its first such search (tens of thousands of places: seconds, more on
    a busy machine). Build it once here, with time to spare, not under a page's timeout."""
    status, _body, _headers = http_get(
        f"{servers.base(0)}/api/studios/search?lat={LONDON[0]}&lng={LONDON[1]}", timeout=180
    )
    assert status == 200


def test_a_search_round_trips_through_the_url_and_a_saved_search(
    browser, servers, page_errors, world, warm_places
):
    server = servers.base(0)
    member = UserFactory(username="sam")
    context = browser.new_context(viewport=DESKTOP)
    sign_in_with_cookie(context, member, server)
    page = page_errors.watch(context.new_page())
    try:
        # A legacy link: redirected once to the API's names, every filter kept.
        page.goto(f"{server}{LEGACY_LINK}")
        url = urlsplit(page.url)
        assert url.path == "/search"
        assert parse_qs(url.query) == CANONICAL
        assert form_state(page) == EXPECTED_FORM
        expect(page.locator("#results .studio-card h3")).to_have_text(
            ["Booth Premium", "Booth Alpha", "Booth Beta"]
        )
        expect(page.locator("#placement-note")).to_be_visible()
        shoot(page, "search-desktop")

        # Save it; the stored filters are the URL's, typed.
        page.fill("#save-search [name=name]", "Booths near London")
        page.click("#save-search button[type=submit]")
        expect(page.locator("#save-status")).to_have_text("Saved as “Booths near London”.")
        saved = SavedSearch.objects.get(user=member)
        assert saved.alerts_enabled is True
        assert saved.filters == {
            "q": "booth",
            "studio_types": ["HOME", "PODCAST"],
            "services": ["SOURCE_CONNECT"],
            "sort": "name",
            "lat": LONDON[0],
            "lng": LONDON[1],
            "radius": 25.0,
            "verified": True,
            "has_images": True,
        }

        # The saved search's own link (as its list and its emails give it) restores the page.
        link = page.evaluate(
            "async () => (await (await fetch('/api/user/saved-searches')).json())[0].search_url"
        )
        page.goto(server + urlsplit(link).path + "?" + urlsplit(link).query)
        assert form_state(page) == EXPECTED_FORM
        expect(page.locator("#results .studio-card h3")).to_have_text(
            ["Booth Premium", "Booth Alpha", "Booth Beta"]
        )

        # Changing filters in the form writes every one of them into the URL.
        page.uncheck("#search-form input[name=studio_types][value=HOME]")
        page.check("#search-form input[name=premium]")
        page.select_option("#search-form [name=sort]", "rating")
        page.click("#search-form button[type=submit]")
        expect(page).to_have_url(re.compile(r"premium=true"))
        query = parse_qs(urlsplit(page.url).query)
        assert query["studio_types"] == ["PODCAST"]
        assert query["sort"] == ["rating"]
        assert query["premium"] == ["true"]
        assert query["lat"] == [str(LONDON[0])]
        expect(page.locator("#results .studio-card h3")).to_have_text(["Booth Premium"])

        # A typed place replaces the link's centre; distance needs a place, relevance a text.
        page.click("#place-note button")
        page.fill("#search-form [name=q]", "")
        sort = page.locator("#search-form [name=sort]")
        expect(sort.locator("option[value=distance]")).to_be_disabled()
        expect(sort.locator("option[value=relevance]")).to_be_disabled()
    finally:
        context.close()


def test_the_map_shows_the_results(browser, servers, page_errors, world, warm_places):
    server = servers.base(0)
    context = browser.new_context(viewport=DESKTOP)
    page = page_errors.watch(context.new_page())
    try:
        page.goto(
            f"{server}/search?lat={LONDON[0]}&lng={LONDON[1]}&radius=25&studio_types=HOME"
            "&sort=distance"
        )
        expect(page.locator("#results .studio-card")).to_have_count(4)
        markers = page.locator("#map path.map-marker")
        # Fitted to the four results near London: their markers, Manchester's is off the map.
        expect(markers).to_have_count(4)
        expect(page.locator("#map path.map-marker.premium")).to_have_count(1)
        expect(page.locator("#map-status")).to_have_text("4 studios on the map.")
        markers.first.click()
        popup = page.locator(".leaflet-popup-content a")
        expect(popup).to_have_attribute("href", re.compile(r"^/studios/\d+$"))
        # Zooming out to the whole country brings Manchester in.
        for _ in range(7):  # from street level to the whole of England
            page.locator(".leaflet-control-zoom-out").click()
            page.wait_for_timeout(400)  # each zoom ends in a moveend and a marker request
        expect(markers).to_have_count(5)
        shoot(page, "search-map-desktop")

        phone = page_errors.watch(browser.new_context(viewport=PHONE).new_page())
        phone.goto(f"{server}/search?studio_types=HOME")
        expect(phone.locator("#results .studio-card")).to_have_count(5)
        expect(phone.locator("#map")).to_be_visible()
        assert horizontal_overflow(phone) == 0
        shoot(phone, "search-results-phone")
        phone.context.close()
    finally:
        context.close()


def test_an_estimated_count_says_about(browser, page_errors, tmp_path):
    """Past SEARCH_EXACT_COUNT_LIMIT the API estimates the count from a 1-in-16 sample and
    marks it (`count_is_estimate`); the page says "about" and does not pass it off as exact."""
    suva = (-18.1416, 178.4415)
    made = [studio(f"Harbour Booth {i}", at=suva) for i in range(SAMPLE_STRIDE)]
    assert any(s.id % SAMPLE_STRIDE == 0 for s in made)  # one of them is in the sample
    tromso = (69.6492, 18.9553)
    alone = studio("Fjord Booth", at=tromso)
    if alone.id % SAMPLE_STRIDE == 0:  # not in the sample: its search is counted exactly
        alone.delete()
        studio("Fjord Booth", at=tromso)
    own = Servers(tmp_path, count=1)
    own.env["SEARCH_EXACT_COUNT_LIMIT"] = "0"  # any sampled studio puts the count past it
    own.env["SEARCH_CACHE_SECONDS"] = "0"
    context = browser.new_context(viewport=DESKTOP)
    try:
        own.start(0)
        query = f"lat={suva[0]}&lng={suva[1]}&radius=10&sort=distance"
        status, body, _ = http_get(f"{own.base(0)}/api/studios/search?{query}")
        assert status == 200
        answer = json.loads(body)
        assert answer["count_is_estimate"] is True
        page = page_errors.watch(context.new_page())
        page.goto(f"{own.base(0)}/search?{query}")
        expect(page.locator("#results .studio-card")).to_have_count(SAMPLE_STRIDE)
        expect(page.locator("#search-summary")).to_have_text(
            f"1–{SAMPLE_STRIDE} of about {answer['count']} studios"
        )
        # A page past the real end of an estimate says so, not "21–20 of about 16".
        page.goto(f"{own.base(0)}/search?{query}&page=2")
        expect(page.locator("#search-summary")).to_have_text(
            f"This page is past the last of about {answer['count']} studios."
        )
        # An exact count (nothing sampled around Tromsø) is not "about".
        page.goto(f"{own.base(0)}/search?lat={tromso[0]}&lng={tromso[1]}&radius=10")
        expect(page.locator("#results .studio-card")).to_have_count(1)
        expect(page.locator("#search-summary")).to_have_text("1–1 of 1 studio")
    finally:
        context.close()
        own.stop()
