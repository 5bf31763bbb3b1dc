"""Studio services: the status workflow, admin-only fields, the first-studio role change,
types and services as sets, geocoding and the search cache after commit."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.models import Role
from common.errors import Conflict, Forbidden, ValidationFailed
from directory.models import Studio, StudioStatus
from directory.services.studios import studio_create, studio_delete, studio_update
from realtime.models import Notification, NotificationType
from tests.factories import StudioFactory, UserFactory
from tests.support.broker import queued_tasks

pytestmark = pytest.mark.django_db

GEOCODE = "tasks.geocoding.geocode_studio"
D, P, A, OFF = (
    StudioStatus.DRAFT,
    StudioStatus.PENDING,
    StudioStatus.ACTIVE,
    StudioStatus.INACTIVE,
)


def test_the_first_studio_makes_a_user_a_studio_owner():
    user = UserFactory(role=Role.USER)
    studio = studio_create(actor=user, name="Booth", city="Leeds")

    user.refresh_from_db()
    assert user.role == Role.STUDIO_OWNER
    assert studio.owner == user
    assert studio.status == StudioStatus.DRAFT
    assert studio.published_at is None


def test_an_admin_creating_a_studio_stays_admin():
    admin = UserFactory(admin=True)
    studio_create(actor=admin, name="Booth", city="Leeds")
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN


def test_types_and_services_are_sets():
    owner = UserFactory(owner=True)
    studio = studio_create(
        actor=owner,
        name="Booth",
        city="Leeds",
        studio_types=["HOME", "HOME", "PODCAST"],
        services=["ZOOM"],
    )
    assert sorted(studio.studio_types.values_list("studio_type", flat=True)) == ["HOME", "PODCAST"]

    studio_update(
        actor=owner, studio=studio, data={"studio_types": ["PODCAST", "EDITING"], "services": []}
    )
    assert sorted(studio.studio_types.values_list("studio_type", flat=True)) == [
        "EDITING",
        "PODCAST",
    ]
    assert not studio.services.exists()


def test_unknown_types_are_refused():
    with pytest.raises(ValidationFailed) as error:
        studio_create(actor=UserFactory(), name="B", city="Leeds", studio_types=["CASTLE"])
    assert "studio_types" in error.value.fields


ALLOWED = [(D, P), (P, D), (P, A), (A, OFF), (OFF, A)]
FORBIDDEN_MOVES = [(D, A), (D, OFF), (P, OFF), (A, D), (A, P), (OFF, D), (OFF, P)]


@pytest.mark.parametrize(("old", "new"), ALLOWED)
def test_an_admin_may_make_every_move_of_the_workflow(old, new):
    studio = StudioFactory(status=old)
    studio_update(actor=UserFactory(admin=True), studio=studio, data={"status": new})
    studio.refresh_from_db()
    assert studio.status == new


@pytest.mark.parametrize(("old", "new"), FORBIDDEN_MOVES)
def test_nobody_may_skip_the_workflow(old, new):
    studio = StudioFactory(status=old)
    with pytest.raises(Conflict) as error:
        studio_update(actor=UserFactory(admin=True), studio=studio, data={"status": new})
    assert error.value.code == "invalid_status_transition"


@pytest.mark.parametrize(("old", "new"), [(D, P), (P, D), (A, OFF)])
def test_an_owner_may_submit_withdraw_and_pause(old, new):
    studio = StudioFactory(status=old)
    studio_update(actor=studio.owner, studio=studio, data={"status": new})
    studio.refresh_from_db()
    assert studio.status == new


@pytest.mark.parametrize("old", [P, OFF])
def test_only_an_admin_sets_active(old):
    studio = StudioFactory(status=old)
    with pytest.raises(Forbidden) as error:
        studio_update(actor=studio.owner, studio=studio, data={"status": A})
    assert error.value.code == "approval_required"
    studio.refresh_from_db()
    assert studio.status == old


def test_with_auto_approval_an_owner_publishes(settings):
    settings.STUDIO_AUTO_APPROVE = True
    owner = UserFactory(owner=True)
    studio = studio_create(actor=owner, name="Booth", city="Leeds", status=A)
    assert studio.status == A
    assert studio.published_at is not None


def test_an_owner_cannot_create_a_studio_active():
    with pytest.raises(Forbidden):
        studio_create(actor=UserFactory(owner=True), name="B", city="Leeds", status=A)


def test_published_at_is_the_first_publication():
    admin = UserFactory(admin=True)
    studio = StudioFactory(status=P, published_at=None)
    studio_update(actor=admin, studio=studio, data={"status": A})
    studio.refresh_from_db()
    first = studio.published_at
    assert first is not None

    studio_update(actor=admin, studio=studio, data={"status": OFF})
    studio_update(actor=admin, studio=studio, data={"status": A})
    studio.refresh_from_db()
    assert studio.published_at == first


@pytest.mark.parametrize(
    "field", [{"is_premium": True}, {"is_verified": True}, {"latitude": 1, "longitude": 2}]
)
def test_admin_only_fields_are_refused_to_owners(field):
    studio = StudioFactory()
    with pytest.raises(Forbidden) as error:
        studio_update(actor=studio.owner, studio=studio, data=field)
    assert error.value.code == "admin_only_field"
    assert set(error.value.fields) == set(field)


def test_admin_only_fields_sent_back_unchanged_are_fine():
    studio = StudioFactory(is_premium=False, latitude=Decimal("53.8"), longitude=Decimal("-1.5"))
    studio_update(
        actor=studio.owner,
        studio=studio,
        data={
            "name": "Renamed",
            "is_premium": False,
            "latitude": Decimal("53.80000000"),
            "longitude": Decimal("-1.5"),
        },
    )
    studio.refresh_from_db()
    assert studio.name == "Renamed"


def test_verifying_a_studio_notifies_its_owner(django_capture_on_commit_callbacks):
    studio = StudioFactory(is_verified=False)
    studio_update(actor=UserFactory(admin=True), studio=studio, data={"is_verified": True})

    notification = Notification.objects.get(user=studio.owner)
    assert notification.type == NotificationType.STUDIO_VERIFIED
    assert notification.data == {"studio_id": studio.pk}


def test_coordinates_come_in_pairs():
    studio = StudioFactory()
    with pytest.raises(ValidationFailed):
        studio_update(actor=UserFactory(admin=True), studio=studio, data={"latitude": 1})


def test_a_changed_address_is_geocoded_after_commit(django_capture_on_commit_callbacks):
    studio = StudioFactory(full_address="Old Road 1, Leeds")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        studio_update(actor=studio.owner, studio=studio, data={"full_address": "New Road 2, Leeds"})
    assert queued_tasks() == []  # nothing leaves before the commit

    for callback in callbacks:
        callback()
    assert queued_tasks() == [(GEOCODE, [studio.pk])]


def test_an_unchanged_address_is_not_geocoded_again(django_capture_on_commit_callbacks):
    studio = StudioFactory(full_address="Old Road 1, Leeds")
    with django_capture_on_commit_callbacks(execute=True):
        studio_update(
            actor=studio.owner,
            studio=studio,
            data={"full_address": "Old Road 1, Leeds", "name": "Renamed"},
        )
    assert queued_tasks() == []


def test_a_new_studio_with_an_address_is_geocoded(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        studio = studio_create(
            actor=UserFactory(), name="B", city="Leeds", full_address="Old Road 1, Leeds"
        )
    assert queued_tasks() == [(GEOCODE, [studio.pk])]


def test_coordinates_typed_by_an_admin_win_over_geocoding(django_capture_on_commit_callbacks):
    studio = StudioFactory(full_address="Old Road 1, Leeds")
    with django_capture_on_commit_callbacks(execute=True):
        studio_update(
            actor=UserFactory(admin=True),
            studio=studio,
            data={
                "full_address": "New Road",
                "latitude": Decimal("53.8"),
                "longitude": Decimal("-1.5"),
            },
        )
    assert queued_tasks() == []
    studio.refresh_from_db()
    assert studio.latitude == Decimal("53.8")


def test_echoed_coordinates_do_not_stop_geocoding_a_new_address(
    django_capture_on_commit_callbacks,
):
    studio = StudioFactory(
        full_address="Old Road 1, Leeds", latitude=Decimal("53.8"), longitude=Decimal("-1.5")
    )
    with django_capture_on_commit_callbacks(execute=True):
        studio_update(
            actor=studio.owner,
            studio=studio,
            data={
                "full_address": "New Road 2, York",
                "latitude": Decimal("53.8"),
                "longitude": Decimal("-1.5"),
            },
        )
    assert queued_tasks() == [(GEOCODE, [studio.pk])]


def test_deleting_a_studio_removes_it(django_capture_on_commit_callbacks):
    studio = StudioFactory()
    with django_capture_on_commit_callbacks(execute=True):
        studio_delete(actor=studio.owner, studio=studio)
    assert not Studio.objects.filter(pk=studio.pk).exists()
