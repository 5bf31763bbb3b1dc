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


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def content_security_policy() -> str:
    images = ["'self'", "data:", "https:"]
    # Uploads are stored with SITE_URL's origin: on plain http (a local run) the page may be
    # opened under another name (localhost for 127.0.0.1) and must still show them.
    site = _origin(settings.SITE_URL)
    if site and site.startswith("http://"):
        images.append(site)
    tiles = _origin(settings.MAP_TILE_URL)
    if tiles and tiles not in images:
        images.append(tiles)
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src {' '.join(images)}",
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
