"""OpenAPI (drf-spectacular) glue shared by every app."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from rest_framework.permissions import AllowAny

from .openapi import error_responses


class AutoSchema(BaseAutoSchema):
    """Names nested serializers after their view: `UserProfileApi.OutputSerializer`
    becomes the component "UserProfileOutput", so views in the HackSoft style (nested
    InputSerializer/OutputSerializer) don't collide in the schema."""

    def get_serializer_name(self, serializer, direction):
        name = super().get_serializer_name(serializer, direction)
        outer = type(serializer).__qualname__.rpartition(".")[0]
        if outer and "<locals>" not in outer:
            return outer.split(".")[-1].removesuffix("Api").removesuffix("View") + name
        return name

    def _get_response_bodies(self, direction="response"):
        """Every operation documents the errors it can meet, in the one error shape —
        400 for input, 401/403 behind a permission or an authenticator, 404 for a path
        with an id, 409 for writes, 415 for a body no parser reads, 429 under a throttle —
        on top of what its view lists, so a client (and schemathesis) never meets an
        undocumented status."""
        responses = super()._get_response_bodies(direction)
        statuses = {400}
        permissions = [type(p) for p in self.view.get_permissions()]
        if permissions and not all(issubclass(p, AllowAny) for p in permissions):
            statuses |= {401, 403}
        if self.view.get_authenticators():
            # Even a public operation authenticates a token sent with it: an expired one
            # is 401, a suspended account's 403 `suspended` (common.authentication).
            statuses |= {401, 403}
        if "{" in self.path:
            statuses.add(404)
        if self.method.upper() in {"POST", "PUT", "PATCH", "DELETE"}:
            statuses.add(409)
        if self.method.upper() in {"POST", "PUT", "PATCH"}:
            statuses.add(415)  # a body in a media type no parser reads (or none it can name)
        if getattr(self.view, "throttle_classes", None):
            statuses.add(429)
        for status, response in error_responses(*sorted(statuses)).items():
            if str(status) not in responses:
                responses[str(status)] = self._get_response_for_code(
                    response, str(status), direction=direction
                )
        return responses


class SessionTokenScheme(OpenApiAuthenticationExtension):
    target_class = "common.authentication.SessionTokenAuthentication"
    name = "sessionToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "X-Session-Token",
            "description": "meta.session_token from POST /_allauth/app/v1/auth/login.",
        }


class SessionCookieScheme(OpenApiAuthenticationExtension):
    target_class = "common.authentication.CsrfSessionAuthentication"
    name = "sessionCookie"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": "sessionid",
            "description": "The browser's session; writes also need X-CSRFToken.",
        }
