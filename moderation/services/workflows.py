"""Admin decisions on users, studios and reviews: the owning app's service, plus the
audit entry, in one transaction.

Every door an admin uses — the moderation queue's actions, the Django admin's actions
and forms — calls these, so a studio approved anywhere gets `published_at`, a studio
verified anywhere sends STUDIO_VERIFIED, a suspension anywhere closes the user's sockets,
and every one of them is in the audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from django.db import models, transaction

from common.auth import ensure_not_suspended
from common.errors import Forbidden, ValidationFailed
from directory.models import Review, ReviewStatus, Studio, StudioStatus, User
from directory.services.accounts import user_suspend, user_unsuspend
from directory.services.reviews import review_moderate
from directory.services.studios import studio_update
from realtime.models import NotificationType
from realtime.services import notify

from ..models import AuditTargetType
from .audit import audit_record

M = TypeVar("M", bound=models.Model)


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


def _review_state(review: Review) -> dict[str, Any]:
    return {"status": review.status}


# How the audit log names each kind of target and what state it records of it.
_TARGETS: dict[type[models.Model], tuple[str, Callable[[Any], str], Callable[[Any], dict]]] = {
    Studio: (AuditTargetType.STUDIO, lambda studio: studio.name, _studio_state),
    User: (AuditTargetType.USER, lambda user: user.username, _user_state),
    Review: (AuditTargetType.REVIEW, lambda r: f"Review of {r.studio.name}", _review_state),
}


def _audited(*, actor: User, target: M, action: str, change: Callable[[M], M], reason: str) -> M:
    """Lock the target, note its state, call the owning app's service on it and audit
    before → after, in one transaction. Locked before `before` is read, so `before` is
    the state the change replaced, not a stale copy."""
    target_type, label, state = _TARGETS[type(target)]
    with transaction.atomic():
        locked = type(target).objects.select_for_update().get(pk=target.pk)
        before = state(locked)
        changed = change(locked)
        audit_record(
            actor=actor,
            action=action,
            target_type=target_type,
            target_id=changed.pk,
            target_label=label(changed),
            before=before,
            after=state(changed),
            reason=reason,
        )
    return changed


def _studio_change(
    *, actor: User, studio: Studio, action: str, data: dict[str, Any], reason: str
) -> Studio:
    ensure_admin(actor)
    return _audited(
        actor=actor,
        target=studio,
        action=action,
        change=lambda locked: studio_update(actor=actor, studio=locked, data=data),
        reason=reason,
    )


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
    return _audited(
        actor=actor,
        target=user,
        action="user.suspend",
        change=lambda u: user_suspend(user=u, reason=reason, until=until),
        reason=reason,
    )


def account_reinstate(*, actor: User, user: User, reason: str = "") -> User:
    """Lift a suspension now; the user signs in again as usual."""
    ensure_admin(actor)
    return _audited(
        actor=actor,
        target=user,
        action="user.reinstate",
        change=lambda u: user_unsuspend(user=u),
        reason=reason,
    )


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
    return _audited(
        actor=actor,
        target=review,
        action="review.approve" if status == ReviewStatus.APPROVED else "review.reject",
        change=lambda r: review_moderate(review=r, moderator=actor, status=status),
        reason=reason,
    )
