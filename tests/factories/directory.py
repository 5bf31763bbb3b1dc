import factory
from factory.django import DjangoModelFactory

from directory.models import (
    Faq,
    LegacyContact,
    Poi,
    Review,
    ReviewResponse,
    ReviewStatus,
    Role,
    SavedSearch,
    ServiceType,
    Studio,
    StudioImage,
    StudioService,
    StudioStatus,
    StudioStudioType,
    StudioType,
    User,
    UserMetadata,
    UserProfile,
)

DEFAULT_PASSWORD = "correct horse battery staple"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    display_name = factory.Faker("name")
    role = Role.USER
    email_verified = True
    password = factory.django.Password(DEFAULT_PASSWORD)

    class Params:
        owner = factory.Trait(role=Role.STUDIO_OWNER)
        admin = factory.Trait(role=Role.ADMIN)
        # Every user above is verified; these are the members the rules refuse.
        unverified = factory.Trait(email_verified=False)
        suspended = factory.Trait(
            is_suspended_indefinitely=True, suspension_reason="Spam (test factory)"
        )

    profile = factory.RelatedFactory("tests.factories.directory.UserProfileFactory", "user")


class UserProfileFactory(DjangoModelFactory):
    class Meta:
        model = UserProfile
        django_get_or_create = ("user",)

    user = factory.SubFactory(UserFactory, profile=None)
    short_about = factory.Faker("sentence")


class StudioFactory(DjangoModelFactory):
    class Meta:
        model = Studio

    owner = factory.SubFactory(UserFactory, owner=True)
    name = factory.Sequence(lambda n: f"Studio {n}")
    city = "London"
    latitude = None
    longitude = None
    status = StudioStatus.ACTIVE


class StudioImageFactory(DjangoModelFactory):
    class Meta:
        model = StudioImage

    studio = factory.SubFactory(StudioFactory)
    image_url = factory.Sequence(lambda n: f"https://images.example.com/{n}.jpg")
    sort_order = factory.Sequence(int)


class StudioServiceFactory(DjangoModelFactory):
    class Meta:
        model = StudioService

    studio = factory.SubFactory(StudioFactory)
    service = ServiceType.SOURCE_CONNECT


class StudioTypeFactory(DjangoModelFactory):
    class Meta:
        model = StudioStudioType

    studio = factory.SubFactory(StudioFactory)
    studio_type = StudioType.HOME


class ReviewFactory(DjangoModelFactory):
    class Meta:
        model = Review

    studio = factory.SubFactory(StudioFactory)
    reviewer = factory.SubFactory(UserFactory)
    owner = factory.LazyAttribute(lambda r: r.studio.owner)
    rating = 5
    content = "A lovely quiet booth with great gear."
    status = ReviewStatus.PENDING


class ReviewResponseFactory(DjangoModelFactory):
    class Meta:
        model = ReviewResponse

    review = factory.SubFactory(ReviewFactory)
    author = factory.LazyAttribute(lambda r: r.review.owner)
    content = "Thank you for the kind words!"


class SavedSearchFactory(DjangoModelFactory):
    class Meta:
        model = SavedSearch

    user = factory.SubFactory(UserFactory)
    name = "Near London"
    filters = factory.LazyFunction(lambda: {"city": "London"})


class FaqFactory(DjangoModelFactory):
    class Meta:
        model = Faq

    question = factory.Sequence(lambda n: f"Question {n}?")
    answer = "An answer."
    sort_order = factory.Sequence(int)


class UserMetadataFactory(DjangoModelFactory):
    class Meta:
        model = UserMetadata

    user = factory.SubFactory(UserFactory)
    key = factory.Sequence(lambda n: f"key{n}")
    value = "value"


class PoiFactory(DjangoModelFactory):
    class Meta:
        model = Poi

    name = factory.Sequence(lambda n: f"Place {n}")
    category = "venue"


class LegacyContactFactory(DjangoModelFactory):
    class Meta:
        model = LegacyContact

    user1 = factory.Sequence(lambda n: f"legacy-user-a{n}")
    user2 = factory.Sequence(lambda n: f"legacy-user-b{n}")
