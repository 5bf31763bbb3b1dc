"""/api/profiles/{username}: a member's public profile, with their public studios."""

from __future__ import annotations

from urllib.parse import urlencode

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.profiles import CONNECTION_FIELDS
from accounts.models import User
from accounts.selectors import profile_of

from ..models import Studio
from ..selectors.profiles import public_profile_get


def _directions_url(studio: Studio) -> str | None:
    if studio.latitude is None or studio.longitude is None:
        return None
    destination = f"{studio.latitude},{studio.longitude}"
    return "https://www.google.com/maps/dir/?" + urlencode({"api": 1, "destination": destination})


# Which keys each privacy flag controls; without the flag they are absent from the JSON.
PRIVATE_PROFILE_KEYS = {
    "show_email": ("email",),
    "show_phone": ("phone",),
    "show_rates": ("rate_tier_1", "rate_tier_2", "rate_tier_3"),
}
PRIVATE_STUDIO_KEYS = {
    "show_address": ("full_address",),
    "show_directions": ("latitude", "longitude", "directions_url"),
}


class PublicStudioSerializer(serializers.ModelSerializer):
    """A studio on its owner's public profile; `context["profile"]` decides privacy."""

    image_url = serializers.SerializerMethodField()
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    directions_url = serializers.SerializerMethodField()

    class Meta:
        model = Studio
        fields = (
            "id",
            "name",
            "city",
            "abbreviated_address",
            "is_premium",
            "is_verified",
            "image_url",
            "full_address",
            "latitude",
            "longitude",
            "directions_url",
        )

    def get_image_url(self, studio: Studio) -> str | None:
        images = list(studio.images.all())  # prefetched in sort order
        return images[0].image_url if images else None

    def get_directions_url(self, studio: Studio) -> str | None:
        return _directions_url(studio)

    def to_representation(self, studio: Studio) -> dict:
        data = super().to_representation(studio)
        profile = self.context["profile"]
        for flag, keys in PRIVATE_STUDIO_KEYS.items():
            if not getattr(profile, flag):
                for key in keys:
                    data.pop(key, None)
        return data


class PublicProfileApi(APIView):
    """A public profile. Email, phone, rates, studio addresses and directions appear only
    when the owner's show_* flag allows; otherwise the keys are absent, not null."""

    permission_classes = [AllowAny]

    class OutputSerializer(serializers.Serializer):
        username = serializers.CharField()
        display_name = serializers.CharField()
        avatar_url = serializers.URLField(allow_null=True)
        role = serializers.CharField()
        member_since = serializers.DateTimeField(source="created_at")
        email = serializers.EmailField(
            required=False, help_text="Only if the owner's show_email is on."
        )
        phone = serializers.CharField(
            allow_null=True,
            required=False,
            source="profile.phone",
            help_text="Only if the owner's show_phone is on.",
        )
        rate_tier_1 = serializers.CharField(
            allow_null=True,
            required=False,
            source="profile.rate_tier_1",
            help_text="Only if the owner's show_rates is on.",
        )
        rate_tier_2 = serializers.CharField(
            allow_null=True,
            required=False,
            source="profile.rate_tier_2",
            help_text="Only if the owner's show_rates is on.",
        )
        rate_tier_3 = serializers.CharField(
            allow_null=True,
            required=False,
            source="profile.rate_tier_3",
            help_text="Only if the owner's show_rates is on.",
        )
        about = serializers.CharField(allow_null=True, source="profile.about")
        short_about = serializers.CharField(allow_null=True, source="profile.short_about")
        location = serializers.CharField(allow_null=True, source="profile.location")
        studio_name = serializers.CharField(allow_null=True, source="profile.studio_name")
        home_studio_description = serializers.CharField(
            allow_null=True, source="profile.home_studio_description"
        )
        equipment_list = serializers.CharField(allow_null=True, source="profile.equipment_list")
        services_offered = serializers.CharField(allow_null=True, source="profile.services_offered")
        is_crb_checked = serializers.BooleanField(source="profile.is_crb_checked")
        is_featured = serializers.BooleanField(source="profile.is_featured")
        is_spotlight = serializers.BooleanField(source="profile.is_spotlight")
        verification_level = serializers.CharField(source="profile.verification_level")
        facebook_url = serializers.URLField(allow_null=True, source="profile.facebook_url")
        twitter_url = serializers.URLField(allow_null=True, source="profile.twitter_url")
        x_url = serializers.URLField(allow_null=True, source="profile.x_url")
        linkedin_url = serializers.URLField(allow_null=True, source="profile.linkedin_url")
        instagram_url = serializers.URLField(allow_null=True, source="profile.instagram_url")
        tiktok_url = serializers.URLField(allow_null=True, source="profile.tiktok_url")
        threads_url = serializers.URLField(allow_null=True, source="profile.threads_url")
        youtube_url = serializers.URLField(allow_null=True, source="profile.youtube_url")
        vimeo_url = serializers.URLField(allow_null=True, source="profile.vimeo_url")
        soundcloud_url = serializers.URLField(allow_null=True, source="profile.soundcloud_url")
        connection_methods = serializers.SerializerMethodField()
        studios = serializers.SerializerMethodField()

        def get_connection_methods(self, user: User) -> list[str]:
            profile = user.profile
            methods = [getattr(profile, name) for name in CONNECTION_FIELDS]
            return [m for m in [*methods, *(profile.custom_connection_methods or [])] if m]

        @extend_schema_field(PublicStudioSerializer(many=True))
        def get_studios(self, user: User) -> list[dict]:
            studios = user.studios.all()  # prefetched: only the public ones
            return PublicStudioSerializer(
                studios, many=True, context={"profile": user.profile}
            ).data

        def to_representation(self, user: User) -> dict:
            user.profile = profile_of(user)
            data = super().to_representation(user)
            for flag, keys in PRIVATE_PROFILE_KEYS.items():
                if not getattr(user.profile, flag):
                    for key in keys:
                        data.pop(key, None)
            return data

    @extend_schema(responses=OutputSerializer)
    def get(self, request, username: str):
        user = public_profile_get(username=username)
        return Response(self.OutputSerializer(user).data)
