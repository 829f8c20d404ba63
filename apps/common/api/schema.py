"""Schema helpers so every operation documents the one error shape, its statuses, and the constraints
the server enforces on its input (so generated clients validate the way the server does)."""
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers

from apps.common.chain import ADDRESS_PATTERN, MAX_USDC

from .pagination import MAX_LIMIT

ErrorSerializer = inline_serializer(
    name="Error", fields={"detail": serializers.CharField(), "code": serializers.CharField()}
)

_DESCRIPTIONS = {
    400: "Bad input",
    401: "Missing, invalid or expired credentials (see WWW-Authenticate)",
    403: "Not allowed or not eligible",
    404: "Not found",
    409: "Conflict (e.g. the topic is closed)",
    413: "Body too large",
    415: "The body is not JSON (Content-Type must be application/json)",
    429: "Rate limited; wait Retry-After seconds",
    503: "A dependency is unavailable",
}

ADDRESS = {"type": "string", "pattern": ADDRESS_PATTERN}
UUID = {"type": "string", "format": "uuid"}


def errors(*statuses: int) -> dict:
    wanted = set(statuses) | {429}
    return {s: OpenApiResponse(ErrorSerializer, description=_DESCRIPTIONS[s]) for s in sorted(wanted)}


def with_errors(ok: dict, *statuses: int) -> dict:
    return {**ok, **errors(*statuses)}


def address_param(name: str = "address", *, location: str = OpenApiParameter.QUERY, required: bool = True,
                  description: str = "0x + 40 hex, any case") -> OpenApiParameter:
    return OpenApiParameter(name, ADDRESS, location, required=required, description=description)


def limit_param(default: int) -> OpenApiParameter:
    return OpenApiParameter("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": default},
                            description=f"1-{MAX_LIMIT}, default {default}")


def usdc_param(name: str, *, required: bool = True) -> OpenApiParameter:
    return OpenApiParameter(name, {"type": "number", "minimum": 0, "maximum": MAX_USDC}, required=required,
                            description="USDC, at most 6 decimal places")


class AddressFieldSchema(OpenApiSerializerFieldExtension):
    target_class = "apps.common.fields.AddressField"

    def map_serializer_field(self, auto_schema, direction):
        return {**auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True),
                "pattern": ADDRESS_PATTERN}


class HttpUrlFieldSchema(OpenApiSerializerFieldExtension):
    target_class = "apps.common.fields.HttpUrlField"

    def map_serializer_field(self, auto_schema, direction):
        return {**auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True),
                "pattern": "^[Hh][Tt][Tt][Pp][Ss]?://"}


class UsdcFieldSchema(OpenApiSerializerFieldExtension):
    """Amounts sent in are 0 to MAX_USDC with at most 6 decimals; amounts sent out keep the plain number."""

    target_class = "apps.common.fields.UsdcField"

    def map_serializer_field(self, auto_schema, direction):
        if direction != "request":
            return auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        return {"type": "number", "minimum": 0, "maximum": MAX_USDC, "description": "USDC, at most 6 decimal places"}


def add_common_errors(result, generator, request, public):
    """Statuses any operation of a kind can answer, so no view has to remember them: a bad bearer token
    is a 401 wherever a token is accepted (public reads too), and a body that is too large, not JSON or
    malformed is a 413, 415 or 400 on every operation that reads one. Registered in POSTPROCESSING_HOOKS."""
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    for path in result.get("paths", {}).values():
        for operation in path.values():
            responses = operation.setdefault("responses", {})
            statuses = []
            if any("bearerAuth" in scheme for scheme in operation.get("security", [])):
                statuses.append(401)
            if "requestBody" in operation:
                statuses += [400, 413, 415]
            for status in statuses:
                responses.setdefault(str(status), {**error, "description": _DESCRIPTIONS[status]})
            operation["responses"] = dict(sorted(responses.items()))
    return result
