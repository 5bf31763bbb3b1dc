"""manage.py import_legacy: the old site's backup, all 22 tables, broken rows included."""

import io
import json
from datetime import UTC, datetime

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialToken
from django.core.management import CommandError, call_command
from django.test import Client

from accounts.models import Role, User, UserMetadata, UserProfile
from billing.models import PendingSubscription, Refund, Subscription
from directory.models import (
    Faq,
    LegacyContact,
    Poi,
    Review,
    ReviewResponse,
    SavedSearch,
    Studio,
    StudioImage,
    StudioService,
    StudioStudioType,
)
from legacy.importer import TABLES
from moderation.models import ContentReport
from realtime.models import EventStream, Message, Notification, UserConnection
from tests.legacy.legacy_backup import ALICE_PASSWORD, BROKEN, GUY_PASSWORD, build_backup

pytestmark = pytest.mark.django_db

MODELS = [
    User, UserProfile, SocialAccount, SocialToken, EmailAddress, UserMetadata, Studio,
    StudioImage, StudioService, StudioStudioType, Review, ReviewResponse, Message,
    Notification, UserConnection, LegacyContact, SavedSearch, Subscription,
    PendingSubscription, Refund, ContentReport, Poi, Faq,
]  # fmt: skip


@pytest.fixture(scope="module")
def backup_data():
    return build_backup()  # bcrypt hashing once per module


@pytest.fixture
def backup_file(tmp_path, backup_data):
    path = tmp_path / "database_backup_2025-11-27T10-00-00-000Z.json"
    path.write_text(json.dumps(backup_data))
    return path


def run_import(path, *extra):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_legacy", str(path), *extra, stdout=out, stderr=err)
    except CommandError as exc:
        return exc, out.getvalue(), err.getvalue()
    return None, out.getvalue(), err.getvalue()


def counts_table(out: str) -> dict[str, tuple[int, ...]]:
    rows = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 5 and parts[0] in TABLES:
            rows[parts[0]] = tuple(int(p) for p in parts[1:])
    return rows


def model_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def app_login(**credentials):
    return Client().post(
        "/_allauth/app/v1/auth/login", data=json.dumps(credentials), content_type="application/json"
    )


def test_the_backup_covers_all_22_legacy_tables(backup_data):
    assert len(TABLES) == 22
    assert set(backup_data) == set(TABLES)


def test_import_reports_broken_rows_imports_the_rest_and_exits_non_zero(backup_file):
    error, out, err = run_import(backup_file)

    assert error is not None
    assert error.returncode == 1
    assert f"{len(BROKEN)} row(s) failed" in str(error)
    for (table, row_id), reason in BROKEN.items():
        lines = [line for line in err.splitlines() if f"{table} id={row_id!r}:" in line]
        assert lines, f"{table}/{row_id} not reported:\n{err}"
        assert reason in lines[0], lines[0]
    assert "100%" in err  # the progress bar

    counts = counts_table(out)
    assert set(counts) == set(TABLES)
    #                    created updated skipped failed
    assert counts["users"] == (5, 0, 0, 4)
    assert counts["sessions"] == (0, 0, 2, 0)
    assert counts["user_connections"] == (1, 1, 0, 1)  # the reverse row merged
    assert counts["faq"] == (2, 0, 0, 1)
    assert sum(c[3] for c in counts.values()) == len(BROKEN)

    assert User.objects.count() == 5
    assert Studio.objects.count() == 2
    assert Message.objects.count() == 2


def test_imported_rows_keep_legacy_ids_times_and_values(backup_file):
    run_import(backup_file)
    alice = User.objects.get(legacy_id="u_alice")
    assert alice.username == "alice"
    assert alice.email == "alice@example.com"  # allauth's convention
    assert alice.created_at == datetime(2024, 3, 1, 9, 30, tzinfo=UTC)
    assert alice.email_verified is True
    assert EmailAddress.objects.get(user=alice).verified is True

    profile = UserProfile.objects.get(user=alice)
    assert profile.legacy_id == "p_alice"
    assert profile.facebook_url == "https://facebook.com/alice"  # scheme added
    assert profile.custom_connection_methods == ["ipDTL"]
    assert profile.is_featured is True

    guy = User.objects.get(legacy_id="u_guy")
    assert guy.email_verified is False
    studio = Studio.objects.get(legacy_id="s_booth")
    assert studio.owner == guy
    assert str(studio.latitude) == "51.50735100"
    review = Review.objects.get(legacy_id="r_good")
    assert (review.studio, review.reviewer, review.owner) == (studio, alice, guy)
    assert ReviewResponse.objects.get(legacy_id="rr_1").review == review

    # The owner of a studio is a studio owner, even if the old role said USER.
    assert User.objects.get(legacy_id="u_bob").role == Role.STUDIO_OWNER
    assert User.objects.get(legacy_id="u_boss").role == Role.ADMIN
    # Every imported account has its event stream, as one made by signup has.
    assert set(EventStream.objects.values_list("user_id", flat=True)) == set(
        User.objects.values_list("pk", flat=True)
    )

    assert UserMetadata.objects.get(user=alice, key="theme").value == "dark"
    assert UserMetadata.objects.get(user=alice, key="onboarding_completed").value == "2025-01-01"
    assert SavedSearch.objects.get(legacy_id="ss_1").filters["radius"] == 25
    assert Notification.objects.get(legacy_id="n_1").data == {"sender_name": "Alice"}
    report = ContentReport.objects.get(legacy_id="cr_1")
    assert report.content_id == str(review.pk)  # the new id of the reported review
    assert Refund.objects.get(legacy_id="rf_1").currency == "usd"
    assert Message.objects.get(legacy_id="msg_1").created_at == datetime(
        2024, 3, 1, 9, 30, tzinfo=UTC
    )


