"""The web pages: server-rendered shells. Their data comes from the JSON API and the socket
(static/frontend/pages/*.js); a view here only picks the template and passes what the page
needs to start (ids from the URL, the labels of enum values). No business rule lives here.
"""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.views.generic import RedirectView, TemplateView

from common.errors import NotFound
from directory.models import ServiceType, StudioType
from directory.selectors.profiles import public_profile_get

RADII_MILES = (10, 25, 50, 100, 250, 500)


def _labels(choices) -> dict[str, str]:
    return {value: label for value, label in choices.choices}


class PageView(TemplateView):
    """A page shell; `page_data` goes to the page's module as JSON (json_script)."""

    def page_data(self) -> dict:
        return {}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_data"] = self.page_data()
        return context


class HomePage(PageView):
    template_name = "frontend/home.html"

    def page_data(self) -> dict:
        return {"studio_types": _labels(StudioType), "services": _labels(ServiceType)}


class SearchPage(PageView):
    template_name = "frontend/search.html"

    def page_data(self) -> dict:
        return {
            "studio_types": _labels(StudioType),
            "services": _labels(ServiceType),
            "radii": RADII_MILES,
        }


class StudioPage(PageView):
    template_name = "frontend/studio.html"

    def page_data(self) -> dict:
        return {
            "studio_id": self.kwargs["studio_id"],
            "studio_types": _labels(StudioType),
            "services": _labels(ServiceType),
        }


class ProfilePage(PageView):
    """A public profile. The selector decides 404 (unknown, deactivated) and the title."""

    template_name = "frontend/profile.html"

    def get(self, request, *args, **kwargs):
        try:
            self.profile_user = public_profile_get(username=kwargs["username"])
        except NotFound:
            raise Http404("No such profile.") from None
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["profile_user"] = self.profile_user
        return context

    def page_data(self) -> dict:
        return {"username": self.profile_user.username}


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
