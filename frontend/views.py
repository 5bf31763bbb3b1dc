"""Web pages that are not the API."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from common.errors import NotFound
from directory.services.saved_searches import read_unsubscribe_token, saved_search_unsubscribe


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
