from django.http import JsonResponse
from rest_framework.exceptions import APIException

from apps.common.errors import ApplicationError


class PayloadTooLarge(APIException):
    status_code = 413
    default_code = "payload_too_large"

    def __init__(self, limit: int):
        super().__init__(f"Request body is larger than {limit} bytes.", code="payload_too_large")


class RateLimited(APIException):
    status_code = 429
    default_code = "rate_limited"

    def __init__(self, retry_after: int):
        self.retry_after = max(1, int(retry_after))
        super().__init__(f"Too many requests; retry after {self.retry_after} s.", code="rate_limited")


def error_body(detail, code) -> dict:
    """The one error shape of the API and the pages' JSON endpoints: {"detail", "code"}."""
    return {"detail": str(detail), "code": str(code)}


def error_response(detail, code, status: int, *, headers: dict | None = None) -> JsonResponse:
    """The error shape for code that runs outside DRF (middleware, plain Django views)."""
    response = JsonResponse(error_body(detail, code), status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def application_error_response(exc: ApplicationError) -> JsonResponse:
    return error_response(exc.detail, exc.code, exc.status_code)
