"""/api/user/connections (actions) and /api/network."""

from __future__ import annotations

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from common.openapi import error_responses

from ..permissions import IsMember
from ..selectors.network import network_get, network_stats
from ..services import connections as svc
from .schemas import ConnectionActionResultSchema, NetworkSchema, NetworkStatsSchema

TAGS = ["connections"]

ACTIONS = {
    "request": svc.connection_request,
    "accept": svc.connection_accept,
    "reject": svc.connection_reject,
    "cancel": svc.connection_cancel,
    "remove": svc.connection_remove,
}


class ConnectionActionApi(APIView):
    """Legacy rules: no self, no duplicate in either direction, only the recipient accepts
    or rejects; a request to someone who already asked you accepts theirs."""

    permission_classes = [IsMember]

    class InputSerializer(serializers.Serializer):
        action = serializers.ChoiceField(choices=list(ACTIONS))
        username = serializers.CharField(max_length=150)

    @extend_schema(
        operation_id="connection_action",
        summary="Request, accept, reject, cancel or remove a connection",
        request=InputSerializer,
        responses={200: ConnectionActionResultSchema, **error_responses(404)},
        tags=TAGS,
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        conn = ACTIONS[d["action"]](user=request.user, username=d["username"])
        body = {"action": d["action"], "username": d["username"]}
        if conn is not None:
            body["status"] = "connected" if conn.accepted else "pending"
        else:
            body["status"] = "none"
        return Response(body)


class NetworkApi(APIView):
    permission_classes = [IsMember]

    class InputSerializer(serializers.Serializer):
        stats = serializers.BooleanField(default=False)

    @extend_schema(
        operation_id="network_get",
        summary="Your connections, pending requests and suggestions (or counts)",
        description="With `stats=true`, only the counts (NetworkStats).",
        parameters=[InputSerializer],
        responses={
            200: PolymorphicProxySerializer(
                component_name="NetworkOrStats",
                serializers=[NetworkSchema, NetworkStatsSchema],
                resource_type_field_name=None,
            )
        },
        tags=TAGS,
    )
    def get(self, request):
        params = self.InputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        if params.validated_data["stats"]:
            return Response(network_stats(user=request.user))
        return Response(network_get(user=request.user))
