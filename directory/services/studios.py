"""Studio management: every write to a studio, its types, services and status.

The status workflow is DRAFT → PENDING → ACTIVE ↔ INACTIVE, plus PENDING → DRAFT (the
owner withdraws, or an admin sends it back). Only an admin sets ACTIVE, unless
STUDIO_AUTO_APPROVE is on. A user who creates their first studio becomes STUDIO_OWNER.
A changed `full_address` is geocoded by a task after commit; every change bumps the
search cache's data version after commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from common.errors import Conflict, Forbidden, ValidationFailed
from common.jobs import enqueue_on_commit
from directory.models import (
    ServiceType,
    Studio,
    StudioService,
    StudioStatus,
    StudioStudioType,
    StudioType,
)
from realtime.models import NotificationType
from realtime.services import notify

GEOCODE_TASK = "tasks.geocoding.geocode_studio"

# Fields an owner edits; ADMIN_FIELDS only an admin sets (premium comes from billing,
# verification from moderation, coordinates from the geocoder).
OWNER_FIELDS = (
    "name",
    "description",
    "address",
    "full_address",
    "abbreviated_address",
    "city",
    "website_url",
    "phone",
    "is_profile_visible",
)
ADMIN_FIELDS = ("is_premium", "is_verified", "latitude", "longitude")

TRANSITIONS: dict[str, frozenset[str]] = {
    StudioStatus.DRAFT: frozenset({StudioStatus.PENDING}),
    StudioStatus.PENDING: frozenset({StudioStatus.ACTIVE, StudioStatus.DRAFT}),
    StudioStatus.ACTIVE: frozenset({StudioStatus.INACTIVE}),
    StudioStatus.INACTIVE: frozenset({StudioStatus.ACTIVE}),
}
INITIAL_STATUSES = frozenset({StudioStatus.DRAFT, StudioStatus.PENDING, StudioStatus.ACTIVE})


def may_publish(actor: User) -> bool:
    return actor.role == Role.ADMIN or settings.STUDIO_AUTO_APPROVE


def _check_publish(actor: User, status: str) -> None:
    if status == StudioStatus.ACTIVE and not may_publish(actor):
        raise Forbidden(
            "An admin approves a studio before it goes live; submit it for review (PENDING).",
            code="approval_required",
            fields={"status": ["Only an admin can set ACTIVE."]},
        )


def _check_transition(*, actor: User, old: str, new: str) -> None:
    if new not in TRANSITIONS.get(old, frozenset()):
        allowed = ", ".join(sorted(TRANSITIONS.get(old, ()))) or "nothing"
        raise Conflict(
            f"A {old} studio cannot become {new}; it can become {allowed}.",
            code="invalid_status_transition",
            fields={"status": [f"{old} → {new} is not allowed."]},
        )
    _check_publish(actor, new)


def _check_admin_fields(actor: User, data: dict[str, Any]) -> None:
    if actor.role == Role.ADMIN:
        return
    given = sorted(field for field in ADMIN_FIELDS if field in data)
    if given:
        raise Forbidden(
            "Only an admin can set these fields.",
            code="admin_only_field",
            fields={field: ["Only an admin can set this."] for field in given},
        )


def _check_coordinates(data: dict[str, Any]) -> None:
    if ("latitude" in data) != ("longitude" in data) or (
        (data.get("latitude") is None) != (data.get("longitude") is None)
    ):
        raise ValidationFailed(
            "Give latitude and longitude together.",
            fields={"latitude": ["Give both or neither."], "longitude": ["Give both or neither."]},
        )


def _replace_set(studio: Studio, model, field: str, wanted: Iterable[str]) -> bool:
    """Make the studio's rows of a join table exactly `wanted`; True when anything changed."""
    wanted = set(wanted)
    current = set(model.objects.filter(studio=studio).values_list(field, flat=True))
    if wanted == current:
        return False
    model.objects.filter(studio=studio, **{f"{field}__in": current - wanted}).delete()
    model.objects.bulk_create(
        [model(studio=studio, **{field: value}) for value in sorted(wanted - current)]
    )
    return True


def _validated_choices(values: Iterable[str], choices, field: str) -> list[str]:
    values = list(values)
    unknown = sorted(set(values) - set(choices.values))
    if unknown:
        raise ValidationFailed(fields={field: [f"Unknown value: {v}." for v in unknown]})
    return values


def _after_commit(studio: Studio, *, geocode: bool) -> None:
    if geocode:
        enqueue_on_commit(GEOCODE_TASK, studio.pk)


def _notify_verified(studio: Studio) -> None:
    notify(
        user_id=studio.owner_id,
        type=NotificationType.STUDIO_VERIFIED,
        title="Your studio is verified",
        message=f"{studio.name} now shows the verified badge.",
        data={"studio_id": studio.pk},
        action_url=f"/studios/{studio.pk}",
    )


