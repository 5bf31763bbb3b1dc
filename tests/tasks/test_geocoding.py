"""The geocoding task in a real Celery worker (two prefork processes) on the Redis broker,
against the local fake Nominatim: enqueued on commit, retried with backoff on geocoder
errors, given up after its retries, and never more than one request a second in total."""

from __future__ import annotations

import itertools
import uuid
from decimal import Decimal

import pytest
from celery import current_app
from django.conf import settings

from common.jobs import load_task_modules
from directory.models import Studio
from directory.services.studios import studio_create
from tasks.geocoding import geocode_studio
from tests.factories import StudioFactory, UserFactory
from tests.fakes.nominatim import FakeNominatim, start
from tests.support.processes import Process, celery_worker_command, service_env, wait_until

MAX_RETRIES = 2


@pytest.fixture(scope="module")
def geo_worker(tmp_path_factory, django_db_setup, django_db_blocker):
    """A fake Nominatim and a worker pointed at it and at the test database."""
    load_task_modules()
    fake = FakeNominatim()
    server = start(fake)
    queue = f"test-geo-{uuid.uuid4().hex[:8]}"
    db = settings.DATABASES["default"]
    database_url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    worker = Process(
        celery_worker_command("--concurrency=2", "-Q", queue, pool="prefork", loglevel="INFO"),
        env=service_env(
            DATABASE_URL=database_url,
            GEOCODER_NOMINATIM_URL=fake.url,
            GEOCODER_USER_AGENT="StudioFinderTests/1.0 (tests@example.com)",
            GEOCODER_MIN_INTERVAL="1.0",
            GEOCODER_RETRY_BACKOFF="1",
            GEOCODER_MAX_RETRIES=str(MAX_RETRIES),
        ),
        log=tmp_path_factory.mktemp("geo") / "worker.log",
        killed_at_stop=True,
    )
    previous = current_app.conf.task_default_queue
    current_app.conf.task_default_queue = queue  # what enqueue_on_commit sends to
    try:
        yield fake, worker
    finally:
        current_app.conf.task_default_queue = previous
        worker.stop()
        server.shutdown()
        server.server_close()


@pytest.fixture
def fake(geo_worker):
    fake, _ = geo_worker
    with fake.lock:
        fake.requests.clear()
        fake.failures.clear()
    return fake


def _wait_for(predicate, worker, what):
    try:
        return wait_until(predicate, timeout=90, interval=0.2, what=what)
    except TimeoutError:
        raise AssertionError(f"{what}: timed out\n{worker.output()[-4000:]}") from None


@pytest.mark.django_db(transaction=True)
def test_a_saved_address_is_geocoded_after_commit_despite_one_failure(geo_worker, fake):
    _, worker = geo_worker
    fake.fail_next(503)  # the first attempt fails: the worker retries with backoff
    studio = studio_create(
        actor=UserFactory(),
        name="Booth",
        city="Somewhere",
        full_address="10 Downing Street, London",
    )

    located = _wait_for(
        lambda: Studio.objects.filter(pk=studio.pk, latitude__isnull=False).first(),
        worker,
        "the worker to geocode the studio",
    )
    assert (located.latitude, located.city) == (Decimal("51.50344025"), "London")
    searches = fake.searches()
    assert len(searches) == 2
    # The retry's request starts ≥ 1 s after the failed one ended (the slot is held).
    assert searches[1].at - searches[0].at >= 0.95
    assert {s.user_agent for s in searches} == {"StudioFinderTests/1.0 (tests@example.com)"}


@pytest.mark.django_db(transaction=True)
def test_after_its_retries_it_gives_up_and_leaves_the_studio_alone(geo_worker, fake):
    _, worker = geo_worker
    fake.fail_next(*[503] * (MAX_RETRIES + 1))
    studio = StudioFactory(
        full_address="Storgata 1, Tromsø", latitude=Decimal("1"), longitude=Decimal("2")
    )

    result = geocode_studio.apply_async(args=[studio.pk])
    with pytest.raises(Exception, match="GeocoderTimedOut"):
        result.get(timeout=90)

    assert len(fake.searches()) == MAX_RETRIES + 1, worker.output()[-4000:]
    studio.refresh_from_db()
    assert (studio.latitude, studio.longitude) == (Decimal("1"), Decimal("2"))


@pytest.mark.django_db(transaction=True)
def test_two_worker_processes_send_at_most_one_request_a_second(geo_worker, fake):
    _, worker = geo_worker
    owner = UserFactory()
    addresses = [
        "10 Downing Street, London",
        "Storgata 1, Tromsø",
        "Victoria Parade, Suva",
        "1 Nowhere Lane, Atlantis",
    ]
    studios = [
        studio_create(actor=owner, name=f"Booth {n}", city="X", full_address=address)
        for n, address in enumerate(addresses)
    ]

    _wait_for(lambda: len(fake.searches()) >= 4, worker, "four geocoder requests")
    arrivals = sorted(request.at for request in fake.searches())
    gaps = [b - a for a, b in itertools.pairwise(arrivals)]
    # The slot is held while a request runs and opens 1 s after it ends, so the next request
    # reaches the server over a second after this one did, however late a worker sends
    # (slots taken start-to-start once let two arrive 0.62 s apart on a loaded machine).
    # 0.95: Redis expires keys by its own millisecond clock, the server stamps by ours.
    assert min(gaps) >= 0.95, gaps
    _wait_for(
        lambda: (
            Studio.objects.filter(pk__in=[s.pk for s in studios], latitude__isnull=False).count()
            == 3
        ),
        worker,
        "three studios to be located",
    )
    assert Studio.objects.get(pk=studios[3].pk).latitude is None  # no match: left empty


@pytest.mark.django_db
def test_run_eagerly_a_geocoder_error_leaves_the_studio_and_the_request_alone(fake_nominatim):
    """Embedded mode runs tasks in the request: no retry there, and no error either."""
    studio = StudioFactory(full_address="10 Downing Street, London", city="Somewhere")
    fake_nominatim.fail_next(503)

    assert geocode_studio.apply(args=[studio.pk]).get() == "unavailable"

    studio.refresh_from_db()
    assert (studio.latitude, studio.city) == (None, "Somewhere")
    assert len(fake_nominatim.searches()) == 1


@pytest.mark.django_db
def test_a_refusal_is_logged_not_retried(fake_nominatim, caplog):
    studio = StudioFactory(full_address="10 Downing Street, London")
    fake_nominatim.fail_next(403)
    assert geocode_studio.apply(args=[studio.pk]).get() == "rejected"
    assert "refused" in caplog.text
    assert len(fake_nominatim.searches()) == 1
