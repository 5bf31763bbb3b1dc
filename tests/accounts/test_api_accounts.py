"""DELETE /api/user/account: re-enter the password; refused while owning studios."""

import json

import pytest
from allauth.socialaccount.models import SocialAccount
from django.test import Client

from accounts.models import User, UserMetadata, UserProfile
from common.signals import user_access_revoked
from realtime.models import Message, Notification
from tests.factories import (
    MessageFactory,
    NotificationFactory,
    StudioFactory,
    SubscriptionFactory,
    UserFactory,
    UserMetadataFactory,
)
from tests.factories.accounts import DEFAULT_PASSWORD
from tests.utils import assert_api_error, session_token_for

pytestmark = pytest.mark.django_db


def delete(client, **body):
    return client.delete(
        "/api/user/account", data=json.dumps(body), content_type="application/json"
    )


@pytest.fixture
def revoked():
    calls = []

    def receiver(sender, **kwargs):
        calls.append(kwargs)

    user_access_revoked.connect(receiver)
    yield calls
    user_access_revoked.disconnect(receiver)


def test_deleting_an_account_keeps_other_peoples_conversations(
    django_capture_on_commit_callbacks, revoked
):
    user, friend = UserFactory(), UserFactory()
    sent = MessageFactory(sender=user, receiver=friend)
    received = MessageFactory(sender=friend, receiver=user)
    NotificationFactory(user=user)
    UserMetadataFactory(user=user)
    SocialAccount.objects.create(user=user, provider="google", uid="123")
    token = session_token_for(user)
    client = Client(headers={"X-Session-Token": token})

    with django_capture_on_commit_callbacks(execute=True):
        response = delete(client, password=DEFAULT_PASSWORD)
    assert response.status_code == 204, response.content

    assert not User.objects.filter(pk=user.pk).exists()
    sent.refresh_from_db()
    received.refresh_from_db()
    assert sent.sender_id is None  # shown as "Deleted user"
    assert sent.receiver_id == friend.pk
    assert received.receiver_id is None
    assert received.sender_id == friend.pk
    assert Message.objects.count() == 2
    assert not Notification.objects.filter(user_id=user.pk).exists()
    assert not UserMetadata.objects.filter(user_id=user.pk).exists()
    assert not UserProfile.objects.filter(user_id=user.pk).exists()
    assert not SocialAccount.objects.filter(uid="123").exists()
    assert revoked == [{"signal": user_access_revoked, "user_id": user.pk, "reason": "deleted"}]
    # The token used for the request is gone too.
    assert_api_error(client.get("/api/user/profile"), 401, "not_authenticated")


def test_a_cookie_session_is_signed_out():
    user = UserFactory()
    client = Client()
    client.force_login(user)
    assert delete(client, password=DEFAULT_PASSWORD).status_code == 204
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("body", [{}, {"password": ""}, {"password": "wrong"}])
def test_the_password_must_be_re_entered(body):
    user = UserFactory()
    client = Client(headers={"X-Session-Token": session_token_for(user)})
    error = assert_api_error(delete(client, **body), 400, "invalid")
    assert "password" in error["fields"]
    assert User.objects.filter(pk=user.pk).exists()


def test_accounts_without_a_password_confirm_with_their_username():
    user = UserFactory(password=None, username="OAuthOnly")
    user.set_unusable_password()
    user.save()
    client = Client(headers={"X-Session-Token": session_token_for(user)})
    error = assert_api_error(delete(client, confirm_username="someone"), 400, "invalid")
    assert "confirm_username" in error["fields"]
    assert delete(client, confirm_username="oauthonly").status_code == 204
    assert not User.objects.filter(pk=user.pk).exists()


def test_refused_with_409_while_owning_studios():
    studio = StudioFactory()
    client = Client(headers={"X-Session-Token": session_token_for(studio.owner)})
    error = assert_api_error(delete(client, password=DEFAULT_PASSWORD), 409, "owns_studios")
    assert "1 studio" in error["message"]
    assert User.objects.filter(pk=studio.owner_id).exists()


def test_refused_with_409_while_billing_records_must_be_kept():
    subscription = SubscriptionFactory()
    client = Client(headers={"X-Session-Token": session_token_for(subscription.user)})
    error = assert_api_error(delete(client, password=DEFAULT_PASSWORD), 409, "account_has_records")
    assert "subscriptions" in error["message"]
    assert User.objects.filter(pk=subscription.user_id).exists()


def test_password_guesses_are_rate_limited(settings):
    settings.ACCOUNT_RATE_LIMITS = {"reauthenticate": "2/m/user"}
    user = UserFactory()
    client = Client(headers={"X-Session-Token": session_token_for(user)})
    for _ in range(2):
        delete(client, password="guess")
    response = delete(client, password=DEFAULT_PASSWORD)
    assert_api_error(response, 429, "rate_limited")
    assert response["Retry-After"] == "60"
    assert User.objects.filter(pk=user.pk).exists()


def test_anonymous_is_401(client):
    assert_api_error(delete(client, password="x"), 401, "not_authenticated")
