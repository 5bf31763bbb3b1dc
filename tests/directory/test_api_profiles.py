"""/api/user/profile, /api/user/avatar and /api/profiles/{username}."""

import io
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from PIL import Image

from accounts.models import UserProfile
from directory.models import StudioStatus
from tests.factories import StudioFactory, StudioImageFactory, UserFactory
from tests.utils import assert_api_error, token_client

pytestmark = pytest.mark.django_db


# --- own profile -----------------------------------------------------------------------


def patch(client, data):
    return client.patch("/api/user/profile", data=data, content_type="application/json")


def test_own_profile_shows_everything_including_private_fields():
    user = UserFactory(display_name="Jo Voice")
    UserProfile.objects.filter(user=user).update(
        phone="+44 20 7946 0958", rate_tier_1="£100/h", show_phone=False, show_rates=False
    )
    body = token_client(user).get("/api/user/profile").json()
    assert body["username"] == user.username
    assert body["email"] == user.email
    assert body["display_name"] == "Jo Voice"
    assert body["role"] == "USER"
    assert body["has_usable_password"] is True
    assert body["profile"]["phone"] == "+44 20 7946 0958"
    assert body["profile"]["rate_tier_1"] == "£100/h"
    assert body["profile"]["show_phone"] is False
    assert {"is_featured", "verification_level", "connection12"} <= set(body["profile"])


def test_patch_updates_only_what_is_sent():
    user = UserFactory()
    client = token_client(user)
    response = patch(
        client,
        {
            "display_name": "New Name",
            "profile": {
                "about": "I voice trailers.",
                "facebook_url": "https://www.facebook.com/jo.voice",
                "x_url": "https://x.com/jovoice",
                "youtube_url": "https://youtu.be/abc",
                "phone": "+1 (555) 010-9999",
                "connection1": "ISDN",
                "custom_connection_methods": ["ipDTL", " SC "],
                "show_email": True,
            },
        },
    )
    assert response.status_code == 200, response.content
    profile = UserProfile.objects.get(user=user)
    assert profile.about == "I voice trailers."
    assert profile.custom_connection_methods == ["ipDTL", "SC"]
    assert profile.show_email is True
    assert profile.show_phone is False  # untouched
    assert response.json()["display_name"] == "New Name"

    patch(client, {"profile": {"about": "  "}})
    profile.refresh_from_db()
    assert profile.about is None  # blank means no value
    assert profile.facebook_url == "https://www.facebook.com/jo.voice"


def test_patch_creates_a_missing_profile():
    user = UserFactory(profile=None)
    assert not UserProfile.objects.filter(user=user).exists()
    client = token_client(user)
    assert client.get("/api/user/profile").json()["profile"]["show_directions"] is True
    assert patch(client, {"profile": {"location": "Leeds"}}).status_code == 200
    assert UserProfile.objects.get(user=user).location == "Leeds"


def test_admin_granted_flags_cannot_be_self_set():
    user = UserFactory()
    patch(token_client(user), {"profile": {"is_featured": True, "verification_level": "gold"}})
    profile = UserProfile.objects.get(user=user)
    assert profile.is_featured is False
    assert profile.verification_level == "none"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("facebook_url", "https://evil.example.com/facebook.com"),
        ("facebook_url", "javascript:alert(1)//facebook.com"),
        ("linkedin_url", "ftp://linkedin.com/in/jo"),
        ("instagram_url", "https://notinstagram.com/jo"),
        ("x_url", "not a url"),
        ("phone", "call me maybe"),
        ("phone", "12"),
        ("phone", "+1 555 0100 0100 0100 01"),
        ("connection3", "Source-Connect Now"),
        ("custom_connection_methods", ["fine", "much too long a method"]),
        ("custom_connection_methods", [f"m{i}" for i in range(13)]),
        ("custom_connection_methods", "ISDN"),
        ("short_about", "x" * 501),
        ("show_email", "perhaps"),
    ],
)
def test_invalid_profile_fields_are_400_naming_the_field(field, value):
    user = UserFactory()
    response = patch(token_client(user), {"profile": {field: value}})
    error = assert_api_error(response, 400, "invalid")
    assert field in error["fields"]["profile"]


@pytest.mark.parametrize(
    "body",
    [{"display_name": ""}, {"display_name": "x" * 101}, {"profile": "nope"}, {"profile": [1]}],
)
def test_invalid_account_fields_are_400(body):
    response = patch(token_client(UserFactory()), body)
    assert_api_error(response, 400, "invalid")


