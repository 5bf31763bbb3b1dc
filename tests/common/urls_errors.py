"""A URLconf of views that fail in every way, for the error-shape tests."""

from django.db.models import ProtectedError
from django.http import Http404, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_protect
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from common import errors
from common.permissions import IsEmailVerified
from project.urls import handler400, handler403, handler404, handler500  # noqa: F401

DOMAIN_ERRORS = {
    "invalid": errors.ValidationFailed(fields={"name": ["Required."]}),
    "forbidden": errors.Forbidden(),
    "not_found": errors.NotFound(),
    "conflict": errors.Conflict(),
    "rate_limited": errors.RateLimited(retry_after=2.5),
    "suspended": errors.Suspended(),
}


class DomainErrorApi(APIView):
    def get(self, request, kind):
        raise DOMAIN_ERRORS[kind]


class ProtectedApi(APIView):
    def delete(self, request):
        raise ProtectedError("still referenced", set())


class CrashApi(APIView):
    def get(self, request):
        raise RuntimeError("a real bug")


class EchoApi(APIView):
    class InputSerializer(serializers.Serializer):
        count = serializers.IntegerField(min_value=0)
        name = serializers.CharField(max_length=10)

    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(data.validated_data)


class VerifiedOnlyApi(APIView):
    permission_classes = [IsAuthenticated, IsEmailVerified]

    def post(self, request):
        return Response({"ok": True})


def plain_django_404(request):
    raise Http404


def plain_django_crash(request):
    raise RuntimeError("a bug outside DRF")


@csrf_protect
def plain_django_post(request):
    return HttpResponse("ok")


urlpatterns = [
    path("api/t/domain/<str:kind>", DomainErrorApi.as_view()),
    path("api/t/protected", ProtectedApi.as_view()),
    path("api/t/crash", CrashApi.as_view()),
    path("api/t/echo", EchoApi.as_view()),
    path("api/t/verified", VerifiedOnlyApi.as_view()),
    path("api/t/plain-404", plain_django_404),
    path("api/t/plain-crash", plain_django_crash),
    path("api/t/plain-post", plain_django_post),
    path("page/plain-404", plain_django_404),
]