@pytest.mark.parametrize("field", ["username", "email"])
def test_an_imported_user_logs_in_with_the_old_password_which_is_then_upgraded(backup_file, field):
    run_import(backup_file)
    alice = User.objects.get(legacy_id="u_alice")
    assert alice.password.startswith("bcrypt$$2a$10$")

    response = app_login(**{field: getattr(alice, field), "password": ALICE_PASSWORD})
    assert response.status_code == 200, response.content
    alice.refresh_from_db()
    assert not alice.password.startswith("bcrypt$")  # re-hashed with the preferred hasher
    assert alice.check_password(ALICE_PASSWORD)

    guy = User.objects.get(legacy_id="u_guy")  # a $2b$ hash, through the login page
    assert (
        Client()
        .post("/accounts/login/", {"login": guy.username, "password": GUY_PASSWORD})
        .status_code
        == 302
    )
    assert app_login(username="alice", password="not it").status_code == 400


@pytest.mark.django_db(transaction=True)
def test_oauth_only_users_have_social_accounts_and_can_reset_a_password(backup_file, outbox):
    run_import(backup_file)
    user = User.objects.get(legacy_id="u_oauth")
    assert not user.has_usable_password()
    account = SocialAccount.objects.get(user=user)
    assert (account.provider, account.uid) == ("google", "109876543210")
    assert account.extra_data["legacy_id"] == "a_google"
    token = SocialToken.objects.get(account=account)
    assert (token.token, token.token_secret) == ("ya29.legacy", "1//refresh")
    assert token.expires_at == datetime.fromtimestamp(1736700000, tz=UTC)
    assert SocialAccount.objects.get(uid="4242").provider == "twitter_oauth2"

    response = Client().post("/accounts/password/reset/", {"email": user.email})
    assert response.status_code == 302
    assert len(outbox) == 1
    assert "/accounts/password/reset/key/" in outbox[0].body


def test_contacts_are_kept_and_migrated_into_connections(backup_file):
    run_import(backup_file)
    alice, guy, bob = (User.objects.get(legacy_id=i) for i in ("u_alice", "u_guy", "u_bob"))
    assert LegacyContact.objects.count() == 2
    from_contact = UserConnection.objects.get(legacy_id="contact:k_1")
    assert (from_contact.user, from_contact.connected_user, from_contact.accepted) == (
        alice,
        guy,
        True,
    )
    pending = UserConnection.objects.get(user=bob, connected_user=guy)
    assert pending.accepted is False
    # user_connections had the same pair both ways: one row, accepted.
    pair = UserConnection.objects.filter(user__in=[alice, bob], connected_user__in=[alice, bob])
    assert pair.count() == 1
    assert pair.get().accepted is True


def test_a_second_run_updates_instead_of_duplicating(backup_file):
    run_import(backup_file)
    before = model_counts()
    assert app_login(username="alice", password=ALICE_PASSWORD).status_code == 200
    upgraded = User.objects.get(legacy_id="u_alice").password

    error, out, _ = run_import(backup_file)
    assert error is not None  # the same broken rows, reported again
    assert model_counts() == before
    counts = counts_table(out)
    assert counts["users"] == (0, 5, 0, 4)
    assert all(created == 0 for created, *_ in counts.values())
    # The upgraded hash is not put back to the legacy one.
    assert User.objects.get(legacy_id="u_alice").password == upgraded


def test_a_clean_backup_exits_zero(tmp_path, backup_data):
    clean = {
        table: [
            row
            for row in rows
            if (table, row.get("id")) not in BROKEN
            and not (table == "user_profiles" and row.get("user_id") == "u_bad_email")
        ]
        for table, rows in backup_data.items()
    }
    path = tmp_path / "clean.json"
    path.write_text(json.dumps(clean))
    error, out, err = run_import(path, "--no-progress")
    assert error is None, err
    assert "import finished" in out
    assert "failed:" not in err


def test_dry_run_saves_nothing(backup_file):
    error, out, _ = run_import(backup_file, "--dry-run")
    assert error.returncode == 1  # the broken rows are still reported
    assert "dry run" in out
    assert counts_table(out)["users"] == (5, 0, 0, 4)
    assert User.objects.count() == 0


@pytest.mark.parametrize("content", ["not json", "[1, 2]"])
def test_an_unreadable_backup_is_a_clear_error(tmp_path, content):
    path = tmp_path / "bad.json"
    path.write_text(content)
    error, _, _ = run_import(path)
    assert error is not None
    assert "cannot read" in str(error)


def test_rows_and_tables_of_the_wrong_shape_are_reported(tmp_path):
    path = tmp_path / "odd.json"
    path.write_text(json.dumps({"users": [1, {"email": "x@example.com"}], "faq": {}, "extra": []}))
    error, _, err = run_import(path, "--no-progress")
    assert error.returncode == 1
    assert "users id=None: a row must be an object" in err
    assert "users id=None: id is required" in err
    assert "faq id=None: the table must be a list" in err
    assert "ignored: 'extra'" in err
