"""OpenAPI (drf-spectacular) pieces shared by every app's views: the error shape.

Every /api/ error is `{"error": {"code", "message", "fields"}}` (common.api); views list
the statuses they can answer with `error_responses(400, 404, ...)`.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema_serializer
from rest_framework import serializers

_DESCRIPTIONS = {
    400: "Invalid input; `fields` names each invalid field.",
    401: "Not signed in.",
    403: "Signed in, but not allowed (`code` says why).",
    404: "Not found (or not yours to see).",
    409: "Conflicts with the current state (`code` says which).",
    413: "Upload too large.",
    415: "Unsupported media type.",
    429: "Too many requests; see Retry-After.",
}


@extend_schema_serializer(component_name="ErrorDetail")
class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(
        child=serializers.JSONField(),
        help_text="Field name → list of messages (nested for nested input).",
    )


@extend_schema_serializer(component_name="Error")
class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    return {
        status: OpenApiResponse(ErrorSerializer, description=_DESCRIPTIONS.get(status, "Error."))
        for status in statuses
    }
