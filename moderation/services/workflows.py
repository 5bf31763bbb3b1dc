"""Admin decisions on users, studios and reviews: the owning app's service, plus the
audit entry, in one transaction.

Every door an admin uses — the moderation queue's actions, the Django admin's actions
and forms — calls these, so a studio approved anywhere gets `published_at`, a studio
verified anywhere sends STUDIO_VERIFIED, a suspension anywhere closes the user's sockets,
and every one of them is in the audit log.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from accounts.models import User
from accounts.services.accounts import user_suspend, user_unsuspend
from common.auth import ensure_not_suspended
from common.errors import Forbidden, ValidationFailed
from directory.models import Review, ReviewStatus, Studio, StudioStatus
from directory.services.reviews import review_moderate
from directory.services.studios import studio_update
from realtime.models import NotificationType
from realtime.services import notify

from ..models import AuditTargetType
from .audit import audit_record


def ensure_admin(actor: Any) -> None:
    """Every door checks roles first; this keeps a service call from a task or a shell
    honest too (a suspended admin is refused like everyone suspended)."""
    if not (actor is not None and actor.is_authenticated and getattr(actor, "is_admin", False)):
        raise Forbidden("Only an admin can do this.", code="admin_only")
    ensure_not_suspended(actor)


def _studio_state(studio: Studio) -> dict[str, Any]:
    return {
        "status": studio.status,
        "is_verified": studio.is_verified,
        "published_at": studio.published_at,
    }


def _user_state(user: User) -> dict[str, Any]:
    return {
        "suspended_until": user.suspended_until,
        "is_suspended_indefinitely": user.is_suspended_indefinitely,
        "suspension_reason": user.suspension_reason,
    }


def _studio_change(
    *, actor: User, studio: Studio, action: str, data: dict[str, Any], reason: str
) -> Studio:
    ensure_admin(actor)
    with transaction.atomic():
        # Locked before reading `before`, so it is the state the change replaced.
        before = _studio_state(Studio.objects.select_for_update().get(pk=studio.pk))
        studio = studio_update(actor=actor, studio=studio, data=data)
        audit_record(
            actor=actor,
            action=action,
            target_type=AuditTargetType.STUDIO,
            target_id=studio.pk,
            target_label=studio.name,
            before=before,
            after=_studio_state(studio),
            reason=reason,
        )
    return studio


def studio_approve(*, actor: User, studio: Studio, reason: str = "") -> Studio:
    """PENDING (or INACTIVE) → ACTIVE; the first time sets `published_at`."""
    return _studio_change(
        actor=actor,
        studio=studio,
        action="studio.approve",
        data={"status": StudioStatus.ACTIVE},
        reason=reason,
    )


def studio_deactivate(*, actor: User, studio: Studio, reason: str = "") -> Studio:
    """ACTIVE → INACTIVE: off search and its page, kept for the owner and the record."""
    return _studio_change(
        actor=actor,
        studio=studio,
        action="studio.deactivate",
        data={"status": StudioStatus.INACTIVE},
        reason=reason,
    )


def studio_verify(
    *, actor: User, studio: Studio, verified: bool = True, reason: str = ""
) -> Studio:
    """Set or clear the verified badge; setting it notifies the owner (STUDIO_VERIFIED)."""
    return _studio_change(
        actor=actor,
        studio=studio,
        action="studio.verify" if verified else "studio.unverify",
        data={"is_verified": verified},
        reason=reason,
    )


def account_suspend(*, actor: User, user: User, reason: str, until: datetime | None = None) -> User:
    """Suspend until a moment, or indefinitely: every session, token and socket at once."""
    ensure_admin(actor)
    if user.pk == actor.pk:
        raise ValidationFailed("You cannot suspend yourself.", code="own_account")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        before = _user_state(user)
        user = user_suspend(user=user, reason=reason, until=until)
        audit_record(
            actor=actor,
            action="user.suspend",
            target_type=AuditTargetType.USER,
            target_id=user.pk,
            target_label=user.username,
            before=before,
            after=_user_state(user),
            reason=reason,
        )
    return user


def account_reinstate(*, actor: User, user: User, reason: str = "") -> User:
    """Lift a suspension now; the user signs in again as usual."""
    ensure_admin(actor)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        before = _user_state(user)
        user = user_unsuspend(user=user)
        audit_record(
            actor=actor,
            action="user.reinstate",
            target_type=AuditTargetType.USER,
            target_id=user.pk,
            target_label=user.username,
            before=before,
            after=_user_state(user),
            reason=reason,
        )
    return user


def user_warn(*, actor: User, user: User, reason: str) -> None:
    """A MODERATION_WARNING notification to the user, recorded as a warning."""
    ensure_admin(actor)
    reason = (reason or "").strip()
    with transaction.atomic():
        notify(
            user_id=user.pk,
            type=NotificationType.MODERATION_WARNING,
            title="A warning from the moderators",
            message=reason or "Something you posted broke the community rules.",
            data={"reason": reason},
        )
        audit_record(
            actor=actor,
            action="user.warn",
            target_type=AuditTargetType.USER,
            target_id=user.pk,
            target_label=user.username,
            reason=reason,
        )


def review_decide(*, actor: User, review: Review, status: str, reason: str = "") -> Review:
    """Approve or reject a review (the owner is told when it goes live)."""
    ensure_admin(actor)
    if status not in (ReviewStatus.APPROVED, ReviewStatus.REJECTED):
        raise ValidationFailed(fields={"status": ["Choose APPROVED or REJECTED."]})
    with transaction.atomic():
        before = {"status": Review.objects.values_list("status", flat=True).get(pk=review.pk)}
        review = review_moderate(review=review, moderator=actor, status=status)
        audit_record(
            actor=actor,
            action="review.approve" if status == ReviewStatus.APPROVED else "review.reject",
            target_type=AuditTargetType.REVIEW,
            target_id=review.pk,
            target_label=f"Review of {review.studio.name}",
            before=before,
            after={"status": review.status},
            reason=reason,
        )
    return review
