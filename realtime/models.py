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
    # Not in the legacy enum: the legacy "Report Flow" says admins and reporters are told.
    REPORT_RECEIVED = "REPORT_RECEIVED", "Content reported (admins)"
    REPORT_OUTCOME = "REPORT_OUTCOME", "Outcome of your report"
    MODERATION_WARNING = "MODERATION_WARNING", "Warning from the moderators"


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
    # The sender's `message.new` event id, so an idempotent resend returns the same ack.
    sender_event_id = models.BigIntegerField(null=True, blank=True, editable=False)
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
    # Coalescing: while one unread notification with this key exists, notify() adds none
    # (e.g. "conversation:<sender id>", so a burst of 50 messages is one notification).
    coalesce_key = models.CharField(max_length=100, null=True, blank=True)

    class Meta:
        db_table = "notifications"
        constraints = [
            legacy_id_unique(),
            choices_check("type", NotificationType),
            models.UniqueConstraint(
                fields=["user", "coalesce_key"],
                condition=Q(read=False, coalesce_key__isnull=False),
                name="notifications_unread_coalesce_uniq",
            ),
        ]
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

    # No single-column indexes: connection_pair_uniq and connection_outgoing_idx lead with
    # user_id, connection_incoming_idx with connected_user_id (and serve the FK checks).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="connections_requested",
        db_index=False,
    )
    connected_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="connections_received",
        db_index=False,
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


class EventStream(models.Model):
    """One row per user: the last event id handed out to that user.

    Event ids are allocated by bumping this row inside the transaction that writes the
    events. The row lock is held until commit, so a second writer for the same user waits
    and reads the committed value: per user, ids grow in commit order and have no gaps
    (a rolled-back bump rolls back with its events). docs/realtime-protocol.md#ordering.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
    )
    last_event_id = models.BigIntegerField(default=0, db_default=0)

    class Meta:
        db_table = "realtime_event_streams"

    def __str__(self) -> str:
        return f"stream of {self.user_id} at {self.last_event_id}"


class Event(models.Model):
    """A durable event for one user: what a reconnecting socket replays.

    `payload` is the frame without `event_id` (added when the frame is sent), so a replayed
    frame is byte-for-byte the frame that was pushed live. Trimmed after
    REALTIME_EVENT_RETENTION_DAYS by a beat job.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    event_id = models.BigIntegerField()
    type = models.CharField(max_length=40)
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_default=Now())

    class Meta:
        db_table = "realtime_events"
        constraints = [
            # Also the index every replay reads: (user, event_id > N) in order.
            models.UniqueConstraint(fields=["user", "event_id"], name="realtime_event_user_id_uniq")
        ]
        indexes = [models.Index(fields=["created_at"], name="realtime_events_created_idx")]

    def __str__(self) -> str:
        return f"{self.type} #{self.event_id} for {self.user_id}"


class NotificationPreference(models.Model):
    """Per-type choice of in-app and email delivery; a missing row means the defaults."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_prefs"
    )
    type = models.CharField(max_length=32, choices=NotificationType.choices)
    in_app = models.BooleanField(default=True, db_default=True)
    email = models.BooleanField(default=True, db_default=True)
    updated_at = models.DateTimeField(auto_now=True, db_default=Now())

    class Meta:
        db_table = "realtime_notification_preferences"
        constraints = [
            models.UniqueConstraint(fields=["user", "type"], name="notification_pref_uniq"),
            choices_check("type", NotificationType),
        ]

    def __str__(self) -> str:
        return f"{self.type} prefs of {self.user_id}"


class MessageEmailState(models.Model):
    """Where a user's unread-message email digest stands.

    `due_at` is set by the first unread message after a digest (the task is enqueued
    then, once per burst, not once per message); `last_emailed_message_id` lets the next
    digest batch only what came after the previous one.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    due_at = models.DateTimeField(null=True, blank=True)
    last_emailed_message_id = models.BigIntegerField(default=0, db_default=0)
    last_emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "realtime_message_email_state"

    def __str__(self) -> str:
        return f"email state of {self.user_id}"
