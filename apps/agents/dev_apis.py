"""Local demo helpers (docs/protocol.md). Off unless the setting, the marker file and the secret all agree."""
import hmac

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.common.api.inputs import query_data
from apps.common.api.schema import address_param, usdc_param, with_errors
from apps.common.errors import NotAuthenticated, NotFound

from . import selectors, services
from .models import ReputationKind
from .serializers import (
    DevReputationSetQuerySerializer,
    DevStakeSetQuerySerializer,
    ReputationOutputSerializer,
    StakeStatusOutputSerializer,
)

SECRET_HEADER = OpenApiParameter("X-Dev-Secret", str, OpenApiParameter.HEADER, required=True)


def dev_endpoints_enabled() -> bool:
    return bool(settings.AGORA_ENABLE_DEV_ENDPOINTS and (settings.BASE_DIR / ".agora-dev").exists())


def _require_dev(request) -> None:
    if not dev_endpoints_enabled():
        raise NotFound("Not found.")
    given = request.headers.get("X-Dev-Secret", "")
    expected = settings.AGORA_DEV_SECRET
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        raise NotAuthenticated("X-Dev-Secret is missing or wrong", code="invalid_dev_secret")


class DevStakeSetApi(APIView):
    @extend_schema(operation_id="dev_stake_set", parameters=[
        address_param(), usdc_param("amount"),
        SECRET_HEADER], request=None, responses=with_errors({200: StakeStatusOutputSerializer}, 400, 401, 404))
    def post(self, request):
        _require_dev(request)
        data = query_data(request, DevStakeSetQuerySerializer)
        services.stake_set(address=data["address"], units=data["amount"], actor="dev-endpoint")
        return Response(StakeStatusOutputSerializer(selectors.stake_status(address=data["address"])).data)


class DevReputationSetApi(APIView):
    @extend_schema(operation_id="dev_reputation_set", parameters=[
        address_param(), OpenApiParameter("score", {"type": "integer", "minimum": 0, "maximum": 10**9}, required=True),
        SECRET_HEADER], request=None, responses=with_errors({200: ReputationOutputSerializer}, 400, 401, 404))
    def post(self, request):
        _require_dev(request)
        data = query_data(request, DevReputationSetQuerySerializer)
        reputation = services.reputation_set(address=data["address"], score=data["score"], kind=ReputationKind.DEV_SET,
                                             reason="dev_set", actor="dev-endpoint")
        return Response(ReputationOutputSerializer(reputation).data)
