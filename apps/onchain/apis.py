from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.common.api.inputs import query_data
from apps.common.api.pagination import parse_limit
from apps.common.api.schema import with_errors
from apps.common.fields import AddressField, UsdcField, ZDateTimeField

from .selectors import slashing_event_list


class SlashingEventOutputSerializer(serializers.Serializer):
    id = serializers.CharField()
    agent_address = serializers.CharField()
    amount_usdc = UsdcField(source="amount_units")
    recipient_address = serializers.CharField()
    job_id = serializers.UUIDField(allow_null=True)
    tx_hash = serializers.CharField()
    chain_id = serializers.IntegerField()
    contract_address = serializers.CharField()
    block_number = serializers.IntegerField()
    log_index = serializers.IntegerField()
    created_at = ZDateTimeField()


class SlashingEventListOutputSerializer(serializers.Serializer):
    events = SlashingEventOutputSerializer(many=True)


class SlashingEventQuerySerializer(serializers.Serializer):
    address = AddressField(required=False)
    job_id = serializers.UUIDField(required=False)


class SlashingEventListApi(APIView):
    @extend_schema(operation_id="slashing_events", parameters=[
        OpenApiParameter("address", str), OpenApiParameter("job_id", str), OpenApiParameter("limit", int)],
        responses=with_errors({200: SlashingEventListOutputSerializer}, 400))
    def get(self, request):
        query = query_data(request, SlashingEventQuerySerializer)
        events = slashing_event_list(address=query.get("address"), job_id=query.get("job_id"),
                                     limit=parse_limit(request.query_params.get("limit"), default=50))
        return Response({"events": SlashingEventOutputSerializer(events, many=True).data})
