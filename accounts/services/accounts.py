"""Writes on accounts: role changes, suspension, verification mirror, account deletion.

Other apps call:

- `user_become_studio_owner(user=...)` — from studio creation, inside its transaction.
- `user_suspend(user=..., reason=..., until=...)` / `user_unsuspend(user=...)` — from
  moderation. Enforcement needs nothing more: every request re-reads the user
  (common/authentication.py, accounts/middleware.py), and open sockets are told
  through `common.signals.user_access_revoked` after commit.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from allauth.account.models import EmailAddress
from django.db import transaction
from django.db.models import ProtectedError
from django.db.models.functions import Now
from django.utils import timezone

from common.errors import Conflict, ValidationFailed
from common.signals import user_access_revoked

from ..models import Role, User

# Rules of apps above this one that may refuse an account deletion (each raises a
# DomainError, e.g. directory's "owns studios" 409). Registered in their AppConfig.ready:
# accounts knows nothing of studios or billing.
_ACCOUNT_DELETE_CHECKS: list[Callable[[User], None]] = []


def account_delete_check_register(check: Callable[[User], None]) -> None:
    """Add a rule run before an account is deleted (idempotent)."""
    if check not in _ACCOUNT_DELETE_CHECKS:
        _ACCOUNT_DELETE_CHECKS.append(check)


def _send_access_revoked(user_id: int, reason: str) -> None:
    user_access_revoked.send(sender=User, user_id=user_id, reason=reason)


def access_revoked_on_commit(*, user_id: int, reason: str) -> None:
    """Tell sockets and other listeners, once the change is committed."""
    transaction.on_commit(lambda: _send_access_revoked(user_id, reason))


def user_email_verified_sync(*, user_id: int, instance: User | None = None) -> bool:
    """Mirror allauth's truth into users.email_verified: a verified primary address.

    `instance`, when given, is the in-memory user allauth may save next (changing the
    primary address saves the user); it gets the value too, so that save keeps it.
    """
    verified = EmailAddress.objects.filter(user_id=user_id, primary=True, verified=True).exists()
    User.objects.filter(pk=user_id).exclude(email_verified=verified).update(
        email_verified=verified, updated_at=Now()
    )
    if instance is not None:
        instance.email_verified = verified
    return verified


def user_become_studio_owner(*, user: User) -> User:
    """A USER becomes STUDIO_OWNER with their first studio; other roles are kept.

    Call it inside the transaction that creates the studio. The conditional UPDATE makes
    two concurrent first studios harmless.
    """
    if user.role == Role.USER:
        User.objects.filter(pk=user.pk, role=Role.USER).update(
            role=Role.STUDIO_OWNER, updated_at=Now()
        )
        user.role = Role.STUDIO_OWNER
    return user


def user_suspend(*, user: User, reason: str, until: datetime | None = None) -> User:
    """Suspend until a moment, or indefinitely when `until` is None.

    Effective on the next request of every session and token of the user; sockets are
    closed through `user_access_revoked` (reason "suspended") after commit.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(fields={"reason": ["Say why the account is suspended."]})
    if until is not None and until <= timezone.now():
        raise ValidationFailed(fields={"until": ["The end of a suspension must be in the future."]})
    with transaction.atomic():
        user.suspended_until = until
        user.is_suspended_indefinitely = until is None
        user.suspension_reason = reason
        user.save(
            update_fields=[
                "suspended_until",
                "is_suspended_indefinitely",
                "suspension_reason",
                "updated_at",
            ]
        )
        access_revoked_on_commit(user_id=user.pk, reason="suspended")
    return user


def user_unsuspend(*, user: User) -> User:
    with transaction.atomic():
        user.suspended_until = None
        user.is_suspended_indefinitely = False
        user.suspension_reason = ""
        user.save(
            update_fields=[
                "suspended_until",
                "is_suspended_indefinitely",
                "suspension_reason",
                "updated_at",
            ]
        )
    return user


def user_account_delete(
    *, user: User, password: str | None = None, confirm_username: str | None = None
) -> None:
    """Delete an account after the user re-enters their password.

    Users without a password (signed up through Google, Facebook or X) confirm by typing
    their username instead. Refused with 409 while a registered check says so (directory:
    they own studios, the legacy RESTRICT rule) or they have records that must be kept
    (a PROTECT foreign key, e.g. billing). Their messages stay readable for the
    other person, with no sender (`common.auth.DELETED_USER_DISPLAY_NAME` in emails); what
    is only theirs cascades.
    """
    if user.has_usable_password():
        if not password or not user.check_password(password):
            raise ValidationFailed(
                "Re-enter your password to delete your account.",
                code="invalid",
                fields={"password": ["The password is not correct."]},
            )
    elif (confirm_username or "").strip().lower() != user.username.lower():
        raise ValidationFailed(
            "Type your username to confirm deleting your account.",
            fields={"confirm_username": ["Type your username exactly."]},
        )

    for check in _ACCOUNT_DELETE_CHECKS:
        check(user)

    from .profiles import avatar_delete_file_on_commit

    with transaction.atomic():
        avatar_delete_file_on_commit(avatar_url=user.avatar_url)
        user_id = user.pk
        try:
            with transaction.atomic():
                user.delete()
        except ProtectedError as exc:
            kinds = sorted({obj._meta.verbose_name_plural for obj in exc.protected_objects})
            raise Conflict(
                "Your account has records that must be kept ("
                + ", ".join(str(k) for k in kinds)
                + "); contact support to close it.",
                code="account_has_records",
            ) from exc
        access_revoked_on_commit(user_id=user_id, reason="deleted")
