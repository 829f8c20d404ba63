from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.common.api.inputs import body_data, query_data
from apps.common.api.pagination import parse_limit
from apps.common.api.permissions import IsAgent
from apps.common.api.ratelimit import enforce_write_address
from apps.common.api.schema import UUID, address_param, limit_param, with_errors
from apps.common.errors import NotFound

from . import selectors
from .models import ProposalStatus
from .serializers import (
    SlashingEventListOutputSerializer,
    SlashingEventOutputSerializer,
    SlashingEventQuerySerializer,
    SlashProposalDetailOutputSerializer,
    SlashProposalListOutputSerializer,
    SlashProposalOutputSerializer,
    SlashProposalQuerySerializer,
    SlashProposalResponseInputSerializer,
)
from .services import slash_proposal_respond


class SlashingEventListApi(APIView):
    @extend_schema(operation_id="slashing_events", parameters=[
        address_param(required=False), OpenApiParameter("job_id", UUID), limit_param(50)],
        responses=with_errors({200: SlashingEventListOutputSerializer}, 400))
    def get(self, request):
        query = query_data(request, SlashingEventQuerySerializer)
        events = selectors.slashing_event_list(address=query.get("address"), job_id=query.get("job_id"),
                                               limit=parse_limit(request.query_params.get("limit"), default=50))
        return Response({"events": SlashingEventOutputSerializer(events, many=True).data})


class SlashProposalListApi(APIView):
    @extend_schema(operation_id="slashing_proposals", parameters=[
        address_param(required=False, description="the agent; 0x + 40 hex, any case"),
        OpenApiParameter("status", str, enum=["pending", "all", *ProposalStatus.values],
                         description="default pending (proposed, approved or exported)"),
        limit_param(50)],
        responses=with_errors({200: SlashProposalListOutputSerializer}, 400))
    def get(self, request):
        query = query_data(request, SlashProposalQuerySerializer)
        proposals = selectors.proposal_list(address=query.get("address"), status=query["status"],
                                            limit=parse_limit(request.query_params.get("limit"), default=50))
        return Response({"proposals": SlashProposalOutputSerializer(proposals, many=True).data})


def _detail(proposal_id) -> dict:
    proposal = selectors.proposal_get(proposal_id=proposal_id)
    if proposal is None:
        raise NotFound("no such slash proposal", code="proposal_not_found")
    proposal.history = selectors.proposal_history(proposal_id=proposal.id)
    return SlashProposalDetailOutputSerializer(proposal).data


class SlashProposalDetailApi(APIView):
    @extend_schema(operation_id="slashing_proposal", responses=with_errors({200: SlashProposalDetailOutputSerializer},
                                                                          404))
    def get(self, request, proposal_id):
        return Response(_detail(proposal_id))


class SlashProposalResponseApi(APIView):
    """The agent a proposal is about answers it; the answer joins the proposal's public history."""

    permission_classes = [IsAgent]

    @extend_schema(operation_id="slashing_proposal_respond", request=SlashProposalResponseInputSerializer,
                   responses=with_errors({200: SlashProposalDetailOutputSerializer}, 400, 401, 403, 404, 409, 413))
    def post(self, request, proposal_id):
        enforce_write_address(request)
        data = body_data(request, SlashProposalResponseInputSerializer)
        slash_proposal_respond(proposal_id=proposal_id, agent_address=request.user.address,
                               response=data["response"], evidence=data["evidence"])
        return Response(_detail(proposal_id))
