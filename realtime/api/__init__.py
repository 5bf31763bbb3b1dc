"""HTTP endpoints of the realtime app: parse, authorise, call a service or selector, serialise.

Responses reuse realtime/serialization.py, so a REST answer carries exactly the objects
that events carry (the Zulip-style tests compare them).
"""

from __future__ import annotations

from django.views.decorators.csrf import csrf_exempt


def by_method(**views):
    """One URL, one API view per HTTP method (HackSoft: one view per operation)."""

    @csrf_exempt  # each DRF view enforces CSRF itself for cookie sessions
    def dispatch(request, *args, **kwargs):
        view = views.get(request.method)
        if view is None:
            view = next(iter(views.values()))  # DRF answers 405 in our error shape
        return view(request, *args, **kwargs)

    return dispatch
