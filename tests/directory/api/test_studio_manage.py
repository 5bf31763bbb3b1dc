"""/api/studio/manage/: every endpoint × every kind of caller, and what each operation does."""

from __future__ import annotations

import pytest

from accounts.models import Role
from directory.models import Studio, StudioStatus
from tests.factories import (
    StudioFactory,
    StudioImageFactory,
    StudioServiceFactory,
    StudioTypeFactory,
    UserFactory,
)
from tests.support.api import assert_needs_login, error_of
from tests.support.broker import queued_tasks
from tests.support.images import image_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world():
    """A studio with one photo, its owner, another owner, a plain user and an admin."""
    studio = StudioFactory(status=StudioStatus.DRAFT)
    image = StudioImageFactory(studio=studio)
    return {
        "studio": studio,
        "image": image,
        "owner": studio.owner,
        "other_owner": StudioFactory().owner,
        "user": UserFactory(role=Role.USER),
        "admin": UserFactory(admin=True),
    }


def _endpoints(w):
    s, i = w["studio"].pk, w["image"].pk
    return {
        "list": ("get", "/api/studio/manage/", None, "json"),
        "create": ("post", "/api/studio/manage/", {"name": "New", "city": "Leeds"}, "json"),
        "get": ("get", f"/api/studio/manage/{s}", None, "json"),
        "update": ("patch", f"/api/studio/manage/{s}", {"name": "Renamed"}, "json"),
        "image_upload": (
            "post",
            f"/api/studio/manage/{s}/images",
            {"image": upload(image_bytes())},
            "multipart",
        ),
        "image_order": ("put", f"/api/studio/manage/{s}/images/order", {"image_ids": [i]}, "json"),
        "image_update": ("patch", f"/api/studio/manage/{s}/images/{i}", {"alt_text": "x"}, "json"),
        "image_delete": ("delete", f"/api/studio/manage/{s}/images/{i}", None, "json"),
        "delete": ("delete", f"/api/studio/manage/{s}", None, "json"),
    }


# Expected status for each caller; "login" means 401/403 not_authenticated.
MATRIX = {
    #                 anonymous, user, other_owner, owner, admin
    "list": ("login", 403, 200, 200, 200),
    "create": ("login", 201, 201, 201, 201),
    "get": ("login", 403, 404, 200, 200),
    "update": ("login", 403, 404, 200, 200),
    "image_upload": ("login", 403, 404, 201, 201),
    "image_order": ("login", 403, 404, 200, 200),
    "image_update": ("login", 403, 404, 200, 200),
    "image_delete": ("login", 403, 404, 204, 204),
    "delete": ("login", 403, 404, 204, 204),
}
CALLERS = ("anonymous", "user", "other_owner", "owner", "admin")


@pytest.mark.parametrize("endpoint", MATRIX)
@pytest.mark.parametrize("caller", CALLERS)
def test_who_may_do_what(api, world, endpoint, caller):
    method, url, payload, fmt = _endpoints(world)[endpoint]
    if caller != "anonymous":
        api.force_login(world[caller])
    response = getattr(api, method)(url, payload, format=fmt)

    expected = MATRIX[endpoint][CALLERS.index(caller)]
    if expected == "login":
        assert_needs_login(response)
    else:
        assert response.status_code == expected, response.content
    if expected == 404:
        assert error_of(response)["code"] == "not_found"  # someone else's is "not found"


def test_an_owner_lists_only_their_studios_and_an_admin_all(api, django_assert_max_num_queries):
    owner = UserFactory(owner=True)
    mine = [StudioFactory(owner=owner) for _ in range(3)]
    for studio in mine:
        StudioImageFactory(studio=studio)
        StudioTypeFactory(studio=studio)
        StudioServiceFactory(studio=studio)
    StudioFactory.create_batch(2)

    api.force_login(owner)
    with django_assert_max_num_queries(8):  # session, user, count, page, 3 prefetches
        body = api.get("/api/studio/manage/").json()
    assert body["count"] == 3
    assert {s["id"] for s in body["results"]} == {s.pk for s in mine}

    api.force_login(UserFactory(admin=True))
    assert api.get("/api/studio/manage/").json()["count"] == 5
    only = api.get("/api/studio/manage/", {"owner": owner.username.upper()}).json()
    assert only["count"] == 3


