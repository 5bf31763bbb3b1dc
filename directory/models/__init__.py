"""Studios and everything the directory shows (people live in `accounts`).

Tables keep the legacy names (docs/data-model.md maps each column); rules the old site
enforced in application code are database constraints here. One module per concern;
every model is re-exported here, so `from directory.models import Studio` works.
"""

from .content import Faq, LegacyContact, Poi, SavedSearch
from .reviews import Review, ReviewResponse, ReviewStatus
from .search import StudioSearch, StudioSearchFacet, StudioSearchWord
from .studios import (
    ServiceType,
    Studio,
    StudioImage,
    StudioService,
    StudioStatus,
    StudioStudioType,
    StudioType,
)

__all__ = [
    "Faq",
    "LegacyContact",
    "Poi",
    "Review",
    "ReviewResponse",
    "ReviewStatus",
    "SavedSearch",
    "ServiceType",
    "Studio",
    "StudioImage",
    "StudioSearch",
    "StudioSearchFacet",
    "StudioSearchWord",
    "StudioService",
    "StudioStatus",
    "StudioStudioType",
    "StudioType",
]