def test_own_profile_needs_a_login(client):
    assert_api_error(client.get("/api/user/profile"), 401, "not_authenticated")
    assert_api_error(patch(client, {}), 401, "not_authenticated")


# --- avatar ----------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.SITE_URL = "https://studios.example"
    return tmp_path


def image_file(fmt="PNG", size=(200, 120), mode="RGB", name="me.png", exif=None):
    buffer = io.BytesIO()
    image = Image.new(mode, size, color="red" if mode == "RGB" else None)
    kwargs = {"exif": exif} if exif is not None else {}
    image.save(buffer, format=fmt, **kwargs)
    buffer.seek(0)
    buffer.name = name
    return buffer


def upload(client, file):
    return client.post("/api/user/avatar", {"avatar": file})


def test_avatar_upload_is_checked_reencoded_and_stored(media, django_capture_on_commit_callbacks):
    user = UserFactory()
    client = token_client(user)
    exif = Image.Exif()
    exif[0x010E] = "secret description"  # ImageDescription
    response = upload(client, image_file("JPEG", size=(900, 600), name="me.jpg", exif=exif))
    assert response.status_code == 200, response.content
    url = response.json()["avatar_url"]
    assert url.startswith(f"https://studios.example/media/avatars/{user.pk}/")
    assert url.endswith(".webp")
    user.refresh_from_db()
    assert user.avatar_url == url

    name = url.removeprefix("https://studios.example/media/")
    with default_storage.open(name) as stored, Image.open(stored) as image:
        assert image.format == "WEBP"
        assert image.size == (512, 512)  # cropped square and scaled down
        assert not image.getexif()

    # A new picture replaces the file of the old one once committed.
    with django_capture_on_commit_callbacks(execute=True):
        second = upload(client, image_file()).json()["avatar_url"]
    assert not default_storage.exists(name)
    assert default_storage.exists(second.removeprefix("https://studios.example/media/"))


def test_avatar_keeps_transparency(media):
    client = token_client(UserFactory())
    url = upload(client, image_file(size=(64, 64), mode="RGBA")).json()["avatar_url"]
    with default_storage.open(url.split("/media/")[1]) as stored, Image.open(stored) as image:
        assert image.mode == "RGBA"


@pytest.mark.parametrize(
    ("make_file", "fragment"),
    [
        (lambda: io.BytesIO(b"<svg onload=alert(1)>"), "JPEG, PNG"),
        (lambda: image_file("BMP", name="x.bmp"), "JPEG, PNG"),
        (lambda: image_file(size=(10, 10)), "smaller than"),
        (lambda: image_file(size=(9000, 40)), "larger than"),
        (lambda: io.BytesIO(image_file().getvalue()[:60]), "could not be read"),
    ],
)
def test_bad_avatars_are_400(media, make_file, fragment):
    client = token_client(UserFactory())
    file = make_file()
    file.name = getattr(file, "name", "upload.png")
    error = assert_api_error(upload(client, file), 400, "invalid")
    assert fragment in error["fields"]["avatar"][0]


def test_avatars_over_5_mb_are_400(media):
    client = token_client(UserFactory())
    big = io.BytesIO(image_file().getvalue() + b"\0" * (5 * 1024 * 1024))
    big.name = "big.png"
    error = assert_api_error(upload(client, big), 400, "invalid")
    assert "5 MB" in error["fields"]["avatar"][0]


def test_avatar_upload_without_a_file_is_400(media):
    response = token_client(UserFactory()).post("/api/user/avatar", {})
    assert_api_error(response, 400, "invalid")


def test_avatar_delete_removes_file_and_url(media, django_capture_on_commit_callbacks):
    user = UserFactory()
    client = token_client(user)
    url = upload(client, image_file()).json()["avatar_url"]
    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete("/api/user/avatar").status_code == 204
    user.refresh_from_db()
    assert user.avatar_url is None
    assert not default_storage.exists(url.split("/media/")[1])


def test_avatar_delete_leaves_foreign_urls_alone(media, django_capture_on_commit_callbacks):
    user = UserFactory(avatar_url="https://res.cloudinary.com/demo/avatars/1/x.webp")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        token_client(user).delete("/api/user/avatar")
    assert callbacks == []


# --- public profile --------------------------------------------------------------------