def test_the_list_query_count_does_not_grow_with_the_page(api, django_assert_max_num_queries):
    owner = UserFactory(owner=True)
    for _ in range(25):
        studio = StudioFactory(owner=owner)
        StudioImageFactory.create_batch(2, studio=studio)
        StudioTypeFactory(studio=studio)
    api.force_login(owner)
    with django_assert_max_num_queries(8):
        body = api.get("/api/studio/manage/", {"page_size": 25}).json()
    assert len(body["results"]) == 25


def test_create_returns_every_field_and_makes_the_user_an_owner(api):
    user = UserFactory(role=Role.USER)
    api.force_login(user)
    response = api.post(
        "/api/studio/manage/",
        {
            "name": "Quiet Booth",
            "city": "Leeds",
            "description": "Treated room, Neumann U87.",
            "full_address": "1 Park Row, Leeds",
            "abbreviated_address": "Park Row, Leeds",
            "website_url": "https://booth.example.com",
            "phone": "+44 113 496 0000",
            "studio_types": ["HOME", "VOICEOVER"],
            "services": ["SOURCE_CONNECT", "ZOOM"],
            "status": "PENDING",
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "PENDING"
    assert body["studio_types"] == ["HOME", "VOICEOVER"]
    assert body["services"] == ["SOURCE_CONNECT", "ZOOM"]
    assert body["owner"]["username"] == user.username
    assert body["latitude"] is None
    assert body["allowed_transitions"] == ["DRAFT"]  # ACTIVE waits for an admin
    assert set(body) >= {
        "id", "name", "description", "address", "full_address", "abbreviated_address", "city",
        "latitude", "longitude", "website_url", "phone", "is_premium", "is_verified",
        "is_profile_visible", "status", "published_at", "created_at", "updated_at", "images",
    }  # fmt: skip
    user.refresh_from_db()
    assert user.role == Role.STUDIO_OWNER
    assert api.get("/api/studio/manage/").status_code == 200  # now a studio owner


def test_create_geocodes_the_address_after_commit(api, django_capture_on_commit_callbacks):
    api.force_login(UserFactory())
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/studio/manage/",
            {"name": "B", "city": "Leeds", "full_address": "1 Park Row, Leeds"},
            format="json",
        )
    assert queued_tasks() == [("tasks.geocoding.geocode_studio", [response.json()["id"]])]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"city": "Leeds"}, "name"),
        ({"name": "B"}, "city"),
        ({"name": "B", "city": "Leeds", "studio_types": ["CASTLE"]}, "studio_types"),
        ({"name": "B", "city": "Leeds", "services": "ZOOM"}, "services"),
        ({"name": "B", "city": "Leeds", "website_url": "javascript:alert(1)"}, "website_url"),
        ({"name": "B", "city": "Leeds", "phone": "call me maybe"}, "phone"),
        ({"name": "B", "city": "Leeds", "status": "DELETED"}, "status"),
        ({"name": "B" * 201, "city": "Leeds"}, "name"),
        ({"name": "B\x00", "city": "Leeds"}, "name"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api, payload, field):
    api.force_login(UserFactory(owner=True))
    response = api.post("/api/studio/manage/", payload, format="json")
    assert response.status_code == 400, response.content
    assert field in error_of(response)["fields"]


