import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from billing.models import (
    PaymentMethod,
    PendingSubscription,
    Refund,
    RefundStatus,
    StripeCustomer,
    StripeEvent,
    Subscription,
    SubscriptionStatus,
    WebhookEventStatus,
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


class StripeCustomerFactory(DjangoModelFactory):
    class Meta:
        model = StripeCustomer

    user = factory.SubFactory(UserFactory)
    stripe_customer_id = factory.Sequence(lambda n: f"cus_f{n:08d}")


class StripeEventFactory(DjangoModelFactory):
    class Meta:
        model = StripeEvent

    stripe_event_id = factory.Sequence(lambda n: f"evt_{n:08d}")
    type = "customer.subscription.updated"
    api_version = "2026-10-28.endive"
    stripe_created = factory.LazyFunction(timezone.now)
    payload = factory.LazyAttribute(
        lambda e: {"id": e.stripe_event_id, "type": e.type, "data": {"object": {}}}
    )
    status = WebhookEventStatus.PROCESSED
