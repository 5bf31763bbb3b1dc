"""Issue 8, items 10 and the minor ones: the profile's four long texts have a limit (API,
model and database), a phone is one rule for a studio and a profile, and an unknown
notification-preference key is a 400 naming it."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import PROFILE_LONG_TEXT_FIELDS, PROFILE_LONG_TEXT_MAX, UserProfile
from tests.factories import StudioFactory, UserFactory
from tests.utils import assert_api_error, token_client

pytestmark = pytest.mark.django_db


def _patch(client, url, body):
    return client.patch(url, data=json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("field", PROFILE_LONG_TEXT_FIELDS)
def test_a_long_profile_text_is_refused_by_the_api(field):
    user = UserFactory()
    client = token_client(user)
    too_long = "a" * (PROFILE_LONG_TEXT_MAX + 1)
    error = assert_api_error(
        _patch(client, "/api/user/profile", {"profile": {field: too_long}}), 400, "invalid"
    )
    assert field in error["fields"]["profile"]
    user.profile.refresh_from_db()
    assert getattr(user.profile, field) is None

    at_limit = "a" * PROFILE_LONG_TEXT_MAX
    response = _patch(client, "/api/user/profile", {"profile": {field: at_limit}})
    assert response.status_code == 200, response.content
    assert response.json()["profile"][field] == at_limit


@pytest.mark.parametrize("field", PROFILE_LONG_TEXT_FIELDS)
def test_the_database_and_the_model_refuse_it_too(field):
    """The admin and the legacy importer validate with full_clean; raw SQL meets a CHECK."""
    profile = UserFactory().profile
    setattr(profile, field, "a" * (PROFILE_LONG_TEXT_MAX + 1))
    with pytest.raises(ValidationError) as raised:
        profile.full_clean()
    assert field in raised.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        UserProfile.objects.filter(pk=profile.pk).update(
            **{field: "a" * (PROFILE_LONG_TEXT_MAX + 1)}
        )


def test_the_openapi_schema_states_the_limit(client):
    schema = client.get("/api/schema/?format=json").json()
    profile = schema["components"]["schemas"]["ProfileInput"]["properties"]
    for field in PROFILE_LONG_TEXT_FIELDS:
        assert profile[field]["maxLength"] == PROFILE_LONG_TEXT_MAX


BAD_PHONES = [
    "1" * 40,  # 40 digits: the studio used to accept it
    "12345",  # 5 digits
    "+44 20 7946 0958 1234",  # 19 digits
    447946095800,  # a JSON number
    "call me maybe",
]


@pytest.mark.parametrize("phone", BAD_PHONES, ids=repr)
def test_one_phone_rule_for_a_studio_and_a_profile(phone):
    owner = UserFactory(owner=True)
    studio = StudioFactory(owner=owner, phone=None)
    client = token_client(owner)
    studio_error = assert_api_error(
        _patch(client, f"/api/studio/manage/{studio.pk}", {"phone": phone}), 400, "invalid"
    )
    profile_error = assert_api_error(
        _patch(client, "/api/user/profile", {"profile": {"phone": phone}}), 400, "invalid"
    )
    assert studio_error["fields"]["phone"] == profile_error["fields"]["profile"]["phone"]
    studio.refresh_from_db()
    assert studio.phone is None


@pytest.mark.parametrize("phone", ["+44 20 7946 0958", "+1 (555) 010-9999", "020.7946.0958"])
def test_good_phones_are_taken_by_both(phone):
    owner = UserFactory(owner=True)
    studio = StudioFactory(owner=owner)
    client = token_client(owner)
    assert _patch(client, f"/api/studio/manage/{studio.pk}", {"phone": phone}).status_code == 200
    response = _patch(client, "/api/user/profile", {"profile": {"phone": phone}})
    assert response.status_code == 200
    assert response.json()["profile"]["phone"] == phone


def test_an_unknown_notification_preference_key_is_a_400_naming_it():
    user = UserFactory()
    client = token_client(user)
    response = client.put(
        "/api/user/notification-preferences",
        data=json.dumps({"preferences": {"MESSAGE_RECEIVED": {"emial": False}}}),
        content_type="application/json",
    )
    error = assert_api_error(response, 400, "invalid")
    assert "emial" in error["fields"]["preferences"]["MESSAGE_RECEIVED"]
    prefs = client.get("/api/user/notification-preferences").json()["preferences"]
    assert prefs["MESSAGE_RECEIVED"] == {"in_app": True, "email": True}
