"""Django admin at /admin/: every registered model's pages, for an ADMIN, in bounded queries.

Generated from admin.site._registry, so a model registered later is covered as soon as it
has a factory (tests/factories/) or a row maker below; without one, these tests fail and
say so.
"""

from __future__ import annotations

import itertools

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialApp
from allauth.usersessions.models import UserSession
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import connection, models
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role, User
from tests.factories import SocialTokenFactory, UserFactory, factory_for
from tests.factories.accounts import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

# Every admin page, whatever the model, loads in at most this many queries.
MAX_QUERIES = 10

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)
SEQUENCE = itertools.count()

# Rows of models that are not ours (allauth, auth), or that need a companion to show it all.
ROW_MAKERS = {
    "auth.Group": lambda n: Group.objects.create(name=f"Group {n}"),
    "account.EmailAddress": lambda n: EmailAddress.objects.create(
        user=UserFactory(), email=f"address{n}@example.com", primary=True, verified=True
    ),
    "socialaccount.SocialApp": lambda n: _social_app(n),
    # With its app set: the list shows it, through a nullable foreign key.
    "socialaccount.SocialToken": lambda n: SocialTokenFactory(app=_social_app(n)),
    "usersessions.UserSession": lambda n: UserSession.objects.create(
        user=UserFactory(), ip="192.0.2.1", session_key=f"session{n:032d}", user_agent="pytest"
    ),
    "moderation.ContentReport": lambda n: factory_for(_model("moderation.ContentReport"))(
        custom_reason="Details", reported_user=UserFactory(), reviewed_by=UserFactory(admin=True)
    ),
    "directory.ReviewResponse": lambda n: factory_for(_model("directory.ReviewResponse"))(),
}


def _model(label: str) -> type[models.Model]:
    return next(m for m in REGISTERED if m._meta.label == label)


def _social_app(n: int) -> SocialApp:
    return SocialApp.objects.create(
        provider="google", name=f"Google {n}", client_id=f"client-{n}", secret="secret"
    )


def make_rows(model: type[models.Model], count: int) -> list[models.Model]:
    maker = ROW_MAKERS.get(model._meta.label) or (lambda n: factory_for(model)())
    return [maker(next(SEQUENCE)) for _ in range(count)]


def url(model: type[models.Model], page: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=args)


def label(model: type[models.Model]) -> str:
    return model._meta.label


@pytest.fixture
def admin_user_client(client):
    client.force_login(UserFactory(admin=True))
    return client


@pytest.mark.parametrize("model", REGISTERED, ids=label)
def test_changelist_costs_the_same_queries_with_more_rows(model, admin_user_client):
    """No query per row: the page with 6 rows costs what the page with 2 does."""
    changelist = url(model, "changelist")
    make_rows(model, 2)
    admin_user_client.get(changelist)  # warm per-process caches (content types)
    with CaptureQueriesContext(connection) as few_rows:
        response = admin_user_client.get(changelist)
    assert response.status_code == 200
    assert len(few_rows) <= MAX_QUERIES

    make_rows(model, 4)
    with CaptureQueriesContext(connection) as more_rows:
        response = admin_user_client.get(changelist)
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) >= 6
    assert len(more_rows) <= len(few_rows), [q["sql"] for q in more_rows.captured_queries]


