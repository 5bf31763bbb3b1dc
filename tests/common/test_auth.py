"""common.auth: the checks the WebSocket consumer shares with HTTP."""

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone

from common import auth
from common.errors import EmailNotVerified, Suspended
from tests.factories import UserFactory
from tests.utils import session_token_for

pytestmark = pytest.mark.django_db


def test_a_token_gives_its_user():
    user = UserFactory()
    assert auth.authenticate_session_token(session_token_for(user)) == user


def test_a_token_gives_its_user_and_session_key():
    user = UserFactory()
    token = session_token_for(user)
    assert auth.session_token_owner(token) == (user, token)
    assert auth.session_token_owner("nope") is None


@pytest.mark.parametrize("token", [None, "", "nope", "x" * 300])
def test_missing_or_unknown_tokens_give_none(token):
    assert auth.authenticate_session_token(token) is None


def test_a_session_without_a_user_gives_none():
    session = SessionStore()
    session["something"] = 1
    session.save()
    assert auth.authenticate_session_token(session.session_key) is None


def test_an_inactive_users_token_gives_none():
    user = UserFactory()
    token = session_token_for(user)
    user.is_active = False
    user.save()
    assert auth.authenticate_session_token(token) is None


def test_a_suspended_users_token_still_authenticates_so_callers_can_say_why():
    user = UserFactory(is_suspended_indefinitely=True, suspension_reason="Abuse")
    found = auth.authenticate_session_token(session_token_for(user))
    assert found == user
    assert auth.user_is_suspended(found)


def test_timed_suspension_ends_by_itself():
    user = UserFactory(suspended_until=timezone.now() + timedelta(minutes=5))
    assert auth.user_is_suspended(user)
    user.suspended_until = timezone.now() - timedelta(seconds=1)
    assert not auth.user_is_suspended(user)


def test_user_id_is_suspended_reads_the_database():
    user = UserFactory()
    assert not auth.user_id_is_suspended(user.pk)
    type(user).objects.filter(pk=user.pk).update(is_suspended_indefinitely=True)
    assert auth.user_id_is_suspended(user.pk)
    assert not auth.user_id_is_suspended(10**9)


def test_ensure_not_suspended_raises_with_details():
    user = UserFactory(is_suspended_indefinitely=True, suspension_reason="Spam")
    with pytest.raises(Suspended) as excinfo:
        auth.ensure_not_suspended(user)
    assert excinfo.value.fields == {"until": None, "indefinite": True, "reason": "Spam"}
    auth.ensure_not_suspended(UserFactory())


def test_ensure_can_write_content(settings):
    auth.ensure_can_write_content(UserFactory(email_verified=True))
    with pytest.raises(EmailNotVerified):
        auth.ensure_can_write_content(UserFactory(email_verified=False))
    with pytest.raises(Suspended):
        auth.ensure_can_write_content(UserFactory(is_suspended_indefinitely=True))
    settings.ACCOUNT_EMAIL_VERIFICATION = "none"
    auth.ensure_can_write_content(UserFactory(email_verified=False))
