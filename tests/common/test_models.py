"""Rules every table of the data model shares (common/models.py), generated over the models.

A model added later is covered without touching this file; one without a factory fails
here and says so.
"""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.db import ProgrammingError, connection, models, transaction
from django.db.models.functions import Now

from common.models import TimestampedModel
from tests.dbrules import (
    CHECK_VIOLATION,
    UNIQUE_VIOLATION,
    domain_models,
    enum_fields,
    legacy_models,
    model_id,
    refused,
)
from tests.factories import factory_for

# The report's 22 tables and the models that hold them. `accounts` and `sessions` map
# onto allauth and Django (docs/data-model.md, "accounts and sessions").
LEGACY_TABLES = {
    "users": "accounts.User",
    "user_profiles": "accounts.UserProfile",
    "studios": "directory.Studio",
    "studio_images": "directory.StudioImage",
    "studio_services": "directory.StudioService",
    "studio_studio_types": "directory.StudioStudioType",
    "reviews": "directory.Review",
    "review_responses": "directory.ReviewResponse",
    "messages": "realtime.Message",
    "notifications": "realtime.Notification",
    "subscriptions": "billing.Subscription",
    "pending_subscriptions": "billing.PendingSubscription",
    "user_connections": "realtime.UserConnection",
    "saved_searches": "directory.SavedSearch",
    "content_reports": "moderation.ContentReport",
    "accounts": "socialaccount.SocialAccount",
    "sessions": "usersessions.UserSession",
    "user_metadata": "accounts.UserMetadata",
    "refunds": "billing.Refund",
    "contacts": "directory.LegacyContact",
    "poi": "directory.Poi",
    "faq": "directory.Faq",
}

MAPPED_ONTO_ALLAUTH = ("accounts", "sessions")

# Rows that must satisfy more than one rule at once (OTHER needs a custom reason).
ROW_OVERRIDES = {"ContentReport": {"custom_reason": "Details of the report."}}


def make_row(model: type[models.Model], **fields) -> models.Model:
    return factory_for(model)(**{**ROW_OVERRIDES.get(model.__name__, {}), **fields})


# The report's enums ("Enumerations"), value for value; PendingSubscriptionStatus holds the
# four documented values of the old string column pending_subscriptions.status, and
# WebhookEventStatus is billing's own (docs/data-model.md lists both as "ours").
REPORT_ENUMS = {
    "accounts.Role": ["USER", "STUDIO_OWNER", "ADMIN"],
    "directory.StudioStatus": ["DRAFT", "ACTIVE", "INACTIVE", "PENDING"],
    "directory.StudioType": ["HOME", "RECORDING", "VO_COACH", "EDITING", "PODCAST", "VOICEOVER"],
    "directory.ServiceType": [
        "ISDN",
        "SOURCE_CONNECT",
        "SOURCE_CONNECT_NOW",
        "CLEANFEED",
        "SESSION_LINK_PRO",
        "ZOOM",
        "SKYPE",
        "TEAMS",
    ],
    "directory.ReviewStatus": ["PENDING", "APPROVED", "REJECTED"],
    "realtime.NotificationType": [
        "MESSAGE_RECEIVED",
        "REVIEW_RECEIVED",
        "REVIEW_RESPONSE",
        "CONNECTION_REQUEST",
        "CONNECTION_ACCEPTED",
        "STUDIO_VERIFIED",
        "PAYMENT_SUCCESS",
        "PAYMENT_FAILED",
        "SUBSCRIPTION_EXPIRING",
        # Added for the legacy "Report Flow" (admins told, reporters told): docs/moderation.md.
        "REPORT_RECEIVED",
        "REPORT_OUTCOME",
        "MODERATION_WARNING",
    ],
    "billing.PaymentMethod": ["STRIPE", "PAYPAL"],
    "billing.SubscriptionStatus": [
        "ACTIVE",
        "CANCELLED",
        "PAST_DUE",
        "UNPAID",
        "INCOMPLETE",
        "SUSPENDED",
    ],
    "billing.PendingSubscriptionStatus": ["PENDING_APPROVAL", "APPROVED", "REJECTED", "CANCELLED"],
    "billing.RefundStatus": ["PENDING", "SUCCEEDED", "FAILED", "CANCELLED"],
    # Ours, like PendingSubscriptionStatus: billing_stripe_events.status, the 14th enum of
    # docs/data-model.md ("Enums"), pinned value for value like the report's.
    "billing.WebhookEventStatus": ["RECEIVED", "PROCESSED", "FAILED", "IGNORED"],
    "moderation.ReportedContentType": ["REVIEW", "MESSAGE", "STUDIO", "USER"],
    "moderation.ReportReason": [
        "SPAM",
        "HARASSMENT",
        "HATE_SPEECH",
        "INAPPROPRIATE",
        "FAKE_INFO",
        "COPYRIGHT",
        "OTHER",
    ],
    "moderation.ReportStatus": ["PENDING", "REVIEWED", "RESOLVED", "DISMISSED"],
}


