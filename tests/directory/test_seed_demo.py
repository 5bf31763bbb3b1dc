"""`manage.py seed_demo`: deterministic, complete, valid, and the same on both backends."""

from __future__ import annotations

import hashlib
import json
import math
import subprocess
import sys
from collections import Counter
from datetime import datetime
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count, F, Q

from accounts.models import Role, User, UserProfile
from directory.demo_data import (
    ADMIN_PASSWORD,
    BASE_DATE,
    DEMO_PASSWORD,
    PINNED_USERNAME,
    Sizes,
    seed_demo,
)
from directory.demo_data.builder import BULK_TABLES
from directory.demo_data.dice import Dice
from directory.demo_data.gazetteer import CityPicker, cities, find_city
from directory.models import (
    Faq,
    Review,
    ReviewResponse,
    ReviewStatus,
    SavedSearch,
    Studio,
    StudioImage,
    StudioService,
    StudioStatus,
    StudioStudioType,
)
from realtime.models import (
    EventStream,
    Message,
    Notification,
    NotificationType,
    UserConnection,
)
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
SMALL = 40  # studios: enough for every kind of row, quick to load

SEEDED_MODELS = (
    User, EmailAddress, UserProfile, EventStream, Studio, StudioStudioType, StudioService,
    StudioImage, Review, ReviewResponse, UserConnection, Message, Notification, SavedSearch, Faq,
)  # fmt: skip


def _normalised(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    return value


def table_digests(exclude: frozenset[str] = frozenset()) -> dict[str, str]:
    """A SHA-256 of every seeded table's rows in id order, on whichever backend runs."""
    digests = {}
    for model in SEEDED_MODELS:
        columns = [f.attname for f in model._meta.concrete_fields if f.attname not in exclude]
        digest = hashlib.sha256()
        for row in model.objects.order_by("pk").values_list(*columns).iterator():
            digest.update(repr(tuple(_normalised(v) for v in row)).encode())
        digests[model._meta.db_table] = digest.hexdigest()
    return digests


def _digests_of_a_fresh_seed(**options) -> dict[str, str]:
    """Seed inside a savepoint, digest, roll back: the next call starts from empty again."""
    with transaction.atomic():
        call_command("seed_demo", verbosity=0, **options)
        digests = table_digests()
        transaction.set_rollback(True)
    assert not User.objects.exists()
    return digests


def _schema(tables) -> set[tuple[str, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)",
            [list(tables)],
        )
        indexes = set(cursor.fetchall())
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE conrelid::regclass::text = ANY(%s)",
            [list(tables)],
        )
        return indexes | set(cursor.fetchall())


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2, dlon = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    cos = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dlon)
    return 6371.0 * math.acos(min(1.0, max(-1.0, cos)))


@pytest.mark.django_db
def test_loads_into_an_empty_database_and_every_row_is_valid():
    call_command("seed_demo", seed=11, scale=SMALL, verbosity=0)

    connection.check_constraints()  # deferred foreign keys, checked now
    for model in SEEDED_MODELS:
        assert model.objects.exists(), model
        for instance in model.objects.all():
            # Field validators (URLs, emails, usernames, lengths); the database has already
            # enforced the unique and check constraints by accepting the rows.
            instance.full_clean(validate_unique=False, validate_constraints=False)
    assert Studio.objects.count() == SMALL
    assert UserProfile.objects.count() == User.objects.count() == Sizes.for_scale(SMALL).users
    # Every account has its event stream, as one made by signup has (realtime/signals.py).
    assert list(EventStream.objects.values_list("user_id", "last_event_id").order_by("pk")) == [
        (uid, 0) for uid in range(1, Sizes.for_scale(SMALL).users + 1)
    ]
    # Sequences moved past the explicit ids: the next row gets a fresh id.
    assert UserFactory().pk == User.objects.count()


