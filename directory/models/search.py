"""The derived search tables (docs/search.md): written by database triggers only."""

from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q

from .studios import Studio

# --- Search index (derived; docs/search.md) --------------------------------------------
#
# Two tables that nothing in Python writes: database triggers (migration
# 0002_search_index) keep them in step with studios, their types, services, images and
# reviews, and with owners' display names, inside the same transaction as the change —
# whatever made it (a service, the admin, bulk_create, a raw UPDATE, an import).


class StudioSearch(models.Model):
    """One row per listed studio (ACTIVE and visible), with what search filters and sorts on.

    type_mask / service_mask hold one bit per StudioType / ServiceType (directory.search.bits),
    so "has any of these" is one AND on the row instead of two joins per candidate.
    """

    # No database foreign key: the triggers delete these rows with their studio, and bulk
    # rebuilds insert millions of them without a deferred key check each.
    studio = models.OneToOneField(
        Studio,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="search_row",
        db_constraint=False,
    )
    name_key = models.CharField(max_length=200)
    city_key = models.CharField(max_length=200)
    latitude = models.FloatField(null=True)
    longitude = models.FloatField(null=True)
    is_premium = models.BooleanField()
    is_verified = models.BooleanField()
    has_images = models.BooleanField()
    type_mask = models.SmallIntegerField()
    service_mask = models.SmallIntegerField()
    review_count = models.IntegerField()
    rating_avg = models.FloatField(null=True)
    studio_created_at = models.DateTimeField()
    # Embedded mode's text search: lower-cased name, city, owner's name and description.
    search_text = models.TextField(null=True)
    # PostgreSQL's: weighted tsvector (name A; owner and city B; description C).
    search_vector = SearchVectorField(null=True)

    class Meta:
        db_table = "studio_search"
        indexes = [
            # Studios without coordinates, found by their city in a radius search.
            models.Index(
                fields=["city_key"],
                condition=Q(latitude__isnull=True),
                name="studio_search_nocoord_city_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"search row of {self.studio_id}"


class StudioSearchFacet(models.Model):
    """PostgreSQL only: one row per (studio type, service) pair a studio with coordinates has.

    The radius + type + service search reads a GiST index on (facet, earth point) and touches
    only the studios that already match, instead of every studio in the circle. Empty in
    embedded mode, where the plain bounding-box path is fast enough.
    """

    pk = models.CompositePrimaryKey("studio_id", "facet")
    studio = models.ForeignKey(
        Studio,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # the pk leads with it
        db_constraint=False,  # as StudioSearch.studio
    )
    facet = models.SmallIntegerField(help_text="type bit index × 16 + service bit index")
    latitude = models.FloatField()
    longitude = models.FloatField()
    is_premium = models.BooleanField()
    is_verified = models.BooleanField()
    has_images = models.BooleanField()

    class Meta:
        db_table = "studio_search_facet"

    def __str__(self) -> str:
        return f"facet {self.facet} of {self.studio_id}"


class StudioSearchWord(models.Model):
    """PostgreSQL only: every lexeme that has been in a studio_search.search_vector.

    A trigger on studio_search adds the words of every row written (migration
    0003_search_words); nothing removes them until the next rebuild, so the set is a
    superset of the live lexemes, which is all its readers need: a prefix (`nightin`) is
    asked as the exact words it begins, and a word that matches nothing is corrected to
    its most similar words (directory.search.text).
    """

    word = models.TextField(primary_key=True)

    class Meta:
        db_table = "studio_search_word"

    def __str__(self) -> str:
        return self.word
