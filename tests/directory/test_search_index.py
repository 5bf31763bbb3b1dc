"""The derived search tables follow every write, whatever makes it (migration 0003)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from directory.models import (
    Review,
    ReviewStatus,
    ServiceType,
    Studio,
    StudioImage,
    StudioSearch,
    StudioSearchFacet,
    StudioService,
    StudioStatus,
    StudioStudioType,
    StudioType,
)
from directory.search import bits as search_bits
from directory.services.search_index import (
    SOURCE_TABLES,
    search_index_rebuild,
    search_triggers_disabled,
)
from tests.directory.search_data import build, world_spec
from tests.factories import ReviewFactory, StudioFactory, StudioImageFactory

pytestmark = pytest.mark.django_db


def row(studio):
    return StudioSearch.objects.get(studio=studio)


def test_masks_use_the_bits_of_search_bits():
    studio = StudioFactory()
    StudioStudioType.objects.bulk_create(
        [StudioStudioType(studio=studio, studio_type=t) for t in StudioType.values]
    )
    StudioService.objects.bulk_create(
        [StudioService(studio=studio, service=s) for s in ServiceType.values]
    )
    for value in StudioType.values:
        StudioStudioType.objects.filter(studio=studio).exclude(studio_type=value).delete()
        assert row(studio).type_mask == search_bits.type_mask([value])
        StudioStudioType.objects.bulk_create(
            [
                StudioStudioType(studio=studio, studio_type=t)
                for t in StudioType.values
                if t != value
            ]
        )
    for value in ServiceType.values:
        StudioService.objects.filter(studio=studio).exclude(service=value).delete()
        assert row(studio).service_mask == search_bits.service_mask([value])
        assert search_bits.services_of(row(studio).service_mask) == [value]
        StudioService.objects.bulk_create(
            [StudioService(studio=studio, service=s) for s in ServiceType.values if s != value]
        )


def test_only_listed_studios_have_a_row():
    listed = StudioFactory()
    draft = StudioFactory(status=StudioStatus.DRAFT)
    hidden = StudioFactory(is_profile_visible=False)
    assert set(StudioSearch.objects.values_list("studio_id", flat=True)) == {listed.pk}
    Studio.objects.filter(pk__in=[draft.pk, hidden.pk]).update(
        status=StudioStatus.ACTIVE, is_profile_visible=True
    )
    assert StudioSearch.objects.count() == 3
    Studio.objects.filter(pk=listed.pk).update(status=StudioStatus.INACTIVE)
    assert not StudioSearch.objects.filter(studio=listed).exists()


def test_images_reviews_and_owner_name_follow():
    studio = StudioFactory(name="Quiet Room", description="A vocal booth with isolation")
    assert row(studio).has_images is False
    image = StudioImageFactory(studio=studio)
    assert row(studio).has_images is True
    review = ReviewFactory(studio=studio, rating=4)
    assert (row(studio).review_count, row(studio).rating_avg) == (0, None)  # pending
    Review.objects.filter(pk=review.pk).update(status=ReviewStatus.APPROVED)
    ReviewFactory(studio=studio, rating=5, status=ReviewStatus.APPROVED)
    assert (row(studio).review_count, row(studio).rating_avg) == (2, 4.5)
    StudioImage.objects.filter(pk=image.pk).delete()
    assert row(studio).has_images is False
    studio.owner.display_name = "Zebedee Quux"
    studio.owner.save()
    assert "zebedee" in str(row(studio).search_vector)


def test_facets_exist_for_each_type_service_pair_with_coordinates():
    studio = StudioFactory(latitude=Decimal("51.5"), longitude=Decimal("-0.1"))
    StudioStudioType.objects.bulk_create(
        [StudioStudioType(studio=studio, studio_type=t) for t in ("HOME", "PODCAST")]
    )
    StudioService.objects.bulk_create(
        [StudioService(studio=studio, service=s) for s in ("ISDN", "ZOOM", "TEAMS")]
    )
    facets = set(StudioSearchFacet.objects.filter(studio=studio).values_list("facet", flat=True))
    assert facets == set(search_bits.facets(["HOME", "PODCAST"], ["ISDN", "ZOOM", "TEAMS"]))
    Studio.objects.filter(pk=studio.pk).update(is_premium=True)
    assert set(
        StudioSearchFacet.objects.filter(studio=studio).values_list("is_premium", flat=True)
    ) == {True}
    Studio.objects.filter(pk=studio.pk).update(latitude=None, longitude=None)
    assert not StudioSearchFacet.objects.filter(studio=studio).exists()


def test_deleting_a_studio_removes_its_rows():
    studio = StudioFactory(latitude=Decimal("1"), longitude=Decimal("1"))
    StudioStudioType.objects.create(studio=studio, studio_type="HOME")
    StudioService.objects.create(studio=studio, service="ZOOM")
    StudioImageFactory(studio=studio)
    studio.delete()
    assert not StudioSearch.objects.exists()
    assert not StudioSearchFacet.objects.exists()


def test_raw_sql_writes_are_followed_too():
    studio = StudioFactory()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE studios SET name = 'Raw Name', is_verified = true WHERE id = %s", [studio.pk]
        )
    assert (row(studio).name_key, row(studio).is_verified) == ("raw name", True)


def test_postgres_indexes_exist():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes"
            " WHERE tablename IN ('studio_search', 'studio_search_facet')"
        )
        names = {r[0] for r in cursor.fetchall()}
    assert {
        "studio_search_earth_idx",
        "studio_search_facet_0_idx",
        "studio_search_facet_87_idx",  # VOICEOVER (5) × TEAMS (7)
        "studio_search_vector_idx",
        "studio_search_city_trgm_idx",
    } <= names
    assert "studio_search_name_trgm_idx" not in names  # unused since the vocabulary (0005)


def _city_keys() -> tuple[set[str], set[str]]:
    """(the city vocabulary, the live city keys)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT city_key FROM studio_search_city")
        vocabulary = {r[0] for r in cursor.fetchall()}
        cursor.execute("SELECT DISTINCT city_key FROM studio_search")
        return vocabulary, {r[0] for r in cursor.fetchall()}


