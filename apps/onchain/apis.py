from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.common.api.inputs import body_data
from apps.common.api.permissions import IsOperator
from apps.common.api.schema import UUID, with_errors
from apps.jobs.selectors import anchor_get
from apps.jobs.serializers import AnchorBatchOutputSerializer, AnchorReceiptInputSerializer

from .anchor_selectors import anchor_record_proof
from .anchor_services import anchor_receipt_record


class AnchorGetApi(APIView):
    @extend_schema(operation_id="jobs_anchor", responses=with_errors({200: AnchorBatchOutputSerializer}, 404))
    def get(self, request, job_id):
        return Response(AnchorBatchOutputSerializer(anchor_get(job_id=job_id)).data)


class AnchorReceiptApi(APIView):
    permission_classes = [IsOperator]

    @extend_schema(operation_id="jobs_anchor_receipt", request=AnchorReceiptInputSerializer,
                   responses=with_errors({200: AnchorBatchOutputSerializer}, 400, 401, 403, 404, 409, 503))
    def post(self, request, job_id):
        data = body_data(request, AnchorReceiptInputSerializer)
        anchor = anchor_receipt_record(job_id=job_id, actor=request.user.address, tx_hash=data["anchor_tx_hash"],
                                       chain_id=data["anchor_chain_id"],
                                       contract_address=data["anchor_contract_address"],
                                       block_number=data["anchor_block_number"], log_index=data["anchor_log_index"])
        return Response(AnchorBatchOutputSerializer(anchor).data)


class ProofReceiptSerializer(serializers.Serializer):
    chain_id = serializers.IntegerField(allow_null=True)
    contract_address = serializers.CharField(allow_null=True)
    tx_hash = serializers.CharField(allow_null=True)
    block_number = serializers.IntegerField(allow_null=True)
    log_index = serializers.IntegerField(allow_null=True)
    status = serializers.CharField()


class RecordProofOutputSerializer(serializers.Serializer):
    job_id = serializers.UUIDField()
    record_id = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=["topic", "submission", "vote", "result"])
    leaf = serializers.ListField(child=serializers.CharField(),
                                 help_text="[kind, topicId, recordId, contentHash, salt]")
    proof = serializers.ListField(child=serializers.CharField())
    root = serializers.CharField()
    record = serializers.DictField()
    anchor_uri = serializers.CharField()
    tree_uri = serializers.CharField(help_text="the OpenZeppelin standard-v1 tree dump beside the snapshot")
    receipt = ProofReceiptSerializer()


class RecordProofApi(APIView):
    @extend_schema(operation_id="jobs_record_proof", parameters=[
        OpenApiParameter("record_id", UUID, OpenApiParameter.PATH),
        OpenApiParameter("kind", str, enum=["topic", "submission", "vote", "result"], description=(
            "which leaf when ids are shared: the topic and the result both use the topic's id"))],
        responses=with_errors({200: RecordProofOutputSerializer}, 400, 404))
    def get(self, request, job_id, record_id):
        kind = request.query_params.get("kind") or None
        return Response(anchor_record_proof(job_id=job_id, record_id=record_id, kind=kind))
