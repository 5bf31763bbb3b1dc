"""allauth's tables, which hold the legacy `accounts` and `sessions` rows."""

import factory
from allauth.socialaccount.models import SocialAccount, SocialToken
from factory.django import DjangoModelFactory

from .directory import UserFactory


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
