"""The directory's tables on PostgreSQL: columns, defaults, constraints, delete rules, indexes.

Each rule is its own test case. Constraints are provoked with .update() or raw SQL so that
the database refuses the row, not Django's validation.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialToken
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import ProtectedError
from django.urls import resolve, reverse

from directory.models import (
    Review,
    ReviewResponse,
    SavedSearch,
    ServiceType,
    Studio,
    StudioImage,
    StudioService,
    StudioStudioType,
    StudioType,
    User,
    UserMetadata,
    UserProfile,
)
from tests.dbrules import (
    CHECK_VIOLATION,
    FOREIGN_KEY_VIOLATION,
    NOT_NULL_VIOLATION,
    UNIQUE_VIOLATION,
    db_clock,
    explain,
    raw_insert,
    refused,
)
from tests.factories import (
    FaqFactory,
    LegacyContactFactory,
    ReviewFactory,
    ReviewResponseFactory,
    SavedSearchFactory,
    SocialAccountFactory,
    SocialTokenFactory,
    StudioFactory,
    StudioImageFactory,
    StudioServiceFactory,
    StudioTypeFactory,
    UserFactory,
    UserMetadataFactory,
)
from tests.factories.directory import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


# --- NOT NULL, defaults and timestamps, as a raw INSERT sees them -----------------------

# The NOT NULL columns without a default, per table: a row of just these must insert, and
# leaving any one out must be refused. Everything else is nullable or has a default.
REQUIRED = {
    "users": lambda: {
        "username": "rawuser",
        "email": "raw@example.com",
        "display_name": "Raw User",
        "password": "!",
    },
    "user_profiles": lambda: {"user_id": UserFactory(profile=None).pk},
    "studios": lambda: {"owner_id": UserFactory().pk, "name": "Raw Studio", "city": "Leeds"},
    "studio_images": lambda: {
        "studio_id": StudioFactory().pk,
        "image_url": "https://img.example.com/a.jpg",
    },
    "studio_services": lambda: {"studio_id": StudioFactory().pk, "service": "ISDN"},
    "studio_studio_types": lambda: {"studio_id": StudioFactory().pk, "studio_type": "HOME"},
    "reviews": lambda: (
        lambda studio: {
            "studio_id": studio.pk,
            "reviewer_id": UserFactory().pk,
            "owner_id": studio.owner_id,
            "rating": 4,
        }
    )(StudioFactory()),
    "review_responses": lambda: (
        lambda review: {"review_id": review.pk, "author_id": review.owner_id, "content": "Thanks"}
    )(ReviewFactory()),
    "saved_searches": lambda: {"user_id": UserFactory().pk, "name": "Leeds"},
    "faq": lambda: {"question": "Why?", "answer": "Because."},
    "user_metadata": lambda: {"user_id": UserFactory().pk, "key": "theme"},
    "poi": lambda: {"name": "Mic shop"},
    "contacts": lambda: {"user1": "aaaaaaaaaaaaaaaa", "user2": "bbbbbbbbbbbbbbbb"},
}

# Defaults of the report (and ours, marked), as the database applies them.
DEFAULTS = [
    ("users", "role", "USER"),
    ("users", "email_verified", False),
    ("users", "is_active", True),  # ours
    ("users", "is_suspended_indefinitely", False),  # ours
    ("users", "suspension_reason", ""),  # ours
    ("user_profiles", "show_rates", False),
    ("user_profiles", "is_crb_checked", False),
    ("user_profiles", "is_featured", False),
    ("user_profiles", "is_spotlight", False),
    ("user_profiles", "verification_level", "none"),
    ("user_profiles", "show_email", False),
    ("user_profiles", "show_phone", False),
    ("user_profiles", "show_address", False),
    ("user_profiles", "show_directions", True),
    ("user_profiles", "use_coordinates_for_map", False),
    ("user_profiles", "custom_connection_methods", []),
    ("studios", "is_premium", False),
    ("studios", "is_verified", False),
    ("studios", "is_profile_visible", True),
    ("studios", "status", "ACTIVE"),
    ("studio_images", "sort_order", 0),
    ("reviews", "is_anonymous", False),
    ("reviews", "status", "PENDING"),
    ("saved_searches", "filters", {}),  # ours (legacy: a JSON string, no default)
    ("saved_searches", "alerts_enabled", True),  # ours
    ("contacts", "accepted", 0),
]

TIMESTAMPED = [
    "users",
    "user_profiles",
    "studios",
    "reviews",
    "review_responses",
    "saved_searches",
    "faq",
    "user_metadata",
    "poi",
    "contacts",
]

MODEL_OF_TABLE = {
    model._meta.db_table: model
    for model in (
        User,
        UserProfile,
        Studio,
        StudioImage,
        StudioService,
        StudioStudioType,
        Review,
        ReviewResponse,
        SavedSearch,
        UserMetadata,
    )
}


@pytest.mark.parametrize("table", REQUIRED)
def test_a_row_of_only_the_required_columns_inserts(table):
    row = raw_insert(table, **REQUIRED[table]())
    assert row["id"] > 0
    assert row["legacy_id"] is None


REQUIRED_COLUMNS = {
    "users": ("username", "email", "display_name", "password"),
    "user_profiles": ("user_id",),
    "studios": ("owner_id", "name", "city"),
    "studio_images": ("studio_id", "image_url"),
    "studio_services": ("studio_id", "service"),
    "studio_studio_types": ("studio_id", "studio_type"),
    "reviews": ("studio_id", "reviewer_id", "owner_id", "rating"),
    "review_responses": ("review_id", "author_id", "content"),
    "saved_searches": ("user_id", "name"),
    "faq": ("question", "answer"),
    "user_metadata": ("user_id", "key"),
    "poi": ("name",),
    "contacts": ("user1", "user2"),
}


@pytest.mark.parametrize("table", REQUIRED)
def test_required_columns_are_listed(table):
    assert tuple(REQUIRED[table]()) == REQUIRED_COLUMNS[table]


@pytest.mark.parametrize(
    ("table", "column"), [(t, c) for t, columns in REQUIRED_COLUMNS.items() for c in columns]
)
def test_required_column_is_not_null(table, column):
    values = REQUIRED[table]()
    del values[column]
    with refused(NOT_NULL_VIOLATION, column=column):
        raw_insert(table, **values)


@pytest.mark.parametrize(("table", "column", "expected"), DEFAULTS)
def test_database_default(table, column, expected):
    row = raw_insert(table, **REQUIRED[table]())
    if table in MODEL_OF_TABLE:  # read JSON through the ORM, which decodes it
        model = MODEL_OF_TABLE[table]
        assert model.objects.values_list(column, flat=True).get(pk=row["id"]) == expected
    assert row[column] == expected or isinstance(expected, list | dict)


@pytest.mark.parametrize("table", TIMESTAMPED)
def test_created_and_updated_at_default_to_now(table):
    row = raw_insert(table, **REQUIRED[table]())
    began, now = db_clock()
    assert began <= row["created_at"] <= now
    assert row["updated_at"] == row["created_at"]


# --- users ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "first", "second", "constraint"),
    [
        ("email", "Ann@Example.com", "ann@example.COM", "users_email_ci_uniq"),
        ("email", "ann@example.com", "ann@example.com", "users_email_ci_uniq"),
        ("username", "VoiceoverGuy", "voiceoverguy", "users_username_ci_uniq"),
    ],
)
def test_email_and_username_are_unique_ignoring_case(field, first, second, constraint):
    UserFactory(**{field: first, "email" if field == "username" else "username": "one"})
    with refused(UNIQUE_VIOLATION, constraint=constraint):
        UserFactory(**{field: second, "email" if field == "username" else "username": "two"})


def test_username_is_unique_exactly_too():
    UserFactory(username="VoiceoverGuy", email="one@example.com")
    with refused(UNIQUE_VIOLATION) as refusal:
        UserFactory(username="VoiceoverGuy", email="two@example.com")
    assert refusal.constraint in {"users_username_key", "users_username_ci_uniq"}


@pytest.mark.parametrize("username", ["Voice.Over_Guy-1", "a", "9lives"])
def test_url_safe_usernames_validate_and_name_their_profile_page(username):
    UserFactory.build(username=username).full_clean(exclude=["password"])  # no ValidationError
    match = resolve(reverse("profile-page", kwargs={"username": username}))
    assert (match.url_name, match.kwargs) == ("profile-page", {"username": username})


@pytest.mark.parametrize("username", ["has space", "slash/name", "-dash-first", "é-accent", "q?x"])
def test_usernames_that_are_not_url_safe_are_refused(username):
    with pytest.raises(ValidationError) as excinfo:
        UserFactory.build(username=username).full_clean(exclude=["password"])
    assert "username" in excinfo.value.message_dict


def test_one_profile_per_user():
    user = UserFactory()  # comes with its profile
    with refused(UNIQUE_VIOLATION, constraint="user_profiles_user_id_key"):
        raw_insert("user_profiles", user_id=user.pk)


# --- studios and what hangs off them ------------------------------------------------------


@pytest.mark.parametrize(
    ("latitude", "longitude", "constraint"),
    [
        (Decimal("90.5"), Decimal("0"), "studios_latitude_range"),
        (Decimal("-90.5"), Decimal("0"), "studios_latitude_range"),
        (Decimal("0"), Decimal("180.5"), "studios_longitude_range"),
        (Decimal("0"), Decimal("-180.5"), "studios_longitude_range"),
        (Decimal("51.5"), None, "studios_coordinates_both_or_neither"),
        (None, Decimal("-0.12"), "studios_coordinates_both_or_neither"),
    ],
)
def test_studio_coordinates_are_checked(latitude, longitude, constraint):
    studio = StudioFactory()
    with refused(CHECK_VIOLATION, constraint=constraint):
        Studio.objects.filter(pk=studio.pk).update(latitude=latitude, longitude=longitude)


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [(Decimal("90"), Decimal("180")), (Decimal("-90"), Decimal("-180")), (None, None)],
)
def test_studio_coordinates_at_the_limits_are_accepted(latitude, longitude):
    studio = StudioFactory()
    assert Studio.objects.filter(pk=studio.pk).update(latitude=latitude, longitude=longitude) == 1
    studio.refresh_from_db()
    assert (studio.latitude, studio.longitude) == (latitude, longitude)


@pytest.mark.parametrize(
    ("factory", "field", "value", "constraint"),
    [
        (StudioServiceFactory, "service", ServiceType.ISDN, "studio_service_uniq"),
        (StudioTypeFactory, "studio_type", StudioType.PODCAST, "studio_type_uniq"),
    ],
)
def test_a_studio_lists_a_service_or_type_once(factory, field, value, constraint):
    first = factory(**{field: value})
    factory(studio=first.studio, **{field: "ZOOM" if field == "service" else "HOME"})
    with refused(UNIQUE_VIOLATION, constraint=constraint):
        factory(studio=first.studio, **{field: value})


def test_one_review_per_studio_and_reviewer():
    review = ReviewFactory()
    ReviewFactory(reviewer=review.reviewer)  # another studio: fine
    with refused(UNIQUE_VIOLATION, constraint="review_once_per_studio"):
        ReviewFactory(studio=review.studio, reviewer=review.reviewer)


@pytest.mark.parametrize("rating", [0, 6, 100])
def test_rating_outside_1_to_5_is_refused(rating):
    review = ReviewFactory()
    with refused(CHECK_VIOLATION, constraint="reviews_rating_1_to_5"):
        Review.objects.filter(pk=review.pk).update(rating=rating)


@pytest.mark.parametrize("rating", [1, 2, 3, 4, 5])
def test_rating_1_to_5_is_accepted(rating):
    review = ReviewFactory()
    Review.objects.filter(pk=review.pk).update(rating=rating)
    review.refresh_from_db()
    assert review.rating == rating


def test_an_owner_cannot_review_their_own_studio():
    studio = StudioFactory()
    with refused(CHECK_VIOLATION, constraint="reviews_not_own_studio"):
        ReviewFactory(studio=studio, reviewer=studio.owner)


def test_one_response_per_review():
    response = ReviewResponseFactory()
    with refused(UNIQUE_VIOLATION, constraint="review_responses_review_id_key"):
        ReviewResponseFactory(review=response.review)


def test_one_metadata_value_per_user_and_key():
    entry = UserMetadataFactory(key="theme")
    UserMetadataFactory(key="theme")  # another user: fine
    with refused(UNIQUE_VIOLATION, constraint="user_metadata_key_uniq"):
        UserMetadataFactory(user=entry.user, key="theme")


@pytest.mark.parametrize("key", ["Theme", "has space", "x" * 65, ""])
def test_metadata_keys_outside_the_pattern_do_not_validate(key):
    with pytest.raises(ValidationError):
        UserMetadataFactory.build(user=UserFactory(), key=key).full_clean()


@pytest.mark.parametrize("accepted", [-1, 2])
def test_legacy_contact_accepted_is_0_or_1(accepted):
    contact = LegacyContactFactory()
    with refused(CHECK_VIOLATION, constraint="contacts_accepted_0_1"):
        type(contact).objects.filter(pk=contact.pk).update(accepted=accepted)


def test_faq_orders_by_sort_order_with_unordered_last():
    last = FaqFactory(sort_order=None)
    second = FaqFactory(sort_order=2)
    first = FaqFactory(sort_order=1)
    assert list(type(first).objects.all()) == [first, second, last]


def test_studio_images_order_by_sort_order():
    studio = StudioFactory()
    later = StudioImageFactory(studio=studio, sort_order=5)
    cover = StudioImageFactory(studio=studio, sort_order=0)
    assert list(studio.images.all()) == [cover, later]


# --- delete rules -------------------------------------------------------------------------


def _login(client, user, path):
    """Sign in through a real login view (allauth's, or the admin's Django form)."""
    field = "login" if path.startswith("/accounts/") else "username"
    response = client.post(path, {field: user.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302, response.content
    return client.session.session_key


# What goes with a user: each maker builds one row that belongs to `user`.
USER_CASCADES = {
    "user_profiles": lambda user: user.profile,
    "user_metadata": lambda user: UserMetadataFactory(user=user),
    "saved_searches": lambda user: SavedSearchFactory(user=user),
    "reviews (as reviewer)": lambda user: ReviewFactory(reviewer=user),
    "review_responses (as author)": lambda user: ReviewResponseFactory(author=user),
    "accounts: allauth social account": lambda user: SocialAccountFactory(user=user),
    "accounts: allauth social token": lambda user: SocialTokenFactory(account__user=user),
    "allauth email address": lambda user: EmailAddress.objects.create(
        user=user, email=user.email, primary=True, verified=True
    ),
}


@pytest.mark.parametrize("what", USER_CASCADES)
def test_deleting_a_user_deletes(what):
    user = UserFactory()
    row = USER_CASCADES[what](user)
    user.delete()
    assert not type(row).objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize("login_path", ["/accounts/login/", "/admin/login/"])
def test_deleting_a_user_ends_their_sessions(client, login_path):
    user = UserFactory(admin=True)  # the admin form only signs in staff
    session_key = _login(client, user, login_path)
    assert Session.objects.filter(session_key=session_key).exists()
    assert UserSession.objects.filter(user=user, session_key=session_key).exists()

    user.delete()

    assert not Session.objects.filter(session_key=session_key).exists()
    assert not UserSession.objects.filter(session_key=session_key).exists()
    assert client.get("/admin/").status_code == 302  # signed out


def test_deleting_a_user_keeps_other_peoples_sessions(client):
    other = UserFactory()
    session_key = _login(client, other, "/accounts/login/")
    UserFactory().delete()
    assert Session.objects.filter(session_key=session_key).exists()


def test_deleting_a_user_who_owns_a_studio_is_refused():
    studio = StudioFactory()
    with pytest.raises(ProtectedError):
        studio.owner.delete()
    assert Studio.objects.filter(pk=studio.pk).exists()


def test_the_database_refuses_deleting_a_studio_owner_too():
    owner = UserFactory(owner=True, profile=None)
    StudioFactory(owner=owner)
    with refused(FOREIGN_KEY_VIOLATION) as refusal, connection.cursor() as cursor:
        cursor.execute("DELETE FROM users WHERE id = %s", [owner.pk])
    assert refusal.constraint.startswith("studios_owner_id_")


def test_a_studio_owner_can_be_deleted_once_their_studios_are_gone():
    studio = StudioFactory()
    owner = studio.owner
    studio.delete()
    owner.delete()
    assert not User.objects.filter(pk=owner.pk).exists()


def test_deleting_a_former_owner_does_not_delete_reviews_of_a_studio_they_handed_on():
    review = ReviewFactory()
    former_owner = review.studio.owner
    Studio.objects.filter(pk=review.studio_id).update(owner=UserFactory(owner=True))
    with pytest.raises(ProtectedError):
        former_owner.delete()
    assert Review.objects.filter(pk=review.pk).exists()


def test_deleting_a_user_keeps_the_studios_they_reviewed():
    review = ReviewFactory()
    review.reviewer.delete()
    assert Studio.objects.filter(pk=review.studio_id).exists()


# What goes with a studio: each maker builds one row that belongs to `studio`.
STUDIO_CASCADES = {
    "studio_images": lambda studio: StudioImageFactory(studio=studio),
    "studio_services": lambda studio: StudioServiceFactory(studio=studio),
    "studio_studio_types": lambda studio: StudioTypeFactory(studio=studio),
    "reviews": lambda studio: ReviewFactory(studio=studio),
    "review_responses": lambda studio: ReviewResponseFactory(review__studio=studio),
}


@pytest.mark.parametrize("what", STUDIO_CASCADES)
def test_deleting_a_studio_deletes(what):
    studio = StudioFactory()
    row = STUDIO_CASCADES[what](studio)
    studio.delete()
    assert not type(row).objects.filter(pk=row.pk).exists()


def test_deleting_a_studio_keeps_its_owner_and_reviewers():
    review = ReviewFactory()
    review.studio.delete()
    assert User.objects.filter(pk__in=[review.owner_id, review.reviewer_id]).count() == 2


def test_deleting_a_review_deletes_its_response():
    response = ReviewResponseFactory()
    response.review.delete()
    assert not ReviewResponse.objects.filter(pk=response.pk).exists()


def test_deleting_a_social_account_deletes_its_tokens():
    token = SocialTokenFactory()
    token.account.delete()
    assert not SocialToken.objects.filter(pk=token.pk).exists()


def test_a_provider_account_links_to_one_user():
    """The legacy UNIQUE (provider, provider_account_id), kept by allauth."""
    account = SocialAccountFactory()
    with refused(UNIQUE_VIOLATION):
        SocialAccount.objects.create(user=UserFactory(), provider=account.provider, uid=account.uid)


# --- indexes: each serves its query -------------------------------------------------------

INDEX_QUERIES = {
    "users_email_idx": lambda: User.objects.filter(email="ann@example.com"),
    "users_email_ci_uniq": lambda: User.objects.filter(email__iexact="Ann@Example.com"),
    "users_username_ci_uniq": lambda: User.objects.filter(username__iexact="voiceoverguy"),
    "profile_featured_idx": lambda: UserProfile.objects.filter(is_featured=True).values("user"),
    "profile_spotlight_idx": lambda: UserProfile.objects.filter(is_spotlight=True).values("user"),
    "profile_verif_level_idx": lambda: UserProfile.objects.filter(verification_level="gold"),
    "studios_city_upper_idx": lambda: Studio.objects.filter(city__iexact="london"),
    "studios_created_idx": lambda: Studio.objects.order_by("-created_at")[:20],
    "studios_search_prio_idx": lambda: Studio.objects.filter(status="ACTIVE").order_by(
        "-is_premium", "-is_verified"
    )[:20],
    "studios_premium_idx": lambda: Studio.objects.filter(is_premium=True).values("pk"),
    "studios_verified_idx": lambda: Studio.objects.filter(is_verified=True).values("pk"),
    "studio_images_order_idx": lambda: StudioImage.objects.filter(studio_id=1).order_by(
        "sort_order"
    )[:1],
    "studio_services_svc_idx": lambda: StudioService.objects.filter(
        service__in=["ISDN", "ZOOM"]
    ).values("studio_id"),
    "studio_types_type_idx": lambda: StudioStudioType.objects.filter(
        studio_type__in=["HOME"]
    ).values("studio_id"),
    "reviews_approved_idx": lambda: Review.objects.filter(studio_id=1, status="APPROVED").order_by(
        "-created_at"
    )[:20],
    "reviews_approved_rating_idx": lambda: (
        Review.objects.filter(studio_id=1, status="APPROVED").values("rating").order_by("rating")
    ),
    "reviews_status_idx": lambda: Review.objects.filter(status="PENDING").values("pk"),
    "faq_sort_idx": lambda: type(FaqFactory.build()).objects.order_by("sort_order")[:50],
    "user_metadata_key_idx": lambda: UserMetadata.objects.filter(key="theme").values("user"),
}


@pytest.mark.parametrize("index", INDEX_QUERIES)
def test_index_serves_its_query(index):
    assert index in explain(INDEX_QUERIES[index]())