@pytest.mark.parametrize(("enum", "values"), REPORT_ENUMS.items())
def test_enum_has_exactly_the_legacy_values(enum, values):
    app_label, name = enum.split(".")
    choices = getattr(importlib.import_module(f"{app_label}.models"), name)
    assert choices.values == values


def test_every_enum_column_uses_one_of_the_legacy_enums():
    legacy_value_lists = [sorted(v) for v in REPORT_ENUMS.values()]
    for model, field in enum_fields():
        values = sorted(dict(model._meta.get_field(field).choices))
        assert values in legacy_value_lists, f"{model.__name__}.{field}"


def test_the_report_lists_22_tables():
    assert len(LEGACY_TABLES) == 22


@pytest.mark.parametrize(
    ("table", "label"), [(t, m) for t, m in LEGACY_TABLES.items() if t not in MAPPED_ONTO_ALLAUTH]
)
def test_every_legacy_table_has_its_model(table, label):
    assert apps.get_model(label)._meta.db_table == table


def test_accounts_map_onto_allauth_social_accounts():
    """Legacy UNIQUE (provider, provider_account_id) is allauth's (provider, uid)."""
    account = apps.get_model(LEGACY_TABLES["accounts"])
    assert ("provider", "uid") in account._meta.unique_together
    assert account._meta.get_field("user").remote_field.on_delete is models.CASCADE
    token = apps.get_model("socialaccount.SocialToken")
    assert token._meta.get_field("account").remote_field.on_delete is models.CASCADE


def test_sessions_map_onto_allauth_user_sessions():
    """Legacy sessions(session_token UNIQUE, user_id CASCADE): UserSession + Django's session."""
    session = apps.get_model(LEGACY_TABLES["sessions"])
    assert session._meta.get_field("session_key").unique
    assert session._meta.get_field("user").remote_field.on_delete is models.CASCADE


@pytest.mark.parametrize("model", legacy_models(), ids=model_id)
def test_imported_table_has_a_nullable_legacy_id(model):
    field = model._meta.get_field("legacy_id")
    assert field.null
    assert field.max_length >= 24  # the legacy ids are base64url of 12 random bytes (16)


@pytest.mark.django_db
@pytest.mark.parametrize("model", legacy_models(), ids=model_id)
def test_legacy_id_is_unique_when_present(model):
    make_row(model, legacy_id="k7Qx2mLp9Rt4Vw8Z")
    constraint = f"{model._meta.app_label}_{model._meta.model_name}_legacy_id_uniq"
    with refused(UNIQUE_VIOLATION, constraint=constraint):
        make_row(model, legacy_id="k7Qx2mLp9Rt4Vw8Z")


