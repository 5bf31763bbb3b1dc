"""The web pages: server-rendered shells. Their data comes from the JSON API and the socket
(static/frontend/pages/*.js); a view here only picks the template and passes what the page
needs to start (ids from the URL, the labels of enum values) and, for a studio or a
profile, asks the selector whether the viewer may see it (404) and for the page title.
No business rule lives here.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from django.views.generic import RedirectView, TemplateView

from accounts.api.profiles import CONNECTION_FIELDS
from accounts.services.profiles import AVATAR_MAX_BYTES
from accounts.validators import (
    CONNECTION_METHOD_MAX_LENGTH,
    CUSTOM_CONNECTION_METHODS_MAX,
    SOCIAL_LINK_HOSTS,
)
from common.errors import NotFound
from directory.models import ServiceType, StudioStatus, StudioType
from directory.search.filters import LEGACY_ALIASES, legacy_renamed
from directory.search.parameters import DEFAULT_RADIUS_MI, OFFERED_RADII_MI
from directory.selectors.profiles import public_profile_get
from directory.selectors.studios import access_managed_studio, studio_visible
from directory.services.saved_searches import read_unsubscribe_token, saved_search_unsubscribe
from directory.services.studio_images import MAX_PIXELS, MIN_SIDE
from realtime.models import NotificationType


def _labels(choices) -> dict[str, str]:
    return dict(choices.choices)


def _studio_labels() -> dict[str, dict[str, str]]:
    """The labels of studio types and services, for the pages that show studios."""
    return {"studio_types": _labels(StudioType), "services": _labels(ServiceType)}


class PageView(TemplateView):
    """A page shell; `page_data` goes to the page's module as JSON (json_script)."""

    def page_data(self) -> dict:
        return {}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_data"] = self.page_data()
        return context


class OnePageView(PageView):
    """A page about one thing (a studio, a profile) that a selector finds for this viewer or
    refuses with NotFound, which is a 404 here. The thing is `self.object`, and in the
    template under `context_object_name`."""

    context_object_name: str
    not_found = "Not found."

    def find(self, request, **kwargs):  # each page names its selector
        raise NotImplementedError(f"{type(self).__name__}.find")

    def get(self, request, *args, **kwargs):
        try:
            self.object = self.find(request, **kwargs)
        except NotFound:
            raise Http404(self.not_found) from None
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context[self.context_object_name] = self.object
        return context


class HomePage(PageView):
    template_name = "frontend/home.html"

    def page_data(self) -> dict:
        return {
            **_studio_labels(),
            "radii": OFFERED_RADII_MI,
            "default_radius": DEFAULT_RADIUS_MI,
        }


class SearchPage(PageView):
    """/search: every search state is in the query, under the API's own names.

    A link with the legacy site's names (`studioTypes`, `sortBy`, `query`: old saved
    searches, old bookmarks) is redirected once to the same search under the API's names,
    with directory.search.filters.LEGACY_ALIASES — the one table of those names.
    """

    template_name = "frontend/search.html"

    def get(self, request, *args, **kwargs):
        if any(name in request.GET for name in LEGACY_ALIASES):
            query = request.GET.copy()
            for legacy, name in LEGACY_ALIASES.items():
                if legacy in query:
                    values = [legacy_renamed(legacy, value)[1] for value in query.pop(legacy)]
                    if name not in query:
                        query.setlist(name, values)
            return HttpResponsePermanentRedirect(f"{request.path}?{query.urlencode()}")
        return super().get(request, *args, **kwargs)

    def page_data(self) -> dict:
        return {
            **_studio_labels(),
            "radii": OFFERED_RADII_MI,
            "default_radius": DEFAULT_RADIUS_MI,
            "map_tiles": settings.MAP_TILE_URL,
            "map_attribution": settings.MAP_TILE_ATTRIBUTION,
        }


class FaqPage(PageView):
    """The FAQ; its entries come from GET /api/faq (managed in the admin)."""

    template_name = "frontend/faq.html"


class PremiumPage(PageView):
    """/premium: what premium is, the featured studios and the people in the spotlight."""

    template_name = "frontend/premium.html"

    def page_data(self) -> dict:
        return _studio_labels()


class StudioPage(OnePageView):
    """A studio. The selector decides 404 (missing, or hidden from this viewer) and the title."""

    template_name = "frontend/studio.html"
    context_object_name = "studio"
    not_found = "No such studio."

    def find(self, request, **kwargs):
        return studio_visible(studio_id=kwargs["studio_id"], viewer=request.user)

    def page_data(self) -> dict:
        return {"studio_id": self.object.pk, **_studio_labels()}


class ProfilePage(OnePageView):
    """A public profile. The selector decides 404 (unknown, deactivated) and the title."""

    template_name = "frontend/profile.html"
    context_object_name = "profile_user"
    not_found = "No such profile."

    def find(self, request, **kwargs):
        return public_profile_get(username=kwargs["username"])

    def page_data(self) -> dict:
        return {"username": self.object.username, "user_id": self.object.pk}


