"""A day's premium rotation (directory/services/search_index.py) leaves the search indexes
as fast as it found them: what it rewrote is vacuumed. Transactional: VACUUM cannot run
inside a test's transaction."""

from __future__ import annotations

import datetime as dt
import logging

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from directory.services import search_index
from directory.services.search_index import search_rotation_refresh
from tests.factories import StudioFactory
from tests.support.processes import live_database_url


def _pending_index_pages() -> int:
    """The pages waiting in the pending lists of studio_search's GIN indexes (read by
    merging them: the count gin_clean_pending_list returns)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(gin_clean_pending_list(c.oid)), 0) FROM pg_index i"
            " JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam"
            " WHERE i.indrelid = 'studio_search'::regclass AND a.amname = 'gin'"
        )
        return int(cursor.fetchone()[0])


@pytest.mark.django_db(transaction=True)
def test_a_days_rotation_leaves_no_index_entries_pending():
    """The rotation rewrites every premium row, so every index of studio_search gets new
    entries; a GIN keeps them in a pending list that each text search scans until a vacuum
    merges it (at a million studios, text searches around a centre went from p95 9 to
    198 ms). The rotation vacuums what it rewrote: nothing is left pending."""
    StudioFactory.create_batch(30, is_premium=True, name="Quiet Fox Booth")
    _pending_index_pages()  # the studios' own entries merged: only the rotation's count
    tomorrow = timezone.now().date() + dt.timedelta(days=1)
    assert search_rotation_refresh(day=tomorrow) == 30
    assert _pending_index_pages() == 0


@pytest.mark.django_db(transaction=True)
def test_a_vacuum_that_cannot_start_leaves_the_rotation_stored(monkeypatch, caplog):
    """Another session holds the table's vacuum lock (a vacuum of its own, an index being
    built): the rotation's vacuum gives up after its lock timeout, logs it, and the
    rotation — committed before — is still reported, not raised as a failed task."""
    StudioFactory.create_batch(3, is_premium=True)
    monkeypatch.setattr(search_index, "VACUUM_LOCK_TIMEOUT", "200ms")
    day = dt.date(2031, 5, 1)  # a day no other test stores
    with psycopg.connect(live_database_url()) as other, other.transaction():
        other.execute("LOCK TABLE studio_search IN SHARE UPDATE EXCLUSIVE MODE")
        with caplog.at_level(logging.WARNING, logger=search_index.__name__):
            assert search_rotation_refresh(day=day) == 3
    assert "its vacuum failed" in caplog.text
    with connection.cursor() as cursor:
        cursor.execute("SELECT seed FROM studio_search_rotation")
        assert cursor.fetchone()[0].endswith(day.isoformat())
        cursor.execute("SHOW lock_timeout")
        assert cursor.fetchone()[0] == "0"  # the connection's own setting back
