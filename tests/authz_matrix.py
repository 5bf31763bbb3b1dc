"""THE AUTHORIZATION MATRIX: for every URL pattern of the site, what each kind of caller
gets. tests/test_authz_matrix.py walks the URLconf and fails for any pattern without an
entry here (and for any entry whose pattern is gone), so a new endpoint cannot ship
without someone deciding who may call it.

Adding an entry — one per URL name (`namespace:name`; unnamed patterns use
"path:<route>", prefixed by their namespace if any):

    "studio-detail": (
        Check("get", PUBLIC, kwargs=lambda w: {"pk": w.studio.pk}),
        Check("patch", OWNER_OR_ADMIN.but(owner=200), data={},
              kwargs=lambda w: {"pk": w.studio.pk}),
    ),

- `Check(method, expect, kwargs=, data=, query=, content_type=)`: one request per
  persona. `kwargs` and `data` may be callables taking the `World` (the personas and
  their objects; add objects with `World.extra` in a `setup` callable if you need them).
- `expect` maps each persona — anonymous, user, owner, admin, suspended — to a status
  code or an `Expect` (e.g. `RedirectTo("/accounts/login/")`). Start from a preset
  (PUBLIC, LOGIN, VERIFIED_WRITE, OWNER_OR_ADMIN, ADMIN_ONLY, …) and adjust with
  `.but(persona=status)`.
- A write that passes authorization but is refused by validation (400) proves the
  caller got through: an empty body is usually enough. Each persona's request runs in a
  transaction that is rolled back, so a DELETE for one persona does not affect the next.
- /api/ routes are called twice per signed-in persona: with the session token
  (X-Session-Token) and with the session cookie; both must give the expected status.
  /_allauth/app/ routes use the token, everything else the cookie.

Personas (World): `user` — a verified USER; `owner` — a STUDIO_OWNER with `w.studio`;
`admin` — an ADMIN; `suspended` — a USER suspended indefinitely, whose session predates
the suspension; `anonymous` — no session.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

PERSONAS = ("anonymous", "user", "owner", "admin", "suspended")
FORM = "application/x-www-form-urlencoded"


# --- expectations ----------------------------------------------------------------------


class Expect:
    """A predicate on a response, with a readable description for failures."""

    def matches(self, response) -> bool:
        raise NotImplementedError

    def __repr__(self) -> str:
        return self.__class__.__name__


@dataclass(frozen=True, repr=False)
class Status(Expect):
    code: int

    def matches(self, response) -> bool:
        return response.status_code == self.code

    def __repr__(self) -> str:
        return str(self.code)


@dataclass(frozen=True, repr=False)
class RedirectTo(Expect):
    """A redirect to this path, whatever the query (`?next=` on login pages)."""

    path: str
    status: int = 302

    def matches(self, response) -> bool:
        return (
            response.status_code == self.status and urlsplit(response["Location"]).path == self.path
        )

    def __repr__(self) -> str:
        return f"{self.status}→{self.path}"


@dataclass(frozen=True, repr=False)
class LetIn(Expect):
    """Authorized: not refused (401/403), not sent to a login page, not a server error.
    For the admin site, where the outcome past the door depends on the object."""

    login_prefixes: tuple[str, ...] = ("/admin/login/", "/accounts/login/")

    def matches(self, response) -> bool:
        if response.status_code in (401, 403) or response.status_code >= 500:
            return False
        location = response.get("Location", "")
        return not location.startswith(self.login_prefixes)

    def __repr__(self) -> str:
        return "let-in"


@dataclass(frozen=True, repr=False)
class OneOf(Expect):
    """Any of these statuses (where two doors legitimately differ, e.g. cookie and token)."""

    codes: tuple[int, ...]

    def matches(self, response) -> bool:
        return response.status_code in self.codes

    def __repr__(self) -> str:
        return "|".join(map(str, self.codes))


def _as_expect(value: int | Expect) -> Expect:
    return Status(value) if isinstance(value, int) else value


class Expectation(dict):
    """persona → Expect, with `.but(...)` to derive a variant from a preset."""

    def __init__(self, **by_persona: int | Expect) -> None:
        missing = set(PERSONAS) - set(by_persona)
        assert not missing, f"expectation lacks {sorted(missing)}"
        super().__init__({p: _as_expect(v) for p, v in by_persona.items()})

    def but(self, **changes: int | Expect) -> Expectation:
        return Expectation(**{**self, **changes})


def expect(anonymous, user, owner, admin, suspended) -> Expectation:
    return Expectation(
        anonymous=anonymous, user=user, owner=owner, admin=admin, suspended=suspended
    )


def everyone(outcome: int | Expect) -> Expectation:
    return expect(*[outcome] * len(PERSONAS))


# Presets for /api/ (a suspended account gets 403 `suspended` everywhere, reads included).
PUBLIC = expect(200, 200, 200, 200, 403)
LOGIN = expect(401, 200, 200, 200, 403)
VERIFIED_WRITE = LOGIN  # the personas are verified; unverified users are tested per app
OWNER_OR_ADMIN = expect(401, 403, 200, 200, 403)
ADMIN_ONLY = expect(401, 403, 403, 200, 403)
# Pages.
PAGE = expect(200, 200, 200, 200, 403)
TO_LOGIN = RedirectTo("/accounts/login/")
ANON_PAGE = expect(200, RedirectTo("/"), RedirectTo("/"), RedirectTo("/"), 403)
LOGIN_PAGE = expect(TO_LOGIN, 200, 200, 200, 403)
NOT_CONFIGURED = expect(404, 404, 404, 404, 403)
ADMIN_SITE = expect(
    RedirectTo("/admin/login/"),
    RedirectTo("/admin/login/"),
    RedirectTo("/admin/login/"),
    LetIn(),
    403,
)


# --- the world the requests run in ------------------------------------------------------


@dataclass
class World:
    user: Any
    owner: Any
    admin: Any
    suspended: Any
    studio: Any
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Check:
    method: str
    expect: Mapping[str, Expect]
    kwargs: Callable[[World], dict] | dict = field(default_factory=dict)
    data: Callable[[World], Any] | Any = None
    query: str = ""
    content_type: str = "application/json"
    setup: Callable[[World], None] | None = None


def _moved(path: str) -> Expectation:
    moved = RedirectTo(path, status=301)
    return expect(moved, moved, moved, moved, 403)


def _add_pen_pal(w: World) -> None:
    from tests.factories import UserFactory

    w.extra["pen_pal"] = UserFactory()


def _user_kwargs(w: World) -> dict:
    return {"username": w.owner.username}


def _studio_kwargs(w: World) -> dict:
    return {"studio_id": w.studio.pk}


def _add_image(w: World) -> None:
    from tests.factories import StudioImageFactory

    w.extra["image"] = StudioImageFactory(studio=w.studio)


def _image_kwargs(w: World) -> dict:
    return {"studio_id": w.studio.pk, "image_id": w.extra["image"].pk}


def _add_review(w: World) -> None:
    from directory.models import ReviewStatus
    from tests.factories import ReviewFactory

    w.extra["review"] = ReviewFactory(studio=w.studio, status=ReviewStatus.APPROVED)


def _add_response(w: World) -> None:
    from tests.factories import ReviewResponseFactory

    ReviewResponseFactory(review=w.extra["review"], author=w.owner)


def _add_own_review(w: World) -> None:
    """A review written by the `user` persona (only its writer may change it)."""
    from tests.factories import ReviewFactory

    w.extra["review"] = ReviewFactory(studio=w.studio, reviewer=w.user)


def _add_report(w: World) -> None:
    from tests.factories import ContentReportFactory

    w.extra["report"] = ContentReportFactory(reporter=w.user, reported_user=w.owner)


def _review_kwargs(w: World) -> dict:
    return {"review_id": w.extra["review"].pk}


def _add_saved_search(w: World) -> None:
    from tests.factories import SavedSearchFactory

    w.extra["saved_search"] = SavedSearchFactory(user=w.user)


def _saved_search_kwargs(w: World) -> dict:
    return {"saved_search_id": w.extra["saved_search"].pk}


def _unsubscribe_kwargs(w: World) -> dict:
    from directory.services.saved_searches import unsubscribe_token

    return {"token": unsubscribe_token(user_id=w.user.pk)}


# --- the matrix --------------------------------------------------------------------------


# /_allauth/{client}/v1/…: the same endpoints for both clients. Browser requests carry the
# cookie, app requests the token. Statuses are allauth's: 401 = not signed in (with the
# flows to sign in), 409 = not possible in this state, 400 = input refused.
def _headless(client: str) -> dict[str, tuple[Check, ...]]:
    ns = f"headless:{client}"
    return {
        f"{ns}:config": (Check("get", PAGE),),
        f"{ns}:account:current_session": (
            Check("get", expect(401, 200, 200, 200, 403)),
            Check("delete", everyone(401)),  # signing out: always allowed, then 401
        ),
        f"{ns}:account:reauthenticate": (Check("post", expect(401, 400, 400, 400, 403), data={}),),
        f"{ns}:account:confirm_login_code": (
            Check("post", expect(409, 409, 409, 409, 403), data={}),
        ),
        f"{ns}:account:request_password_reset": (
            Check("post", expect(400, 400, 400, 400, 403), data={}),
        ),
        f"{ns}:account:reset_password": (Check("post", expect(400, 400, 400, 400, 403), data={}),),
        f"{ns}:account:login": (Check("post", expect(400, 400, 400, 400, 403), data={}),),
        f"{ns}:account:signup": (Check("post", expect(400, 400, 400, 400, 403), data={}),),
        f"{ns}:account:verify_email": (Check("post", expect(400, 400, 400, 400, 403), data={}),),
        f"{ns}:account:resend_email_verification_code": (
            Check("post", expect(409, 409, 409, 409, 403), data={}),
        ),
        f"{ns}:account:verify_phone": (Check("post", expect(409, 409, 409, 409, 403), data={}),),
        f"{ns}:account:resend_phone_verification_code": (
            Check("post", expect(409, 409, 409, 409, 403), data={}),
        ),
        f"{ns}:account:change_password": (Check("post", expect(401, 400, 400, 400, 403), data={}),),
        f"{ns}:account:manage_email": (Check("get", expect(401, 200, 200, 200, 403)),),
        f"{ns}:account:manage_phone": (
            Check("get", expect(401, 200, 200, 200, 403)),
            Check("post", expect(409, 400, 400, 400, 403), data={"phone": "+447911123456"}),
        ),
        f"{ns}:socialaccount:manage_providers": (Check("get", expect(401, 200, 200, 200, 403)),),
        f"{ns}:usersessions:sessions": (Check("get", expect(401, 200, 200, 200, 403)),),
        f"{ns}:socialaccount:provider_signup": (Check("get", expect(409, 409, 409, 409, 403)),),
        f"{ns}:socialaccount:redirect_to_provider": (
            Check("post", expect(401, 401, 401, 401, 403), data={}, content_type=FORM),
        ),
        f"{ns}:socialaccount:provider_token": (
            Check("post", expect(400, 400, 400, 400, 403), data={}),
        ),
    }


MATRIX: dict[str, tuple[Check, ...]] = {
    # --- infrastructure --------------------------------------------------------------
    "healthz": (Check("get", everyone(200)),),
    "readyz": (Check("get", everyone(200)),),
    # --- allauth pages (/accounts/) ---------------------------------------------------
    "account_login": (Check("get", ANON_PAGE),),
    "account_signup": (Check("get", ANON_PAGE),),
    "account_logout": (
        Check("get", expect(RedirectTo("/"), 200, 200, 200, 200)),
        Check("post", everyone(RedirectTo("/"))),  # suspended people may sign out
    ),
    "account_inactive": (Check("get", PAGE),),
    "account_reauthenticate": (Check("get", LOGIN_PAGE),),
    "account_email": (Check("get", LOGIN_PAGE),),
    "account_email_verification_sent": (Check("get", PAGE),),
    "account_change_password": (Check("get", LOGIN_PAGE),),
    "usersessions_list": (Check("get", LOGIN_PAGE),),
    "account_set_password": (
        Check(
            "get",
            LOGIN_PAGE.but(
                **{p: RedirectTo("/accounts/password/change/") for p in ("user", "owner", "admin")}
            ),
        ),
    ),
    "account_reset_password": (Check("get", PAGE),),
    "account_reset_password_done": (Check("get", PAGE),),
    # Nothing pending: back to the login page, or home when already signed in.
    "account_confirm_login_code": (Check("get", ANON_PAGE.but(anonymous=TO_LOGIN)),),
    "account_confirm_email": (Check("get", PAGE, kwargs={"key": "not-a-real-key"}),),
    "account_reset_password_from_key": (
        Check("get", PAGE, kwargs={"uidb36": "zz", "key": "not-a-real-key"}),
    ),
    "account_reset_password_from_key_done": (Check("get", PAGE),),
    "socialaccount_login_cancelled": (Check("get", PAGE),),
    "socialaccount_login_error": (Check("get", expect(401, 401, 401, 401, 403)),),
    "socialaccount_signup": (Check("get", expect(TO_LOGIN, TO_LOGIN, TO_LOGIN, TO_LOGIN, 403)),),
    "socialaccount_connections": (Check("get", LOGIN_PAGE),),
    # allauth's old /accounts/social/ paths: permanent redirects to /accounts/3rdparty/.
    "path:accounts/social/login/cancelled/": (
        Check("get", _moved("/accounts/3rdparty/login/cancelled/")),
    ),
    "path:accounts/social/login/error/": (Check("get", _moved("/accounts/3rdparty/login/error/")),),
    "path:accounts/social/signup/": (Check("get", _moved("/accounts/3rdparty/signup/")),),
    "path:accounts/social/connections/": (Check("get", _moved("/accounts/3rdparty/")),),
    # Providers: 404 until configured (docs/accounts.md); login starts need POST.
    "google_login": (Check("post", NOT_CONFIGURED),),
    "google_callback": (Check("get", NOT_CONFIGURED),),
    "google_login_by_token": (Check("post", NOT_CONFIGURED),),
    "facebook_login": (Check("post", NOT_CONFIGURED),),
    "facebook_callback": (Check("get", NOT_CONFIGURED),),
    "facebook_login_by_token": (Check("post", NOT_CONFIGURED),),
    "twitter_oauth2_login": (Check("post", NOT_CONFIGURED),),
    "twitter_oauth2_callback": (Check("get", NOT_CONFIGURED),),
    "openid_connect_login": (Check("post", NOT_CONFIGURED, kwargs={"provider_id": "sso"}),),
    "openid_connect_callback": (Check("get", NOT_CONFIGURED, kwargs={"provider_id": "sso"}),),
    # --- allauth headless (/_allauth/) --------------------------------------------------
    **_headless("browser"),
    **_headless("app"),
    "headless:app:tokens:refresh": (Check("post", expect(400, 400, 400, 400, 403), data={}),),
    # --- Django admin (/admin/): the whole site is ADMIN only (see ADMIN_SITE_RULE) ----
    "admin:login": (Check("get", expect(200, 200, 200, RedirectTo("/admin/"), 403)),),
    # Anyone may post to logout; only staff get the admin's "logged out" page.
    "admin:logout": (
        Check("post", expect(*[RedirectTo("/admin/")] * 3, 200, RedirectTo("/admin/"))),
    ),
    "admin:autocomplete": (
        Check("get", ADMIN_SITE, query="app_label=directory&model_name=studio&field_name=owner"),
    ),
    # --- accounts and profiles API (/api/) ----------------------------------------------
    "user-profile": (
        Check("get", LOGIN),
        Check("patch", LOGIN, data={}),
    ),
    "user-avatar": (
        Check("post", LOGIN.but(user=400, owner=400, admin=400), data={}, content_type=FORM),
        Check("delete", LOGIN.but(user=204, owner=204, admin=204)),
    ),
    "user-account": (
        # Passing authorization, the empty body is refused: 400 proves they got through.
        Check("delete", LOGIN.but(user=400, owner=400, admin=400), data={}),
    ),
    "user-metadata-list": (Check("get", LOGIN),),
    "user-metadata": (
        Check("get", LOGIN.but(user=404, owner=404, admin=404), kwargs={"key": "theme"}),
        Check("put", LOGIN, kwargs={"key": "theme"}, data={"value": "dark"}),
        Check("delete", LOGIN.but(user=404, owner=404, admin=404), kwargs={"key": "theme"}),
    ),
    "public-profile": (Check("get", PUBLIC, kwargs=_user_kwargs),),
    # --- studios, studio management, reviews, saved searches, FAQ (docs/studios.md) ------
    "studio-detail": (Check("get", PUBLIC, kwargs=_studio_kwargs),),
    "studio-reviews": (Check("get", PUBLIC, kwargs=_studio_kwargs),),
    "studio-manage": (
        Check("get", OWNER_OR_ADMIN),
        # Creating needs only a login (the first studio makes a STUDIO_OWNER): 400 = let in.
        Check("post", LOGIN.but(user=400, owner=400, admin=400), data={}),
    ),
    "studio-manage-detail": (
        Check("get", OWNER_OR_ADMIN, kwargs=_studio_kwargs),
        Check("patch", OWNER_OR_ADMIN, kwargs=_studio_kwargs, data={}),
        Check("delete", OWNER_OR_ADMIN.but(owner=204, admin=204), kwargs=_studio_kwargs),
    ),
    "studio-manage-images": (
        Check(
            "post",
            OWNER_OR_ADMIN.but(owner=400, admin=400),
            kwargs=_studio_kwargs,
            data={},
            content_type=FORM,
        ),
    ),
    "studio-manage-image-order": (
        Check("put", OWNER_OR_ADMIN.but(owner=400, admin=400), kwargs=_studio_kwargs, data={}),
    ),
    "studio-manage-image-detail": (
        Check(
            "patch",
            OWNER_OR_ADMIN,
            kwargs=_image_kwargs,
            data={"alt_text": "The booth"},
            setup=_add_image,
        ),
        Check(
            "delete",
            OWNER_OR_ADMIN.but(owner=204, admin=204),
            kwargs=_image_kwargs,
            setup=_add_image,
        ),
    ),
    "review-create": (Check("post", VERIFIED_WRITE.but(user=400, owner=400, admin=400), data={}),),
    # Past the door the service decides: the studio's owner answers, others get 403.
    "review-respond": (
        Check(
            "post",
            VERIFIED_WRITE.but(user=403, owner=201, admin=403),
            kwargs=_review_kwargs,
            data={"content": "Thank you!"},
            setup=_add_review,
        ),
        # The owner's answer (added for these checks): only the owner rewords or withdraws it.
        Check(
            "patch",
            VERIFIED_WRITE.but(user=403, owner=200, admin=403),
            kwargs=_review_kwargs,
            data={"content": "Thanks again!"},
            setup=_add_response,
        ),
        Check("delete", VERIFIED_WRITE.but(user=403, owner=204, admin=403), kwargs=_review_kwargs),
    ),
    # Only its writer (the user persona) may change or withdraw a review; others get 404.
    "review-detail": (
        Check(
            "patch",
            VERIFIED_WRITE.but(user=200, owner=404, admin=404),
            kwargs=_review_kwargs,
            data={"rating": 4},
            setup=_add_own_review,
        ),
        Check("delete", VERIFIED_WRITE.but(user=204, owner=404, admin=404), kwargs=_review_kwargs),
    ),
    "user-reviews": (Check("get", LOGIN),),
    "admin-reviews": (Check("get", ADMIN_ONLY),),
    "admin-review-detail": (
        Check("get", ADMIN_ONLY, kwargs=_review_kwargs, setup=_add_review),
        Check("patch", ADMIN_ONLY.but(admin=400), kwargs=_review_kwargs, data={}),
    ),
    "saved-searches": (
        Check("get", LOGIN),
        Check("post", LOGIN.but(user=400, owner=400, admin=400), data={}),
    ),
    # The user's own saved search: everyone else's "not found".
    "saved-search-detail": (
        Check(
            "get",
            LOGIN.but(owner=404, admin=404),
            kwargs=_saved_search_kwargs,
            setup=_add_saved_search,
        ),
        Check("patch", LOGIN.but(owner=404, admin=404), kwargs=_saved_search_kwargs, data={}),
        Check("delete", LOGIN.but(user=204, owner=404, admin=404), kwargs=_saved_search_kwargs),
    ),
    "faq": (Check("get", PUBLIC),),
    # Search and discovery (docs/search.md).
    "studios-search": (Check("get", PUBLIC, query="city=leeds"),),
    "studios-map": (Check("get", PUBLIC, query="bbox=-10,40,10,60"),),
    "studios-featured": (Check("get", PUBLIC),),
    "profiles-spotlight": (Check("get", PUBLIC),),
    # OpenAPI schema and Swagger UI (its assets come from drf-spectacular-sidecar).
    "schema": (Check("get", PUBLIC),),
    "swagger-ui": (Check("get", PUBLIC),),
    # The signed link of the digest email is the credential: no login needed.
    "saved-search-unsubscribe": (
        Check("get", PAGE, kwargs=_unsubscribe_kwargs, setup=_add_saved_search),
        Check("post", PAGE, kwargs=_unsubscribe_kwargs, data={}, content_type=FORM),
    ),
    # Messages, conversations, notifications and connections (docs/realtime-protocol.md).
    "messages": (
        Check("get", LOGIN, query="type=received"),
        Check("post", LOGIN.but(user=400, owner=400, admin=400), data={}),
    ),
    "messages-read": (Check("post", LOGIN.but(user=400, owner=400, admin=400), data={}),),
    "conversations": (Check("get", LOGIN),),
    "conversation-messages": (
        Check(
            "get",
            LOGIN,
            kwargs=lambda w: {"username": w.extra["pen_pal"].username},
            setup=_add_pen_pal,
        ),
    ),
    "notifications": (Check("get", LOGIN),),
    "notifications-read": (Check("post", LOGIN.but(user=400, owner=400, admin=400), data={}),),
    "notifications-count": (Check("get", LOGIN),),
    "notification-preferences": (
        Check("get", LOGIN),
        Check("put", LOGIN.but(user=400, owner=400, admin=400), data=[]),
    ),
    "connections": (Check("post", LOGIN.but(user=400, owner=400, admin=400), data={}),),
    "network": (Check("get", LOGIN), Check("get", LOGIN, query="stats=true")),
    # The event stream is written by services only: its admin has no add page.
    "admin:realtime_event_add": (Check("get", ADMIN_SITE.but(admin=403)),),
    # Reports come from people, not the admin; the audit log is append-only.
    "admin:moderation_contentreport_add": (Check("get", ADMIN_SITE.but(admin=403)),),
    "admin:moderation_auditlogentry_add": (Check("get", ADMIN_SITE.but(admin=403)),),
    "admin:moderation_auditlogentry_delete": (
        Check("get", ADMIN_SITE.but(admin=403), kwargs={"object_id": "1"}),
    ),
    # --- moderation (docs/moderation.md) --------------------------------------------------
    # Reporting: signed in (verified); an empty body passes authorization and fails input.
    "report-create": (Check("post", VERIFIED_WRITE.but(user=400, owner=400, admin=400), data={}),),
    "reports-mine": (Check("get", LOGIN),),
    "admin-reports": (Check("get", ADMIN_ONLY),),
    "admin-report-action": (
        Check(
            "post",
            ADMIN_ONLY.but(admin=400),
            kwargs=lambda w: {"report_id": w.extra["report"].pk},
            data={},
            setup=_add_report,
        ),
    ),
    # Uploaded files in DEBUG (project/urls.py); production serves them elsewhere.
    "path:^media/(?P<path>.*)$": (
        Check("get", expect(404, 404, 404, 404, 403), kwargs={"path": "studios/none.jpg"}),
    ),
    # Billing (docs/billing.md). The webhook's credential is the signature: none → 400,
    # whoever's session comes along (it authenticates nobody, so no suspension 403).
    "stripe-webhook": (Check("post", everyone(400), data={}),),
    "stripe-checkout": (Check("post", LOGIN.but(user=400, owner=400, admin=400), data={}),),
    "stripe-portal": (Check("post", LOGIN.but(user=404, owner=404, admin=404), data={}),),
    "billing-subscriptions": (Check("get", LOGIN),),
    # No persona has a Stripe customer: an empty list, Stripe never asked.
    "billing-invoices": (Check("get", LOGIN),),
    "admin-refunds": (Check("post", ADMIN_ONLY.but(admin=400), data={}),),
    "admin-pending-subscriptions": (Check("get", ADMIN_ONLY),),
    "admin-pending-subscription-approve": (
        Check("post", ADMIN_ONLY.but(admin=404), kwargs={"pending_id": 999999}, data={}),
    ),
    "admin-pending-subscription-reject": (
        Check("post", ADMIN_ONLY.but(admin=404), kwargs={"pending_id": 999999}, data={}),
    ),
    # Refunds start at Stripe and events come from Stripe: no add pages.
    "admin:billing_refund_add": (Check("get", ADMIN_SITE.but(admin=403)),),
    "admin:billing_stripeevent_add": (Check("get", ADMIN_SITE.but(admin=403)),),
    # The refunds' audit trail cannot be deleted, not even by an admin.
    "admin:billing_refund_delete": (
        Check("get", ADMIN_SITE.but(admin=403), kwargs=lambda w: {"object_id": "1"}),
    ),
    # --- web pages (frontend/): shells over the API; private pages send people to log in --
    "home": (Check("get", PAGE),),
    "search-page": (Check("get", PAGE),),
    "faq-page": (Check("get", PAGE),),
    "premium-page": (Check("get", PAGE),),
    "studio-page": (Check("get", PAGE, kwargs=lambda w: {"studio_id": w.studio.pk}),),
    "profile-page": (Check("get", PAGE, kwargs=_user_kwargs),),
    "profile-redirect": (Check("get", _moved("/matrix_owner"), kwargs=_user_kwargs),),
    "messages-page": (Check("get", LOGIN_PAGE),),
    "conversation-page": (Check("get", LOGIN_PAGE, kwargs=_user_kwargs),),
    "notifications-page": (Check("get", LOGIN_PAGE),),
    "network-page": (Check("get", LOGIN_PAGE),),
    "my-reports-page": (Check("get", LOGIN_PAGE),),
    "settings-page": (Check("get", LOGIN_PAGE),),
    "settings-profile-page": (Check("get", LOGIN_PAGE),),
    "settings-notifications-page": (Check("get", LOGIN_PAGE),),
    "settings-searches-page": (Check("get", LOGIN_PAGE),),
    "billing-page": (Check("get", LOGIN_PAGE),),
    "dashboard-page": (Check("get", LOGIN_PAGE),),
    "studio-editor-new": (Check("get", LOGIN_PAGE),),
    # Someone else's studio is 404, like a missing one (access_managed_studio).
    "studio-editor": (
        Check("get", LOGIN_PAGE.but(user=404), kwargs=lambda w: {"studio_id": w.studio.pk}),
    ),
    "billing-checkout-success": (Check("get", LOGIN_PAGE, query="studio_id=1&session_id=cs_1"),),
    "billing-checkout-cancelled": (Check("get", LOGIN_PAGE, query="studio_id=1"),),
}


# Every URL of the Django admin site follows one rule (staff only), so a ModelAdmin that
# another app registers is covered without an entry. Exact entries above win.
def admin_site_checks(route) -> tuple[Check, ...]:
    return (Check("get", ADMIN_SITE, kwargs=lambda w: admin_kwargs(route, w)),)


def admin_kwargs(route, w: World) -> dict:
    from django.contrib.contenttypes.models import ContentType

    values = {
        "object_id": str(w.admin.pk),  # a model with that pk shows it, else admin redirects
        "id": str(w.admin.pk),
        "app_label": "directory",
        "content_type_id": ContentType.objects.get_for_model(type(w.admin)).pk,
        "url": "no-such-page/",
    }
    return {name: values[name] for name in route.kwarg_names}


PREFIX_RULES: dict[str, Callable[[Any], tuple[Check, ...]]] = {"admin:": admin_site_checks}