def test_an_owner_cannot_publish_or_set_admin_fields(api):
    studio = StudioFactory(status=StudioStatus.PENDING)
    api.force_login(studio.owner)

    response = api.patch(f"/api/studio/manage/{studio.pk}", {"status": "ACTIVE"}, format="json")
    assert response.status_code == 403
    assert error_of(response)["code"] == "approval_required"

    response = api.patch(f"/api/studio/manage/{studio.pk}", {"is_verified": True}, format="json")
    assert response.status_code == 403
    assert error_of(response)["fields"] == {"is_verified": ["Only an admin can set this."]}


def test_an_invalid_transition_is_a_409(api):
    studio = StudioFactory(status=StudioStatus.DRAFT)
    api.force_login(UserFactory(admin=True))
    response = api.patch(f"/api/studio/manage/{studio.pk}", {"status": "INACTIVE"}, format="json")
    assert response.status_code == 409
    assert error_of(response)["code"] == "invalid_status_transition"


def test_an_admin_approves_a_pending_studio(api):
    studio = StudioFactory(status=StudioStatus.PENDING)
    api.force_login(UserFactory(admin=True))
    body = api.patch(f"/api/studio/manage/{studio.pk}", {"status": "ACTIVE"}, format="json").json()
    assert body["status"] == "ACTIVE"
    assert body["published_at"] is not None
    assert body["allowed_transitions"] == ["INACTIVE"]


def test_update_changes_only_what_was_sent(api):
    studio = StudioFactory(description="Old words", phone="+44 1")
    StudioTypeFactory(studio=studio, studio_type="HOME")
    api.force_login(studio.owner)
    body = api.patch(
        f"/api/studio/manage/{studio.pk}",
        {"description": "", "studio_types": ["PODCAST"]},
        format="json",
    ).json()
    assert body["description"] is None  # sent empty: cleared
    assert body["phone"] == "+44 1"  # not sent: kept
    assert body["studio_types"] == ["PODCAST"]


def test_upload_then_reorder_then_delete(api):
    studio = StudioFactory()
    api.force_login(studio.owner)
    first = api.post(
        f"/api/studio/manage/{studio.pk}/images",
        {"image": upload(image_bytes()), "alt_text": "Booth"},
        format="multipart",
    ).json()
    second = api.post(
        f"/api/studio/manage/{studio.pk}/images",
        {"image": upload(image_bytes("PNG"), "b.png", "image/png")},
        format="multipart",
    ).json()
    assert (first["sort_order"], second["sort_order"]) == (0, 1)
    assert first["alt_text"] == "Booth"

    order = api.put(
        f"/api/studio/manage/{studio.pk}/images/order",
        {"image_ids": [second["id"], first["id"]]},
        format="json",
    ).json()
    assert [image["id"] for image in order] == [second["id"], first["id"]]

    assert api.delete(f"/api/studio/manage/{studio.pk}/images/{first['id']}").status_code == 204
    detail = api.get(f"/api/studio/manage/{studio.pk}").json()
    assert [image["id"] for image in detail["images"]] == [second["id"]]


def test_an_upload_that_is_not_an_image_is_a_400(api):
    studio = StudioFactory()
    api.force_login(studio.owner)
    response = api.post(
        f"/api/studio/manage/{studio.pk}/images",
        {"image": upload(b"%PDF-1.7 not an image", "cv.pdf", "application/pdf")},
        format="multipart",
    )
    assert response.status_code == 400
    assert "image" in error_of(response)["fields"]


def test_an_image_of_another_studio_is_not_found(api):
    studio = StudioFactory()
    elsewhere = StudioImageFactory(studio=StudioFactory(owner=studio.owner))
    api.force_login(studio.owner)
    response = api.delete(f"/api/studio/manage/{studio.pk}/images/{elsewhere.pk}")
    assert response.status_code == 404


def test_delete_removes_the_studio(api):
    studio = StudioFactory()
    api.force_login(studio.owner)
    assert api.delete(f"/api/studio/manage/{studio.pk}").status_code == 204
    assert not Studio.objects.filter(pk=studio.pk).exists()
