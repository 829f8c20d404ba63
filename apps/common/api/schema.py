"""Schema helpers so every operation documents the one error shape and its statuses."""
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

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
    429: "Rate limited; wait Retry-After seconds",
    503: "A dependency is unavailable",
}


def errors(*statuses: int) -> dict:
    wanted = set(statuses) | {429}
    return {s: OpenApiResponse(ErrorSerializer, description=_DESCRIPTIONS[s]) for s in sorted(wanted)}


def with_errors(ok: dict, *statuses: int) -> dict:
    return {**ok, **errors(*statuses)}
