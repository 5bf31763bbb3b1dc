"""/api/user/metadata and /api/user/metadata/{key}: the signed-in user's key-value store."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from ..selectors import user_metadata_get, user_metadata_list
from ..services.metadata import metadata_key_validate, user_metadata_delete, user_metadata_set


class MetadataOutputSerializer(serializers.Serializer):
    key = serializers.CharField()
    value = serializers.JSONField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class UserMetadataListApi(APIView):
    permission_classes = [IsAuthenticated]

    class OutputSerializer(serializers.Serializer):
        results = MetadataOutputSerializer(many=True)

    # The body is {"results": [...]} (the schema said a bare list; schemathesis caught it).
    @extend_schema(operation_id="user_metadata_list", responses=OutputSerializer)
    def get(self, request):
        entries = user_metadata_list(user=request.user)
        return Response(self.OutputSerializer({"results": entries}).data)


class UserMetadataDetailApi(APIView):
    """One key: keys match [a-z0-9_.-]{1,64}; values are any JSON up to 16 KiB."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        value = serializers.JSONField(allow_null=True)

    @extend_schema(responses=MetadataOutputSerializer)
    def get(self, request, key: str):
        metadata_key_validate(key)
        return Response(
            MetadataOutputSerializer(user_metadata_get(user=request.user, key=key)).data
        )

    @extend_schema(request=InputSerializer, responses=MetadataOutputSerializer)
    def put(self, request, key: str):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry = user_metadata_set(
            user=request.user, key=key, value=serializer.validated_data["value"]
        )
        return Response(MetadataOutputSerializer(entry).data)

    @extend_schema(responses={204: None})
    def delete(self, request, key: str):
        user_metadata_delete(user=request.user, key=key)
        return Response(status=status.HTTP_204_NO_CONTENT)
