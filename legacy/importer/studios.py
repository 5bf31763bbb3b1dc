"""Studios with their images, services and types; reviews; saved searches; POI; FAQ."""

from __future__ import annotations

from accounts.models import User
from accounts.services.accounts import user_become_studio_owner
from directory.models import (
    Faq,
    Poi,
    Review,
    ReviewResponse,
    ReviewStatus,
    SavedSearch,
    ServiceType,
    Studio,
    StudioImage,
    StudioService,
    StudioStatus,
    StudioStudioType,
    StudioType,
)

from .report import (
    RowError,
)
from .values import (
    _bool,
    _choice,
    _datetime,
    _decimal,
    _int,
    _json_value,
    _text,
    _url,
)


class StudioImport:
    """The directory's tables (a mixin of LegacyImporter over ImporterCore)."""

    def _import_studios(self, row: dict) -> str:
        owner_id = self._ref(User, row, "owner_id")
        latitude, longitude = _decimal(row, "latitude"), _decimal(row, "longitude")
        if (latitude is None) != (longitude is None):
            raise RowError("latitude and longitude must both be set or both be empty")
        values = {
            "owner_id": owner_id,
            "name": _text(row, "name", required=True),
            "description": _text(row, "description"),
            "address": _text(row, "address"),
            "full_address": _text(row, "full_address"),
            "abbreviated_address": _text(row, "abbreviated_address"),
            "city": _text(row, "city", required=True),
            "latitude": latitude,
            "longitude": longitude,
            "website_url": _url(row, "website_url"),
            "phone": _text(row, "phone"),
            "is_premium": _bool(row, "is_premium", False),
            "is_verified": _bool(row, "is_verified", False),
            "is_profile_visible": _bool(row, "is_profile_visible", True),
            "status": _choice(row, "status", StudioStatus, default=StudioStatus.ACTIVE),
        }
        _, outcome = self._upsert(
            Studio,
            str(row["id"]),
            values,
            created_at=_datetime(row, "created_at"),
            updated_at=_datetime(row, "updated_at"),
            exclude_from_validation=["owner"],
        )
        user_become_studio_owner(user=User.objects.get(pk=owner_id))
        return outcome

    def _import_studio_images(self, row: dict) -> str:
        _, outcome = self._upsert(
            StudioImage,
            str(row["id"]),
            {
                "studio_id": self._ref(Studio, row, "studio_id"),
                "image_url": _url(row, "image_url") or _text(row, "image_url", required=True),
                "alt_text": _text(row, "alt_text"),
                "sort_order": _int(row, "sort_order", default=0),
            },
            exclude_from_validation=["studio"],
        )
        return outcome

    def _import_studio_services(self, row: dict) -> str:
        _, outcome = self._upsert(
            StudioService,
            str(row["id"]),
            {
                "studio_id": self._ref(Studio, row, "studio_id"),
                "service": _choice(row, "service", ServiceType),
            },
            exclude_from_validation=["studio"],
        )
        return outcome

    def _import_studio_studio_types(self, row: dict) -> str:
        _, outcome = self._upsert(
            StudioStudioType,
            str(row["id"]),
            {
                "studio_id": self._ref(Studio, row, "studio_id"),
                "studio_type": _choice(row, "studio_type", StudioType),
            },
            exclude_from_validation=["studio"],
        )
        return outcome

    def _import_reviews(self, row: dict) -> str:
        reviewer_id = self._ref(User, row, "reviewer_id")
        owner_id = self._ref(User, row, "owner_id")
        if reviewer_id == owner_id:
            raise RowError("a review of one's own studio (reviewer_id = owner_id)")
        rating = _int(row, "rating", required=True)
        if not 1 <= rating <= 5:
            raise RowError(f"rating {rating} is not between 1 and 5")
        _, outcome = self._upsert(
            Review,
            str(row["id"]),
            {
                "studio_id": self._ref(Studio, row, "studio_id"),
                "reviewer_id": reviewer_id,
                "owner_id": owner_id,
                "rating": rating,
                "content": _text(row, "content"),
                "is_anonymous": _bool(row, "is_anonymous", False),
                "status": _choice(row, "status", ReviewStatus, default=ReviewStatus.PENDING),
            },
            created_at=_datetime(row, "created_at"),
            updated_at=_datetime(row, "updated_at"),
            exclude_from_validation=["studio", "reviewer", "owner"],
        )
        return outcome

    def _import_review_responses(self, row: dict) -> str:
        _, outcome = self._upsert(
            ReviewResponse,
            str(row["id"]),
            {
                "review_id": self._ref(Review, row, "review_id"),
                "author_id": self._ref(User, row, "author_id"),
                "content": _text(row, "content", required=True),
            },
            created_at=_datetime(row, "created_at"),
            updated_at=_datetime(row, "updated_at"),
            exclude_from_validation=["review", "author"],
        )
        return outcome

    def _import_saved_searches(self, row: dict) -> str:
        filters = _json_value(row.get("filters"), "filters", strict=True)
        if not isinstance(filters, dict):
            raise RowError("filters must be a JSON object")
        _, outcome = self._upsert(
            SavedSearch,
            str(row["id"]),
            {
                "user_id": self._ref(User, row, "user_id"),
                "name": _text(row, "name", required=True),
                "filters": filters,
            },
            created_at=_datetime(row, "created_at"),
            updated_at=_datetime(row, "updated_at"),
            exclude_from_validation=["user"],
        )
        return outcome

    def _import_poi(self, row: dict) -> str:
        _, outcome = self._upsert(
            Poi,
            str(row["id"]),
            {
                "name": _text(row, "name", required=True),
                "description": _text(row, "description"),
                "latitude": _decimal(row, "latitude"),
                "longitude": _decimal(row, "longitude"),
                "address": _text(row, "address"),
                "category": _text(row, "category"),
            },
            created_at=_datetime(row, "created_at"),
            updated_at=_datetime(row, "updated_at"),
        )
        return outcome

    def _import_faq(self, row: dict) -> str:
        _, outcome = self._upsert(
            Faq,
            str(row["id"]),
            {
                "question": _text(row, "question", required=True),
                "answer": _text(row, "answer", required=True),
                "sort_order": _int(row, "sort_order"),
            },
            created_at=_datetime(row, "created_at"),
            updated_at=_datetime(row, "updated_at"),
        )
        return outcome