@pytest.mark.parametrize("model", REGISTERED, ids=label)
def test_changelist_search(model, admin_user_client, django_assert_max_num_queries):
    make_rows(model, 3)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = admin_user_client.get(url(model, "changelist"), {"q": "1"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "model",
    [m for m in REGISTERED if "=legacy_id" in admin.site._registry[m].get_search_fields(None)],
    ids=label,
)
def test_search_finds_a_row_by_its_legacy_id(model, admin_user_client):
    row = make_rows(model, 2)[0]
    type(row).objects.filter(pk=row.pk).update(legacy_id="k7Qx2mLp9Rt4Vw8Z")
    response = admin_user_client.get(url(model, "changelist"), {"q": "k7Qx2mLp9Rt4Vw8Z"})
    assert [r.pk for r in response.context["cl"].result_list] == [row.pk]


@pytest.mark.parametrize("model", REGISTERED, ids=label)
def test_each_list_filter_applies(model, admin_user_client, django_assert_max_num_queries):
    make_rows(model, 3)
    changelist = url(model, "changelist")
    cl = admin_user_client.get(changelist).context["cl"]
    assert len(cl.filter_specs) == len(admin.site._registry[model].list_filter)
    for spec in cl.filter_specs:
        # The first choice is "All"; apply the next one, which every filter has here.
        choice = list(spec.choices(cl))[1]
        with django_assert_max_num_queries(MAX_QUERIES):
            response = admin_user_client.get(changelist + choice["query_string"])
        assert response.status_code == 200, choice["query_string"]  # not ?e=1 (invalid)


def _first_field(model: type[models.Model], kind: type[models.Field]) -> str | None:
    return next((f.name for f in model._meta.concrete_fields if isinstance(f, kind)), None)


def _first_date_field(model: type[models.Model]) -> str | None:
    return _first_field(model, models.DateField)


def _first_text_field(model: type[models.Model]) -> str | None:
    return _first_field(model, models.CharField)


def assert_bad_lookup(response) -> None:
    """Django's answer to a lookup it cannot use: back to the list with `?e=1` (then its
    "Something's wrong with your database installation" page), not a 500."""
    assert response.status_code == 302, response.status_code
    assert response["Location"].endswith("?e=1")


@pytest.mark.parametrize("model", [m for m in REGISTERED if _first_date_field(m)], ids=label)
@pytest.mark.parametrize("lookup", ["__year=99999", "__year=-1", "__gte=99999-01-01"])
def test_a_changelist_lookup_no_date_can_satisfy_is_the_admins_own_error(
    model, lookup, admin_user_client
):
    make_rows(model, 1)
    field = _first_date_field(model)
    assert_bad_lookup(admin_user_client.get(f"{url(model, 'changelist')}?{field}{lookup}"))


@pytest.mark.parametrize("model", [m for m in REGISTERED if _first_text_field(m)], ids=label)
@pytest.mark.parametrize("lookup", ["__regex=(", "__iregex=[", "__regex=a{99999}"])
def test_a_changelist_lookup_the_database_cannot_run_is_the_admins_own_error(
    model, lookup, admin_user_client
):
    make_rows(model, 1)
    path, value = f"{_first_text_field(model)}{lookup}".split("=", 1)
    request = RequestFactory().get("/admin/")
    request.user = UserFactory(admin=True)
    response = admin_user_client.get(f"{url(model, 'changelist')}?{path}={value}")
    if admin.site._registry[model].lookup_allowed(path, value, request):
        assert_bad_lookup(response)
    else:  # a lookup Django never allows (a user's password): its own 400
        assert response.status_code == 400
    assert admin_user_client.get(url(model, "changelist")).status_code == 200  # still usable


DATE_HIERARCHIES = [m for m in REGISTERED if admin.site._registry[m].date_hierarchy]


@pytest.mark.parametrize("model", DATE_HIERARCHIES, ids=label)
@pytest.mark.parametrize(
    "step",
    [
        "year=9999",
        "year=9999&{}__month=12",
        "year=9999&{}__month=12&{}__day=31",
        "year=99999",
        "year=2026&{}__month=13",
    ],
)
def test_a_date_hierarchy_step_past_the_last_date_is_the_admins_own_error(
    model, step, admin_user_client
):
    """Django builds the year 9999's range (to 10000-01-01) outside its own check."""
    assert DATE_HIERARCHIES  # billing's Stripe events at least
    field = admin.site._registry[model].date_hierarchy
    make_rows(model, 1)
    query = f"{field}__" + step.format(field, field)
    assert_bad_lookup(admin_user_client.get(f"{url(model, 'changelist')}?{query}"))


@pytest.mark.parametrize("model", REGISTERED, ids=label)
@pytest.mark.parametrize("selected", ["not-a-key", "99999999999999999999999", "\u00e9"])
def test_an_action_on_rows_that_cannot_exist_changes_nothing_and_says_so(model, selected, client):
    """Each model's first action (delete where allowed, moderation's and billing's own
    elsewhere), on a real row and on a value that is no key."""
    user = UserFactory(admin=True)
    client.force_login(user)
    request = RequestFactory().get("/admin/")
    request.user = user
    actions = list(admin.site._registry[model].get_actions(request))
    rows = make_rows(model, 1)
    before = model._default_manager.count()
    response = client.post(
        url(model, "changelist"),
        {"action": actions[0] if actions else "", "_selected_action": [selected, str(rows[0].pk)]},
        follow=True,
    )
    assert response.status_code == 200
    assert model._default_manager.count() == before
    if actions:  # refused with a message, as an action with nothing selected is
        assert response.redirect_chain == [(url(model, "changelist"), 302)]
        assert "The selected items are not valid" in response.content.decode()


@pytest.mark.parametrize("model", REGISTERED, ids=label)
def test_add_page(model, admin_user_client, django_assert_max_num_queries):
    make_rows(model, 2)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = admin_user_client.get(url(model, "add"))
    # Read-only admins (the event stream is written by services only) refuse the add page.
    can_add = admin.site._registry[model].has_add_permission(response.wsgi_request)
    assert response.status_code == (200 if can_add else 403)


@pytest.mark.parametrize("model", REGISTERED, ids=label)
def test_change_page(model, admin_user_client, django_assert_max_num_queries):
    row = make_rows(model, 2)[0]
    with django_assert_max_num_queries(MAX_QUERIES):
        response = admin_user_client.get(url(model, "change", row.pk))
    assert response.status_code == 200
    assert response.context["original"].pk == row.pk  # the form is that row's


def test_an_admin_adds_a_user_through_the_admin(admin_user_client):
    response = admin_user_client.post(
        url(User, "add"),
        {
            "username": "NewOwner",
            "email": "new.owner@example.com",
            "display_name": "New Owner",
            "role": Role.STUDIO_OWNER,
            "password1": DEFAULT_PASSWORD,
            "password2": DEFAULT_PASSWORD,
            "usable_password": "true",
            "profile-TOTAL_FORMS": "0",  # the profile inline's management form
            "profile-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context["errors"]
    assert User.objects.get(username="NewOwner").check_password(DEFAULT_PASSWORD)


# --- who may enter ------------------------------------------------------------------------

REFUSED = {
    "USER": lambda: UserFactory(),
    "STUDIO_OWNER": lambda: UserFactory(owner=True),
    "inactive ADMIN": lambda: UserFactory(admin=True, is_active=False),
}


@pytest.mark.parametrize("path", ["/admin/", "/admin/accounts/user/"])
@pytest.mark.parametrize("who", ["anonymous", *REFUSED])
def test_only_admins_enter_the_admin(client, who, path):
    if who != "anonymous":
        client.force_login(REFUSED[who]())
    response = client.get(path)
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


@pytest.mark.parametrize("who", ["USER", "STUDIO_OWNER"])
def test_the_admin_login_form_refuses_non_admins(client, who):
    user = REFUSED[who]()
    response = client.post(
        "/admin/login/", {"username": user.username, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 200  # the form again, with its error
    assert client.get("/admin/").status_code == 302


def test_an_admin_enters_the_admin(admin_user_client):
    assert admin_user_client.get("/admin/").status_code == 200