@pytest.fixture
def owner():
    user = UserFactory(username="VoiceoverGuy", display_name="Voiceover Guy", owner=True)
    set_flags(
        user,
        about="Twenty years behind the mic.",
        phone="+44 20 7946 0958",
        rate_tier_1="£150/h",
        rate_tier_2="£400/day",
        rate_tier_3="£1,500/week",
        facebook_url="https://facebook.com/vog",
        connection1="ISDN",
        custom_connection_methods=["ipDTL"],
    )
    studio = StudioFactory(
        owner=user,
        name="Booth A",
        full_address="1 Sound St, London",
        abbreviated_address="London",
        latitude=Decimal("51.50000000"),
        longitude=Decimal("-0.12000000"),
    )
    StudioImageFactory(studio=studio, sort_order=2, image_url="https://img.example/2.jpg")
    StudioImageFactory(studio=studio, sort_order=1, image_url="https://img.example/1.jpg")
    StudioFactory(owner=user, name="Hidden", is_profile_visible=False)
    StudioFactory(owner=user, name="Draft", status=StudioStatus.DRAFT)
    return user


def set_flags(user, **flags):
    UserProfile.objects.filter(user=user).update(**flags)


def test_public_profile_basics(client, owner, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = client.get("/api/profiles/voiceoverguy")  # case-insensitive
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "VoiceoverGuy"
    assert body["display_name"] == "Voiceover Guy"
    assert body["about"] == "Twenty years behind the mic."
    assert body["facebook_url"] == "https://facebook.com/vog"
    assert body["connection_methods"] == ["ISDN", "ipDTL"]
    assert [s["name"] for s in body["studios"]] == ["Booth A"]  # hidden and draft left out
    assert body["studios"][0]["image_url"] == "https://img.example/1.jpg"
    assert body["studios"][0]["abbreviated_address"] == "London"


def test_public_profile_query_count_does_not_grow_with_studios(
    client, owner, django_assert_max_num_queries
):
    for i in range(5):
        StudioImageFactory(studio=StudioFactory(owner=owner, name=f"More {i}"))
    with django_assert_max_num_queries(3):
        assert len(client.get("/api/profiles/VoiceoverGuy").json()["studios"]) == 6


@pytest.mark.parametrize(
    ("flag", "keys"),
    [
        ("show_email", ("email",)),
        ("show_phone", ("phone",)),
        ("show_rates", ("rate_tier_1", "rate_tier_2", "rate_tier_3")),
    ],
)
def test_profile_privacy_flags_both_ways(client, owner, flag, keys):
    set_flags(owner, **{flag: False})
    body = client.get("/api/profiles/VoiceoverGuy").json()
    for key in keys:
        assert key not in body  # absent, not null

    set_flags(owner, **{flag: True})
    body = client.get("/api/profiles/VoiceoverGuy").json()
    for key in keys:
        assert body[key]
    if flag == "show_email":
        assert body["email"] == owner.email


@pytest.mark.parametrize(
    ("flag", "keys"),
    [
        ("show_address", ("full_address",)),
        ("show_directions", ("latitude", "longitude", "directions_url")),
    ],
)
def test_studio_privacy_flags_both_ways(client, owner, flag, keys):
    set_flags(owner, **{flag: False})
    studio = client.get("/api/profiles/VoiceoverGuy").json()["studios"][0]
    for key in keys:
        assert key not in studio

    set_flags(owner, **{flag: True})
    studio = client.get("/api/profiles/VoiceoverGuy").json()["studios"][0]
    for key in keys:
        assert studio[key]
    if flag == "show_directions":
        assert studio["latitude"] == 51.5
        assert "destination=51.50000000%2C-0.12000000" in studio["directions_url"]


def test_the_owner_sees_private_fields_only_through_their_own_profile(owner):
    set_flags(owner, show_phone=False)
    client = token_client(owner)
    assert "phone" not in client.get("/api/profiles/VoiceoverGuy").json()
    assert client.get("/api/user/profile").json()["profile"]["phone"]


def test_a_user_without_a_profile_row_has_a_public_profile(client):
    UserFactory(username="bare", profile=None)
    body = client.get("/api/profiles/bare").json()
    assert body["studios"] == []
    assert "email" not in body


@pytest.mark.parametrize("username", ["nobody", "bad%00name", "x" * 300, "a%2Fb", "-dash"])
def test_unknown_or_malformed_usernames_are_404(client, username):
    assert_api_error(client.get(f"/api/profiles/{username}"), 404, "not_found")


def test_deactivated_users_have_no_public_profile(client):
    UserFactory(username="gone", is_active=False)
    assert_api_error(client.get("/api/profiles/gone"), 404, "not_found")


def test_public_profile_is_read_only(client, owner):
    response = Client().post("/api/profiles/VoiceoverGuy", data={}, content_type="application/json")
    assert_api_error(response, 405, "method_not_allowed")
