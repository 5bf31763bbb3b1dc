"""People: users, their profiles and metadata, and allauth's tables (which hold the legacy
`accounts` and `sessions` rows)."""

import factory
from allauth.socialaccount.models import SocialAccount, SocialToken
from factory.django import DjangoModelFactory

from accounts.models import Role, User, UserMetadata, UserProfile

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

    profile = factory.RelatedFactory("tests.factories.accounts.UserProfileFactory", "user")


class UserProfileFactory(DjangoModelFactory):
    class Meta:
        model = UserProfile
        django_get_or_create = ("user",)

    user = factory.SubFactory(UserFactory, profile=None)
    short_about = factory.Faker("sentence")


class UserMetadataFactory(DjangoModelFactory):
    class Meta:
        model = UserMetadata

    user = factory.SubFactory(UserFactory)
    key = factory.Sequence(lambda n: f"key{n}")
    value = "value"


class SocialAccountFactory(DjangoModelFactory):
    class Meta:
        model = SocialAccount

    user = factory.SubFactory(UserFactory)
    provider = "google"
    uid = factory.Sequence(lambda n: f"google-{n}")
    extra_data = factory.LazyFunction(dict)


class SocialTokenFactory(DjangoModelFactory):
    class Meta:
        model = SocialToken

    account = factory.SubFactory(SocialAccountFactory)
    token = factory.Sequence(lambda n: f"access-token-{n}")
    token_secret = factory.Sequence(lambda n: f"refresh-token-{n}")
