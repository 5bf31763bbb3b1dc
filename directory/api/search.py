"""GET /api/studios/search and GET /api/studios/map: public, read-only."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle
from rest_framework.views import APIView

from common.errors import ValidationFailed
from common.openapi import error_responses

from ..search.cache import search_cache_key
from ..search.map import map_markers
from ..search.parameters import LocationNotFound, SearchParams
from ..search.plans import search_studios
from ..search.serializers import (
    MapMarkersSerializer,
    MapParamsSerializer,
    SearchPageSerializer,
    SearchParamsSerializer,
)
from ..selectors.places import place_needs_geocoder


def search_page_payload(params: SearchParams) -> dict:
    """The serialised page, from the cache when the same page of the same data was served."""
    timeout = settings.SEARCH_CACHE_SECONDS
    key = search_cache_key(params) if timeout > 0 else None
    if key is not None and (payload := cache.get(key)) is not None:
        return payload
    try:
        page = search_studios(params)
    except LocationNotFound:
        raise ValidationFailed(
            fields={"location": ["No place of that name was found; try a nearby city."]}
        ) from None
    payload = SearchPageSerializer(page).data
    if key is not None:
        cache.set(key, payload, timeout)
    return payload


class PlaceLookupThrottle(BaseThrottle):
    """Per client (the user, or the IP when anonymous): at most GEOCODER_SEARCH_RATE
    searches whose `location` has to go to the geocoder. Names the gazetteer knows and
    cached answers (misses included) are free; past the rate, 429 `rate_limited` with
    Retry-After, before the request waits on the geocoder's shared slot.

    A fixed window counted with the cache's atomic `incr` (Redis INCR), not DRF's
    SimpleRateThrottle: that one reads, then writes its history, so fifteen requests
    arriving together all pass.
    """

    def allow_request(self, request, view) -> bool:
        location = request.query_params.get("location") or ""
        if not place_needs_geocoder(location[:200]):
            return True
        limit, window = SimpleRateThrottle.parse_rate(None, settings.GEOCODER_SEARCH_RATE)
        user = request.user
        ident = f"user:{user.pk}" if user and user.is_authenticated else self.get_ident(request)
        now = time.time()
        window_start = int(now // window) * window
        key = f"throttle:place_lookup:{ident}:{window_start}"
        cache.add(key, 0, timeout=window + 1)
        if cache.incr(key) <= limit:
            return True
        self._wait = window_start + window - now
        return False

    def wait(self) -> float | None:
        return getattr(self, "_wait", None)


class StudioSearchApi(APIView):
    """Listed studios by text, type, service, city and distance, in stable pages."""

    permission_classes = [AllowAny]
    throttle_classes = [PlaceLookupThrottle]

    InputSerializer = SearchParamsSerializer
    OutputSerializer = SearchPageSerializer

    @extend_schema(
        operation_id="studios_search",
        parameters=[SearchParamsSerializer],
        responses={
            200: SearchPageSerializer,
            **error_responses(400, 429, 503),
        },
    )
    def get(self, request):
        data = self.InputSerializer(data=request.query_params.dict())
        data.is_valid(raise_exception=True)
        return Response(search_page_payload(data.to_params()))


class StudioMapApi(APIView):
    """Map markers for a bounding box (id, name, lat, lng, premium), nearest its centre first."""

    permission_classes = [AllowAny]

    InputSerializer = MapParamsSerializer
    OutputSerializer = MapMarkersSerializer

    @extend_schema(
        operation_id="studios_map",
        parameters=[MapParamsSerializer],
        responses={200: MapMarkersSerializer, **error_responses(400)},
    )
    def get(self, request):
        data = self.InputSerializer(data=request.query_params.dict())
        data.is_valid(raise_exception=True)
        markers = map_markers(
            data.validated_data["bbox"], data.to_params(), limit=settings.MAP_MARKER_LIMIT
        )
        return Response(self.OutputSerializer(markers).data)
