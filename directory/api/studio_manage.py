"""Studio management for owners and admins: /api/studio/manage/.

GET    /api/studio/manage/                              own studios (an admin: all)
POST   /api/studio/manage/                              create (the first makes a STUDIO_OWNER)
GET    /api/studio/manage/{id}                          one studio, every field
PATCH  /api/studio/manage/{id}                          update, status transitions included
DELETE /api/studio/manage/{id}
POST   /api/studio/manage/{id}/images                   upload a photo (multipart)
PUT    /api/studio/manage/{id}/images/order             re-order the photos
PATCH  /api/studio/manage/{id}/images/{image_id}        change a photo's alt text
DELETE /api/studio/manage/{id}/images/{image_id}
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.serializers import PhoneField
from common.openapi import error_responses
from common.pagination import PageFilterSerializer, PageSerializer, paginate
from directory.api.studio_pages import ImageSerializer, PersonSerializer
from directory.models import ServiceType, Studio, StudioStatus, StudioType
from directory.permissions import CanListOrCreateStudios, IsStudioOwnerOrAdmin
from directory.selectors.studios import (
    access_managed_image,
    access_managed_studio,
    managed_studios,
)
from directory.services.studio_images import (
    studio_image_add,
    studio_image_delete,
    studio_image_update,
    studio_images_reorder,
)
from directory.services.studios import (
    OWNER_FIELDS,
    TRANSITIONS,
    may_publish,
    studio_create,
    studio_delete,
    studio_update,
)

TAGS = ["studio management"]


def allowed_transitions(studio: Studio, user: User) -> list[str]:
    return sorted(
        new
        for new in TRANSITIONS.get(studio.status, ())
        if new != StudioStatus.ACTIVE or may_publish(user)
    )


@extend_schema_serializer(component_name="ManagedStudio")
class ManagedStudioSerializer(serializers.Serializer):
    """Every field of a studio, as its owner (or an admin) sees it."""

    id = serializers.IntegerField()
    owner = PersonSerializer()
    name = serializers.CharField()
    description = serializers.CharField(allow_null=True)
    address = serializers.CharField(allow_null=True, help_text="Legacy single-line address.")
    full_address = serializers.CharField(allow_null=True, help_text="Geocoded after each change.")
    abbreviated_address = serializers.CharField(allow_null=True)
    city = serializers.CharField()
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    website_url = serializers.URLField(allow_null=True)
    phone = serializers.CharField(allow_null=True)
    is_premium = serializers.BooleanField()
    is_verified = serializers.BooleanField()
    is_profile_visible = serializers.BooleanField()
    status = serializers.ChoiceField(StudioStatus.choices)
    allowed_transitions = serializers.ListField(
        child=serializers.ChoiceField(StudioStatus.choices),
        help_text="The statuses you may move this studio to now.",
    )
    published_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    studio_types = serializers.ListField(child=serializers.ChoiceField(StudioType.choices))
    services = serializers.ListField(child=serializers.ChoiceField(ServiceType.choices))
    images = ImageSerializer(many=True)

    def to_representation(self, studio: Studio) -> dict:
        user = self.context["user"]
        dt = serializers.DateTimeField()
        return {
            "id": studio.pk,
            "owner": PersonSerializer(studio.owner).data,
            # Every field the owner edits, as stored; then what admins, billing and the
            # workflow set.
            **{
                field: getattr(studio, field)
                for field in (*OWNER_FIELDS, "is_premium", "is_verified", "status")
            },
            "latitude": float(studio.latitude) if studio.latitude is not None else None,
            "longitude": float(studio.longitude) if studio.longitude is not None else None,
            "allowed_transitions": allowed_transitions(studio, user),
            "published_at": dt.to_representation(studio.published_at)
            if studio.published_at
            else None,
            "created_at": dt.to_representation(studio.created_at),
            "updated_at": dt.to_representation(studio.updated_at),
            "studio_types": sorted(t.studio_type for t in studio.studio_types.all()),
            "services": sorted(s.service for s in studio.services.all()),
            "images": ImageSerializer(studio.images.all(), many=True).data,
        }


@extend_schema_serializer(component_name="ManagedStudioPage")
class ManagedStudioPageSerializer(PageSerializer):
    results = ManagedStudioSerializer(many=True)


_TEXT = {"required": False, "allow_null": True, "allow_blank": True}
_COORDINATE = {"required": False, "allow_null": True, "rounding": ROUND_HALF_UP}


@extend_schema_serializer(component_name="StudioWrite")
class StudioWriteSerializer(serializers.Serializer):
    """The writable fields of a studio. PATCH sends any subset (partial validation)."""

    name = serializers.CharField(max_length=200)
    city = serializers.CharField(max_length=200, help_text="Replaced by the geocoded city.")
    description = serializers.CharField(max_length=20_000, **_TEXT)
    address = serializers.CharField(max_length=500, **_TEXT)
    full_address = serializers.CharField(max_length=500, **_TEXT)
    abbreviated_address = serializers.CharField(max_length=300, **_TEXT)
    website_url = serializers.URLField(max_length=500, **_TEXT)
    phone = PhoneField(**_TEXT)
    is_profile_visible = serializers.BooleanField(required=False)
    studio_types = serializers.ListField(
        child=serializers.ChoiceField(StudioType.choices), max_length=20, required=False
    )
    services = serializers.ListField(
        child=serializers.ChoiceField(ServiceType.choices), max_length=20, required=False
    )
    is_premium = serializers.BooleanField(required=False, help_text="Admins only.")
    is_verified = serializers.BooleanField(required=False, help_text="Admins only.")
    latitude = serializers.DecimalField(
        max_digits=10,
        decimal_places=8,
        min_value=-90,
        max_value=90,
        help_text="Admins only; with longitude. Overrides geocoding.",
        **_COORDINATE,
    )
    longitude = serializers.DecimalField(
        max_digits=11,
        decimal_places=8,
        min_value=-180,
        max_value=180,
        help_text="Admins only; with latitude.",
        **_COORDINATE,
    )
    status = serializers.ChoiceField(
        StudioStatus.choices,
        required=False,
        help_text=(
            "DRAFT → PENDING → ACTIVE ↔ INACTIVE, and PENDING → DRAFT. Only an admin sets "
            "ACTIVE unless auto-approval is on. A new studio starts as DRAFT."
        ),
    )


def _blank_to_none(data: dict) -> dict:
    """Optional text sent empty means "none": stored as NULL, like the legacy rows."""
    return {
        key: None if isinstance(value, str) and not value.strip() else value
        for key, value in data.items()
    }


class StudioManageCollectionApi(APIView):
    permission_classes = [CanListOrCreateStudios]

    class FilterSerializer(PageFilterSerializer):
        owner = serializers.CharField(
            required=False, max_length=50, help_text="Admins: one owner's studios (username)."
        )

    InputSerializer = StudioWriteSerializer

    @extend_schema(
        operation_id="studio_manage_list",
        summary="The studios you manage",
        description="A STUDIO_OWNER's own studios, newest first; an ADMIN's are all studios.",
        parameters=[FilterSerializer],
        responses={200: ManagedStudioPageSerializer, **error_responses(400, 401, 403)},
        tags=TAGS,
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        page = paginate(
            managed_studios(user=request.user, owner_username=filters.validated_data.get("owner")),
            page=filters.validated_data["page"],
            page_size=filters.validated_data["page_size"],
        )
        context = {"user": request.user}
        return Response(
            page.as_dict(ManagedStudioSerializer(page.results, many=True, context=context).data)
        )

    @extend_schema(
        operation_id="studio_manage_create",
        summary="Create a studio",
        description=(
            "Any signed-in user may create a studio; their first makes them a STUDIO_OWNER. "
            "It starts as DRAFT (or PENDING to submit it at once). A full_address is "
            "geocoded in the background."
        ),
        request=InputSerializer,
        responses={201: ManagedStudioSerializer, **error_responses(400, 401, 403)},
        tags=TAGS,
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        studio = studio_create(actor=request.user, **_blank_to_none(serializer.validated_data))
        studio = access_managed_studio(user=request.user, studio_id=studio.pk)
        return Response(
            ManagedStudioSerializer(studio, context={"user": request.user}).data,
            status=status.HTTP_201_CREATED,
        )


class StudioManageDetailApi(APIView):
    permission_classes = [IsStudioOwnerOrAdmin]

    InputSerializer = StudioWriteSerializer

    @extend_schema(
        operation_id="studio_manage_get",
        summary="One of your studios",
        responses={200: ManagedStudioSerializer, **error_responses(401, 403, 404)},
        tags=TAGS,
    )
    def get(self, request, studio_id: int):
        studio = access_managed_studio(user=request.user, studio_id=studio_id)
        return Response(ManagedStudioSerializer(studio, context={"user": request.user}).data)

    @extend_schema(
        operation_id="studio_manage_update",
        summary="Update a studio (partial)",
        description=(
            "Only the fields sent change. studio_types and services replace the studio's "
            "whole set. A changed full_address is geocoded in the background. A status "
            "change follows the workflow; an invalid move is 409, ACTIVE without being "
            "allowed to publish is 403 `approval_required`."
        ),
        request=InputSerializer,
        responses={200: ManagedStudioSerializer, **error_responses(400, 401, 403, 404, 409)},
        tags=TAGS,
    )
    def patch(self, request, studio_id: int):
        studio = access_managed_studio(user=request.user, studio_id=studio_id)
        serializer = self.InputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        studio_update(
            actor=request.user, studio=studio, data=_blank_to_none(serializer.validated_data)
        )
        studio = access_managed_studio(user=request.user, studio_id=studio_id)
        return Response(ManagedStudioSerializer(studio, context={"user": request.user}).data)

    @extend_schema(
        operation_id="studio_manage_delete",
        summary="Delete a studio",
        description="Removes its photos (and their files), types, services and reviews.",
        responses={204: None, **error_responses(401, 403, 404)},
        tags=TAGS,
    )
    def delete(self, request, studio_id: int):
        studio = access_managed_studio(user=request.user, studio_id=studio_id)
        studio_delete(actor=request.user, studio=studio)
        return Response(status=status.HTTP_204_NO_CONTENT)


class StudioImageUploadApi(APIView):
    permission_classes = [IsStudioOwnerOrAdmin]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema_serializer(component_name="StudioImageUpload")
    class InputSerializer(serializers.Serializer):
        image = serializers.FileField(
            help_text="JPEG, PNG, WebP or GIF; re-encoded, metadata removed."
        )
        alt_text = serializers.CharField(
            max_length=300, required=False, allow_blank=True, allow_null=True
        )

    @extend_schema(
        operation_id="studio_manage_image_upload",
        summary="Add a photo to a studio",
        request={"multipart/form-data": InputSerializer},
        responses={201: ImageSerializer, **error_responses(400, 401, 403, 404, 409)},
        tags=TAGS,
    )
    def post(self, request, studio_id: int):
        studio = access_managed_studio(user=request.user, studio_id=studio_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        image = studio_image_add(
            studio=studio,
            upload=serializer.validated_data["image"],
            alt_text=serializer.validated_data.get("alt_text"),
        )
        return Response(ImageSerializer(image).data, status=status.HTTP_201_CREATED)


class StudioImageOrderApi(APIView):
    permission_classes = [IsStudioOwnerOrAdmin]
    parser_classes = [JSONParser]

    @extend_schema_serializer(component_name="StudioImageOrder")
    class InputSerializer(serializers.Serializer):
        image_ids = serializers.ListField(
            child=serializers.IntegerField(min_value=1),
            max_length=100,
            help_text="Every photo id of the studio, once each, in the new order.",
        )

    @extend_schema(
        operation_id="studio_manage_image_order",
        summary="Re-order a studio's photos",
        request=InputSerializer,
        responses={
            200: OpenApiResponse(ImageSerializer(many=True), description="The new order."),
            **error_responses(400, 401, 403, 404),
        },
        tags=TAGS,
    )
    def put(self, request, studio_id: int):
        studio = access_managed_studio(user=request.user, studio_id=studio_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        images = studio_images_reorder(studio=studio, **serializer.validated_data)
        return Response(ImageSerializer(images, many=True).data)


class StudioImageDetailApi(APIView):
    permission_classes = [IsStudioOwnerOrAdmin]

    @extend_schema_serializer(component_name="StudioImageUpdate")
    class InputSerializer(serializers.Serializer):
        alt_text = serializers.CharField(max_length=300, allow_blank=True, allow_null=True)

    @extend_schema(
        operation_id="studio_manage_image_update",
        summary="Change a photo's alt text",
        request=InputSerializer,
        responses={200: ImageSerializer, **error_responses(400, 401, 403, 404)},
        tags=TAGS,
    )
    def patch(self, request, studio_id: int, image_id: int):
        image = access_managed_image(user=request.user, studio_id=studio_id, image_id=image_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        image = studio_image_update(image=image, **serializer.validated_data)
        return Response(ImageSerializer(image).data)

    @extend_schema(
        operation_id="studio_manage_image_delete",
        summary="Remove a photo",
        responses={204: None, **error_responses(401, 403, 404)},
        tags=TAGS,
    )
    def delete(self, request, studio_id: int, image_id: int):
        image = access_managed_image(user=request.user, studio_id=studio_id, image_id=image_id)
        studio_image_delete(image=image)
        return Response(status=status.HTTP_204_NO_CONTENT)
