"""GET /api/studios/featured (homepage) and GET /api/profiles/spotlight (premium page)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from common.openapi import error_responses
from common.pagination import PageFilterSerializer, PageSerializer, paginate

from ..search.featured import featured_studios, spotlight_profiles
from ..search.serializers import StudioCardSerializer


class FeaturedStudiosApi(APIView):
    """Up to six studios of featured owners; the pinned owner first, the rest shuffled."""

    permission_classes = [AllowAny]

    class OutputSerializer(serializers.Serializer):
        results = StudioCardSerializer(many=True)

    @extend_schema(operation_id="studios_featured", responses={200: OutputSerializer})
    def get(self, request):
        return Response(self.OutputSerializer({"results": featured_studios()}).data)


class SpotlightProfileSerializer(serializers.Serializer):
    username = serializers.CharField()
    display_name = serializers.CharField()
    avatar_url = serializers.CharField(allow_null=True)
    short_about = serializers.CharField(source="profile.short_about", allow_null=True)
    location = serializers.CharField(source="profile.location", allow_null=True)
    verification_level = serializers.CharField(source="profile.verification_level")
    is_crb_checked = serializers.BooleanField(source="profile.is_crb_checked")
    listed_studios = serializers.IntegerField()


class SpotlightProfilesApi(APIView):
    """Users in the spotlight, for the premium page, in pages."""

    permission_classes = [AllowAny]

    InputSerializer = PageFilterSerializer

    class OutputSerializer(PageSerializer):
        results = SpotlightProfileSerializer(many=True)

    @extend_schema(
        operation_id="profiles_spotlight",
        parameters=[InputSerializer],
        responses={200: OutputSerializer, **error_responses(400)},
    )
    def get(self, request):
        data = self.InputSerializer(data=request.query_params.dict())
        data.is_valid(raise_exception=True)
        page = paginate(spotlight_profiles(), **data.validated_data)
        return Response(self.OutputSerializer(page).data)
