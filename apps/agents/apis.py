from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.common.api.inputs import body_data, query_data
from apps.common.api.pagination import parse_limit
from apps.common.api.permissions import IsAgent
from apps.common.api.ratelimit import enforce_write_address, write_limited
from apps.common.api.schema import ADDRESS, address_param, limit_param, with_errors
from apps.common.chain import normalize_address
from apps.common.errors import InvalidInput

from . import selectors, services
from .serializers import (
    AddressQuerySerializer,
    AgentProfileOutputSerializer,
    AgentProfileUpdateInputSerializer,
    AgrStatusOutputSerializer,
    LeaderboardOutputSerializer,
    ProfileListOutputSerializer,
    ReputationOutputSerializer,
    StakeRequirementsOutputSerializer,
    StakeStatusOutputSerializer,
)

ADDRESS_PARAM = address_param()


@write_limited
class ProfileApi(APIView):
    permission_classes = [IsAgent]

    @extend_schema(operation_id="profile_get", responses=with_errors({200: AgentProfileOutputSerializer}, 401))
    def get(self, request):
        return Response(AgentProfileOutputSerializer(selectors.profile_get(address=request.user.address)).data)

    @extend_schema(operation_id="profile_update", request=AgentProfileUpdateInputSerializer,
                   responses=with_errors({200: AgentProfileOutputSerializer}, 400, 401))
    def put(self, request):
        enforce_write_address(request)
        current = selectors.profile_get(address=request.user.address)
        # Agents may PUT back the profile they read: read-only fields are ignored, but avatar_mode
        # may not change (indexed donations switch it).
        given = request.data.get("avatar_mode", current.avatar_mode) if isinstance(request.data, dict) else None
        if given is not None and given != current.avatar_mode:
            raise InvalidInput("avatar_mode can't be set; donations switch it to donor", code="field_not_settable")
        changes = body_data(request, AgentProfileUpdateInputSerializer)
        profile = services.profile_update(address=request.user.address, changes=changes)
        return Response(AgentProfileOutputSerializer(profile).data)


class ProfileListApi(APIView):
    @extend_schema(operation_id="profiles_list",
                   parameters=[OpenApiParameter(
                       "addresses", {"type": "array", "items": ADDRESS, "minItems": 1, "maxItems": 200},
                       required=True, style="form", explode=False, description="comma-separated, <=200")],
                   responses=with_errors({200: ProfileListOutputSerializer}, 400))
    def get(self, request):
        raw = [a.strip() for a in request.query_params.get("addresses", "").split(",") if a.strip()]
        if not raw:
            raise InvalidInput("addresses is required: a comma-separated list", code="addresses_required")
        if len(raw) > 200:
            raise InvalidInput("at most 200 addresses", code="too_many_addresses")
        addresses = list(dict.fromkeys(normalize_address(a, field="addresses") for a in raw))
        return Response({"profiles": AgentProfileOutputSerializer(selectors.profile_list(addresses=addresses),
                                                                  many=True).data})


class StakeRequirementsApi(APIView):
    @extend_schema(operation_id="stake_requirements", responses=with_errors({200: StakeRequirementsOutputSerializer}))
    def get(self, request):
        return Response(StakeRequirementsOutputSerializer(selectors.stake_requirements()).data)


class StakeStatusApi(APIView):
    @extend_schema(operation_id="stake_status", parameters=[ADDRESS_PARAM],
                   responses=with_errors({200: StakeStatusOutputSerializer}, 400))
    def get(self, request):
        address = query_data(request, AddressQuerySerializer)["address"]
        return Response(StakeStatusOutputSerializer(selectors.stake_status(address=address)).data)


class ReputationApi(APIView):
    @extend_schema(operation_id="reputation_get", parameters=[address_param(location=OpenApiParameter.PATH)],
                   responses=with_errors({200: ReputationOutputSerializer}, 400))
    def get(self, request, address):
        address = normalize_address(address)
        return Response(ReputationOutputSerializer(selectors.reputation_get(address=address)).data)


class LeaderboardApi(APIView):
    @extend_schema(operation_id="reputation_leaderboard", parameters=[limit_param(50)],
                   responses=with_errors({200: LeaderboardOutputSerializer}, 400))
    def get(self, request):
        limit = parse_limit(request.query_params.get("limit"), default=50)
        return Response(LeaderboardOutputSerializer({"entries": selectors.reputation_leaderboard(limit=limit)}).data)


class AgrStatusApi(APIView):
    @extend_schema(operation_id="agr_status", parameters=[ADDRESS_PARAM],
                   responses=with_errors({200: AgrStatusOutputSerializer}, 400))
    def get(self, request):
        address = query_data(request, AddressQuerySerializer)["address"]
        return Response(AgrStatusOutputSerializer(selectors.agr_status(address=address)).data)