class ProfileRedirect(RedirectView):
    """/profile/<username> (the links in connection notifications) → /<username>."""

    permanent = True
    pattern_name = "profile-page"


class MessagesPage(LoginRequiredMixin, PageView):
    """The conversations, and the thread with `username` when the URL names one."""

    template_name = "frontend/messages.html"

    def page_data(self) -> dict:
        return {"with": self.kwargs.get("username")}


class NotificationsPage(LoginRequiredMixin, PageView):
    template_name = "frontend/notifications.html"


class NetworkPage(LoginRequiredMixin, PageView):
    template_name = "frontend/network.html"


class MyReportsPage(LoginRequiredMixin, PageView):
    """ "My reports": what the user reported and the outcome (docs/moderation.md)."""

    template_name = "frontend/reports.html"


class SettingsPage(LoginRequiredMixin, PageView):
    """/settings: the account hub (profile, notifications, saved searches, allauth's email,
    password and connected-account pages, deleting the account)."""

    template_name = "frontend/settings.html"


class ProfileSettingsPage(LoginRequiredMixin, PageView):
    """/settings/profile: every editable profile field and privacy flag, with a preview
    drawn by the public profile page's own renderer (static/frontend/profile_view.js)."""

    template_name = "frontend/settings_profile.html"

    def page_data(self) -> dict:
        return {
            "social_hosts": SOCIAL_LINK_HOSTS,
            "connection_slots": len(CONNECTION_FIELDS),
            "custom_connection_max": CUSTOM_CONNECTION_METHODS_MAX,
            "connection_max_length": CONNECTION_METHOD_MAX_LENGTH,
            "avatar_max_bytes": AVATAR_MAX_BYTES,
        }


class NotificationSettingsPage(LoginRequiredMixin, PageView):
    """/settings/notifications: in-app and email, per notification type."""

    template_name = "frontend/settings_notifications.html"

    def page_data(self) -> dict:
        return {"types": _labels(NotificationType)}


class SavedSearchesPage(LoginRequiredMixin, PageView):
    """/settings/searches: the saved searches (open, rename, alerts on/off, delete)."""

    template_name = "frontend/settings_searches.html"

    def page_data(self) -> dict:
        return _studio_labels()


class BillingPage(LoginRequiredMixin, PageView):
    """Subscriptions (status, renewal date) and the Stripe Billing Portal link."""

    template_name = "frontend/billing.html"


class CheckoutResultPage(LoginRequiredMixin, PageView):
    """Where Stripe Checkout sends the owner back: the state as the webhooks arrive."""

    template_name = "frontend/billing_checkout.html"
    result = "success"

    def page_data(self) -> dict:
        studio_id = self.request.GET.get("studio_id", "")
        return {"result": self.result, "studio_id": int(studio_id) if studio_id.isdigit() else None}


class DashboardPage(LoginRequiredMixin, PageView):
    """/dashboard: the signed-in user's studios, their status and premium state."""

    template_name = "frontend/dashboard.html"

    def page_data(self) -> dict:
        return {"statuses": _labels(StudioStatus)}


class StudioEditorPage(LoginRequiredMixin, OnePageView):
    """/dashboard/studios/new and /dashboard/studios/<id>: the studio editor and its photos.

    Someone else's studio is 404 (the management selector decides, as the API does); the
    photo limits are the settings the upload service enforces, shown before an upload.
    """

    template_name = "frontend/studio_editor.html"
    context_object_name = "studio"
    not_found = "No such studio."

    def find(self, request, **kwargs):
        if "studio_id" not in kwargs:
            return None  # a new studio
        return access_managed_studio(user=request.user, studio_id=kwargs["studio_id"])

    def page_data(self) -> dict:
        return {
            "studio_id": self.object.pk if self.object else None,
            **_studio_labels(),
            "statuses": _labels(StudioStatus),
            "map_tiles": settings.MAP_TILE_URL,
            "map_attribution": settings.MAP_TILE_ATTRIBUTION,
            "max_images": settings.STUDIO_MAX_IMAGES,
            "max_image_bytes": settings.STUDIO_IMAGE_MAX_BYTES,
            "max_image_side": settings.STUDIO_IMAGE_MAX_SIDE,
            "min_image_side": MIN_SIDE,
            "max_image_pixels": MAX_PIXELS,
        }


@csrf_exempt  # the signed token is the credential; mail clients POST without a session
@require_http_methods(["GET", "POST"])
def saved_search_unsubscribe_page(request, token: str):
    """The link in every saved-search digest.

    GET shows a page with one button and changes nothing: mail scanners and link
    previews fetch links, and must not unsubscribe anyone. POST unsubscribes — from the
    button, or straight from a mail client's one-click "Unsubscribe" (RFC 8058, the
    List-Unsubscribe-Post header of the digest).
    """
    try:
        target = read_unsubscribe_token(token)
    except NotFound:
        return render(request, "frontend/unsubscribe.html", {"invalid": True}, status=404)
    context = {"one_search": target["saved_search_id"] is not None}
    if request.method == "POST":
        saved_search_unsubscribe(token=token)
        context["done"] = True
    return render(request, "frontend/unsubscribe.html", context)
