"""/api/user/account: deleting one's own account."""

from __future__ import annotations

from allauth.core import ratelimit
from django.contrib.auth import logout
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from common.errors import RateLimited

from ..services.accounts import user_account_delete

# No password is longer (hashing a megabyte-long guess is work for nothing).
PASSWORD_MAX_LENGTH = 1024
USERNAME_MAX_LENGTH = 150  # as every other username input of the API

# The window of allauth's "reauthenticate" rate limit (10 a minute per user by default).
REAUTHENTICATE_RETRY_AFTER = 60


class UserAccountApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        password = serializers.CharField(
            required=False, allow_blank=True, trim_whitespace=False, max_length=PASSWORD_MAX_LENGTH
        )
        confirm_username = serializers.CharField(
            required=False, allow_blank=True, max_length=USERNAME_MAX_LENGTH
        )

    @extend_schema(request=InputSerializer, responses={204: None})
    def delete(self, request):
        """Delete the account after re-entering the password (or, for accounts made
        through Google/Facebook/X, typing the username)."""
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # Password guesses count against allauth's own re-authentication limit.
        if not ratelimit.consume(request._request, action="reauthenticate", user=request.user):
            raise RateLimited(retry_after=REAUTHENTICATE_RETRY_AFTER)
        user_account_delete(user=request.user, **serializer.validated_data)
        if request.auth is not None and hasattr(request.auth, "delete"):
            request.auth.delete()  # the app's session token
        logout(request._request)  # the browser's session cookie
        return Response(status=status.HTTP_204_NO_CONTENT)
