"""Messages, notifications and connections: the realtime layer's tables.

This app knows users only through settings.AUTH_USER_MODEL and nothing of studios,
billing or moderation; what other apps attach to a message or notification travels in
JSON (`context`, `data`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Greatest, Least, Now

from common.models import LegacyIdModel, TimestampedModel, choices_check, legacy_id_unique


class NotificationType(models.TextChoices):
    MESSAGE_RECEIVED = "MESSAGE_RECEIVED", "New message"
    REVIEW_RECEIVED = "REVIEW_RECEIVED", "New review"
    REVIEW_RESPONSE = "REVIEW_RESPONSE", "Review response"
    CONNECTION_REQUEST = "CONNECTION_REQUEST", "Connection request"
    CONNECTION_ACCEPTED = "CONNECTION_ACCEPTED", "Connection accepted"
    STUDIO_VERIFIED = "STUDIO_VERIFIED", "Studio verified"
    PAYMENT_SUCCESS = "PAYMENT_SUCCESS", "Payment succeeded"
    PAYMENT_FAILED = "PAYMENT_FAILED", "Payment failed"
    SUBSCRIPTION_EXPIRING = "SUBSCRIPTION_EXPIRING", "Subscription expiring"


class Message(LegacyIdModel):
    """The legacy `messages` table. A deleted account leaves its messages (sender null)."""

    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="messages_sent",
    )
    receiver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="messages_received",
    )
    subject = models.CharField(max_length=200, null=True, blank=True)
    content = models.TextField()
    is_read = models.BooleanField(default=False, db_default=False)
    read_at = models.DateTimeField(null=True, blank=True)
    # Makes a resend idempotent: one message per (sender, client_id).
    client_id = models.CharField(max_length=64, null=True, blank=True)
    # What another app attached, e.g. {"studio_id": 12} from the contact form.
    context = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_default=Now())

    class Meta:
        db_table = "messages"
        constraints = [
            legacy_id_unique(),
            models.UniqueConstraint(
                fields=["sender", "client_id"],
                condition=Q(client_id__isnull=False),
                name="messages_sender_client_id_uniq",
            ),
            # "Cannot message yourself" (legacy API rule). NULLs left by SET_NULL pass.
            models.CheckConstraint(condition=~Q(sender=F("receiver")), name="messages_not_to_self"),
        ]
        indexes = [
            # Unread badge and "mark conversation read": only unread rows are indexed.
            models.Index(
                fields=["receiver", "sender"],
                condition=Q(is_read=False),
                name="messages_unread_idx",
            ),
            models.Index(fields=["receiver", "-id"], name="messages_inbox_idx"),
            models.Index(fields=["sender", "-id"], name="messages_outbox_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.sender_id} → {self.receiver_id}"


class Notification(LegacyIdModel, TimestampedModel):
    """The legacy `notifications` table."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    type = models.CharField(max_length=32, choices=NotificationType.choices)
    title = models.CharField(max_length=200)
    message = models.TextField()
    data = models.JSONField(null=True, blank=True)
    read = models.BooleanField(default=False, db_default=False)
    read_at = models.DateTimeField(null=True, blank=True)
    action_url = models.CharField(max_length=500, null=True, blank=True)

    class Meta:
        db_table = "notifications"
        constraints = [legacy_id_unique(), choices_check("type", NotificationType)]
        indexes = [
            models.Index(fields=["user"], condition=Q(read=False), name="notifications_unread_idx"),
            models.Index(fields=["user", "-created_at"], name="notifications_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.type} for {self.user_id}"


class UserConnection(LegacyIdModel):
    """The legacy `user_connections` table: user asked connected_user; accepted when both agree.

    One row per pair whichever way it was asked, so a duplicate in either direction is
    refused by the database, not only by the service.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="connections_requested"
    )
    connected_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="connections_received"
    )
    accepted = models.BooleanField(default=False, db_default=False)
    accepted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_default=Now())

    class Meta:
        db_table = "user_connections"
        constraints = [
            legacy_id_unique(),
            models.UniqueConstraint(fields=["user", "connected_user"], name="connection_pair_uniq"),
            models.UniqueConstraint(
                Least("user", "connected_user"),
                Greatest("user", "connected_user"),
                name="connection_unordered_pair_uniq",
            ),
            models.CheckConstraint(
                condition=~Q(user=F("connected_user")), name="connection_not_self"
            ),
        ]
        indexes = [
            models.Index(fields=["connected_user", "accepted"], name="connection_incoming_idx"),
            models.Index(fields=["user", "accepted"], name="connection_outgoing_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.connected_user_id}"
