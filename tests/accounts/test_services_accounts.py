"""accounts.services.accounts: role, suspension and the email_verified mirror."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.utils import timezone

from accounts.models import Role, User
from accounts.services.accounts import user_become_studio_owner, user_suspend, user_unsuspend
from common.errors import ValidationFailed
from common.signals import user_access_revoked
from tests.factories import UserFactory
from tests.utils import assert_api_error, session_token_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def revoked():
    calls = []

    def receiver(sender, **kwargs):
        calls.append((kwargs["user_id"], kwargs["reason"]))

    user_access_revoked.connect(receiver)
    yield calls
    user_access_revoked.disconnect(receiver)


# --- roles -----------------------------------------------------------------------------


def test_first_studio_makes_a_user_a_studio_owner():
    user = UserFactory()
    user_become_studio_owner(user=user)
    assert user.role == Role.STUDIO_OWNER
    user.refresh_from_db()
    assert user.role == Role.STUDIO_OWNER
    user_become_studio_owner(user=user)  # the second studio changes nothing
    assert User.objects.get(pk=user.pk).role == Role.STUDIO_OWNER


def test_an_admin_stays_admin_when_creating_a_studio():
    admin = UserFactory(admin=True)
    user_become_studio_owner(user=admin)
    assert User.objects.get(pk=admin.pk).role == Role.ADMIN


def test_admin_role_is_staff_and_superuser_nobody_else_is():
    assert UserFactory(admin=True).is_staff
    assert not UserFactory(owner=True).is_staff
    assert not UserFactory(admin=True, is_active=False).is_staff


# --- suspension ------------------------------------------------------------------------


def test_suspend_until_a_date_stops_every_session_and_tells_sockets_after_commit(
    django_capture_on_commit_callbacks, revoked
):
    user = UserFactory()
    tokens = [session_token_for(user) for _ in range(2)]  # two devices
    until = timezone.now() + timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        user_suspend(user=user, reason="Spam", until=until)
    assert revoked == []  # nothing leaves before commit
    for callback in callbacks:
        callback()
    assert revoked == [(user.pk, "suspended")]

    for token in tokens:
        client = Client(headers={"X-Session-Token": token})
        assert_api_error(client.get("/api/user/profile"), 403, "suspended")
    user.refresh_from_db()
    assert (user.suspended_until, user.is_suspended_indefinitely) == (until, False)


def test_suspend_indefinitely():
    user = user_suspend(user=UserFactory(), reason="Harassment")
    assert user.is_suspended_indefinitely
    assert user.is_suspended


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"reason": " "}, "reason"), ({"reason": "x", "until": timezone.now()}, "until")],
)
def test_suspension_needs_a_reason_and_a_future_end(kwargs, field):
    with pytest.raises(ValidationFailed) as excinfo:
        user_suspend(user=UserFactory(), **kwargs)
    assert field in excinfo.value.fields


def test_unsuspend_lets_existing_sessions_work_again():
    user = UserFactory()
    client = Client(headers={"X-Session-Token": session_token_for(user)})
    user_suspend(user=user, reason="Mistake")
    assert client.get("/api/user/profile").status_code == 403
    user_unsuspend(user=user)
    assert client.get("/api/user/profile").status_code == 200


def test_suspending_in_the_django_admin_tells_sockets_too(
    django_capture_on_commit_callbacks, revoked
):
    """The admin's door is the Suspend action (moderation's account_suspend, docs/moderation.md);
    open sockets are told after commit, through the same signal as the other doors."""
    admin, user = UserFactory(admin=True), UserFactory()
    client = Client()
    client.force_login(admin)
    data = {
        "action": "suspend_users",
        "_selected_action": [user.pk],
        "index": 0,
        "reason": "Abuse",
        "days": "",
    }
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post("/admin/accounts/user/", data)
        assert revoked == []  # not before the commit
    assert response.status_code == 302
    assert callbacks
    assert revoked == [(user.pk, "suspended")]
    stored = User.objects.get(pk=user.pk)
    assert stored.is_suspended
    assert stored.is_suspended_indefinitely
    assert stored.suspension_reason == "Abuse"


def test_the_admin_change_form_cannot_suspend_around_the_action():
    """Suspension fields are read-only on the change form, so no save skips the service."""
    admin, user = UserFactory(admin=True), UserFactory()
    client = Client()
    client.force_login(admin)
    page = client.get(f"/admin/accounts/user/{user.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    for name in ("is_suspended_indefinitely", "suspended_until", "suspension_reason"):
        assert name not in form.fields


# --- email_verified mirrors allauth ----------------------------------------------------


def test_email_verified_follows_the_verified_primary_address():
    user = UserFactory(email_verified=False)
    address = EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)
    assert User.objects.get(pk=user.pk).email_verified is False
    address.verified = True
    address.save()
    assert User.objects.get(pk=user.pk).email_verified is True
    address.delete()
    assert User.objects.get(pk=user.pk).email_verified is False


def test_switching_primary_to_an_unverified_address_unverifies_even_when_allauth_saves_the_user():
    user = UserFactory()
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    assert User.objects.get(pk=user.pk).email_verified is True
    other = EmailAddress.objects.create(
        user=user, email="new@example.com", primary=False, verified=False
    )
    other.set_as_primary()  # allauth saves its in-memory user afterwards
    user = User.objects.get(pk=user.pk)
    assert user.email == "new@example.com"
    assert user.email_verified is False
