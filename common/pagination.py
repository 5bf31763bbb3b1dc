"""Page-number pagination for selectors: `{"count", "page", "page_size", "results"}`,
or a slice and a `has_next` flag where counting would cost more than the page.

A page past the end is an empty `results`, not an error (the search contract); the count
is one query and the page another, so a list endpoint's query count stays fixed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import QuerySet
from rest_framework import serializers

from .serializers import FlatFieldsSerializer

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_PAGE = 10_000  # OFFSET beyond this is a crawler, not a person


class PageFilterSerializer(FlatFieldsSerializer):
    """The `page` and `page_size` query parameters of every page-numbered list.

    A list view's FilterSerializer subclasses it and adds its own filters, so the bounds
    (page ≤ MAX_PAGE, page_size ≤ MAX_PAGE_SIZE) and defaults are the same everywhere.
    """

    page = serializers.IntegerField(min_value=1, max_value=MAX_PAGE, default=1)
    page_size = serializers.IntegerField(
        min_value=1, max_value=MAX_PAGE_SIZE, default=DEFAULT_PAGE_SIZE
    )


# The body of a page-numbered list, {"count", "page", "page_size", "results"}: a list's page
# serializer subclasses it and declares `results`. (A comment, not a docstring: subclasses
# would inherit it as their OpenAPI description.)
class PageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()


@dataclass(frozen=True)
class Page(Generic[T]):
    count: int
    page: int
    page_size: int
    results: list[T]

    def as_dict(self, results: Any) -> dict[str, Any]:
        return {
            "count": self.count,
            "page": self.page,
            "page_size": self.page_size,
            "results": results,
        }


def paginate(queryset: QuerySet, *, page: int, page_size: int, count: int | None = None) -> Page:
    """One page of a queryset (already ordered); pass `count` when it is known already."""
    total = queryset.count() if count is None else count
    offset = (page - 1) * page_size
    results = list(queryset[offset : offset + page_size]) if offset < total else []
    return Page(count=total, page=page, page_size=page_size, results=results)


def slice_with_next(queryset: QuerySet, *, offset: int, limit: int) -> tuple[list, bool]:
    """`limit` rows from `offset`, and whether more follow: one query, no count (for
    feeds where a total would cost more than the page, such as messages)."""
    rows = list(queryset[offset : offset + limit + 1])
    return rows[:limit], len(rows) > limit
