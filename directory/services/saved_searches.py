"""Saved searches and their alerts.

A saved search is a name and a filter set, validated by the search's own validator. Each
night, every user with alerts on gets one digest email listing, per saved search, the
ACTIVE studios that went live since that search's last alert — and no email when nothing
is new. Every digest carries signed one-click unsubscribe links (RFC 8058 headers too).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import User
from common.errors import Conflict, NotFound, ValidationFailed
from common.jobs import enqueue_on_commit
from directory.models import SavedSearch, Studio
from directory.search.filters import search_url, validate_search_filters
from directory.selectors.places import PlaceLookupUnavailable
from directory.selectors.saved_searches import new_studios_for, users_with_alerts

logger = logging.getLogger(__name__)

DIGEST_TASK = "tasks.saved_searches.send_saved_search_digest"
UNSUBSCRIBE_SALT = "directory.saved-search-unsubscribe"
STUDIOS_PER_SEARCH = 10


# --- The user's saved searches ----------------------------------------------------------------


def _filters(filters: Any) -> dict[str, Any]:
    try:
        return validate_search_filters(filters)
    except ValidationFailed as error:
        raise ValidationFailed(error.message, fields={"filters": error.fields}) from None


def saved_search_create(
    *, user: User, name: str, filters: dict[str, Any], alerts_enabled: bool = True
) -> SavedSearch:
    filters = _filters(filters)
    with transaction.atomic():
        # Serialise a user's creates so two parallel ones cannot both pass the cap.
        User.objects.select_for_update().filter(pk=user.pk).first()
        if SavedSearch.objects.filter(user=user).count() >= settings.SAVED_SEARCH_MAX_PER_USER:
            raise Conflict(
                f"You can keep {settings.SAVED_SEARCH_MAX_PER_USER} saved searches; "
                "delete one first.",
                code="too_many_saved_searches",
            )
        return SavedSearch.objects.create(
            user=user, name=name, filters=filters, alerts_enabled=alerts_enabled
        )


def saved_search_update(*, saved_search: SavedSearch, data: dict[str, Any]) -> SavedSearch:
    changed = []
    if "filters" in data:
        data = {**data, "filters": _filters(data["filters"])}
    for field in ("name", "filters", "alerts_enabled"):
        if field in data and getattr(saved_search, field) != data[field]:
            setattr(saved_search, field, data[field])
            changed.append(field)
    if changed:
        with transaction.atomic():
            saved_search.save(update_fields=[*changed, "updated_at"])
    return saved_search


def saved_search_delete(*, saved_search: SavedSearch) -> None:
    with transaction.atomic():
        saved_search.delete()


# --- Unsubscribing ---------------------------------------------------------------------------


def unsubscribe_token(*, user_id: int, saved_search_id: int | None = None) -> str:
    """Signed (SECRET_KEY, salted): only we can make one. It does not expire, as an
    unsubscribe link must work however old the email is."""
    return signing.dumps({"u": user_id, "s": saved_search_id}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(*, user_id: int, saved_search_id: int | None = None) -> str:
    token = unsubscribe_token(user_id=user_id, saved_search_id=saved_search_id)
    return settings.SITE_URL + reverse("saved-search-unsubscribe", args=[token])


def read_unsubscribe_token(token: str) -> dict[str, int | None]:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise NotFound("This unsubscribe link is not valid.") from None
    return {"user_id": data["u"], "saved_search_id": data["s"]}


def saved_search_unsubscribe(*, token: str) -> int:
    """Turn off the alerts the link names (one search, or all of the user's); idempotent.

    Returns how many searches were turned off by this call."""
    target = read_unsubscribe_token(token)
    searches = SavedSearch.objects.filter(user_id=target["user_id"], alerts_enabled=True)
    if target["saved_search_id"] is not None:
        searches = searches.filter(pk=target["saved_search_id"])
    with transaction.atomic():
        return searches.update(alerts_enabled=False)


# --- Nightly alerts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DigestSection:
    saved_search: SavedSearch
    studios: list[Studio]
    total: int
    search_url: str
    unsubscribe_url: str

    @property
    def more(self) -> int:
        return self.total - len(self.studios)


def saved_search_alerts_enqueue(*, until: dt.datetime) -> int:
    """Fan out one digest task per user with alerts on; returns how many."""
    count = 0
    for user_id in users_with_alerts():
        enqueue_on_commit(DIGEST_TASK, user_id, until.isoformat())
        count += 1
    logger.info("saved-search alerts: %s digests enqueued up to %s", count, until.isoformat())
    return count


def _send_digest(user: User, sections: list[DigestSection]) -> None:
    total = sum(section.total for section in sections)
    all_off = unsubscribe_url(user_id=user.pk)
    context = {
        "user": user,
        "sections": sections,
        "total": total,
        "site_url": settings.SITE_URL,
        "unsubscribe_all_url": all_off,
    }
    subject = (
        f"{total} new studio{'s' if total != 1 else ''} for your saved "
        f"search{'es' if len(sections) != 1 else ''}"
    )
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("directory/email/saved_search_digest.txt", context),
        to=[user.email],
        headers={
            # RFC 2369 + RFC 8058: mail clients show an "Unsubscribe" button that POSTs here.
            "List-Unsubscribe": f"<{all_off}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(
        render_to_string("directory/email/saved_search_digest.html", context), "text/html"
    )
    message.send()


def saved_search_digest_send(*, user_id: int, until: dt.datetime) -> int:
    """One user's digest of studios new in each of their searches up to `until`.

    Idempotent for a given `until`: each search's window ends there and last_alerted_at
    moves to it, so a second run finds nothing and sends nothing. The email is sent before
    the commit: if sending fails, nothing moves and the task retries (at-least-once).
    Returns how many studios the email announced (0: no email). Durable: that reasoning
    needs this to be the real commit, never a savepoint of some caller's transaction.
    """
    with transaction.atomic(durable=True):
        user = User.objects.filter(pk=user_id, is_active=True).first()
        if user is None or not user.email or not user.email_verified or user.is_suspended:
            return 0
        searches = list(
            SavedSearch.objects.select_for_update()
            .filter(user=user, alerts_enabled=True)
            .order_by("created_at", "id")
        )
        sections, done = [], []
        for saved_search in searches:
            since = saved_search.last_alerted_at or saved_search.created_at
            if since >= until:
                continue
            try:
                studios, total = new_studios_for(
                    saved_search=saved_search, since=since, until=until, limit=STUDIOS_PER_SEARCH
                )
            except PlaceLookupUnavailable:
                # Its place could not be resolved now: its window stays open for tomorrow.
                logger.warning("saved search %s skipped: geocoder unavailable", saved_search.pk)
                continue
            done.append(saved_search.pk)
            if studios:
                sections.append(
                    DigestSection(
                        saved_search=saved_search,
                        studios=studios,
                        total=total,
                        search_url=search_url(saved_search.filters or {}),
                        unsubscribe_url=unsubscribe_url(
                            user_id=user.pk, saved_search_id=saved_search.pk
                        ),
                    )
                )
        if sections:
            _send_digest(user, sections)
        SavedSearch.objects.filter(pk__in=done).update(last_alerted_at=until)
    return sum(section.total for section in sections)
