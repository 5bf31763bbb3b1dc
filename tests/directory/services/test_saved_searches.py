"""Saved searches and their nightly digest: content, the nothing-new case, windows,
idempotence, and the signed unsubscribe links."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core import signing
from django.utils import timezone

from common.errors import Conflict, NotFound, ValidationFailed
from directory.models import SavedSearch, StudioStatus
from directory.services.saved_searches import (
    saved_search_create,
    saved_search_digest_send,
    saved_search_unsubscribe,
    saved_search_update,
    unsubscribe_token,
)
from tests.factories import SavedSearchFactory, StudioFactory, StudioTypeFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()
YESTERDAY = NOW - dt.timedelta(days=1)


def _published(hours_ago: float, **kwargs):
    studio = StudioFactory(status=StudioStatus.ACTIVE, **kwargs)
    studio.published_at = NOW - dt.timedelta(hours=hours_ago)
    studio.created_at = NOW - dt.timedelta(days=30)
    studio.save(update_fields=["published_at", "created_at"])
    return studio


def _search(user=None, **filters):
    search = SavedSearchFactory(user=user or UserFactory(), filters=filters or {"city": "Leeds"})
    SavedSearch.objects.filter(pk=search.pk).update(last_alerted_at=YESTERDAY)
    search.refresh_from_db()
    return search


# --- Saving ----------------------------------------------------------------------------------


def test_filters_are_saved_as_the_validator_normalises_them():
    search = saved_search_create(
        user=UserFactory(),
        name="Home studios in Leeds",
        filters={"city": " Leeds ", "studioTypes": "HOME,HOME", "verified": None},
    )
    assert search.filters == {"city": "Leeds", "studio_types": ["HOME"]}
    assert search.alerts_enabled is True


def test_bad_filters_are_refused_under_filters():
    with pytest.raises(ValidationFailed) as error:
        saved_search_create(user=UserFactory(), name="x", filters={"radius": 50})
    assert "radius" in error.value.fields["filters"]

    search = SavedSearchFactory()
    with pytest.raises(ValidationFailed):
        saved_search_update(saved_search=search, data={"filters": {"lat": 100, "lng": 0}})


def test_a_user_keeps_a_bounded_number(settings):
    settings.SAVED_SEARCH_MAX_PER_USER = 2
    user = UserFactory()
    for n in range(2):
        saved_search_create(user=user, name=f"s{n}", filters={})
    with pytest.raises(Conflict):
        saved_search_create(user=user, name="one too many", filters={})


# --- The digest ------------------------------------------------------------------------------


def test_one_digest_lists_the_new_matching_studios_of_every_search(mailoutbox, settings):
    settings.SITE_URL = "https://studios.example.com"
    user = UserFactory(display_name="Ada")
    leeds = _search(user, city="Leeds")
    homes = _search(user, studio_types=["HOME"])
    booth = _published(2, name="Leeds <Booth> & Co", city="Leeds")
    attic = _published(3, name="Attic", city="York")
    StudioTypeFactory(studio=attic, studio_type="HOME")
    _published(3, name="Elsewhere", city="York")  # matches neither search

    announced = saved_search_digest_send(user_id=user.pk, until=NOW)

    assert announced == 2
    (email,) = mailoutbox
    assert email.to == [user.email]
    assert email.subject == "2 new studios for your saved searches"
    text = email.body
    assert f"“{leeds.name}” — 1 new" in text
    assert "Leeds <Booth> & Co, Leeds" in text  # plain text: as typed
    assert f"https://studios.example.com/studios/{booth.pk}" in text
    assert f"“{homes.name}” — 1 new" in text
    assert "Attic, York" in text
    assert "Elsewhere" not in text
    html = email.alternatives[0][0]
    assert "Leeds &lt;Booth&gt; &amp; Co" in html  # HTML: escaped
    assert "<Booth>" not in html
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert email.extra_headers["List-Unsubscribe"].startswith(
        "<https://studios.example.com/saved-searches/unsubscribe/"
    )


def test_nothing_new_sends_nothing_but_moves_the_window(mailoutbox):
    search = _search(city="Leeds")
    _published(48, city="Leeds")  # before the last alert: old news
    _published(2, city="York")  # new, but not a match

    assert saved_search_digest_send(user_id=search.user_id, until=NOW) == 0

    assert mailoutbox == []
    search.refresh_from_db()
    assert search.last_alerted_at == NOW


def test_a_rerun_for_the_same_night_sends_nothing_more(mailoutbox):
    search = _search(city="Leeds")
    _published(2, city="Leeds")
    saved_search_digest_send(user_id=search.user_id, until=NOW)
    saved_search_digest_send(user_id=search.user_id, until=NOW)
    assert len(mailoutbox) == 1


def test_the_next_night_announces_only_what_came_after(mailoutbox):
    search = _search(city="Leeds")
    SavedSearch.objects.filter(pk=search.pk).update(last_alerted_at=NOW - dt.timedelta(hours=48))
    _published(30, city="Leeds", name="First")
    saved_search_digest_send(user_id=search.user_id, until=NOW - dt.timedelta(hours=24))
    _published(2, city="Leeds", name="Second")
    saved_search_digest_send(user_id=search.user_id, until=NOW)
    first, second = mailoutbox
    assert "First" in first.body
    assert "Second" not in first.body
    assert "Second" in second.body
    assert "First" not in second.body


def test_a_new_search_starts_from_when_it_was_saved(mailoutbox):
    user = UserFactory()
    search = SavedSearchFactory(user=user, filters={"city": "Leeds"})
    SavedSearch.objects.filter(pk=search.pk).update(created_at=NOW - dt.timedelta(hours=5))
    _published(10, city="Leeds", name="Before")
    _published(1, city="Leeds", name="After")
    saved_search_digest_send(user_id=user.pk, until=NOW)
    assert "After" in mailoutbox[0].body
    assert "Before" not in mailoutbox[0].body


@pytest.mark.parametrize(
    "kwargs",
    [
        {"status": StudioStatus.DRAFT},
        {"status": StudioStatus.PENDING},
        {"status": StudioStatus.INACTIVE},
        {"is_profile_visible": False},
    ],
)
def test_only_listed_studios_are_announced(mailoutbox, kwargs):
    search = _search(city="Leeds")
    studio = _published(2, city="Leeds")
    for field, value in kwargs.items():
        setattr(studio, field, value)
    studio.save()
    saved_search_digest_send(user_id=search.user_id, until=NOW)
    assert mailoutbox == []


def test_a_draft_published_today_is_new_today(mailoutbox):
    """published_at, not created_at: a studio that sat in DRAFT for a month is still news."""
    search = _search(city="Leeds")
    _published(2, city="Leeds", name="Late bloomer")  # created 30 days ago
    saved_search_digest_send(user_id=search.user_id, until=NOW)
    assert "Late bloomer" in mailoutbox[0].body


def test_ones_own_studios_are_not_news(mailoutbox):
    search = _search(city="Leeds")
    _published(2, city="Leeds", owner=search.user)
    saved_search_digest_send(user_id=search.user_id, until=NOW)
    assert mailoutbox == []


def test_a_radius_search_near_a_place(mailoutbox):
    search = _search(location="London", radius=50)
    _published(2, city="Reading", latitude=Decimal("51.4543"), longitude=Decimal("-0.9781"))
    _published(2, city="Birmingham", latitude=Decimal("52.4862"), longitude=Decimal("-1.8904"))
    saved_search_digest_send(user_id=search.user_id, until=NOW)
    assert "Reading" in mailoutbox[0].body
    assert "Birmingham" not in mailoutbox[0].body


def test_a_long_list_is_cut_with_a_link_to_the_rest(mailoutbox, settings):
    settings.SITE_URL = "https://studios.example.com"
    search = _search(city="Leeds")
    for n in range(13):
        _published(1 + n / 10, city="Leeds", name=f"Booth {n}")
    assert saved_search_digest_send(user_id=search.user_id, until=NOW) == 13
    body = mailoutbox[0].body
    assert body.count("/studios/") == 10
    assert "…and 3 more: https://studios.example.com/search?city=Leeds" in body


@pytest.mark.parametrize(
    "user_kwargs",
    [{"email_verified": False}, {"is_active": False}, {"is_suspended_indefinitely": True}],
)
def test_no_digest_to_unverified_inactive_or_suspended_users(mailoutbox, user_kwargs):
    search = _search(UserFactory(**user_kwargs), city="Leeds")
    _published(2, city="Leeds")
    saved_search_digest_send(user_id=search.user_id, until=NOW)
    assert mailoutbox == []


def test_searches_with_alerts_off_are_skipped(mailoutbox):
    search = _search(city="Leeds")
    SavedSearch.objects.filter(pk=search.pk).update(alerts_enabled=False)
    _published(2, city="Leeds")
    saved_search_digest_send(user_id=search.user_id, until=NOW)
    assert mailoutbox == []


# --- Unsubscribing ---------------------------------------------------------------------------


def test_the_links_in_the_digest_unsubscribe_one_search_or_all(mailoutbox):
    user = UserFactory()
    leeds, york = _search(user, city="Leeds"), _search(user, city="York")
    _published(2, city="Leeds")
    _published(2, city="York")
    saved_search_digest_send(user_id=user.pk, until=NOW)
    links = re.findall(r"/saved-searches/unsubscribe/(\S+)", mailoutbox[0].body)
    per_search, everything = links[0], links[-1]
    assert len(links) == 3

    assert saved_search_unsubscribe(token=per_search) == 1
    leeds.refresh_from_db()
    york.refresh_from_db()
    assert (leeds.alerts_enabled, york.alerts_enabled) == (False, True)

    assert saved_search_unsubscribe(token=everything) == 1
    assert saved_search_unsubscribe(token=everything) == 0  # idempotent
    assert not SavedSearch.objects.filter(user=user, alerts_enabled=True).exists()


def test_a_forged_or_altered_token_is_refused():
    search = _search(city="Leeds")
    forged = signing.dumps({"u": search.user_id, "s": None}, salt="something else")
    genuine = unsubscribe_token(user_id=search.user_id)
    altered = genuine[:-2] + ("AA" if not genuine.endswith("AA") else "BB")
    for token in (forged, altered, "nonsense"):
        with pytest.raises(NotFound):
            saved_search_unsubscribe(token=token)
    search.refresh_from_db()
    assert search.alerts_enabled is True
