"""OpenAPI (drf-spectacular) glue shared by every app."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as BaseAutoSchema


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
