"""OpenAPI (drf-spectacular): the one error shape, documented on every operation.

Every /api/ error is {"error": {"code", "message", "fields"}} (common.api). The AutoSchema
below adds those responses to each operation by what the operation can meet — 400 for
input, 401/403 behind a permission, 404 for a path with an id, 409 for writes, 429 under a
throttle — so views document their success shape and their own special cases only.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny

ERROR_DESCRIPTIONS = {
    400: "Invalid input; `fields` names each bad field.",
    401: "Not signed in.",
    403: "Signed in, but not allowed (or suspended).",
    404: "Not found (or not yours to see).",
    409: "Conflicts with the current state.",
    429: "Too many requests; see Retry-After.",
    503: "An outside service could not answer; try again shortly.",
}


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.JSONField())


class ErrorSerializer(serializers.Serializer):
    error = ErrorBodySerializer()


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    """`responses={200: X, **error_responses(400, 404)}` in an @extend_schema."""
    return {
        status: OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[status])
        for status in statuses
    }


class AutoSchema(SpectacularAutoSchema):
    def get_serializer_name(self, serializer, direction: str) -> str:
        """Nested serializers (HackSoft's `FooApi.OutputSerializer`) get their view's name
        in front, so two views' `OutputSerializer`s become two components, not one."""
        qualname = serializer.__class__.__qualname__
        if "." not in qualname:
            return super().get_serializer_name(serializer, direction)
        outer, inner = qualname.split(".")[0], qualname.split(".")[-1]
        for suffix in ("Api", "View", "ViewSet"):
            outer = outer.removesuffix(suffix)
        return outer + inner

    def _get_response_bodies(self, direction: str = "response"):
        responses = super()._get_response_bodies(direction)
        method = self.method.upper()
        statuses = {400}
        permissions = [p.__class__ for p in self.view.get_permissions()]
        if permissions and not all(issubclass(p, AllowAny) for p in permissions):
            statuses |= {401, 403}
        if "{" in self.path:
            statuses.add(404)
        if method in {"POST", "PUT", "PATCH", "DELETE"}:
            statuses.add(409)
        if getattr(self.view, "throttle_classes", None):
            statuses.add(429)
        for status, response in error_responses(*sorted(statuses)).items():
            if str(status) not in responses:
                responses[str(status)] = self._get_response_for_code(
                    response, str(status), direction=direction
                )
        return responses
