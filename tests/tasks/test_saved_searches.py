"""The nightly saved-search job: scheduled by beat, fanned out per user, one email each."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from directory.models import StudioStatus
from tasks.saved_searches import (
    COMMIT_MARGIN,
    send_saved_search_alerts,
    send_saved_search_digest,
)
from tests.factories import SavedSearchFactory, StudioFactory, UserFactory
from tests.support.broker import queued_tasks

DIGEST = "tasks.saved_searches.send_saved_search_digest"


def test_beat_runs_the_alerts_every_night():
    entry = settings.CELERY_BEAT_SCHEDULE["saved-search-alerts"]
    assert entry["task"] == "tasks.saved_searches.send_saved_search_alerts"
    assert entry["schedule"].hour == {settings.SAVED_SEARCH_ALERT_HOUR}
    assert entry["schedule"].minute == {0}


@pytest.mark.django_db
def test_the_nightly_job_enqueues_one_digest_per_user_with_alerts(
    django_capture_on_commit_callbacks,
):
    alice, bob = UserFactory(), UserFactory()
    SavedSearchFactory.create_batch(2, user=alice)
    SavedSearchFactory(user=bob)
    SavedSearchFactory(alerts_enabled=False)
    SavedSearchFactory(user=UserFactory(is_active=False))

    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_saved_search_alerts.apply().get() == 2

    queued = queued_tasks()
    assert sorted(args[0] for name, args in queued if name == DIGEST) == [alice.pk, bob.pk]
    until = dt.datetime.fromisoformat(queued[0][1][1])
    assert until <= before - COMMIT_MARGIN + dt.timedelta(seconds=5)


@pytest.mark.django_db
def test_the_digest_task_sends_the_email(mailoutbox):
    search = SavedSearchFactory(filters={"city": "Leeds"})
    studio = StudioFactory(city="Leeds", status=StudioStatus.ACTIVE, name="Fresh Booth")
    studio.published_at = timezone.now()  # after the search was saved
    studio.save(update_fields=["published_at"])

    until = timezone.now().isoformat()
    assert send_saved_search_digest.apply(args=[search.user_id, until]).get() == 1
    assert send_saved_search_digest.apply(args=[search.user_id, until]).get() == 0  # redelivery
    (email,) = mailoutbox
    assert "Fresh Booth" in email.body
