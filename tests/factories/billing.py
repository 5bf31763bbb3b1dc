import factory
from factory.django import DjangoModelFactory

from billing.models import (
    PaymentMethod,
    PendingSubscription,
    Refund,
    RefundStatus,
    Subscription,
    SubscriptionStatus,
)

from .directory import StudioFactory, UserFactory


class SubscriptionFactory(DjangoModelFactory):
    class Meta:
        model = Subscription

    user = factory.SubFactory(UserFactory)
    stripe_subscription_id = factory.Sequence(lambda n: f"sub_{n:08d}")
    stripe_customer_id = factory.Sequence(lambda n: f"cus_{n:08d}")
    status = SubscriptionStatus.ACTIVE


class PendingSubscriptionFactory(DjangoModelFactory):
    class Meta:
        model = PendingSubscription

    studio = factory.SubFactory(StudioFactory)
    user = factory.LazyAttribute(lambda p: p.studio.owner)
    stripe_session_id = factory.Sequence(lambda n: f"cs_{n:08d}")
    payment_method = PaymentMethod.STRIPE


class RefundFactory(DjangoModelFactory):
    class Meta:
        model = Refund

    stripe_refund_id = factory.Sequence(lambda n: f"re_{n:08d}")
    stripe_payment_intent_id = factory.Sequence(lambda n: f"pi_{n:08d}")
    amount = 29900
    currency = "usd"
    status = RefundStatus.PENDING
    processed_by = factory.SubFactory(UserFactory, admin=True)
