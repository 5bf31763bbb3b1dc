"""The public studio page: GET /api/studios/{id} and its reviews, GET /api/studios/{id}/reviews.

Privacy follows the owner's profile flags, and hidden fields are absent from the JSON, not
null: `show_email` → owner.email; `show_phone` → owner.phone and the studio's phone;
`show_address` → the studio's full_address and legacy address; `show_rates` → the three
rate tiers; `show_directions` → the studio's latitude and longitude. Anonymous reviews
carry no reviewer at all.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import profile_of
from common.openapi import error_responses
from common.pagination import PageFilterSerializer, PageSerializer
from directory.api.profiles import PublicProfileApi
from directory.models import Review, ServiceType, Studio, StudioType
from directory.selectors.studios import studio_page, studio_reviews_page

# The studio's own fields behind the owner's flags; absent from the JSON when off. The
# same rules as the studios on the public profile (api/profiles.PRIVATE_STUDIO_KEYS),
# plus the legacy address line and the studio's phone.
PRIVATE_STUDIO_PAGE_KEYS = {
    "show_address": ("full_address", "address"),
    "show_phone": ("phone",),
    "show_directions": ("latitude", "longitude"),
}


@extend_schema_serializer(component_name="PersonSummary")
class PersonSerializer(serializers.Serializer):
    username = serializers.CharField()
    display_name = serializers.CharField()
    avatar_url = serializers.URLField(allow_null=True)


@extend_schema_serializer(component_name="StudioImage")
class ImageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    image_url = serializers.URLField()
    alt_text = serializers.CharField(allow_null=True)
    sort_order = serializers.IntegerField()


@extend_schema_serializer(component_name="StudioOwnerProfile")
class OwnerProfileSerializer(PublicProfileApi.OutputSerializer):
    """The owner's public profile, exactly as GET /api/profiles/{username} gives it (the
    same privacy flags), without the list of their studios."""

    studios = None


@extend_schema_serializer(component_name="ReviewResponse")
class ReviewResponseSerializer(serializers.Serializer):
    content = serializers.CharField(help_text="As typed; escape it when rendering HTML.")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    author = PersonSerializer()


@extend_schema_serializer(component_name="PublicReview")
class ReviewSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    rating = serializers.IntegerField(min_value=1, max_value=5)
    content = serializers.CharField(
        allow_null=True, help_text="As typed; escape it when rendering HTML."
    )
    is_anonymous = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    reviewer = PersonSerializer(allow_null=True, help_text="null for anonymous reviews.")
    response = ReviewResponseSerializer(allow_null=True)

    def to_representation(self, review: Review) -> dict:
        try:
            response = review.response
        except Review.response.RelatedObjectDoesNotExist:
            response = None
        return {
            "id": review.pk,
            "rating": review.rating,
            "content": review.content,
            "is_anonymous": review.is_anonymous,
            "created_at": serializers.DateTimeField().to_representation(review.created_at),
            "reviewer": None if review.is_anonymous else PersonSerializer(review.reviewer).data,
            "response": ReviewResponseSerializer(response).data if response else None,
        }


@extend_schema_serializer(component_name="RatingBucket")
class RatingBucketSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    count = serializers.IntegerField()
    percentage = serializers.FloatField(help_text="Of approved reviews, one decimal.")


@extend_schema_serializer(component_name="RatingSummary")
class RatingSummarySerializer(serializers.Serializer):
    count = serializers.IntegerField()
    average = serializers.FloatField(allow_null=True, help_text="Two decimals; null if none.")
    distribution = RatingBucketSerializer(many=True, help_text="5 stars to 1, always five.")

    def to_representation(self, summary) -> dict:
        return {
            "count": summary.count,
            "average": float(summary.average) if summary.average is not None else None,
            "distribution": summary.distribution,
        }


@extend_schema_serializer(component_name="ReviewPage")
class ReviewPageSerializer(PageSerializer):
    results = ReviewSerializer(many=True)

    def to_representation(self, page) -> dict:
        return page.as_dict(ReviewSerializer(page.results, many=True).data)


@extend_schema_serializer(component_name="StudioMapSettings")
class MapSettingsSerializer(serializers.Serializer):
    show_directions = serializers.BooleanField()
    use_coordinates_for_map = serializers.BooleanField(
        help_text="Pin the coordinates rather than the abbreviated address."
    )


def studio_public_fields(studio: Studio) -> dict:
    """The studio's own fields as the public sees them (privacy flags applied)."""
    profile = profile_of(studio.owner)
    dt = serializers.DateTimeField()
    data = {
        "id": studio.pk,
        "name": studio.name,
        "description": studio.description,
        "city": studio.city,
        "abbreviated_address": studio.abbreviated_address,
        "full_address": studio.full_address,
        "address": studio.address,
        "website_url": studio.website_url,
        "phone": studio.phone,
        "is_premium": studio.is_premium,
        "is_verified": studio.is_verified,
        "status": studio.status,
        "created_at": dt.to_representation(studio.created_at),
        "updated_at": dt.to_representation(studio.updated_at),
        "studio_types": sorted(t.studio_type for t in studio.studio_types.all()),
        "services": sorted(s.service for s in studio.services.all()),
        "images": ImageSerializer(studio.images.all(), many=True).data,
        "map": {
            "show_directions": profile.show_directions,
            "use_coordinates_for_map": profile.use_coordinates_for_map,
        },
    }
    if studio.latitude is not None:
        data["latitude"] = float(studio.latitude)
        data["longitude"] = float(studio.longitude)
    for flag, keys in PRIVATE_STUDIO_PAGE_KEYS.items():
        if not getattr(profile, flag):
            for key in keys:
                data.pop(key, None)
    return data


class StudioDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema_serializer(component_name="StudioPage")
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        name = serializers.CharField()
        description = serializers.CharField(allow_null=True)
        city = serializers.CharField()
        abbreviated_address = serializers.CharField(allow_null=True)
        full_address = serializers.CharField(
            required=False, allow_null=True, help_text="Only with the owner's show_address."
        )
        address = serializers.CharField(
            required=False, allow_null=True, help_text="Legacy address; with show_address."
        )
        latitude = serializers.FloatField(
            required=False, help_text="Only with the owner's show_directions, once geocoded."
        )
        longitude = serializers.FloatField(required=False)
        website_url = serializers.URLField(allow_null=True)
        phone = serializers.CharField(
            required=False, allow_null=True, help_text="Only with the owner's show_phone."
        )
        is_premium = serializers.BooleanField()
        is_verified = serializers.BooleanField()
        status = serializers.CharField(help_text="ACTIVE unless the owner or an admin previews.")
        created_at = serializers.DateTimeField()
        updated_at = serializers.DateTimeField()
        studio_types = serializers.ListField(child=serializers.ChoiceField(StudioType.choices))
        services = serializers.ListField(child=serializers.ChoiceField(ServiceType.choices))
        images = ImageSerializer(many=True, help_text="In display order.")
        map = MapSettingsSerializer()
        owner = OwnerProfileSerializer()
        rating = RatingSummarySerializer()
        reviews = ReviewPageSerializer(help_text="The first page, newest first.")

        def to_representation(self, page) -> dict:
            return {
                **studio_public_fields(page.studio),
                "owner": OwnerProfileSerializer(page.studio.owner).data,
                "rating": RatingSummarySerializer(page.rating).data,
                "reviews": ReviewPageSerializer(page.reviews).data,
            }

    @extend_schema(
        operation_id="studio_page",
        summary="A studio's public page",
        description=(
            "The studio, its photos in order, types, services, the owner's public profile, "
            "and approved reviews (newest first) with the owner's responses and the rating "
            "distribution. Only listed studios (ACTIVE and visible) are public; an owner "
            "also sees their own, an admin any."
        ),
        responses={200: OutputSerializer, **error_responses(404)},
        tags=["studios"],
    )
    def get(self, request, studio_id: int):
        page = studio_page(studio_id=studio_id, viewer=request.user)
        return Response(self.OutputSerializer(page).data)


class StudioReviewListApi(APIView):
    permission_classes = [AllowAny]

    FilterSerializer = PageFilterSerializer

    @extend_schema(
        operation_id="studio_reviews",
        summary="A studio's approved reviews, newest first",
        parameters=[FilterSerializer],
        responses={200: ReviewPageSerializer, **error_responses(400, 404)},
        tags=["reviews"],
    )
    def get(self, request, studio_id: int):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        page = studio_reviews_page(
            studio_id=studio_id, viewer=request.user, **filters.validated_data
        )
        return Response(ReviewPageSerializer(page).data)