@pytest.mark.django_db
@pytest.mark.parametrize("model", legacy_models(), ids=model_id)
def test_rows_without_legacy_id_do_not_collide(model):
    make_row(model)
    make_row(model)
    assert model.objects.filter(legacy_id__isnull=True).count() >= 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "field"), enum_fields(), ids=lambda v: model_id(v) if isinstance(v, type) else v
)
def test_database_refuses_a_value_outside_the_enum(model, field):
    row = make_row(model)
    constraint = f"{model._meta.app_label}_{model._meta.model_name}_{field}_valid"
    with refused(CHECK_VIOLATION, constraint=constraint):
        # .update() bypasses Django's validation: only the CHECK constraint stands in the way.
        model.objects.filter(pk=row.pk).update(**{field: "NOT_A_VALUE"})


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "field"), enum_fields(), ids=lambda v: model_id(v) if isinstance(v, type) else v
)
def test_database_accepts_every_enum_value(model, field):
    row = make_row(model)
    for value in model._meta.get_field(field).choices:
        model.objects.filter(pk=row.pk).update(**{field: value[0]})
        row.refresh_from_db()
        assert getattr(row, field) == value[0]


def _defaulted_fields():
    return [
        (model, field.name)
        for model in domain_models()
        for field in model._meta.concrete_fields
        if field.has_default() and not field.primary_key
    ]


@pytest.mark.parametrize(
    ("model", "field"),
    _defaulted_fields(),
    ids=lambda v: model_id(v) if isinstance(v, type) else v,
)
def test_every_default_is_also_a_database_default(model, field):
    """COPY, psql and the legacy importer get the same row as Model.objects.create()."""
    f = model._meta.get_field(field)
    assert f.db_default is not models.NOT_PROVIDED, f"{model.__name__}.{field} has no db_default"
    assert f.db_default == f.get_default()


def _timestamp_fields():
    return [
        (model, name)
        for model in domain_models()
        for name in ("created_at", "updated_at")
        if any(f.name == name for f in model._meta.concrete_fields)
    ]


@pytest.mark.parametrize(
    ("model", "field"),
    _timestamp_fields(),
    ids=lambda v: model_id(v) if isinstance(v, type) else v,
)
def test_timestamps_are_set_by_django_and_defaulted_by_the_database(model, field):
    f = model._meta.get_field(field)
    assert isinstance(f.db_default, Now)
    assert f.auto_now_add if field == "created_at" else f.auto_now
    assert not f.null


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model", [m for m in domain_models() if issubclass(m, TimestampedModel)], ids=model_id
)
def test_save_moves_updated_at_and_keeps_created_at(model):
    row = make_row(model)
    long_ago = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    model.objects.filter(pk=row.pk).update(created_at=long_ago, updated_at=long_ago)
    row.refresh_from_db()

    row.save()
    row.refresh_from_db()

    assert row.created_at == long_ago
    assert row.updated_at > long_ago


@pytest.mark.django_db
def test_an_import_upserts_by_legacy_id_naming_the_partial_index():
    """ON CONFLICT must repeat the index predicate (docs/data-model.md, "Re-running an import").

    Django's bulk_create(update_conflicts=True, unique_fields=["legacy_id"]) omits it, and
    PostgreSQL then finds no matching unique index.
    """
    sql = (
        "INSERT INTO faq (legacy_id, question, answer) VALUES (%s, %s, %s) "
        "ON CONFLICT (legacy_id) WHERE legacy_id IS NOT NULL "
        "DO UPDATE SET question = EXCLUDED.question RETURNING id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, ["k7Qx2mLp9Rt4Vw8Z", "Old question?", "Answer."])
        first = cursor.fetchone()[0]
        cursor.execute(sql, ["k7Qx2mLp9Rt4Vw8Z", "New question?", "Answer."])
        assert cursor.fetchone()[0] == first
    faq = apps.get_model("directory.Faq").objects.get(legacy_id="k7Qx2mLp9Rt4Vw8Z")
    assert faq.question == "New question?"

    with pytest.raises(ProgrammingError, match="no unique or exclusion constraint"):  # noqa: SIM117
        with transaction.atomic():
            type(faq).objects.bulk_create(
                [type(faq)(legacy_id="k7Qx2mLp9Rt4Vw8Z", question="q", answer="a")],
                update_conflicts=True,
                unique_fields=["legacy_id"],
                update_fields=["question"],
            )
