import factory
from factory.django import DjangoModelFactory

from directory.models import (
    Faq,
    LegacyContact,
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
from tests.factories.accounts import UserFactory


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
