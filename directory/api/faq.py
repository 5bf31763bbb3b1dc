"""GET /api/faq: the FAQ, in sort_order (entries without one last). Managed in the admin."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from directory.models import Faq


class FaqListApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema_serializer(component_name="FaqEntry")
    class OutputSerializer(serializers.ModelSerializer):
        class Meta:
            model = Faq
            fields = ("id", "question", "answer", "sort_order", "updated_at")

    @extend_schema(
        operation_id="faq_list",
        summary="Frequently asked questions",
        responses={200: OutputSerializer(many=True)},
        tags=["faq"],
    )
    def get(self, request):
        entries = Faq.objects.all()  # Meta.ordering: sort_order, NULLS LAST on every database
        return Response(self.OutputSerializer(entries, many=True).data)