@pytest.mark.django_db
def test_the_default_data_set_has_everything_the_site_shows():
    call_command("seed_demo", verbosity=0)

    studios = Studio.objects
    assert set(studios.values_list("status", flat=True)) == set(StudioStatus.values)
    assert studios.filter(status=StudioStatus.ACTIVE).count() > 0.75 * studios.count()
    assert studios.filter(is_premium=True).exists()
    assert studios.filter(is_verified=True).exists()
    assert studios.filter(latitude__isnull=True, longitude__isnull=True).exists()
    assert not studios.filter(Q(full_address=None) | Q(abbreviated_address=None)).exists()
    owners = User.objects.filter(role=Role.STUDIO_OWNER).annotate(n=Count("studios"))
    assert not owners.filter(n=0).exists()
    assert owners.filter(n__gt=1).exists()  # some own several studios
    assert StudioImage.objects.values("studio").distinct().count() < studios.count()

    pinned = User.objects.get(username=PINNED_USERNAME)
    assert pinned.profile.is_featured
    assert pinned.profile.is_spotlight
    assert pinned.studios.filter(status=StudioStatus.ACTIVE, is_premium=True).exists()
    featured_active = studios.filter(
        owner__profile__is_featured=True, status=StudioStatus.ACTIVE
    ).values("owner")
    assert featured_active.distinct().count() >= 6  # the homepage shows six
    assert UserProfile.objects.filter(show_email=True).exists()
    assert UserProfile.objects.filter(show_email=False).exists()

    demo, admin = User.objects.get(username="demo"), User.objects.get(username="admin")
    assert demo.check_password(DEMO_PASSWORD)
    assert demo.role == Role.STUDIO_OWNER
    assert admin.check_password(ADMIN_PASSWORD)
    assert admin.is_staff
    assert User.objects.exclude(pk=admin.pk).filter(password=demo.password).count() > 1

    reviews = Review.objects
    assert {ReviewStatus.APPROVED, ReviewStatus.PENDING} <= set(
        reviews.values_list("status", flat=True)
    )
    assert not reviews.filter(reviewer=F("studio__owner")).exists()
    assert not reviews.exclude(owner=F("studio__owner")).exists()
    assert ReviewResponse.objects.exists()
    assert not ReviewResponse.objects.exclude(author=F("review__studio__owner")).exists()
    assert reviews.filter(studio__owner=demo, status=ReviewStatus.PENDING).exists()

    connections = UserConnection.objects
    assert connections.filter(accepted=True).exists()
    assert connections.filter(accepted=False, accepted_at=None).exists()
    assert not connections.filter(
        Q(user=F("connected_user"))
        | Q(accepted=True, accepted_at=None)
        | Q(accepted=False, accepted_at__isnull=False)
    ).exists()
    pairs = set(connections.values_list("user_id", "connected_user_id"))
    assert not {(b, a) for a, b in pairs} & pairs  # never both directions for a pair
    assert connections.filter(connected_user=demo, accepted=False).exists()

    assert Message.objects.filter(is_read=True).exists()
    assert Message.objects.filter(receiver=demo, is_read=False).exists()
    assert not Message.objects.filter(sender=F("receiver")).exists()
    kinds = set(Notification.objects.values_list("type", flat=True))
    assert {NotificationType.MESSAGE_RECEIVED, NotificationType.CONNECTION_REQUEST} <= kinds
    assert len(kinds) >= 5
    assert Notification.objects.filter(user=demo, read=False).exists()
    assert Faq.objects.count() >= 8
    assert SavedSearch.objects.filter(user=demo).exists()

    for model in (User, Studio, Review, Message, Notification):  # from the base date, not now
        assert not model.objects.filter(created_at__gt=BASE_DATE).exists()


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_rows():
    first = _digests_of_a_fresh_seed(seed=5, scale=SMALL)
    second = _digests_of_a_fresh_seed(seed=5, scale=SMALL)

    assert first == second


@pytest.mark.django_db
def test_another_seed_gives_other_rows():
    one = _digests_of_a_fresh_seed(seed=5, scale=SMALL)
    other = _digests_of_a_fresh_seed(seed=6, scale=SMALL)

    assert one["studios"] != other["studios"]
    assert one["reviews"] != other["reviews"]
    assert one["faq"] == other["faq"]  # the FAQ is fixed text


