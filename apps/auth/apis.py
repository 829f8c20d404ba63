import math

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.common.api.inputs import body_data
from apps.common.api.permissions import IsAgent
from apps.common.api.ratelimit import enforce_auth_ip
from apps.common.api.schema import with_errors
from apps.common.fields import AddressField
from apps.common.timefmt import iso_z

from . import services


class ChallengeInputSerializer(serializers.Serializer):
    address = AddressField()


class ChallengeOutputSerializer(serializers.Serializer):
    address = serializers.CharField()
    nonce = serializers.CharField()
    message_to_sign = serializers.CharField()
    expires_in_seconds = serializers.IntegerField()


# The form only: a signature that breaks it is refused like a wrong one, with 401 (docs/protocol.md).
@extend_schema_field({"type": "string", "pattern": r"^(0x)?([0-9a-fA-F]{2}){65,}$", "maxLength": 2000,
                      "description": "hex, with or without 0x: 65 bytes from an EOA (v 27/28 or 0/1), more from "
                                     "a contract wallet when EIP-1271 sign-in is on"})
class SignatureField(serializers.CharField):
    pass


class VerifyInputSerializer(serializers.Serializer):
    address = AddressField()
    signature = SignatureField(max_length=2000)
    nonce = serializers.CharField(max_length=64, required=False,
                                  help_text="Optional: which challenge was signed (default: an account's newest open "
                                            "ones; a contract wallet's newest unexpired one)")


class VerifyOutputSerializer(serializers.Serializer):
    access_token = serializers.CharField()
    token_type = serializers.CharField()
    expires_at = serializers.CharField()


class LogoutOutputSerializer(serializers.Serializer):
    revoked = serializers.BooleanField()


class ChallengeCreateApi(APIView):
    authentication_classes = []

    @extend_schema(operation_id="auth_challenge", request=ChallengeInputSerializer,
                   responses=with_errors({200: ChallengeOutputSerializer}, 400))
    def post(self, request):
        enforce_auth_ip(request)
        data = body_data(request, ChallengeInputSerializer)
        challenge = services.challenge_create(address=data["address"])
        ttl = math.ceil((challenge.expires_at - challenge.issued_at).total_seconds())
        return Response({"address": challenge.address, "nonce": challenge.nonce,
                         "message_to_sign": challenge.message, "expires_in_seconds": ttl})


class ChallengeVerifyApi(APIView):
    authentication_classes = []

    @extend_schema(operation_id="auth_verify", request=VerifyInputSerializer,
                   responses=with_errors({200: VerifyOutputSerializer}, 400, 401, 503))
    def post(self, request):
        enforce_auth_ip(request)
        data = body_data(request, VerifyInputSerializer)
        session, token = services.challenge_verify(address=data["address"], signature=data["signature"],
                                                   nonce=data.get("nonce"))
        return Response({"access_token": token, "token_type": "bearer", "expires_at": iso_z(session.expires_at)})


class LogoutApi(APIView):
    permission_classes = [IsAgent]

    @extend_schema(operation_id="auth_logout", request=None, responses=with_errors({200: LogoutOutputSerializer}, 401))
    def post(self, request):
        services.session_revoke(session_id=request.user.session_id)
        return Response({"revoked": True})
