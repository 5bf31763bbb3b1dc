"""The Content-Security-Policy of the site's pages.

Django 5.2 has no CSP of its own. Every page's script is a module file from our static
files (no inline script, no inline event handler: dom.js's h() attaches listeners), its
style the one stylesheet; data comes from our API and socket. So the policy allows our
own origin only, plus https images (studio photos and avatars live on other hosts; the
map's tiles, MAP_TILE_URL). No form-action: browsers apply it to the redirects after a
form, and the social sign-in and Stripe's checkout redirect off the site. An injected
`<script>` or `onerror=` in user content would not run even if it ever reached the page
as HTML. The Django admin and the API's schema viewer keep their own inline code and are
left out.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings

EXEMPT_PREFIXES = ("/admin/", "/api/")


def content_security_policy() -> str:
    tiles = urlsplit(settings.MAP_TILE_URL)
    tile_origin = f" {tiles.scheme}://{tiles.netloc}" if tiles.scheme and tiles.netloc else ""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src 'self' data: https:{tile_origin}",
            "connect-src 'self'",  # the API, and the socket on the same host (CSP Level 3)
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "frame-ancestors 'none'",
        ]
    )


class ContentSecurityPolicyMiddleware:
    """Adds the policy to HTML responses outside /admin/ and /api/."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = content_security_policy()

    def __call__(self, request):
        response = self.get_response(request)
        if (
            "Content-Security-Policy" not in response
            and response.get("Content-Type", "").startswith("text/html")
            and not request.path.startswith(EXEMPT_PREFIXES)
        ):
            response["Content-Security-Policy"] = self.policy
        return response
