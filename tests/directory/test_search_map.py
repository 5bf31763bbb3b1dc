"""GET /api/studios/map, GET /api/studios/featured, GET /api/profiles/spotlight."""

from __future__ import annotations

from decimal import Decimal

import pytest

from directory.models import StudioStatus
from tests.factories import StudioFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.SEARCH_CACHE_SECONDS = 0
    settings.GEOCODER_ENABLED = False


def at(name, lat, lng, **kwargs):
    return StudioFactory(
        name=name, latitude=Decimal(str(lat)), longitude=Decimal(str(lng)), **kwargs
    )


def markers(client, bbox, **params):
    response = client.get("/api/studios/map", {"bbox": bbox, **params})
    assert response.status_code == 200, response.content
    return response.json()


def test_markers_inside_the_box_only(client):
    at("London", 51.5, -0.12)
    at("Paris", 48.85, 2.35)
    at("New York", 40.7, -74.0)
    StudioFactory(name="Nowhere")  # no coordinates: no marker
    at("Hidden", 51.4, -0.1, status=StudioStatus.DRAFT)
    body = markers(client, "-10,40,10,60")
    assert sorted(m["name"] for m in body["results"]) == ["London", "Paris"]
    assert body["truncated"] is False
    assert set(body["results"][0]) == {"id", "name", "lat", "lng", "exact", "premium"}


def test_a_box_across_the_antimeridian(client):
    at("Suva", -18.14, 178.44)
    at("Taveuni", -16.85, -179.95)
    at("Apia", -13.83, -171.77)
    at("Greenwich", 51.48, 0.0)
    body = markers(client, "175,-20,-175,-10")
    assert sorted(m["name"] for m in body["results"]) == ["Suva", "Taveuni"]
    body = markers(client, "-180,-90,180,90")
    assert len(body["results"]) == 4


def test_markers_near_the_pole(client):
    at("Longyearbyen", 78.22, 15.65)
    at("Alert", 82.5, -62.3)
    body = markers(client, "-180,75,180,90")
    assert sorted(m["name"] for m in body["results"]) == ["Alert", "Longyearbyen"]


def test_the_cap_keeps_markers_nearest_the_centre(client, settings):
    settings.MAP_MARKER_LIMIT = 3
    for i in range(6):
        at(f"s{i}", 50 + i, 0)
    body = markers(client, "-10,44,10,62")  # centre 53°N
    assert body["truncated"] is True
    assert sorted(m["name"] for m in body["results"]) == ["s2", "s3", "s4"]


def test_private_addresses_are_rounded(client):
    owner = UserFactory(owner=True)
    owner.profile.show_address = False
    owner.profile.use_coordinates_for_map = False
    owner.profile.save()
    public = UserFactory(owner=True)
    public.profile.use_coordinates_for_map = True
    public.profile.save()
    at("Private", 51.501234, -0.123456, owner=owner)
    at("Public", 51.511234, -0.133456, owner=public)
    body = {m["name"]: m for m in markers(client, "-1,51,1,52")["results"]}
    assert (body["Private"]["lat"], body["Private"]["lng"], body["Private"]["exact"]) == (
        51.5,
        -0.12,
        False,
    )
    assert (body["Public"]["lat"], body["Public"]["exact"]) == (51.511234, True)
    search = client.get("/api/studios/search?city=london").json()["results"]
    coords = {r["name"]: r["coordinates"] for r in search}
    assert coords == {"Private": None, "Public": {"lat": 51.511234, "lng": -0.133456}}


def test_map_filters(client):
    at("Premium", 51.5, -0.1, is_premium=True)
    at("Plain", 51.6, -0.1)
    body = markers(client, "-1,51,1,52", premium="true")
    assert [m["name"] for m in body["results"]] == ["Premium"]
    assert body["results"][0]["premium"] is True


@pytest.mark.parametrize(
    "bbox",
    ["", "1,2,3", "a,b,c,d", "-181,0,10,10", "0,-91,10,10", "0,10,10,0", "0,0,nan,1", "0,0,inf,1"],
)
def test_bad_boxes_are_400(client, bbox):
    response = client.get("/api/studios/map", {"bbox": bbox})
    assert response.status_code == 400
    assert "bbox" in response.json()["error"]["fields"]


# --- Featured and spotlight -------------------------------------------------------------------


def featured_owner(username):
    user = UserFactory(owner=True, username=username)
    user.profile.is_featured = True
    user.profile.save()
    return user


def test_featured_pins_voiceoverguy_first_then_shuffles(client, django_assert_max_num_queries):
    StudioFactory(owner=featured_owner("VoiceoverGuy"), name="Pinned")
    for i in range(8):
        StudioFactory(owner=featured_owner(f"featured{i}"), name=f"F{i}")
    StudioFactory(name="Not featured")
    StudioFactory(owner=featured_owner("hiddenfeat"), name="Draft", status=StudioStatus.DRAFT)
    orders = set()
    for _ in range(12):
        with django_assert_max_num_queries(4):
            results = client.get("/api/studios/featured").json()["results"]
        names = [r["name"] for r in results]
        assert len(names) == 6
        assert names[0] == "Pinned"
        assert set(names[1:]) <= {f"F{i}" for i in range(8)}
        orders.add(tuple(names))
    assert len(orders) > 1  # random order


def test_featured_pinned_username_is_a_setting(client, settings):
    settings.FEATURED_PINNED_USERNAME = "someone"
    StudioFactory(owner=featured_owner("VoiceoverGuy"), name="Was pinned")
    StudioFactory(owner=featured_owner("someone"), name="Now pinned")
    names = [r["name"] for r in client.get("/api/studios/featured").json()["results"]]
    assert names[0] == "Now pinned"


def test_featured_without_the_pinned_owner(client):
    StudioFactory(owner=featured_owner("alice"), name="A")
    assert [r["name"] for r in client.get("/api/studios/featured").json()["results"]] == ["A"]


def test_spotlight_lists_spotlight_users_in_pages(client):
    for i in range(5):
        user = UserFactory(display_name=f"Spot {i}")
        user.profile.is_spotlight = True
        user.profile.short_about = "About me"
        user.profile.save()
    UserFactory(display_name="Not spot")
    suspended = UserFactory(display_name="Spot suspended", is_suspended_indefinitely=True)
    suspended.profile.is_spotlight = True
    suspended.profile.save()
    body = client.get("/api/profiles/spotlight?page_size=2&page=2").json()
    assert body["count"] == 5
    assert [p["display_name"] for p in body["results"]] == ["Spot 2", "Spot 3"]
    assert set(body["results"][0]) >= {"username", "display_name", "avatar_url", "short_about"}
    assert "email" not in body["results"][0]
    assert client.get("/api/profiles/spotlight?page_size=500").status_code == 400