def studio_create(
    *,
    actor: User,
    name: str,
    city: str,
    description: str | None = None,
    address: str | None = None,
    full_address: str | None = None,
    abbreviated_address: str | None = None,
    website_url: str | None = None,
    phone: str | None = None,
    is_profile_visible: bool = True,
    status: str = StudioStatus.DRAFT,
    studio_types: Iterable[str] = (),
    services: Iterable[str] = (),
    is_premium: bool | None = None,
    is_verified: bool | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
) -> Studio:
    """A new studio owned by the actor; their first one makes them a STUDIO_OWNER."""
    admin_data = {
        key: value
        for key, value in {
            "is_premium": is_premium,
            "is_verified": is_verified,
            "latitude": latitude,
            "longitude": longitude,
        }.items()
        if value not in (None, False)  # False is the default: anyone may "set" it
    }
    _check_admin_fields(actor, admin_data)
    if "latitude" in admin_data or "longitude" in admin_data:
        _check_coordinates(admin_data)
    if status not in INITIAL_STATUSES:
        raise ValidationFailed(
            fields={"status": [f"A new studio starts as {', '.join(sorted(INITIAL_STATUSES))}."]}
        )
    _check_publish(actor, status)
    studio_types = _validated_choices(studio_types, StudioType, "studio_types")
    services = _validated_choices(services, ServiceType, "services")

    with transaction.atomic():
        studio = Studio(
            owner=actor,
            name=name,
            city=city,
            description=description,
            address=address,
            full_address=full_address,
            abbreviated_address=abbreviated_address,
            website_url=website_url,
            phone=phone,
            is_profile_visible=is_profile_visible,
            status=status,
            published_at=timezone.now() if status == StudioStatus.ACTIVE else None,
            is_premium=admin_data.get("is_premium", False),
            is_verified=admin_data.get("is_verified", False),
            latitude=admin_data.get("latitude"),
            longitude=admin_data.get("longitude"),
        )
        studio.full_clean()
        studio.save()
        _replace_set(studio, StudioStudioType, "studio_type", studio_types)
        _replace_set(studio, StudioService, "service", services)
        if actor.role == Role.USER:
            User.objects.filter(pk=actor.pk, role=Role.USER).update(
                role=Role.STUDIO_OWNER, updated_at=timezone.now()
            )
            actor.role = Role.STUDIO_OWNER
        # Explicit coordinates (an admin's) win over geocoding the address.
        _after_commit(studio, geocode=bool(full_address) and "latitude" not in admin_data)
    return studio


def studio_update(*, actor: User, studio: Studio, data: dict[str, Any]) -> Studio:
    """A partial update: the fields present in `data` (as validated by the API)."""
    if "latitude" in data or "longitude" in data:
        _check_coordinates(data)
    studio_types = (
        _validated_choices(data["studio_types"], StudioType, "studio_types")
        if "studio_types" in data
        else None
    )
    services = (
        _validated_choices(data["services"], ServiceType, "services")
        if "services" in data
        else None
    )

    with transaction.atomic():
        # The row lock makes check-then-set of status and address safe against a parallel save.
        studio = Studio.objects.select_for_update().get(pk=studio.pk)
        # Admin-only fields sent back unchanged (a client echoing the object) are fine.
        _check_admin_fields(
            actor,
            {f: data[f] for f in ADMIN_FIELDS if f in data and getattr(studio, f) != data[f]},
        )
        old_address = studio.full_address or ""
        was_verified = studio.is_verified
        changed: list[str] = []

        if "status" in data and data["status"] != studio.status:
            _check_transition(actor=actor, old=studio.status, new=data["status"])
            studio.status = data["status"]
            changed.append("status")
            if studio.status == StudioStatus.ACTIVE and studio.published_at is None:
                studio.published_at = timezone.now()
                changed.append("published_at")

        for field in (*OWNER_FIELDS, *ADMIN_FIELDS):
            if field in data and getattr(studio, field) != data[field]:
                setattr(studio, field, data[field])
                changed.append(field)

        types_changed = (
            _replace_set(studio, StudioStudioType, "studio_type", studio_types)
            if studio_types is not None
            else False
        )
        services_changed = (
            _replace_set(studio, StudioService, "service", services)
            if services is not None
            else False
        )

        if changed:
            studio.full_clean()
            studio.save(update_fields=[*changed, "updated_at"])
        if changed or types_changed or services_changed:
            address_changed = (studio.full_address or "") != old_address
            coordinates_typed = "latitude" in changed or "longitude" in changed
            _after_commit(studio, geocode=address_changed and not coordinates_typed)
        if studio.is_verified and not was_verified:
            _notify_verified(studio)
    return studio


def studio_delete(*, actor: User, studio: Studio) -> None:
    """Delete a studio with its images (rows and stored files), types, services and reviews."""
    with transaction.atomic():
        files = list(
            studio.images.exclude(file__isnull=True).exclude(file="").values_list("file", flat=True)
        )
        Studio.objects.filter(pk=studio.pk).delete()
        # Files go only once the rows are gone for good; a rollback keeps both.
        transaction.on_commit(lambda: [default_storage.delete(name) for name in files])


def owner_may_delete_account(user: User) -> None:
    """An account check (accounts.services.accounts.account_delete_check_register): an
    owner cannot delete their account while they own studios (the legacy RESTRICT rule)."""
    studio_count = Studio.objects.filter(owner=user).count()
    if studio_count:
        raise Conflict(
            f"You own {studio_count} studio{'s' if studio_count != 1 else ''}. Delete "
            "them or transfer them to someone else before deleting your account.",
            code="owns_studios",
            fields={"studios": studio_count},
        )


def studio_premium_set(*, studio_id: int, is_premium: bool) -> bool:
    """Billing's door to the premium flag (its subscription decides, not a person).

    An UPDATE like any other studio write, so the search triggers bump the cache's data
    version and search and the featured rotation see it at once. True when it changed.
    """
    with transaction.atomic():
        changed = (
            Studio.objects.filter(pk=studio_id)
            .exclude(is_premium=is_premium)
            .update(is_premium=is_premium, updated_at=timezone.now())
        )
    return bool(changed)
