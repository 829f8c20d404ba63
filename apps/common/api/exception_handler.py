"""One error shape for the whole API: {"detail": str, "code": str}."""
import structlog
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404
from django_ratelimit.exceptions import Ratelimited
from rest_framework import exceptions
from rest_framework.response import Response

from apps.common.errors import ApplicationError

from .errors import RateLimited, error_body

log = structlog.get_logger(__name__)


def _first_message(detail) -> str:
    """Flatten DRF's nested validation detail into one sentence that names the field."""
    if isinstance(detail, dict) and detail:
        key, value = next(iter(detail.items()))
        message = _first_message(value)
        return message if key in ("non_field_errors", "detail") else f"{key}: {message}"
    if isinstance(detail, list):
        for index, item in enumerate(detail):
            if isinstance(item, dict) and item:
                return f"[{index}] {_first_message(item)}"
            if item:
                return _first_message(item)
        return "invalid"
    return str(detail)


def _first_code(detail):
    if isinstance(detail, dict):
        for value in detail.values():
            return _first_code(value)
    if isinstance(detail, list):
        for value in detail:
            return _first_code(value)
    return getattr(detail, "code", None) or "invalid"


def handle_exception(exc, context):
    headers = {}
    if isinstance(exc, ApplicationError):
        status, detail, code = exc.status_code, exc.detail, exc.code
    elif isinstance(exc, Http404):
        status, detail, code = 404, "Not found.", "not_found"
    elif isinstance(exc, Ratelimited):
        status, detail, code = 429, "Too many requests.", "rate_limited"
        headers["Retry-After"] = "60"
    elif isinstance(exc, PermissionDenied):
        status, detail, code = 403, "You do not have permission to perform this action.", "forbidden"
    elif isinstance(exc, (OperationalError, InterfaceError)):
        # PostgreSQL unreachable or restarting. A write is one transaction, so it happened whole or not at all;
        # 503 + Retry-After tells the client to retry, where a 500 would say "bug" (tests/ops/drills).
        status, detail, code = 503, "The database is unavailable; retry shortly.", "database_unavailable"
        headers["Retry-After"] = "5"
    elif isinstance(exc, DjangoValidationError):
        status, detail, code = 400, "; ".join(exc.messages), "invalid"
    elif isinstance(exc, exceptions.ValidationError):
        status, detail, code = 400, _first_message(exc.detail), "invalid"
    elif isinstance(exc, exceptions.APIException):
        status = exc.status_code
        detail = _first_message(exc.detail)
        code = _first_code(exc.detail) if not isinstance(exc.detail, str) else exc.default_code
        code = getattr(exc.detail, "code", None) or code
        if isinstance(exc, RateLimited):
            headers["Retry-After"] = str(exc.retry_after)
        elif getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait))
    else:
        return None  # a real bug: let Django's 500 path log it
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="agora"'
    if status >= 500:
        log.warning("api_error", status=status, code=code, detail=detail)
    return Response(error_body(detail, code), status=status, headers=headers)
