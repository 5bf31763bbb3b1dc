"""/api/user/profile and /api/user/avatar: the signed-in user's own profile."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from ..models import User, UserProfile
from ..selectors import own_profile_get, profile_of
from ..serializers import PhoneField
from ..services.profiles import (
    PROFILE_EDITABLE_FIELDS,
    avatar_remove,
    avatar_set,
    profile_update,
)
from ..validators import (
    CUSTOM_CONNECTION_METHODS_MAX,
    SOCIAL_LINK_HOSTS,
    SocialLinkValidator,
    validate_connection_method,
)

PROFILE_ADMIN_FIELDS = ("is_crb_checked", "is_featured", "is_spotlight", "verification_level")
SOCIAL_LINK_FIELDS = tuple(SOCIAL_LINK_HOSTS)
CONNECTION_FIELDS = tuple(f"connection{i}" for i in range(1, 13))


class ProfileInputSerializer(serializers.ModelSerializer):
    """Every editable user_profiles field, each optional (PATCH semantics)."""

    phone = PhoneField(required=False, allow_null=True, allow_blank=True)
    custom_connection_methods = serializers.ListField(
        child=serializers.CharField(max_length=10, validators=[validate_connection_method]),
        max_length=CUSTOM_CONNECTION_METHODS_MAX,
        required=False,
    )

    class Meta:
        model = UserProfile
        fields = PROFILE_EDITABLE_FIELDS
        extra_kwargs = {
            **{
                name: {"validators": [SocialLinkValidator(hosts)]}
                for name, hosts in SOCIAL_LINK_HOSTS.items()
            },
            **{name: {"validators": [validate_connection_method]} for name in CONNECTION_FIELDS},
        }

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        # Blank text is "no value": store NULL, as the legacy rows do.
        for name, value in values.items():
            if isinstance(value, str):
                value = value.strip()
                values[name] = value or None
        if "custom_connection_methods" in values:
            values["custom_connection_methods"] = [
                m.strip() for m in values["custom_connection_methods"] if m.strip()
            ]
        return values


class ProfileOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = UserProfile
        fields = (*PROFILE_EDITABLE_FIELDS, *PROFILE_ADMIN_FIELDS, "updated_at")


class UserProfileApi(APIView):
    """The signed-in user's account and complete profile, private fields included."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        display_name = serializers.CharField(min_length=1, max_length=100, required=False)
        profile = ProfileInputSerializer(required=False)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        username = serializers.CharField()
        email = serializers.EmailField()
        email_verified = serializers.BooleanField()
        display_name = serializers.CharField()
        avatar_url = serializers.URLField(allow_null=True)
        role = serializers.CharField()
        has_usable_password = serializers.SerializerMethodField()
        created_at = serializers.DateTimeField()
        profile = serializers.SerializerMethodField()

        def get_has_usable_password(self, user: User) -> bool:
            return user.has_usable_password()

        def get_profile(self, user: User) -> dict:
            return ProfileOutputSerializer(profile_of(user)).data

    @extend_schema(responses=OutputSerializer)
    def get(self, request):
        user = own_profile_get(user=request.user)
        return Response(self.OutputSerializer(user).data)

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def patch(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        account = {k: v for k, v in data.items() if k != "profile"}
        profile_update(user=request.user, account=account, profile=data.get("profile"))
        user = own_profile_get(user=request.user)
        return Response(self.OutputSerializer(user).data)


class UserAvatarApi(APIView):
    """Upload (multipart field `avatar`) or remove the signed-in user's picture."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    class InputSerializer(serializers.Serializer):
        avatar = serializers.FileField()

    class OutputSerializer(serializers.Serializer):
        avatar_url = serializers.URLField(allow_null=True)

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = avatar_set(user=request.user, upload=serializer.validated_data["avatar"])
        return Response(self.OutputSerializer(user).data)

    @extend_schema(responses={204: None})
    def delete(self, request):
        avatar_remove(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