def test_the_city_vocabulary_follows_writes_and_the_rebuild_starts_it_afresh():
    """studio_search_city (migration 0005_search_city_plan): a superset of the live keys,
    kept by the trigger; exactly the live keys after a rebuild."""
    build(world_spec(per_city=4))
    vocabulary, live = _city_keys()
    assert live
    assert vocabulary == live
    Studio.objects.filter(city="Suva").update(city="Nadi")  # a new key, an old one left
    vocabulary, live = _city_keys()
    assert "nadi" in live
    assert "suva" not in live
    assert vocabulary == live | {"suva"}
    search_index_rebuild()
    vocabulary, live = _city_keys()
    assert vocabulary == live


def _snapshot():
    rows = [
        {**r, "search_vector": str(r["search_vector"])}
        for r in StudioSearch.objects.order_by("studio_id").values()
    ]
    facets = list(StudioSearchFacet.objects.order_by("studio_id", "facet").values())
    return rows, facets


def test_a_rebuild_derives_exactly_what_the_triggers_keep():
    build(world_spec(per_city=4))
    kept = _snapshot()
    assert len(kept[0]) > 30
    assert len(kept[1]) > 30
    assert search_index_rebuild() == len(kept[0])
    assert _snapshot() == kept


def test_a_bulk_load_with_triggers_off_is_indexed_by_the_rebuild():
    with search_triggers_disabled(SOURCE_TABLES):
        build(world_spec(per_city=4))
        assert not StudioSearch.objects.exists()  # the triggers really were off
    listed = Studio.objects.filter(status=StudioStatus.ACTIVE, is_profile_visible=True)
    assert search_index_rebuild() == listed.count() > 30
    with_pairs = StudioSearch.objects.filter(
        latitude__isnull=False, type_mask__gt=0, service_mask__gt=0
    )
    assert StudioSearchFacet.objects.values("studio").distinct().count() == with_pairs.count()
    # the triggers are back on, and agree with the rebuild
    kept = _snapshot()
    StudioStudioType.objects.filter(studio__in=listed[:5]).delete()
    StudioStudioType.objects.bulk_create(
        [StudioStudioType(studio=studio, studio_type="HOME") for studio in listed[:5]]
    )
    search_index_rebuild()
    rebuilt = _snapshot()
    assert len(rebuilt[0]) == len(kept[0])
    studio = listed.first()
    Studio.objects.filter(pk=studio.pk).update(status=StudioStatus.INACTIVE)
    assert not StudioSearch.objects.filter(studio=studio).exists()
