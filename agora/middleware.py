import re
import uuid

import structlog
from django.conf import settings

from apps.common.api.clientip import client_ip
from apps.common.api.errors import error_response
from apps.common.api.ratelimit import global_usage_or_none

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class RequestIdMiddleware:
    """Honour a sane incoming X-Request-ID (or make one) and echo it on the response. Also binds
    the client IP for the logs: the same one the rate limits count (apps/common/api/clientip.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else str(uuid.uuid4())
        request.META["HTTP_X_REQUEST_ID"] = request_id
        structlog.contextvars.bind_contextvars(ip=client_ip(request))
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


class GlobalRateLimitMiddleware:
    """A per-IP ceiling on the API (AGORA_RATE_LIMIT_PER_MIN), before any view runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        per_minute = settings.AGORA_RATE_LIMIT_PER_MIN
        if per_minute > 0 and request.path.startswith("/api/"):
            usage = global_usage_or_none(request, per_minute)
            if usage and usage.limited:
                retry = str(usage.retry_after)
                return error_response(f"Too many requests; retry after {retry} s.", "rate_limited", 429,
                                      headers={"Retry-After": retry})
        return self.get_response(request)


class BodySizeLimitMiddleware:
    """Answer 413 in the API's error shape before anything (metrics included) reads the body."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length = request.META.get("CONTENT_LENGTH", "")
        limit = settings.AGORA_MAX_BODY_BYTES
        if length.isdigit() and int(length) > limit:
            return error_response(f"Request body is larger than {limit} bytes.", "payload_too_large", 413)
        return self.get_response(request)
