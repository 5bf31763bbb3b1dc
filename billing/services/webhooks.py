"""Webhook intake (store once, answer at once) and processing (exactly once in effect).

Intake: one INSERT ... ON CONFLICT DO NOTHING on the event id; only a new row asks, after
commit, for a drain (`tasks.stripe.drain_events`), enqueued only when none is pending (a
short-lived Redis flag, SET NX, cleared by the drain as it starts). A drain takes RECEIVED
events one at a time (FOR UPDATE SKIP LOCKED, each in its own transaction) and applies
each as `tasks.stripe.process_event` does for one. Processing first takes the event in a
statement that commits at once and counts a run as open (`open_runs`); then it claims the
event in one statement (locks the row, skips it when already PROCESSED or IGNORED, writes
PROCESSED or IGNORED and closes the runs), applies it, and commits the claim with the
effects, so a worker killed mid-way leaves the event as it was (RECEIVED, one more open
run) for the redelivered task, and a duplicate task finds it done. A failing handler rolls
everything back and the failure is recorded in a second transaction. An event whose runs
died `STRIPE_EVENT_MAX_LOST_RUNS` times (a poison event) is abandoned FAILED by the take.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import stripe
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from common.errors import ValidationFailed
from common.jobs import enqueue_now, enqueue_on_commit_with_options
from common.redis_client import redis_client
from moderation.models import AuditTargetType
from moderation.services import audit_record

from ..models import PendingSubscription, StripeCustomer, StripeEvent, WebhookEventStatus
from ..stripe_api import is_transient
from .notices import notice_send_once
from .refunds import refund_sync, refunds_sync_for_payment_intent
from .subscriptions import (
    subscription_read_after,
    subscription_set_latest_payment,
    subscription_sync,
)

logger = logging.getLogger(__name__)

PROCESS_TASK = "tasks.stripe.process_event"
DRAIN_TASK = "tasks.stripe.drain_events"
# Set while a drain is queued and not yet started; its TTL bounds a lost flag (the sweeper
# covers the rest: RECEIVED events older than a minute get a drain).
DRAIN_FLAG = "billing:stripe-drain-pending"
DRAIN_FLAG_TTL = 30


class BadSignature(ValidationFailed):
    code = "bad_signature"
    message = "The Stripe-Signature header is missing, invalid or too old."


def webhook_event_receive(*, payload: bytes, signature: str | None) -> tuple[bool, str]:
    """Verify, store once, enqueue: (stored now, event id). Duplicates store nothing."""
    if not signature or not settings.STRIPE_WEBHOOK_SECRET:
        raise BadSignature()
    try:
        stripe.WebhookSignature.verify_header(
            payload.decode("utf-8"),
            signature,
            settings.STRIPE_WEBHOOK_SECRET,
            settings.STRIPE_WEBHOOK_TOLERANCE,
        )
    except (stripe.SignatureVerificationError, UnicodeDecodeError) as exc:
        raise BadSignature() from exc
    try:
        event = json.loads(payload)
        event_id, event_type = str(event["id"]), str(event["type"])
        created = datetime.fromtimestamp(int(event["created"]), tz=UTC)
    except (ValueError, KeyError, TypeError) as exc:
        raise ValidationFailed("The event is not a Stripe event.", code="bad_event") from exc
    # One statement in autocommit (no BEGIN/COMMIT round trips): the INSERT is its own
    # transaction, so "on commit" is right after it (or the caller's commit, if any).
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO billing_stripe_events "
            "(stripe_event_id, type, api_version, stripe_created, payload, status, error, "
            "attempts, received_at) VALUES (%s, %s, %s, %s, %s, %s, '', 0, now()) "
            "ON CONFLICT (stripe_event_id) DO NOTHING RETURNING id",
            [
                event_id,
                event_type[:100],
                str(event.get("api_version") or "")[:64],
                created,
                payload.decode("utf-8"),
                WebhookEventStatus.RECEIVED,
            ],
        )
        row = cursor.fetchone()
    if row is not None:
        transaction.on_commit(stripe_events_drain_request)
    return row is not None, event_id


def _drain_flag_set() -> bool:
    """SET NX on the process's pooled Redis client (Django's cache is per thread under
    ASGI: through it, intake paid about a third of its throughput); the cache where there
    is no Redis (embedded mode)."""
    if not settings.REDIS_URL:
        return cache.add(DRAIN_FLAG, 1, timeout=DRAIN_FLAG_TTL)
    return bool(redis_client().set(cache.make_key(DRAIN_FLAG), 1, nx=True, ex=DRAIN_FLAG_TTL))


def _drain_flag_clear() -> None:
    if not settings.REDIS_URL:
        cache.delete(DRAIN_FLAG)
    else:
        redis_client().delete(cache.make_key(DRAIN_FLAG))


def stripe_events_drain_request() -> bool:
    """Enqueue a drain unless one is already queued and not started; whether it did."""
    if not _drain_flag_set():
        return False
    enqueue_now(DRAIN_TASK)
    return True


# --- processing ------------------------------------------------------------------------


def _checkout_completed(obj: dict[str, Any], created: datetime) -> None:
    meta = obj.get("metadata") or {}
    if obj.get("customer") and meta.get("user_id"):
        StripeCustomer.objects.get_or_create(
            user_id=int(meta["user_id"]), defaults={"stripe_customer_id": obj["customer"]}
        )
    if obj.get("mode") == "subscription" and obj.get("subscription"):
        sub = subscription_sync(
            stripe_subscription_id=obj["subscription"], hint=meta, event_created=created
        )
        PendingSubscription.objects.filter(subscription=sub, stripe_session_id=None).update(
            stripe_session_id=obj["id"], updated_at=timezone.now()
        )


def _nothing(obj: dict[str, Any], created: datetime) -> None:
    """An abandoned checkout changes nothing of ours (no row was made for it)."""


def _subscription_event(obj: dict[str, Any], created: datetime) -> None:
    if subscription_read_after(stripe_subscription_id=obj["id"], event_created=created):
        return  # our row holds this event's effect or newer: no lock, no read, no write
    subscription_sync(
        stripe_subscription_id=obj["id"], hint=obj.get("metadata"), event_created=created
    )


def _invoice_subscription(obj: dict[str, Any]) -> str | None:
    """API 2026-10-28: `parent.subscription_details.subscription`."""
    parent = obj.get("parent") or {}
    return (parent.get("subscription_details") or {}).get("subscription")


def _invoice_payment_intent(obj: dict[str, Any]) -> str | None:
    for payment in (obj.get("payments") or {}).get("data") or []:
        inner = payment.get("payment") or {}
        if inner.get("type") == "payment_intent" and payment.get("status") == "paid":
            return inner.get("payment_intent")
    return None


def _money(amount: int, currency: str) -> str:
    return f"{amount / 100:.2f} {currency.upper()}"


def _invoice_paid(obj: dict[str, Any], created: datetime) -> None:
    sub_id = _invoice_subscription(obj)
    if not sub_id:
        return
    sub = subscription_sync(stripe_subscription_id=sub_id, event_created=created)
    subscription_set_latest_payment(sub=sub, payment_intent_id=_invoice_payment_intent(obj))
    amount = _money(obj.get("amount_paid") or 0, obj.get("currency") or "usd")
    notice_send_once(
        key=f"invoice.paid:{obj['id']}",
        user=sub.user,
        type="PAYMENT_SUCCESS",
        title="Payment received",
        message=f"Thank you: we received {amount} for your premium listing.",
        email_subject="Your Studio Finder receipt",
        email_body=(
            f"We received {amount} for your premium listing (invoice {obj['id']}).\n"
            f"Receipt: {obj.get('hosted_invoice_url') or ''}"
        ),
        data={"invoice_id": obj["id"], "subscription_id": sub.pk},
    )


def _invoice_failed(obj: dict[str, Any], created: datetime) -> None:
    sub_id = _invoice_subscription(obj)
    if not sub_id:
        return
    sub = subscription_sync(stripe_subscription_id=sub_id, event_created=created)
    amount = _money(obj.get("amount_due") or 0, obj.get("currency") or "usd")
    notice_send_once(
        key=f"invoice.payment_failed:{obj['id']}",
        user=sub.user,
        type="PAYMENT_FAILED",
        title="Payment failed",
        message=f"We could not take {amount} for your premium listing. Update your card.",
        email_subject="Your Studio Finder payment failed",
        email_body=(
            f"We could not take {amount} for your premium listing (invoice {obj['id']}). "
            "Update your payment method from your billing page."
        ),
        data={"invoice_id": obj["id"], "subscription_id": sub.pk},
    )


def _charge_refunded(obj: dict[str, Any], created: datetime) -> None:
    if obj.get("payment_intent"):
        refunds_sync_for_payment_intent(payment_intent_id=obj["payment_intent"])


def _refund_event(obj: dict[str, Any], created: datetime) -> None:
    refund_sync(stripe_refund_id=obj["id"])


HANDLERS: dict[str, Callable[[dict[str, Any], datetime], None]] = {
    "checkout.session.completed": _checkout_completed,
    "checkout.session.expired": _nothing,
    "customer.subscription.created": _subscription_event,
    "customer.subscription.updated": _subscription_event,
    "customer.subscription.deleted": _subscription_event,
    "invoice.paid": _invoice_paid,
    "invoice.payment_failed": _invoice_failed,
    "charge.refunded": _charge_refunded,
    "refund.created": _refund_event,
    "refund.updated": _refund_event,
    "refund.failed": _refund_event,
}


class TransientStripeError(Exception):
    """Stripe was unreachable: the event stays FAILED and the task retries it."""

    def __init__(self, message: str = "", *, event_pk: int | None = None) -> None:
        super().__init__(message)
        self.event_pk = event_pk


def stripe_event_process(*, event_pk: int) -> str:
    """Apply one stored event, once in effect; its resulting status (FAILED without applying
    it when `STRIPE_EVENT_MAX_LOST_RUNS` runs of it died unfinished)."""
    return _event_apply(event_pk=event_pk, actor=None, always=False)[1]


def _event_target(event: StripeEvent) -> tuple[AuditTargetType, str]:
    """What an event is about, for the audit log: a refund, else a subscription (Stripe ids)."""
    obj = (event.payload.get("data") or {}).get("object") or {}
    if event.type.startswith("refund."):
        return AuditTargetType.REFUND, str(obj.get("id") or event.stripe_event_id)
    if event.type.startswith("customer.subscription."):
        return AuditTargetType.SUBSCRIPTION, str(obj.get("id") or event.stripe_event_id)
    sub = obj.get("subscription") or _invoice_subscription(obj)
    return AuditTargetType.SUBSCRIPTION, str(sub or event.stripe_event_id)


# The claim: lock the event row, skip it when done, and record its outcome in one statement
# (PROCESSED for a type we handle, IGNORED otherwise), inside the transaction that applies
# the event, and closes its open runs (`open_runs = 0`). A second worker's claim waits on
# the row lock and then finds the event done (a drain's skips the row instead: another run
# has it); a worker killed before COMMIT leaves the row as it was. The sub-select returns
# the row's values before the update, for the admin's audit entry.
_CLAIM_SQL = (
    "UPDATE billing_stripe_events AS e SET "
    "status = CASE WHEN e.type = ANY(%s) THEN %s ELSE %s END, "
    "error = '', attempts = e.attempts + 1, open_runs = 0, processed_at = clock_timestamp() "
    "FROM (SELECT id, status, error, attempts FROM billing_stripe_events "
    "WHERE id = %s FOR UPDATE{skip}) AS old "
    "WHERE e.id = old.id AND old.status NOT IN (%s, %s) "
    "RETURNING e.stripe_event_id, e.type, e.payload, e.stripe_created, e.status, "
    "e.attempts, e.processed_at, old.status, old.error, old.attempts"
)


def _event_claim(
    event_pk: int, *, skip_locked: bool = False
) -> tuple[StripeEvent, dict[str, Any]] | None:
    """Claim an event not yet PROCESSED or IGNORED, its outcome already written (call in the
    transaction that applies it): (the event as now, its status, error and attempts
    before), or None when it is done or missing (or, with `skip_locked`, held by another
    run: a drain goes on instead of waiting)."""
    with connection.cursor() as cursor:
        cursor.execute(
            _CLAIM_SQL.format(skip=" SKIP LOCKED" if skip_locked else ""),
            [
                list(HANDLERS),
                WebhookEventStatus.PROCESSED,
                WebhookEventStatus.IGNORED,
                event_pk,
                WebhookEventStatus.PROCESSED,
                WebhookEventStatus.IGNORED,
            ],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    event_id, type_, payload, created, status, attempts, processed_at, *old = row
    event = StripeEvent(
        pk=event_pk,
        stripe_event_id=event_id,
        type=type_,
        payload=json.loads(payload) if isinstance(payload, str | bytes) else payload,
        stripe_created=created,
        status=status,
        error="",
        attempts=attempts,
        processed_at=processed_at,
    )
    return event, {"status": old[0], "error": old[1], "attempts": old[2]}


# The take: before the apply, one statement on its own (autocommit: its own transaction,
# committed when it returns) opens a run (`open_runs + 1`), so a worker that dies applying
# the event (OOM, segfault, SIGKILL) leaves the run counted; the apply's claim, or the
# recorded failure, sets it back to 0. An event whose open runs already reached the limit
# is not applied again: the same statement marks it FAILED (a poison event). Its commit
# need not wait for the WAL flush (synchronous_commit off for this transaction only: a
# PostgreSQL crash could forget one open run, never an effect; the apply's own commit
# flushes it anyway). `old` picks the row and says what it had: the next RECEIVED event no
# other transaction holds (a drain), one event not yet done (a task), or one event whose
# count starts again at this run (the admin's reprocess, which always applies).
_TAKE_SQL = (
    "UPDATE billing_stripe_events AS e SET "
    "open_runs = CASE WHEN old.abandon THEN old.runs ELSE old.runs + 1 END, "
    "status = CASE WHEN old.abandon THEN %(failed)s ELSE e.status END, "
    "error = CASE WHEN old.abandon THEN 'abandoned after ' || old.runs || "
    "CASE WHEN old.runs = 1 THEN ' run' ELSE ' runs' END || "
    "' that never finished (the worker died applying it)' ELSE e.error END, "
    "attempts = CASE WHEN old.abandon THEN e.attempts + 1 ELSE e.attempts END, "
    "processed_at = CASE WHEN old.abandon THEN clock_timestamp() ELSE e.processed_at END "
    "FROM ({old}) AS old WHERE e.id = old.id "
    "RETURNING e.id, e.stripe_event_id, old.abandon, old.runs, "
    "set_config('synchronous_commit', 'off', true)"
)
_TAKE_NEXT = (
    "SELECT id, open_runs AS runs, open_runs >= %(limit)s AS abandon "
    "FROM billing_stripe_events WHERE status = %(received)s "
    "ORDER BY received_at LIMIT 1 FOR UPDATE SKIP LOCKED"
)
_TAKE_BY_PK = (
    "SELECT id, {runs} AS runs, {abandon} AS abandon "
    "FROM billing_stripe_events WHERE id = %(pk)s AND status NOT IN (%(processed)s, %(ignored)s) "
    "FOR UPDATE"
)
_TAKE_ONE = _TAKE_BY_PK.format(runs="open_runs", abandon="open_runs >= %(limit)s")
_TAKE_AGAIN = _TAKE_BY_PK.format(runs="0", abandon="FALSE")


def _event_take(*, event_pk: int | None, always: bool) -> tuple[int, str, bool, int] | None:
    """Open a run of an event, committed before anything else: (its pk, its Stripe id,
    whether it was abandoned instead, the runs that never finished before this one), or
    None when there is nothing to take (no RECEIVED event free; this one done or missing).
    Without `event_pk`, the next RECEIVED event; `always` (the admin's reprocess): the count
    starts again and the event is never abandoned. Call outside any transaction."""
    if event_pk is None:
        sql = _TAKE_SQL.format(old=_TAKE_NEXT)
    else:
        sql = _TAKE_SQL.format(old=_TAKE_AGAIN if always else _TAKE_ONE)
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                "failed": WebhookEventStatus.FAILED,
                "limit": settings.STRIPE_EVENT_MAX_LOST_RUNS,
                "received": WebhookEventStatus.RECEIVED,
                "processed": WebhookEventStatus.PROCESSED,
                "ignored": WebhookEventStatus.IGNORED,
                "pk": event_pk,
            },
        )
        row = cursor.fetchone()
    return None if row is None else (row[0], row[1], row[2], row[3])


def stripe_events_drain(*, max_events: int, max_seconds: float) -> tuple[int, bool]:
    """Apply RECEIVED events one at a time, each in its own transaction, until none is left
    or a budget is spent: (events taken, whether the budget ended it). Rows another drain
    holds are skipped, never waited on. A failing event is recorded FAILED (as for one
    event's task) and the drain goes on; a transient failure is retried by a
    `process_event` task, as that task's own first retry."""
    _drain_flag_clear()  # an event stored from now on asks for the next drain
    deadline = time.monotonic() + max_seconds
    taken = 0
    while taken < max_events and time.monotonic() < deadline:
        try:
            event_pk, _ = _event_process_next()
        except TransientStripeError as exc:
            event_pk = exc.event_pk
            enqueue_on_commit_with_options(
                PROCESS_TASK, args=(event_pk,), countdown=random.uniform(0, 5), retries=1
            )
        if event_pk is None:
            return taken, False
        taken += 1
    return taken, True


def stripe_events_stuck_drain(*, older_than_seconds: int = 60) -> bool:
    """The safety net: a drain for RECEIVED events older than a minute (a lost flag or
    task); whether one was asked for."""
    since = timezone.now() - timedelta(seconds=older_than_seconds)
    stuck = StripeEvent.objects.filter(status=WebhookEventStatus.RECEIVED, received_at__lt=since)
    if not stuck.exists():
        return False
    enqueue_now(DRAIN_TASK)
    return True


def _event_process_next() -> tuple[int | None, str]:
    """The next RECEIVED event nobody holds, processed: (its pk, its status), or None."""
    return _event_apply(event_pk=None, actor=None, always=False)


def _event_status(event_pk: int) -> str:
    """What an event nobody could take or claim now is: done, held or "missing"."""
    status = StripeEvent.objects.filter(pk=event_pk).values_list("status", flat=True).first()
    return status or "missing"


def _event_apply(
    *, event_pk: int | None, actor: Any | None, always: bool
) -> tuple[int | None, str]:
    """Take the event (a run opened and committed; a poison event abandoned FAILED there),
    then claim it (its outcome written, its open runs closed), apply it and commit, in one
    transaction (no savepoint: the happy path is the hot one). A handler that raises rolls
    all of it back; the failure is then recorded by `_event_failed` in a transaction of its
    own. Without `event_pk`, the next RECEIVED event no other transaction holds (None when
    there is none)."""
    taken = _event_take(event_pk=event_pk, always=always)
    if taken is None:
        if event_pk is None:
            return None, "empty"
        return event_pk, _event_status(event_pk)
    # A drain's take commits before its claim locks the row: another drain may take the
    # same event in between (its open run is then closed by whichever claim applies it);
    # its claim skips the row instead of waiting, as the take would have.
    drain = event_pk is None
    event_pk, stripe_event_id, abandoned, runs = taken
    if abandoned:
        logger.error(
            "stripe event %s (%s) abandoned FAILED after %s runs that never finished "
            "(the worker died applying it); the admin's Reprocess applies it",
            stripe_event_id,
            event_pk,
            runs,
        )
        return event_pk, WebhookEventStatus.FAILED
    try:
        with transaction.atomic(durable=True):
            claimed = _event_claim(event_pk, skip_locked=drain)
            if claimed is None:
                return event_pk, _event_status(event_pk)
            event, before = claimed
            handler = HANDLERS.get(event.type)
            if handler is not None:
                handler(event.payload["data"]["object"], event.stripe_created)
            _event_audit(event, before=before, actor=actor)
            return event_pk, event.status
    except Exception as exc:  # recorded on the row, shown in the admin
        logger.warning("stripe event %s failed: %r", event_pk, exc)
        cause = exc.__cause__
        transient = is_transient(exc) or (cause is not None and is_transient(cause))
        status = _event_failed(event_pk=event_pk, error=repr(exc)[:2000], actor=actor)
        if transient and status == WebhookEventStatus.FAILED:
            raise TransientStripeError(str(exc), event_pk=event_pk) from exc
        return event_pk, status


def _event_failed(*, event_pk: int, error: str, actor: Any | None) -> str:
    """Record a failure, unless another run has applied the event meanwhile."""
    with transaction.atomic(durable=True):
        event = StripeEvent.objects.select_for_update().get(pk=event_pk)
        if event.status in (WebhookEventStatus.PROCESSED, WebhookEventStatus.IGNORED):
            return event.status
        before = {"status": event.status, "error": event.error, "attempts": event.attempts}
        event.status, event.error = WebhookEventStatus.FAILED, error
        event.attempts += 1
        event.open_runs = 0  # this run finished: it failed
        event.processed_at = timezone.now()
        event.save(update_fields=["status", "error", "attempts", "open_runs", "processed_at"])
        _event_audit(event, before=before, actor=actor)
        return event.status


def _event_audit(event: StripeEvent, *, before: dict[str, Any], actor: Any | None) -> None:
    """The admin's reprocess, audited when it changed the event's status."""
    if actor is not None and event.status != before["status"]:
        target_type, target_id = _event_target(event)
        audit_record(
            actor=actor,
            action="stripe_event.reprocess",
            target_type=target_type,
            target_id=target_id,
            target_label=f"{event.type} {event.stripe_event_id}",
            before=before,
            after={"status": event.status, "error": event.error, "attempts": event.attempts},
        )


def stripe_event_reprocess(*, event_pk: int, actor: Any | None = None) -> str:
    """The admin's "reprocess": a FAILED (or stuck RECEIVED) event goes through again, once,
    even one abandoned as a poison event: its count of open runs starts again at this run.

    When it changes the event's status, the admin's action is audited in the same
    transaction; a no-op (already done, or failing the same way) leaves no entry.
    """
    return _event_apply(event_pk=event_pk, actor=actor, always=True)[1]
