"""A user's saved searches: /api/user/saved-searches.

    GET    /api/user/saved-searches          the signed-in user's saved searches
    POST   /api/user/saved-searches          save one {name, filters, alerts_enabled}
    GET    /api/user/saved-searches/{id}
    PATCH  /api/user/saved-searches/{id}     rename, change filters, turn alerts on or off
    DELETE /api/user/saved-searches/{id}

`filters` are the search's own parameters (q, studio_types, services, city, lat, lng,
radius, location, verified, premium, has_images, sort), checked by the same validator as
GET /api/studios/search.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from common.openapi import error_responses
from directory.models import SavedSearch
from directory.search.filters import SearchFiltersSerializer, search_url, with_current_names
from directory.selectors.saved_searches import access_saved_search, saved_searches_of
from directory.services.saved_searches import (
    saved_search_create,
    saved_search_delete,
    saved_search_update,
)

TAGS = ["saved searches"]


@extend_schema_serializer(component_name="SavedSearch")
class SavedSearchSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    filters = SearchFiltersSerializer(help_text="Normalised: unset filters are left out.")
    alerts_enabled = serializers.BooleanField()
    last_alerted_at = serializers.DateTimeField(allow_null=True)
    search_url = serializers.URLField(help_text="The search page with these filters.")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def to_representation(self, saved_search: SavedSearch) -> dict:
        dt = serializers.DateTimeField()
        return {
            "id": saved_search.pk,
            "name": saved_search.name,
            "filters": with_current_names(saved_search.filters or {}),
            "alerts_enabled": saved_search.alerts_enabled,
            "last_alerted_at": dt.to_representation(saved_search.last_alerted_at)
            if saved_search.last_alerted_at
            else None,
            "search_url": search_url(saved_search.filters or {}),
            "created_at": dt.to_representation(saved_search.created_at),
            "updated_at": dt.to_representation(saved_search.updated_at),
        }


@extend_schema_serializer(component_name="SavedSearchWrite")
class SavedSearchWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    # Checked by the search's validator in the service (errors come back under "filters").
    filters = serializers.DictField(
        help_text="The search parameters, as for GET /api/studios/search (no paging)."
    )
    alerts_enabled = serializers.BooleanField(default=True)


class SavedSearchCollectionApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="saved_search_list",
        summary="Your saved searches",
        responses={200: SavedSearchSerializer(many=True), **error_responses(401, 403)},
        tags=TAGS,
    )
    def get(self, request):
        searches = saved_searches_of(user=request.user)
        return Response(SavedSearchSerializer(searches, many=True).data)

    @extend_schema(
        operation_id="saved_search_create",
        summary="Save a search",
        description="At most SAVED_SEARCH_MAX_PER_USER each (409 `too_many_saved_searches`).",
        request=SavedSearchWriteSerializer,
        responses={201: SavedSearchSerializer, **error_responses(400, 401, 403, 409)},
        tags=TAGS,
    )
    def post(self, request):
        serializer = SavedSearchWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        saved_search = saved_search_create(user=request.user, **serializer.validated_data)
        return Response(SavedSearchSerializer(saved_search).data, status=status.HTTP_201_CREATED)


class SavedSearchDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="saved_search_get",
        summary="One of your saved searches",
        responses={200: SavedSearchSerializer, **error_responses(401, 403, 404)},
        tags=TAGS,
    )
    def get(self, request, saved_search_id: int):
        saved_search = access_saved_search(user=request.user, saved_search_id=saved_search_id)
        return Response(SavedSearchSerializer(saved_search).data)

    @extend_schema(
        operation_id="saved_search_update",
        summary="Rename it, change its filters, or turn its alerts on or off",
        request=SavedSearchWriteSerializer,
        responses={200: SavedSearchSerializer, **error_responses(400, 401, 403, 404)},
        tags=TAGS,
    )
    def patch(self, request, saved_search_id: int):
        saved_search = access_saved_search(user=request.user, saved_search_id=saved_search_id)
        serializer = SavedSearchWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        saved_search = saved_search_update(
            saved_search=saved_search, data=serializer.validated_data
        )
        return Response(SavedSearchSerializer(saved_search).data)

    @extend_schema(
        operation_id="saved_search_delete",
        summary="Delete a saved search",
        responses={204: None, **error_responses(401, 403, 404)},
        tags=TAGS,
    )
    def delete(self, request, saved_search_id: int):
        saved_search = access_saved_search(user=request.user, saved_search_id=saved_search_id)
        saved_search_delete(saved_search=saved_search)
        return Response(status=status.HTTP_204_NO_CONTENT)