@pytest.mark.django_db
def test_if_empty_does_nothing_when_users_exist():
    UserFactory(username="someone")
    out = StringIO()

    call_command("seed_demo", "--if-empty", stdout=out)

    assert "already has users" in out.getvalue()
    assert User.objects.count() == 1
    assert not Studio.objects.exists()


@pytest.mark.django_db
def test_refuses_a_database_with_users_without_if_empty():
    UserFactory()

    with pytest.raises(CommandError, match="empty database"):
        call_command("seed_demo", verbosity=0)

    assert not Studio.objects.exists()


def test_command_rejects_a_scale_below_the_minimum():
    with pytest.raises(CommandError, match="scale"):
        call_command("seed_demo", "--scale", "3")


def test_a_million_studios_put_thousands_in_london_and_los_angeles():
    pool = cities()
    total = sum(city.weight for city in pool)
    london, los_angeles = find_city("London", "GB"), find_city("Los Angeles", "US")
    expected = {i: 1_000_000 * pool[i].weight / total for i in (london, los_angeles)}
    assert expected[london] > 5_000
    assert expected[los_angeles] > 2_000

    picker, dice = CityPicker(pool), Dice("test")
    draws = Counter(picker.pick(dice) for _ in range(100_000))
    for index, count in expected.items():  # the sampler follows the weights
        assert count / 10 * 0.8 < draws[index] < count / 10 * 1.2
    big = sum(n for i, n in draws.items() if pool[i].population >= 1_000_000)
    share_of_big_cities = sum(1 for c in pool if c.population >= 1_000_000) / len(pool)
    assert big / 100_000 > 10 * share_of_big_cities


@pytest.mark.django_db
def test_studios_sit_a_few_km_from_a_real_city_of_their_name():
    seed_demo(seed=2, scale=300)
    by_name: dict[str, list] = {}
    for city in cities():
        by_name.setdefault(city.name, []).append(city)

    located = Studio.objects.exclude(latitude=None)
    assert located.count() > 250
    populations = []
    for studio in located:
        lat, lon = float(studio.latitude), float(studio.longitude)
        distance, city = min(
            (_km(lat, lon, c.latitude, c.longitude), c) for c in by_name[studio.city]
        )
        assert distance <= city.spread_km + 0.1, studio.city
        assert studio.city in studio.full_address
        assert studio.city in studio.abbreviated_address
        populations.append(city.population)
    for studio in Studio.objects.filter(latitude=None):
        assert studio.full_address.startswith(studio.city)

    average_city = sum(c.population for c in cities()) / len(cities())
    assert sum(populations) / len(populations) > 5 * average_city


@pytest.mark.django_db
def test_bulk_mode_drops_and_restores_every_index_and_constraint():
    plain = _digests_of_a_fresh_seed(seed=3, scale=SMALL)
    before = _schema(BULK_TABLES)

    seed_demo(seed=3, scale=SMALL, defer_indexes=True)

    assert _schema(BULK_TABLES) == before
    connection.check_constraints()
    assert table_digests() == plain  # the bulk path writes exactly the same rows


@pytest.mark.django_db
def test_embedded_mode_seeds_sqlite_with_the_same_rows_and_prints_a_login(tmp_path):
    env = {"VAR_DIR": str(tmp_path / "var")}  # embedded mode: nothing else set

    def manage(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    manage("migrate", "--noinput", "-v0")
    first = manage("seed_demo", "--if-empty", "--seed", "9", "--scale", str(SMALL))
    again = manage("seed_demo", "--if-empty")
    sqlite_digests = json.loads(
        manage(
            "shell",
            "-v0",
            "-c",
            "import json; from tests.directory.test_seed_demo import table_digests; "
            "print(json.dumps(table_digests(frozenset({'password'}))))",
        )
        .strip()
        .splitlines()[-1]
    )

    assert "Demo login: demo / studio-finder-demo (admin: admin / studio-finder-admin)" in first
    assert "already has users" in again
    seed_demo(seed=9, scale=SMALL)
    assert sqlite_digests == table_digests(frozenset({"password"}))
