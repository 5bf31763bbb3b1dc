"""GET /api/studios/{id}: content, order, privacy flags both ways, ratings, query count."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from directory.models import ReviewStatus, StudioStatus
from tests.factories import (
    ReviewFactory,
    ReviewResponseFactory,
    StudioFactory,
    StudioImageFactory,
    StudioServiceFactory,
    StudioTypeFactory,
    UserFactory,
)
from tests.support.api import error_of

pytestmark = pytest.mark.django_db


def _page(api, studio, user=None):
    if user is not None:
        api.force_login(user)
    return api.get(f"/api/studios/{studio.pk}")


def test_the_page_shows_the_studio_with_ordered_images_types_and_services(api):
    studio = StudioFactory(name="Quiet Booth", description="Treated room")
    third = StudioImageFactory(studio=studio, sort_order=3)
    first = StudioImageFactory(studio=studio, sort_order=1, alt_text="The booth")
    StudioTypeFactory(studio=studio, studio_type="VOICEOVER")
    StudioTypeFactory(studio=studio, studio_type="HOME")
    StudioServiceFactory(studio=studio, service="ZOOM")

    body = _page(api, studio).json()

    assert body["name"] == "Quiet Booth"
    assert [image["id"] for image in body["images"]] == [first.pk, third.pk]
    assert body["images"][0]["alt_text"] == "The booth"
    assert body["studio_types"] == ["HOME", "VOICEOVER"]
    assert body["services"] == ["ZOOM"]
    assert body["owner"]["username"] == studio.owner.username


@pytest.mark.parametrize(
    ("kwargs", "viewer", "status"),
    [
        ({"status": StudioStatus.DRAFT}, None, 404),
        ({"status": StudioStatus.PENDING}, None, 404),
        ({"status": StudioStatus.INACTIVE}, None, 404),
        ({"is_profile_visible": False}, None, 404),
        ({"status": StudioStatus.DRAFT}, "stranger", 404),
        ({"status": StudioStatus.DRAFT}, "owner", 200),
        ({"is_profile_visible": False}, "owner", 200),
        ({"status": StudioStatus.PENDING}, "admin", 200),
        ({}, None, 200),
    ],
)
def test_only_listed_studios_are_public(api, kwargs, viewer, status):
    studio = StudioFactory(**kwargs)
    user = {
        None: None,
        "stranger": UserFactory(),
        "owner": studio.owner,
        "admin": UserFactory(admin=True),
    }[viewer]
    response = _page(api, studio, user)
    assert response.status_code == status
    if status == 404:
        assert error_of(response)["code"] == "not_found"


def test_a_missing_studio_is_a_404_even_with_an_absurd_id(api):
    assert api.get("/api/studios/99999999999999999999999").status_code == 404


# --- Privacy flags: each one both ways; a hidden field is absent, not null. ----------------


@pytest.fixture
def private_studio():
    studio = StudioFactory(
        full_address="1 Secret Lane, Leeds",
        address="1 Secret Lane",
        phone="+44 113 000",
        latitude=Decimal("53.8"),
        longitude=Decimal("-1.55"),
    )
    profile = studio.owner.profile
    profile.phone = "+44 7700 900000"
    profile.rate_tier_1, profile.rate_tier_2, profile.rate_tier_3 = "£50", "£100", "£200"
    for flag in ("show_email", "show_phone", "show_address", "show_rates", "show_directions"):
        setattr(profile, flag, False)
    profile.save()
    return studio


FLAGS = {
    "show_email": {"owner": ["email"], "studio": []},
    "show_phone": {"owner": ["phone"], "studio": ["phone"]},
    "show_address": {"owner": [], "studio": ["full_address", "address"]},
    "show_rates": {"owner": ["rate_tier_1", "rate_tier_2", "rate_tier_3"], "studio": []},
    "show_directions": {"owner": [], "studio": ["latitude", "longitude"]},
}


@pytest.mark.parametrize("flag", FLAGS)
def test_each_privacy_flag_hides_its_fields_and_shows_them_when_on(api, private_studio, flag):
    hidden = _page(api, private_studio).json()
    for field in FLAGS[flag]["owner"]:
        assert field not in hidden["owner"], field
    for field in FLAGS[flag]["studio"]:
        assert field not in hidden, field

    profile = private_studio.owner.profile
    setattr(profile, flag, True)
    profile.save()
    shown = _page(api, private_studio).json()
    for field in FLAGS[flag]["owner"]:
        assert shown["owner"][field], field
    for field in FLAGS[flag]["studio"]:
        assert shown[field], field
    # Turning one flag on shows nothing of the others.
    others = {f for name, spec in FLAGS.items() if name != flag for f in spec["owner"]}
    assert not others & set(shown["owner"]) - set(FLAGS[flag]["owner"])


def test_with_every_flag_on_the_values_are_the_real_ones(api, private_studio):
    profile = private_studio.owner.profile
    for flag in FLAGS:
        setattr(profile, flag, True)
    profile.save()
    body = _page(api, private_studio).json()
    assert body["owner"]["email"] == private_studio.owner.email
    assert body["owner"]["phone"] == "+44 7700 900000"
    assert body["owner"]["rate_tier_2"] == "£100"
    assert body["full_address"] == "1 Secret Lane, Leeds"
    assert body["phone"] == "+44 113 000"
    assert (body["latitude"], body["longitude"]) == (53.8, -1.55)
    assert body["map"] == {"show_directions": True, "use_coordinates_for_map": False}


def test_an_owner_without_a_profile_shows_nothing_private(api):
    studio = StudioFactory(full_address="1 Secret Lane", phone="+44 1")
    studio.owner.profile.delete()
    body = _page(api, studio).json()
    assert "email" not in body["owner"]
    assert "full_address" not in body
    assert "phone" not in body


# --- Reviews and ratings ---------------------------------------------------------------------


def _review(studio, rating, days_ago, **kwargs):
    review = ReviewFactory(studio=studio, rating=rating, status=ReviewStatus.APPROVED, **kwargs)
    review.created_at = timezone.now() - dt.timedelta(days=days_ago)
    review.save(update_fields=["created_at"])
    return review


def test_approved_reviews_newest_first_with_responses_and_hidden_anonymous_reviewers(api):
    studio = StudioFactory()
    old = _review(studio, 4, days_ago=10)
    new = _review(studio, 5, days_ago=1, is_anonymous=True)
    ReviewResponseFactory(review=old, content="Thanks!")
    ReviewFactory(studio=studio, status=ReviewStatus.PENDING)
    ReviewFactory(studio=studio, status=ReviewStatus.REJECTED)

    reviews = _page(api, studio).json()["reviews"]

    assert reviews["count"] == 2
    assert [r["id"] for r in reviews["results"]] == [new.pk, old.pk]
    anonymous, named = reviews["results"]
    assert anonymous["reviewer"] is None
    assert anonymous["is_anonymous"] is True
    assert new.reviewer.username not in str(reviews)
    assert named["reviewer"] == {
        "username": old.reviewer.username,
        "display_name": old.reviewer.display_name,
        "avatar_url": None,
    }
    assert named["response"]["content"] == "Thanks!"
    assert named["response"]["author"]["username"] == studio.owner.username
    assert anonymous["response"] is None


def test_review_text_is_returned_as_typed_in_json(api):
    studio = StudioFactory()
    _review(studio, 3, 1, content='<img src=x onerror=alert(1)> & "quotes"')
    response = _page(api, studio)
    assert response["Content-Type"] == "application/json"
    assert response.json()["reviews"]["results"][0]["content"] == (
        '<img src=x onerror=alert(1)> & "quotes"'
    )


def test_average_and_distribution_with_counts_and_percentages(api):
    studio = StudioFactory()
    for n, rating in enumerate([5, 5, 5, 4, 2, 1]):
        _review(studio, rating, n)
    ReviewFactory(studio=studio, rating=1, status=ReviewStatus.PENDING)  # not counted

    rating = _page(api, studio).json()["rating"]

    assert rating["count"] == 6
    assert rating["average"] == 3.67  # 22 / 6
    assert rating["distribution"] == [
        {"rating": 5, "count": 3, "percentage": 50.0},
        {"rating": 4, "count": 1, "percentage": 16.7},
        {"rating": 3, "count": 0, "percentage": 0.0},
        {"rating": 2, "count": 1, "percentage": 16.7},
        {"rating": 1, "count": 1, "percentage": 16.7},
    ]


def test_no_reviews_yet(api):
    rating = _page(api, StudioFactory()).json()["rating"]
    assert rating["count"] == 0
    assert rating["average"] is None
    assert [b["count"] for b in rating["distribution"]] == [0, 0, 0, 0, 0]


def test_the_page_costs_the_same_few_queries_however_much_it_holds(api, django_assert_num_queries):
    small, big = StudioFactory(), StudioFactory()
    _review(small, 5, 1)
    StudioImageFactory(studio=small)
    for n in range(30):
        review = _review(big, 1 + n % 5, n)
        ReviewResponseFactory(review=review)
    StudioImageFactory.create_batch(8, studio=big)
    StudioTypeFactory(studio=big)
    StudioServiceFactory(studio=big)

    # studio+owner+profile, images, types, services, rating aggregate, reviews page
    with django_assert_num_queries(6):
        _page(api, small)
    with django_assert_num_queries(6):
        body = _page(api, big).json()
    assert len(body["reviews"]["results"]) == 20
    assert body["reviews"]["count"] == 30


def test_further_review_pages(api, django_assert_max_num_queries):
    studio = StudioFactory()
    reviews = [_review(studio, 5, n) for n in range(25)]
    with django_assert_max_num_queries(3):  # visibility, count, page
        body = api.get(f"/api/studios/{studio.pk}/reviews", {"page": 2, "page_size": 10}).json()
    assert body["count"] == 25
    assert [r["id"] for r in body["results"]] == [r.pk for r in reviews[10:20]]
    past_the_end = api.get(f"/api/studios/{studio.pk}/reviews", {"page": 9}).json()
    assert past_the_end["results"] == []
    bad = api.get(f"/api/studios/{studio.pk}/reviews", {"page_size": 101})
    assert bad.status_code == 400
    assert "page_size" in error_of(bad)["fields"]
