"""Messages, notifications, connections and contacts; billing; content reports."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from accounts.models import User
from billing.models import (
    PaymentMethod,
    PendingSubscription,
    PendingSubscriptionStatus,
    Refund,
    RefundStatus,
    Subscription,
    SubscriptionStatus,
)
from directory.models import (
    LegacyContact,
    Review,
    Studio,
)
from moderation.models import ContentReport, ReportedContentType, ReportReason, ReportStatus
from realtime.models import Message, Notification, NotificationType, UserConnection

from .report import (
    UPDATED,
    RowError,
)
from .values import (
    _bool,
    _choice,
    _datetime,
    _int,
    _json_value,
    _text,
)


class ActivityImport:
    """Realtime, billing and moderation tables (a mixin of LegacyImporter)."""

    def _import_messages(self, row: dict) -> str:
        _, outcome = self._upsert(
            Message,
            str(row["id"]),
            {
                "sender_id": self._ref(User, row, "sender_id"),
                "receiver_id": self._ref(User, row, "receiver_id"),
                "subject": _text(row, "subject"),
                "content": _text(row, "content", required=True),
                "is_read": _bool(row, "is_read", False),
            },
            created_at=_datetime(row, "created_at"),
            exclude_from_validation=["sender", "receiver"],
        )
        return outcome

    def _import_notifications(self, row: dict) -> str:
        data = _json_value(row.get("data"), "data", strict=True)
        _, outcome = self._upsert(
            Notification,
            str(row["id"]),
            {
                "user_id": self._ref(User, row, "user_id"),
                "type": _choice(row, "type", NotificationType),
                "title": _text(row, "title", required=True),
                "message": _text(row, "message", required=True),
                "data": data,
                "read": _bool(row, "read", False),
                "read_at": _datetime(row, "read_at"),
                "action_url": _text(row, "action_url"),
            },
            created_at=_datetime(row, "created_at"),
            updated_at=_datetime(row, "updated_at"),
            exclude_from_validation=["user"],
        )
        return outcome

    def _connect(
        self,
        *,
        legacy_id: str,
        user_id: int,
        other_id: int,
        accepted: bool,
        created_at: datetime | None,
    ) -> str:
        """One connection per pair of people, whichever way it was asked: a second row for
        the same pair (either direction) is merged into the first — accepted if either was."""
        if user_id == other_id:
            raise RowError("a connection of a user with themselves")
        existing = UserConnection.objects.filter(legacy_id=legacy_id).first()
        if existing is None:
            existing = UserConnection.objects.filter(
                Q(user_id=user_id, connected_user_id=other_id)
                | Q(user_id=other_id, connected_user_id=user_id)
            ).first()
            if existing is not None:
                if accepted and not existing.accepted:
                    existing.accepted = True
                    existing.accepted_at = existing.accepted_at or created_at
                    existing.save(update_fields=["accepted", "accepted_at"])
                return UPDATED
        _, outcome = self._upsert(
            UserConnection,
            legacy_id,
            {
                "user_id": user_id,
                "connected_user_id": other_id,
                "accepted": accepted,
                "accepted_at": created_at if accepted else None,
            },
            created_at=created_at,
            exclude_from_validation=["user", "connected_user"],
        )
        return outcome

    def _import_user_connections(self, row: dict) -> str:
        return self._connect(
            legacy_id=str(row["id"]),
            user_id=self._ref(User, row, "user_id"),
            other_id=self._ref(User, row, "connected_user_id"),
            accepted=_bool(row, "accepted", False),
            created_at=_datetime(row, "created_at"),
        )

    def _import_contacts(self, row: dict) -> str:
        """Kept as they were in `contacts`, and migrated into user connections as the
        report recommends (user1 asked user2; accepted 1 means connected)."""
        accepted = _int(row, "accepted", default=0)
        if accepted not in (0, 1):
            raise RowError(f"accepted must be 0 or 1, not {accepted}")
        user1, user2 = _text(row, "user1", required=True), _text(row, "user2", required=True)
        created_at = _datetime(row, "created_at")
        _, outcome = self._upsert(
            LegacyContact,
            str(row["id"]),
            {"user1": user1, "user2": user2, "accepted": accepted},
            created_at=created_at,
            updated_at=_datetime(row, "updated_at"),
        )
        self._connect(
            legacy_id=f"contact:{row['id']}",
            user_id=self._ref(User, row, "user1"),
            other_id=self._ref(User, row, "user2"),
            accepted=accepted == 1,
            created_at=created_at,
        )
        return outcome

    def _import_subscriptions(self, row: dict) -> str:
        _, outcome = self._upsert(
            Subscription,
            str(row["id"]),
            {
                "user_id": self._ref(User, row, "user_id"),
                "stripe_subscription_id": _text(row, "stripe_subscription_id"),
                "stripe_customer_id": _text(row, "stripe_customer_id"),
                "paypal_subscription_id": _text(row, "paypal_subscription_id"),
                "payment_method": _choice(
                    row, "payment_method", PaymentMethod, default=PaymentMethod.STRIPE
                ),
                "status": _choice(row, "status", SubscriptionStatus),
                "current_period_start": _datetime(row, "current_period_start"),
                "current_period_end": _datetime(row, "current_period_end"),
                "cancelled_at": _datetime(row, "cancelled_at"),
            },
            created_at=_datetime(row, "created_at"),
            updated_at=_datetime(row, "updated_at"),
            exclude_from_validation=["user"],
        )
        return outcome

    def _import_pending_subscriptions(self, row: dict) -> str:
        _, outcome = self._upsert(
            PendingSubscription,
            str(row["id"]),
            {
                "user_id": self._ref(User, row, "user_id"),
                "studio_id": self._ref(Studio, row, "studio_id"),
                "paypal_subscription_id": _text(row, "paypal_subscription_id"),
                "stripe_session_id": _text(row, "stripe_session_id"),
                "status": _choice(
                    row,
                    "status",
                    PendingSubscriptionStatus,
                    default=PendingSubscriptionStatus.PENDING_APPROVAL,
                ),
                "payment_method": _choice(row, "payment_method", PaymentMethod),
            },
            created_at=_datetime(row, "created_at"),
            updated_at=_datetime(row, "updated_at"),
            exclude_from_validation=["user", "studio"],
        )
        return outcome

    def _import_refunds(self, row: dict) -> str:
        amount = _int(row, "amount", required=True)
        if amount <= 0:
            raise RowError(f"amount must be positive, not {amount}")
        _, outcome = self._upsert(
            Refund,
            str(row["id"]),
            {
                "stripe_refund_id": _text(row, "stripe_refund_id", required=True),
                "stripe_payment_intent_id": _text(row, "stripe_payment_intent_id", required=True),
                "amount": amount,
                "currency": _text(row, "currency", required=True).lower(),
                "reason": _text(row, "reason"),
                "status": _choice(row, "status", RefundStatus),
                "processed_by_id": self._ref(User, row, "processed_by"),
            },
            created_at=_datetime(row, "created_at"),
            updated_at=_datetime(row, "updated_at"),
            exclude_from_validation=["processed_by"],
        )
        return outcome

    _REPORTED_MODELS = {
        ReportedContentType.REVIEW: Review,
        ReportedContentType.MESSAGE: Message,
        ReportedContentType.STUDIO: Studio,
        ReportedContentType.USER: User,
    }

    def _import_content_reports(self, row: dict) -> str:
        content_type = _choice(row, "content_type", ReportedContentType)
        content_pk = self._ref(self._REPORTED_MODELS[content_type], row, "content_id")
        reason = _choice(row, "reason", ReportReason)
        custom_reason = _text(row, "custom_reason")
        if reason == ReportReason.OTHER and not custom_reason:
            raise RowError("reason OTHER needs a custom_reason")
        _, outcome = self._upsert(
            ContentReport,
            str(row["id"]),
            {
                "reporter_id": self._ref(User, row, "reporter_id"),
                "content_type": content_type,
                "content_id": str(content_pk),
                "reported_user_id": self._ref(User, row, "reported_user_id", required=False),
                "reason": reason,
                "custom_reason": custom_reason,
                "status": _choice(row, "status", ReportStatus, default=ReportStatus.PENDING),
                "reviewed_by_id": self._ref(User, row, "reviewed_by_id", required=False),
                "reviewed_at": _datetime(row, "reviewed_at"),
                "resolution": _text(row, "resolution"),
            },
            created_at=_datetime(row, "created_at"),
            updated_at=_datetime(row, "updated_at"),
            exclude_from_validation=["reporter", "reported_user", "reviewed_by"],
        )
        return outcome
